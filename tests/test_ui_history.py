"""History: the runs table (status dot, star marker delegate, inline label), delete with confirm
that unlinks artefact files, starred-only filter, compare two runs, and the main-window actions
(open outputs, load inputs, re-run)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QMessageBox, QStyleOptionViewItem

from fixtures_ui_shell import copy_bundled, wait_idle
from pixie_desktop.store import artefacts_repo, runs_repo
from pixie_desktop.store.db import dumps
from pixie_desktop.ui.models import runs_model as rm
from pixie_desktop.ui.store_events import StoreEvents
from pixie_desktop.ui.views.compare import diff_rows
from pixie_desktop.ui.views.history import HistoryView


def _at(minutes: int) -> str:
    return (datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc) + timedelta(minutes=minutes)).isoformat()


def _seed(ctx):
    conn = ctx.conn
    runs_repo.create_run(conn, "r1", "calc", {"a": 1, "b": 2}, started_at=_at(0))
    runs_repo.finish_run(conn, "r1", "ok", outputs_json=dumps({"sum": 3, "note": "small\nnumbers"}),
                         meta_update={"duration_s": 0.5})
    runs_repo.create_run(conn, "r2", "calc", {"a": 1, "b": 5}, started_at=_at(5))
    runs_repo.finish_run(conn, "r2", "ok", outputs_json=dumps({"sum": 6, "note": "small\nNUMBERS"}),
                         meta_update={"duration_s": 0.7})
    runs_repo.create_run(conn, "r3", "calc", {"a": 9}, started_at=_at(10))
    # an artefact file for r2
    d = ctx.settings.artefacts_root / "calc" / "r2"
    d.mkdir(parents=True)
    (d / "plot.png").write_bytes(b"\x89PNG fake")
    artefacts_repo.insert(conn, run_id="r2", tool_id="calc", output_key="plot", rel_path="calc/r2/plot.png",
                          filename="plot.png", mime="image/png", size_bytes=9, sha256="0" * 64)


@pytest.fixture
def history(qtbot, ctx):
    _seed(ctx)
    events = StoreEvents()
    view = HistoryView(ctx, events)
    qtbot.addWidget(view)
    view.resize(900, 400)
    view.show()
    return view, events


def test_table_shows_runs_with_roles(history):
    view, _ = history
    m = view.model
    assert m.rowCount() == 3
    assert [m.index(r, 0).data(rm.RunIdRole) for r in range(3)] == ["r3", "r2", "r1"]
    assert m.index(0, rm.COL_STATUS).data() == "Running"
    assert m.index(1, rm.COL_BYTES).data() == "9 B"
    assert m.index(2, rm.COL_DURATION).data() == "500 ms"
    assert not view.table.isColumnHidden(rm.COL_TOOL)


def test_star_delegate_click_and_inline_label(qtbot, history, ctx):
    view, events = history
    m = view.model
    delegate = view.table.itemDelegateForColumn(rm.COL_STAR)
    ix = m.index(2, rm.COL_STAR)
    opt = QStyleOptionViewItem()
    opt.rect = view.table.visualRect(ix)
    centre = QPointF(opt.rect.center())
    ev = QMouseEvent(QEvent.Type.MouseButtonRelease, centre, centre, Qt.MouseButton.LeftButton,
                     Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(events.runChanged):
        assert delegate.editorEvent(ev, m, opt, ix)
    assert runs_repo.get_run(ctx.conn, "r1").starred == 1
    assert m.index(2, 0).data(rm.StarredRole) is True
    assert m.setData(m.index(2, rm.COL_LABEL), "first try")
    assert runs_repo.get_run(ctx.conn, "r1").label == "first try"
    view.starred_only.setChecked(True)
    assert m.rowCount() == 1 and m.index(0, 0).data(rm.RunIdRole) == "r1"


def test_delete_unlinks_artefacts_after_confirm(qtbot, history, ctx, monkeypatch):
    view, _ = history
    path = ctx.settings.artefacts_root / "calc" / "r2" / "plot.png"
    view.select_runs(["r2"])
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    assert view.delete_selected(confirm=True) == 0
    assert path.exists() and runs_repo.get_run(ctx.conn, "r2") is not None
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(view.model.rowsRemoved):
        assert view.delete_selected(confirm=True) == 1
    assert not path.exists() and not path.parent.exists()
    assert runs_repo.get_run(ctx.conn, "r2") is None
    assert artefacts_repo.for_run(ctx.conn, "r2", include_deleted=True) == []
    assert view.model.row_of("r2") == -1 and view.model.rowCount() == 2
    view.select_runs(["r3"])  # still running: never deleted
    assert view.delete_selected(confirm=False) == 0
    assert runs_repo.get_run(ctx.conn, "r3") is not None


def test_delete_refuses_paths_outside_artefacts_root(qtbot, history, ctx, tmp_path):
    view, _ = history
    outside = tmp_path / "precious.txt"
    outside.write_text("keep me")
    ctx.conn.execute("UPDATE artefacts SET rel_path = ? WHERE run_id = 'r2'", ("../../precious.txt",))
    view.select_runs(["r2"])
    view.delete_selected(confirm=False)
    assert outside.read_text() == "keep me"
    assert runs_repo.get_run(ctx.conn, "r2") is None


def test_action_buttons_follow_selection(history):
    view, _ = history
    view.select_runs(["r1"])
    assert view.open_button.isEnabled() and view.rerun_button.isEnabled() and not view.compare_button.isEnabled()
    view.select_runs(["r1", "r2"])
    assert view.compare_button.isEnabled() and not view.open_button.isEnabled()


def test_compare_highlights_differences(qtbot, history, ctx):
    view, _ = history
    rows = diff_rows({"a": 1, "b": 2}, {"a": 1, "b": 5, "c": 0})
    assert [(k, d) for k, _a, _b, d in rows] == [("a", False), ("b", True), ("c", True)]
    view.select_runs(["r1", "r2"])
    dlg = view.open_compare("r1", "r2")
    qtbot.addWidget(dlg)
    assert [r[0] for r in dlg.input_rows if r[3]] == ["b"]
    assert {r[0] for r in dlg.output_rows if r[3]} == {"sum", "note"}
    assert dlg.inputs_table.item(1, 0).data(Qt.ItemDataRole.UserRole) is True
    assert dlg.inputs_table.item(0, 0).data(Qt.ItemDataRole.UserRole) is None
    assert "Inputs (1 different)" == dlg.tabs.tabText(0)
    dlg.outputs_table.setCurrentCell(1, 0)
    assert "-numbers" in dlg.diff_view.toPlainText() and "+NUMBERS" in dlg.diff_view.toPlainText()


def test_rerun_load_inputs_and_open_outputs(qtbot, make_window, tools_dir, ctx):
    copy_bundled(tools_dir, "calculator")
    win = make_window()
    win.open_tool("calculator")
    page = win.tool_pages["calculator"]
    page.form.set_values({"a": 2, "op": "add", "b": 3})
    assert page.run()
    wait_idle(qtbot, page)
    first = page.last_result.run_id
    assert page.last_result.outputs["result"] == 5
    page.form.set_values({"a": 10, "op": "subtract", "b": 1})
    win.show_page("history")
    qtbot.waitUntil(lambda: win.history_page.model.rowCount() == 1)
    win._load_from_history(first)
    assert win.current_tool_id == "calculator"
    assert page.form.values()["a"] == 2 and page.form.values()["op"] == "add"
    page.form.set_values({"a": 10, "op": "subtract", "b": 1})
    win._rerun_from_history(first)
    assert page.is_running
    wait_idle(qtbot, page)
    assert page.last_result.run_id != first and page.last_result.outputs["result"] == 5
    qtbot.waitUntil(lambda: page.history.model.rowCount() == 2)
    win.show_page("home")
    assert win.open_run(first)
    assert win.current_page == "tool" and page.history.selected_run_ids() == [first]
    assert page.outputs.content.isVisibleTo(page.outputs)


def test_global_history_shows_workspace_colour_chips(qtbot, make_window, shell_tools, ctx):
    from pixie_desktop.store import runs_repo, tool_state_repo, workspaces_repo
    from pixie_desktop.ui.delegates.item_delegates import ColourChipDelegate
    from pixie_desktop.ui.models import runs_model as rm

    win = make_window()
    tool_ids = [r.info.tool_id for r in win.tools_model.rows()]
    a, b = tool_ids[0], tool_ids[1]
    ws = workspaces_repo.create(ctx.conn, "Reports", "#2f9e5b")
    workspaces_repo.add_tool(ctx.conn, ws.id, a)
    tool_state_repo.set_colour(ctx.conn, b, "#d1495b")
    win.events.workspacesChanged.emit()
    win.events.toolStateChanged.emit(b)
    for i, tid in enumerate((a, b)):
        runs_repo.create_run(ctx.conn, f"chip-{i}", tid, {})
        win.events.runChanged.emit(f"chip-{i}")
    model = win.history_page.model
    colours = {model.index(r, 0).data(rm.ToolIdRole): model.index(r, rm.COL_TOOL).data(rm.ToolColourRole)
               for r in range(model.rowCount())}
    assert colours[a] == "#2f9e5b"  # the workspace's colour
    assert colours[b] == "#d1495b"  # the tool's own colour wins
    assert isinstance(win.history_page.table.itemDelegateForColumn(rm.COL_TOOL), ColourChipDelegate)
