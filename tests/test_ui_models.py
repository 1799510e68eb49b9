"""Models over the store: ToolsModel, RunsModel (keyset paging, single-row updates),
WorkspacesModel, ValidationReportsModel and the sidebar tree — through data(index, role) and
pytest-qt's qtmodeltester."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from PySide6.QtCore import QModelIndex, Qt

from conftest import write_tool
from pixie_desktop.store import runs_repo, tags_repo, tool_state_repo, validation_repo, workspaces_repo
from pixie_desktop.ui.models import runs_model as rm
from pixie_desktop.ui.models import tools_model as tm
from pixie_desktop.ui.models.runs_model import RunsModel
from pixie_desktop.ui.models.tools_model import ToolsModel
from pixie_desktop.ui.models.validation_model import OverallRole, ValidationReportsModel
from pixie_desktop.ui.models.workspaces_model import ColourRole, CollapsedRole, ToolIdsRole, WorkspacesModel
from pixie_desktop.ui.store_events import StoreEvents


def _tool(tools_dir, tid, name=None, tags=(), description="does things"):
    write_tool(tools_dir, tid, {"id": tid, "name": name or tid.title(), "description": description,
                                "tags": list(tags),
                                "inputs": [{"key": "x", "type": "text", "label": "X"}],
                                "outputs": [{"key": "y", "type": "text", "label": "Y"}]})


@pytest.fixture
def three_tools(tools_dir):
    _tool(tools_dir, "alpha", "Alpha Tool", tags=["maths"])
    _tool(tools_dir, "beta", "Beta", description="csv summariser")
    (tools_dir / "broken").mkdir()
    (tools_dir / "broken" / "tool.json").write_text("{not json")
    return tools_dir


def _iso(minutes_ago: float) -> str:
    return (datetime(2026, 1, 1, tzinfo=timezone.utc) - timedelta(minutes=minutes_ago)).isoformat()


def test_tools_model_roles(qtmodeltester, ctx, three_tools):
    conn = ctx.conn
    tags_repo.add_tag(conn, "beta", "data-cleaning")
    tool_state_repo.set_flag(conn, "alpha", "favourited", True)
    tool_state_repo.set_colour(conn, "alpha", "#ff8800")
    ws = workspaces_repo.create(conn, "Work", "#3366ff")
    workspaces_repo.add_tool(conn, ws.id, "beta")
    validation_repo.save_report(conn, "alpha", "pass", {"checks": []})
    model = ToolsModel(conn)
    model.load(ctx.tools())
    qtmodeltester.check(model)
    assert model.rowCount() == 3
    a = model.index(model.row_of("alpha"), 0)
    assert a.data() == "Alpha Tool"
    assert a.data(tm.ToolIdRole) == "alpha"
    assert a.data(tm.FavouriteRole) is True
    assert a.data(tm.ColourRole) == "#ff8800"
    assert a.data(tm.ValidationRole) == "pass"
    assert a.data(tm.TagsRole) == ["maths"]
    assert a.data(tm.ErrorRole) is None
    b = model.index(model.row_of("beta"), 0)
    assert b.data(tm.TagsRole) == ["data-cleaning"]
    assert b.data(tm.WorkspacesRole) == [ws.id]
    assert b.data(tm.ValidationRole) == "unchecked"
    assert "csv summariser" in b.data(tm.SearchTextRole)
    broken = model.index(model.row_of("broken"), 0)
    assert broken.data(tm.ErrorRole)
    assert "tool.json has a problem" in broken.data(Qt.ItemDataRole.ToolTipRole)
    assert model.index(model.row_of("broken"), 2).data() == "broken"


def test_tools_model_refresh_one_row_without_reset(qtbot, ctx, three_tools):
    events = StoreEvents()
    model = ToolsModel(ctx.conn, events=events)
    model.load(ctx.tools())
    resets = []
    model.modelReset.connect(lambda: resets.append(1))
    tool_state_repo.set_flag(ctx.conn, "beta", "archived", True)
    with qtbot.waitSignal(model.dataChanged) as sig:
        events.toolStateChanged.emit("beta")
    assert sig.args[0].row() == sig.args[1].row() == model.row_of("beta")
    assert model.index(model.row_of("beta"), 0).data(tm.ArchivedRole) is True
    model.set_running("alpha", 2)
    assert model.index(model.row_of("alpha"), 0).data(tm.RunningRole) == 2
    model.load(ctx.tools())  # same tools: no reset
    assert not resets
    assert model.index(model.row_of("alpha"), 0).data(tm.RunningRole) == 2


def _seed_runs(conn, n, tool="alpha", start=0):
    for i in range(start, start + n):
        runs_repo.create_run(conn, f"run-{i:05d}", tool, {"x": str(i)}, started_at=_iso(10_000 - i))
        runs_repo.finish_run(conn, f"run-{i:05d}", "ok", outputs_json='{"y": "%d"}' % i,
                             meta_update={"duration_s": 1.5})


def test_runs_model_pages_with_keyset(qtmodeltester, conn):
    _seed_runs(conn, 23)
    _seed_runs(conn, 5, tool="beta", start=100)
    model = RunsModel(conn, tool_id="alpha", page_size=10)
    assert model.rowCount() == 0 and model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 10
    qtmodeltester.check(model)
    model.fetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 23 and not model.canFetchMore(QModelIndex())
    ids = [model.index(r, 0).data(rm.RunIdRole) for r in range(23)]
    assert ids == [f"run-{i:05d}" for i in range(22, -1, -1)]  # newest first, no duplicates
    first = model.index(0, rm.COL_DURATION)
    assert first.data() == "1.5 s"
    assert first.data(rm.StatusRole) == "ok"
    assert first.data(rm.DurationRole) == 1.5
    assert model.index(0, rm.COL_STATUS).data() == "Done"
    assert model.index(0, 0).data(rm.RunRole).inputs == {"x": "22"}
    everything = RunsModel(conn, page_size=50)
    everything.fetchMore(QModelIndex())
    assert everything.rowCount() == 28 and everything.exhausted


def test_runs_model_same_timestamp_keyset(conn):
    for i in range(7):
        runs_repo.create_run(conn, f"r{i}", "alpha", {}, started_at=_iso(5))
    model = RunsModel(conn, page_size=3)
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert sorted(model.index(r, 0).data(rm.RunIdRole) for r in range(model.rowCount())) == [f"r{i}" for i in range(7)]


def test_runs_model_run_changed_inserts_updates_removes(qtbot, conn):
    _seed_runs(conn, 3)
    events = StoreEvents()
    model = RunsModel(conn, tool_id="alpha", events=events)
    model.fetchMore(QModelIndex())
    resets = []
    model.modelReset.connect(lambda: resets.append(1))
    runs_repo.create_run(conn, "new-run", "alpha", {"x": "n"})
    with qtbot.waitSignal(model.rowsInserted):
        events.runChanged.emit("new-run")
    assert model.index(0, 0).data(rm.RunIdRole) == "new-run"
    assert model.index(0, 0).data(rm.StatusRole) == "running"
    runs_repo.finish_run(conn, "new-run", "error", error_text="boom")
    with qtbot.waitSignal(model.dataChanged):
        events.runChanged.emit("new-run")
    assert model.index(0, 0).data(rm.StatusRole) == "error"
    assert model.index(0, rm.COL_STATUS).data(Qt.ItemDataRole.ToolTipRole) == "boom"
    runs_repo.create_run(conn, "other-tool", "beta", {})
    events.runChanged.emit("other-tool")
    assert model.rowCount() == 4
    runs_repo.delete_runs(conn, ["run-00001"])
    with qtbot.waitSignal(model.rowsRemoved):
        events.runChanged.emit("run-00001")
    assert model.rowCount() == 3 and model.row_of("run-00001") == -1
    assert model.row_of("run-00000") == 2
    assert not resets


def test_runs_model_star_and_label_persist(conn):
    _seed_runs(conn, 2)
    events = StoreEvents()
    seen = []
    events.runChanged.connect(seen.append)
    model = RunsModel(conn, events=events)
    model.fetchMore(QModelIndex())
    assert model.setData(model.index(1, rm.COL_STAR), True, rm.StarredRole)
    assert model.setData(model.index(1, rm.COL_LABEL), "  baseline  ", Qt.ItemDataRole.EditRole)
    rec = runs_repo.get_run(conn, "run-00000")
    assert rec.starred == 1 and rec.label == "baseline"
    assert model.index(1, 0).data(rm.StarredRole) is True
    assert model.index(1, rm.COL_LABEL).data() == "baseline"
    assert "run-00000" in seen
    assert model.flags(model.index(0, rm.COL_LABEL)) & Qt.ItemFlag.ItemIsEditable
    assert not model.flags(model.index(0, rm.COL_STARTED)) & Qt.ItemFlag.ItemIsEditable


def test_workspaces_model(qtmodeltester, conn):
    events = StoreEvents()
    a = workspaces_repo.create(conn, "Research", "#aa3355")
    workspaces_repo.create(conn, "Ops")
    workspaces_repo.add_tool(conn, a.id, "alpha")
    model = WorkspacesModel(conn, events=events)
    qtmodeltester.check(model)
    assert model.rowCount() == 2
    assert model.index(0, 0).data() == "Research"
    assert model.index(0, 0).data(ColourRole) == "#aa3355"
    assert model.index(0, 0).data(ToolIdsRole) == ["alpha"]
    assert model.index(0, 1).data() == 1
    workspaces_repo.set_collapsed(conn, a.id, True)
    events.workspacesChanged.emit()
    assert model.index(0, 0).data(CollapsedRole) is True


def test_validation_model_latest_per_tool(qtmodeltester, conn):
    validation_repo.save_report(conn, "alpha", "fail", {"checks": []}, timestamp=_iso(10))
    validation_repo.save_report(conn, "alpha", "pass", {"checks": [1]}, timestamp=_iso(1))
    events = StoreEvents()
    model = ValidationReportsModel(conn, events=events)
    qtmodeltester.check(model)
    assert model.rowCount() == 1
    assert model.index(0, 0).data(OverallRole) == "pass"
    validation_repo.save_report(conn, "beta", "warn", {})
    events.validationChanged.emit("beta")
    assert model.rowCount() == 2 and model.overall_for("beta") == "warn"
    validation_repo.save_report(conn, "alpha", "fail", {})
    events.validationChanged.emit("alpha")
    assert model.overall_for("alpha") == "fail"
