"""Tool text from tool.json and run rows is shown as plain text in the shell (issue 11), a chat
tool with no form inputs leaves no stray window, and a past run's big (spilled) outputs are
parsed off the UI thread.

Qt's QLabel guesses the format (AutoText): a tool named `<img src="/dev/zero">` would be
rendered as HTML and the image load reads /dev/zero forever. The hostile tool is opened in the
real main window (sidebar, tool page header, form, home cards, history, gallery, palette) in a
child interpreter (a hang or an abort fails the test instead of blocking the suite); every
QLabel showing that text must be PlainText, and painting every page must finish."""

from __future__ import annotations

import os


from child_process import child_only, run_in_child
from fixtures_ui_shell import make_tool

CHILD_MEMORY = 3 * 1024 ** 3

IMG = os.environ.get("F11_IMG", '<img src="/dev/zero">')
BOLD = "<b>bold</b>"
NAME = f"Evil {IMG} {BOLD}"
DESCRIPTION = f"does {BOLD} things {IMG}"


def _in_child(name: str, timeout: float = 150) -> None:
    run_in_child(__file__, name, timeout=timeout, memory_bytes=CHILD_MEMORY)


def _labels_with_markup():
    from PySide6.QtWidgets import QApplication, QLabel

    return [w for w in QApplication.allWidgets() if isinstance(w, QLabel)
            and ("<img" in w.text() or "<b>" in w.text())]


def _where(label) -> str:
    chain, w = [], label
    while w is not None:
        chain.append(type(w).__name__ + (f"#{w.objectName()}" if w.objectName() else ""))
        w = w.parentWidget()
    return " < ".join(chain[:5]) + f": {label.text()[:60]!r}"


@child_only
def test_child_tool_text_is_plain_in_the_shell(qtbot, make_window, tools_dir, ctx):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from pixie_desktop.store import runs_repo
    from pixie_desktop.ui.app import install_extensions

    make_tool(tools_dir, "evil", NAME, tags=["<b>tag</b>"], description=DESCRIPTION,
              inputs=[{"key": "x", "type": "text", "label": f"X {IMG}", "description": f"help {BOLD}",
                       "placeholder": f"{BOLD}", "group": f"g {BOLD}"},
                      {"key": "f", "type": "file", "label": "F", "accept": [f".{BOLD}"], "required": False}],
              outputs=[{"key": "y", "type": "text", "label": f"Y {BOLD}"}])
    runs_repo.create_run(ctx.conn, "evil-run", "evil", {"x": IMG})
    runs_repo.finish_run(ctx.conn, "evil-run", "error", error_text=f"failed: {IMG} {BOLD}")
    win = make_window()
    exts = install_extensions(win, ctx)
    try:
        assert win.open_tool("evil")
        page = win.tool_pages["evil"]
        for key in ("home", "history", "gallery"):
            win.show_page(key)
        win.open_tool("evil")
        page.show_history()
        palette = getattr(win, "palette_widget", None) or getattr(win, "command_palette", None)
        if palette is not None:
            palette.open("evil")
        shown = _labels_with_markup()
        assert any(NAME in w.text() for w in shown), "the tool's name is shown somewhere, literally"
        rich = [_where(w) for w in shown if w.textFormat() != Qt.TextFormat.PlainText]
        assert rich == [], "QLabels that would render tool text as HTML:\n" + "\n".join(rich)
        tips = [_where(w) + f" tooltip {w.toolTip()[:60]!r}" for w in QApplication.allWidgets()
                if "<img" in w.toolTip() or "<b>" in w.toolTip()]
        assert tips == [], "tooltips Qt would render as HTML:\n" + "\n".join(tips)
        model = win.tools_model
        rows = [model.index(r, 0) for r in range(model.rowCount())]
        tool_tips = [model.data(i, Qt.ItemDataRole.ToolTipRole) or "" for i in rows]
        assert any("&lt;img" in t for t in tool_tips) and not any("<img" in t for t in tool_tips)
        win.resize(1200, 800)
        win.show()
        for key in ("home", "history", "gallery"):  # paint every page: must not hang or abort
            win.show_page(key)
            win.grab()
        win.open_tool("evil")
        win.grab()
        qtbot.wait(50)
    finally:
        exts.shutdown()


def test_tool_text_is_plain_in_the_shell():
    _in_child("test_child_tool_text_is_plain_in_the_shell")


def test_plain_tooltip_shows_markup_literally(qapp):
    from PySide6.QtGui import QTextDocument

    from pixie_desktop.ui.plain_text import plain_tooltip

    assert plain_tooltip("plain words & more") == "plain words & more"  # nothing to escape
    assert plain_tooltip(None) is None and plain_tooltip("") == ""
    tip = plain_tooltip(NAME)
    assert "<img" not in tip and "<b>" not in tip
    doc = QTextDocument()
    doc.setHtml(tip)  # what Qt does with a tooltip that looks like markup
    assert doc.toPlainText() == NAME


def test_chat_tool_without_form_inputs_leaves_no_top_level_form(qtbot, make_window, tools_dir):
    from PySide6.QtWidgets import QApplication

    from pixie_desktop.ui.inputs.form import ToolForm

    make_tool(tools_dir, "chatty", "Chatty", layout="chat",
              inputs=[{"key": "messages", "type": "json", "label": "Messages", "default": []},
                      {"key": "history", "type": "json", "label": "History", "default": [], "required": False}],
              outputs=[{"key": "reply", "type": "text", "label": "Reply"}])
    win = make_window()
    assert win.open_tool("chatty")
    page = win.tool_pages["chatty"]
    assert page.form is not None and page.form.parent() is not None and page.form.isHidden()
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, ToolForm)]


def test_spilled_outputs_of_a_past_run_are_parsed_off_the_ui_thread(qtbot, make_window, tools_dir, ctx,
                                                                   monkeypatch):
    """Opening a big run from history read and parsed its outputs.json (6 MB for a 200,000-row
    table, ~0.3 s of json.loads) on the UI thread."""
    import json
    import threading

    from pixie_desktop.artefacts import spill
    from pixie_desktop.store import runs_repo

    make_tool(tools_dir, "tabular", "Tabular", outputs=[{"key": "table", "type": "table", "label": "T"}])
    rows = [[i, f"name {i}"] for i in range(3000)]
    folder = ctx.settings.artefacts_root / "tabular" / "big-run"
    folder.mkdir(parents=True)
    (folder / spill.OUTPUTS_FILE).write_text(json.dumps({"table": {"columns": ["n", "name"], "rows": rows}}))
    runs_repo.create_run(ctx.conn, "big-run", "tabular", {"x": "1"})
    runs_repo.finish_run(ctx.conn, "big-run", "ok", meta_update={
        "outputs_oversize": True, "outputs_path": f"tabular/big-run/{spill.OUTPUTS_FILE}"})
    readers = []
    real = spill.read_spilled
    monkeypatch.setattr(spill, "read_spilled",
                        lambda *a: readers.append(threading.current_thread()) or real(*a))
    win = make_window()
    assert win.open_tool("tabular")
    page = win.tool_pages["tabular"]
    shown = []
    monkeypatch.setattr(page.outputs, "show_outputs", lambda outputs, run_id=None: shown.append((run_id, outputs)))
    assert page.open_outputs_of("big-run")
    qtbot.waitUntil(lambda: bool(shown), timeout=20_000)
    assert readers and threading.main_thread() not in readers
    (run_id, outputs), = shown
    assert run_id == "big-run" and outputs["table"]["rows"][2999] == [2999, "name 2999"]
