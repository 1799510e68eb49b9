"""Craft at every window size (issue 13): the clipping self-check (tests/clipping.py) over Home,
History, Gallery, a bundled tool page after a real run, the every-input form and Settings, at
960×640, 1280×800 and 1920×1080, light and dark — zero findings. One window per size is built
once and reused across pages and both themes to keep the runtime down."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clipping import find_clipping
from conftest import write_tool
from fixtures_ui_shell import copy_bundled, wait_idle

DATA = Path(__file__).parent / "data"
SIZES = [(960, 640), (1280, 800), (1920, 1080)]
ALL_INPUT_VALUES = {"t_date_range": ["2026-03-01", "2026-03-31"], "t_table": [{"name": "Widgets", "count": 12}],
                    "t_text": "A fairly ordinary sentence typed into the text field",
                    "t_map_point": [51.5, -0.12]}


def _settle(qtbot, win) -> None:
    from PySide6.QtWidgets import QApplication

    for _ in range(3):
        QApplication.processEvents()
    qtbot.wait(30)
    QApplication.processEvents()


def _pages(qtbot, win, ctx):
    """(name, widget to check) for every page, shown in turn."""
    yield "home", (win.show_page("home"), win)[1]
    yield "history", (win.show_page("history"), win)[1]
    yield "gallery", (win.show_page("gallery"), win)[1]
    win.open_tool("calculator")
    yield "calculator after a run", win
    win.open_tool("all-inputs-tool")
    yield "every-input form", win
    from pixie_desktop.ui.views.settings_dialog import SettingsDialog

    dlg = SettingsDialog(ctx.settings, ctx.conn, win)
    dlg.resize(min(760, win.width()), min(680, win.height()))
    dlg.show()
    qtbot.waitExposed(dlg)
    try:
        yield "settings", dlg
    finally:
        dlg.close()
        dlg.deleteLater()


@pytest.fixture
def craft_tools(tools_dir):
    copy_bundled(tools_dir, "calculator", "csv-summary", "image-thumbnail", "slow-counter")  # six home cards
    spec = json.loads((DATA / "all-inputs.tool.json").read_text())
    write_tool(tools_dir, "all-inputs-tool", spec, main_py="")
    return tools_dir


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_no_clipping_at_every_size(qtbot, make_window, craft_tools, ctx, size):
    win = make_window(restore=False)
    win.resize(*size)
    win.show()
    qtbot.waitExposed(win)
    win.resize(*size)  # offscreen screens are small: a window may still be larger than its screen
    assert win.open_tool("calculator")
    page = win.tool_pages["calculator"]
    page.form.set_values({"a": 6, "op": "multiply", "b": 7})
    assert page.run()
    wait_idle(qtbot, page)
    assert page.last_result.status == "ok", page.last_result.error
    assert win.open_tool("all-inputs-tool")
    win.tool_pages["all-inputs-tool"].form.set_values(ALL_INPUT_VALUES)
    findings: list[str] = []
    for theme in ("light", "dark"):
        win.set_theme(theme)
        for name, widget in _pages(qtbot, win, ctx):
            _settle(qtbot, win)
            assert (win.width(), win.height()) == size
            findings += [f"{theme} {name}: {f}" for f in find_clipping(widget)]
    assert not findings, f"{len(findings)} clipping findings at {size[0]}×{size[1]}:\n" + "\n".join(findings)


def test_self_check_finds_clipped_text_and_overflow(qtbot):
    """The checker itself: a cut label, a cut button and a widget past its window are found; an
    elided label with its full text in the tool tip and a fitting label are not."""
    from PySide6.QtWidgets import QLabel, QPushButton, QWidget

    root = QWidget()
    qtbot.addWidget(root)
    root.resize(300, 200)
    cut = QLabel("A label whose text is much too long for forty pixels", root)
    cut.setGeometry(0, 0, 40, 20)
    elided = QLabel("Short…", root)
    elided.setGeometry(0, 30, 200, 20)
    long_elided = QLabel("A label whose text is much too long for forty pixels", root)
    long_elided.setProperty("elided", True)
    long_elided.setToolTip(long_elided.text())
    long_elided.setGeometry(0, 60, 40, 20)
    button = QPushButton("Open folder", root)
    button.setGeometry(0, 90, 30, 26)
    outside = QPushButton("Run", root)
    outside.setGeometry(270, 150, 100, 30)
    root.show()
    qtbot.waitExposed(root)
    findings = find_clipping(root)
    assert any("much too long" in f and "needs" in f for f in findings)
    assert any("Open folder" in f for f in findings)
    assert any("'Run'" in f and "sticks out" in f for f in findings)
    assert not any("Short" in f for f in findings)
    assert len(findings) == 3, findings
