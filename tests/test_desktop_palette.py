"""Command palette: typing a fuzzy query selects the right tool and Enter triggers it; runs,
starred artefacts and menu actions are searchable; keyboard navigation; shortcuts bound."""

from __future__ import annotations

import pytest
from conftest import write_tool
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

from pixie_desktop.store import artefacts_repo, runs_repo
from pixie_desktop.ui.views.command_palette import (CommandPalette, PaletteItem, install_command_palette,
                                                    menu_actions)

OUT = [{"key": "o", "type": "text", "label": "O"}]


class FakeWindow(QMainWindow):
    def __init__(self, ctx):
        super().__init__()
        self.ctx = ctx
        self.opened: list[tuple[str, str]] = []
        file_menu = QMenu("&File", self)
        self.rescan = QAction("&Rescan tools", self)
        self.rescan.triggered.connect(lambda: self.opened.append(("action", "rescan")))
        self.focus_search = QAction("Focus search", self)
        self.focus_search.setShortcut(QKeySequence("Ctrl+K"))
        self.addAction(self.focus_search)
        file_menu.addAction(self.rescan)
        file_menu.addSeparator()
        sub = file_menu.addMenu("Export")
        self.export = sub.addAction("Export &all runs…")
        disabled = file_menu.addAction("Disabled thing")
        disabled.setEnabled(False)
        self.menus = {"File": file_menu}
        self.menuBar().addMenu(file_menu)

    def open_tool(self, tool_id, prefill=None):
        self.opened.append(("tool", tool_id))
        return True

    def open_run(self, run_id):
        self.opened.append(("run", run_id))


@pytest.fixture
def window(qtbot, ctx, tools_dir):
    write_tool(tools_dir, "calculator", {"id": "calculator", "name": "Calculator", "inputs": [], "outputs": OUT,
                                         "tags": ["maths"]})
    write_tool(tools_dir, "csv-summary", {"id": "csv-summary", "name": "CSV Summary", "inputs": [], "outputs": OUT,
                                          "description": "Summarise a CSV file"})
    write_tool(tools_dir, "image-thumbnail", {"id": "image-thumbnail", "name": "Image thumbnail", "inputs": [],
                                              "outputs": OUT})
    w = FakeWindow(ctx)
    qtbot.addWidget(w)
    w.resize(900, 600)
    w.show()
    return w


def test_fuzzy_query_selects_tool_and_enter_triggers(qtbot, window):
    palette = install_command_palette(window)
    palette.open()
    assert palette.isVisible()
    qtbot.keyClicks(palette.search, "csum")
    assert palette.current_item().key == "csv-summary"
    qtbot.keyClicks(palette.search, "\b\b\b\b")
    qtbot.keyClicks(palette.search, "imth")
    assert palette.current_item().key == "image-thumbnail"
    with qtbot.waitSignal(palette.itemTriggered, timeout=2000) as sig:
        qtbot.keyClick(palette.search, Qt.Key.Key_Return)
    assert sig.args[0].kind == "tool"
    qtbot.waitUntil(lambda: window.opened == [("tool", "image-thumbnail")], timeout=2000)
    assert not palette.isVisible()


def test_keyboard_navigation_and_escape(qtbot, window):
    palette = install_command_palette(window)
    palette.open()
    qtbot.keyClicks(palette.search, "c")
    first = palette.current_item()
    qtbot.keyClick(palette.search, Qt.Key.Key_Down)
    second = palette.current_item()
    assert second is not first
    qtbot.keyClick(palette.search, Qt.Key.Key_Up)
    assert palette.current_item() is first
    qtbot.keyClick(palette.search, Qt.Key.Key_Up)  # clamps at the top
    assert palette.current_item() is first
    qtbot.keyClick(palette.search, Qt.Key.Key_Escape)
    assert not palette.isVisible() and window.opened == []


def test_runs_artefacts_and_actions_are_searchable(qtbot, window, ctx):
    runs_repo.create_run(ctx.conn, "run-1", "calculator", {"a": 1})
    runs_repo.finish_run(ctx.conn, "run-1", "ok", outputs_json="{}")
    runs_repo.set_label(ctx.conn, "run-1", "quarterly totals")
    aid = artefacts_repo.insert(ctx.conn, run_id="run-1", tool_id="calculator", output_key="o",
                                rel_path="calculator/run-1/chart.png", filename="chart.png", mime="image/png",
                                size_bytes=10, sha256="0" * 64)
    artefacts_repo.set_starred(ctx.conn, aid, True)
    palette = install_command_palette(window)
    palette.open()
    kinds = {i.kind for i in palette.visible_items()}
    assert kinds == {"tool", "run", "artefact", "action"}
    assert palette.visible_items()[0].kind == "run"  # recent runs first on an empty query
    palette.search.setText("quarterly")
    qtbot.waitUntil(lambda: palette.current_item() is not None and palette.current_item().kind == "run")
    palette.activate()
    qtbot.waitUntil(lambda: ("run", "run-1") in window.opened)
    palette.open()
    palette.search.setText("chart")
    qtbot.waitUntil(lambda: palette.current_item() is not None and palette.current_item().kind == "artefact")
    palette.open()
    palette.search.setText("rescan")
    qtbot.waitUntil(lambda: palette.current_item() is not None and palette.current_item().title == "Rescan tools")
    palette.activate()
    qtbot.waitUntil(lambda: ("action", "rescan") in window.opened)


def test_menu_actions_walk_submenus_and_skip_disabled(qtbot, window):
    items = menu_actions(window.menus)
    titles = [i.title for i in items]
    assert titles == ["Rescan tools", "Export all runs"]
    assert items[1].subtitle == "File › Export"


def test_shortcuts_are_bound_and_conflicts_resolved(qtbot, window):
    palette = install_command_palette(window)
    keys = {sc.key().toString() for sc in palette.shortcuts}
    assert keys == {"Ctrl+K", "Ctrl+Shift+P"}
    assert QKeySequence("Ctrl+K") not in window.focus_search.shortcuts()
    assert not hasattr(window, "command_palette")  # nothing is hung on the window
    palette.shortcuts[1].activated.emit()
    assert palette.isVisible()


def test_no_matches_and_broken_provider(qtbot):
    palette = CommandPalette()
    qtbot.addWidget(palette)
    palette.set_items([PaletteItem("action", "Alpha")])
    palette.search.setText("zzz")
    qtbot.waitUntil(lambda: palette.model.rowCount() == 0)
    assert not palette.empty.isHidden()
    palette.activate()  # nothing selected: no crash

    def broken():
        raise RuntimeError("db is locked")

    palette.set_provider(broken)
    palette.open()
    assert palette.visible_items()[0].title == "Could not load items"
    palette.hide()
