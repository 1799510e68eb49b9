"""Actions registry and extensions: every shortcut is listed in Help ▸ Keyboard shortcuts; the
menu bar, the sidebar's tool menu, the tool page's ⋯ menu and the palette's commands are built
from the declarations (a registered action appears in each place it declares, and only there);
extensions install in order, report failures without stopping, and shut down in reverse; the
main window stays small; home ranking is a Qt-free query."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMessageBox

from fixtures_ui_shell import copy_bundled  # noqa: F401 - registers the shell fixtures
from pixie_desktop.queries.home import home_summary, rank_home_tools
from pixie_desktop.ui.actions import PALETTE, TOOL_CONTEXT, TOOL_MORE, Action
from pixie_desktop.ui.extensions import Extensions, Services


def test_help_lists_every_shortcut(qtbot, make_window, shell_tools, ctx, monkeypatch):
    from pixie_desktop.ui.app import install_extensions

    win = make_window()
    exts = install_extensions(win, ctx)
    reg = win.action_registry
    with_keys = {a.id for a in reg.actions() if reg.effective_shortcuts(a.id)}
    rows = reg.shortcut_rows()
    assert {i for _k, _w, ids in rows for i in ids} == with_keys
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text, *a: shown.append(text))
    win.findChild(type(win.run_action), "showShortcuts").trigger()
    assert shown == [reg.shortcuts_text()]
    lines = shown[0].splitlines()
    expected = [("Ctrl+K, Ctrl+Shift+P", "command palette: tools, runs, starred, commands"),
                ("Ctrl+F", "find a tool (on History: search runs)"), ("F5", "rescan tools"), ("Ctrl+Return, Ctrl+Enter", "run"),
                ("Esc", "cancel the run"), ("Ctrl+1…9", "open a favourite"), ("Ctrl+N", "New tool"),
                ("Ctrl+,", "settings")]
    quit_keys = QKeySequence(QKeySequence.StandardKey.Quit).toString()  # Ctrl+Q on desktops; none offscreen
    if quit_keys:
        expected.append((quit_keys, "Quit"))
    for keys, what in expected:
        assert f"{keys}  {what}" in lines, (keys, lines)
    exts.shutdown()
    assert "Ctrl+K, Ctrl+F  find a tool (on History: search runs)" in reg.shortcuts_text().splitlines()  # Ctrl+K back to Find


def test_a_registered_action_appears_in_each_declared_place(qtbot, make_window, shell_tools, ctx):
    from pixie_desktop.ui.app import install_extensions

    win = make_window()
    exts = install_extensions(win, ctx)
    seen: list[tuple[str | None, bool]] = []
    win.action_registry.register(Action("test.hello", "Say hello", lambda c: seen.append((c.tool_id, c.checked)),
                                        ("Tools", TOOL_CONTEXT, TOOL_MORE, PALETTE), ("Ctrl+Shift+H",)))
    win.action_registry.register(Action("test.moreOnly", "Only in ⋯", lambda c: None, (TOOL_MORE,)))
    assert "test.hello" in [a.objectName() for a in win.menus["Tools"].actions()]
    assert "Ctrl+Shift+H  Say hello" in win.action_registry.shortcuts_text().splitlines()

    context = [a.objectName() for a in win.sidebar.tool_menu("alpha").actions()]
    assert "test.hello" in context and "test.moreOnly" not in context
    assert win.open_tool("alpha")
    more = win.tool_pages["alpha"].more_menu()
    names = [a.objectName() for a in more.actions()]
    assert "test.hello" in names and "test.moreOnly" in names
    next(a for a in more.actions() if a.objectName() == "test.hello").trigger()
    assert seen == [("alpha", False)]

    palette = exts.get("palette").palette
    palette.open()
    palette.search.setText("say hello")
    item = palette.current_item()
    assert item is not None and (item.kind, item.title, item.subtitle) == ("action", "Say hello", "Tools")
    palette.activate()
    qtbot.waitUntil(lambda: len(seen) == 2)

    win.action_registry.unregister("test.hello")
    assert "test.hello" not in [a.objectName() for a in win.menus["Tools"].actions()]
    assert "test.hello" not in [a.objectName() for a in win.sidebar.tool_menu("alpha").actions()]
    exts.shutdown()


def test_tool_menus_follow_the_declarations(qtbot, make_window, shell_tools, ctx):
    win = make_window()
    assert win.open_tool("beta")
    declared = [a.id for a in win.action_registry.actions(TOOL_CONTEXT)]
    for menu in (win.sidebar.tool_menu("beta"), win.tool_pages["beta"].more_menu()):
        shown = [a.objectName() for a in menu.actions() if not a.isSeparator()]
        assert shown and all(name in declared for name in shown)
        assert shown == [d for d in declared if d in shown]  # declaration order
    assert [a.text() for a in win.sidebar.tool_menu("beta").actions()] == \
        [a.text() for a in win.tool_pages["beta"].more_menu().actions()]


def test_archived_tool_leaves_the_palette(qtbot, make_window, shell_tools, ctx):
    from pixie_desktop.ui.app import install_extensions

    win = make_window()
    exts = install_extensions(win, ctx)
    palette = exts.get("palette").palette
    palette.open()
    assert "alpha" in {i.key for i in palette.visible_items() if i.kind == "tool"}
    palette.hide()
    win.sidebar.set_flag("alpha", "archived", True)
    palette.open()
    assert "alpha" not in {i.key for i in palette.visible_items() if i.kind == "tool"}
    assert not any(hasattr(win, n) for n in ("drop_controller", "tray", "sweep_scheduler", "command_palette",
                                             "revalidate", "revalidate_controller"))
    exts.shutdown()


class _Ext:
    def __init__(self, name: str, log: list[str], fail_install: bool = False, fail_shutdown: bool = False):
        self.name, self.log, self.fail_install, self.fail_shutdown = name, log, fail_install, fail_shutdown

    def install(self, services: Services) -> None:
        assert services.ctx == "ctx"
        self.log.append(f"install {self.name}")
        if self.fail_install:
            raise RuntimeError("no tray here")

    def shutdown(self) -> None:
        self.log.append(f"shutdown {self.name}")
        if self.fail_shutdown:
            raise RuntimeError("stuck")


def test_extensions_install_in_order_and_shut_down_in_reverse():
    log: list[str] = []
    services = Services(ctx="ctx", events=None, window=None, actions=None, runner=lambda: None,
                        status=lambda *_a: None, submit=lambda *_a, **_k: None, tools=list)
    exts = Extensions(services)
    failed = exts.install_all([_Ext("a", log), _Ext("b", log, fail_install=True), _Ext("c", log, fail_shutdown=True),
                               _Ext("d", log)])
    assert failed == ["b: RuntimeError: no tray here"] and exts.failed == failed
    assert exts.names() == ["a", "c", "d"] and exts.get("c").name == "c" and exts.get("b") is None
    log.clear()
    exts.shutdown()
    assert log == ["shutdown d", "shutdown c", "shutdown a"]  # c failing did not stop a
    assert exts.names() == []


def test_main_window_stays_small():
    import pixie_desktop.ui.views.main_window as mw

    assert len(Path(mw.__file__).read_text(encoding="utf-8").splitlines()) <= 300


def _row(tool_id: str, name: str, *, fav=False, last=None, archived=False, ok=True):
    return SimpleNamespace(info=SimpleNamespace(tool_id=tool_id, name=name, ok=ok),
                           state=SimpleNamespace(favourited=fav, last_run_at=last, archived=archived))


def test_home_ranking_favourites_then_recent_then_name():
    rows = [_row("c", "charlie"), _row("b", "Bravo", last="2026-01-02"), _row("a", "alpha"),
            _row("f", "Foxtrot", fav=True), _row("z", "Zulu", fav=True, last="2026-01-01"),
            _row("x", "Xray", archived=True, fav=True), _row("e", "Echo", ok=False, fav=True),
            _row("d", "delta", last="2026-01-03")]
    assert [r.info.tool_id for r in rank_home_tools(rows)] == ["z", "f", "d", "b", "a", "c"]
    assert [r.info.tool_id for r in rank_home_tools(rows, limit=2)] == ["z", "f"]
    summary = home_summary(rows)
    assert (len(summary.names), summary.broken, summary.archived) == (6, 1, 1)
