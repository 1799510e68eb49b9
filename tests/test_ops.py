"""Operations (pixie_desktop.ops): each user action writes through the store and returns the
Change that says what it touched. Qt-free, on a temp database."""

from __future__ import annotations

import sys
from types import SimpleNamespace

import pytest

from pixie_desktop.ops import artefacts as artefact_ops
from pixie_desktop.ops import runs as run_ops
from pixie_desktop.ops import settings as settings_ops
from pixie_desktop.ops import tools as tool_ops
from pixie_desktop.ops import validation as validation_ops
from pixie_desktop.ops import workspaces as workspace_ops
from pixie_desktop.ops.change import Change, merge
from pixie_desktop.queries import artefacts as artefact_queries
from pixie_desktop.queries import runs as run_queries
from pixie_desktop.queries import settings as settings_queries
from pixie_desktop.queries import tools as tool_queries
from pixie_desktop.queries import validation as validation_queries
from pixie_desktop.queries import workspaces as workspace_queries
from pixie_desktop.store import artefacts_repo, runs_repo


def _run(conn, run_id="r1", tool_id="calc", status="ok"):
    runs_repo.create_run(conn, run_id, tool_id, {"a": 1})
    if status != "running":
        runs_repo.finish_run(conn, run_id, status, outputs_json="{}")


def _artefact(conn, run_id="r1", tool_id="calc", name="a.png", tags=None):
    return artefacts_repo.insert(conn, run_id=run_id, tool_id=tool_id, output_key="o",
                                 rel_path=f"{tool_id}/{run_id}/{name}", filename=name, mime="image/png",
                                 size_bytes=3, sha256="0" * 64, tags=tags)


def test_change_merge_unions_ids_and_ors_flags():
    a = Change.of(run_ids=["r1"], tool_ids=["t1"], artefact_ids=[1])
    b = Change.of(run_ids=["r2", "r1"], workspaces=True, validation_tool_ids=["t2"], settings_keys=["k"])
    m = merge(a, b)
    assert m == a | b
    assert m.run_ids == {"r1", "r2"} and m.tool_ids == {"t1"} and m.artefact_ids == {1}
    assert m.workspaces and not m.artefacts and m.validation_tool_ids == {"t2"} and m.settings_keys == {"k"}
    assert not merge() and not Change() and bool(Change(tools_rescanned=True))


def test_run_star_and_label(conn):
    _run(conn)
    assert run_ops.star(conn, "r1") == Change.of(run_ids=["r1"])
    assert run_queries.get_run(conn, "r1").starred == 1
    assert run_ops.unstar(conn, "r1") == Change.of(run_ids=["r1"])
    assert run_queries.get_run(conn, "r1").starred == 0
    assert run_ops.set_label(conn, "r1", "  best  ") == Change.of(run_ids=["r1"])
    assert run_queries.get_run(conn, "r1").label == "best"


def test_runner_writes_have_a_change_to_publish():
    assert run_ops.recorded_by_runner("r1") == Change.of(run_ids=["r1"])
    assert run_ops.recorded_by_runner("r1", "calc", artefacts=True) == \
        Change.of(run_ids=["r1"], tool_ids=["calc"], artefacts=True)


def test_delete_runs_unlinks_files_skips_running_and_reports_change(conn, tmp_path):
    root = tmp_path / "arts"
    _run(conn, "r1")
    _run(conn, "r2", status="running")
    _artefact(conn, "r1")
    f = root / "calc" / "r1" / "a.png"
    f.parent.mkdir(parents=True)
    f.write_bytes(b"png")
    n, change = run_ops.delete_runs(conn, SimpleNamespace(artefacts_root=root), ["r1", "r2"])
    assert n == 1
    assert change == Change.of(run_ids=["r1", "r2"], artefacts=True)
    assert run_queries.get_run(conn, "r1") is None and run_queries.get_run(conn, "r2") is not None
    assert not f.exists() and not (root / "calc" / "r1").exists()
    assert artefact_queries.for_run(conn, "r1", include_deleted=True) == []


@pytest.mark.parametrize("fn,column", [(tool_ops.set_favourite, "favourited"), (tool_ops.set_pinned, "pinned"),
                                       (tool_ops.set_keep_warm, "pinned_warm"), (tool_ops.set_archived, "archived")])
def test_tool_flags(conn, fn, column):
    assert fn(conn, "calc", True) == Change.of(tool_ids=["calc"])
    assert getattr(tool_queries.state(conn, "calc"), column) == 1
    fn(conn, "calc", False)
    assert getattr(tool_queries.state(conn, "calc"), column) == 0


def test_archive_is_what_the_archived_queries_see(conn):
    tool_ops.set_archived(conn, "calc", True)
    tool_ops.set_favourite(conn, "other", True)
    assert tool_queries.archived_ids(conn) == {"calc"}
    assert tool_queries.archived_flags(conn) == {"calc": True, "other": False}


def test_tool_colour_tags_and_last_inputs(conn):
    assert tool_ops.set_colour(conn, "calc", "#123456") == Change.of(tool_ids=["calc"])
    assert tool_queries.state(conn, "calc").colour == "#123456"
    tag, change = tool_ops.add_tag(conn, "calc", " Data-Cleaning ")
    assert (tag, change) == ("data-cleaning", Change.of(tool_ids=["calc"]))
    with pytest.raises(tool_ops.TagError):
        tool_ops.add_tag(conn, "calc", "Not Kebab")
    assert tool_ops.set_user_tags(conn, "calc", ["maths", "csv"]) == Change.of(tool_ids=["calc"])
    assert tool_queries.user_tags(conn, "calc") == ["csv", "maths"]
    with pytest.raises(tool_ops.TagError):
        tool_ops.set_user_tags(conn, "calc", ["ok-tag", "bad tag"])
    assert tool_queries.user_tags(conn, "calc") == ["csv", "maths"]  # nothing written on refusal
    assert tool_ops.remove_tag(conn, "calc", "csv") == Change.of(tool_ids=["calc"])
    assert tool_queries.user_tags(conn, "calc") == ["maths"]
    assert tool_ops.check_tags(["A-b", "x y"])[0] == ["a-b"] and len(tool_ops.check_tags(["x y"])[1]) == 1
    assert tool_ops.save_last_inputs(conn, "calc", {"a": 2}) == Change.of(tool_ids=["calc"])
    assert tool_queries.last_inputs(conn, "calc") == {"a": 2}


def test_workspace_lifecycle_and_membership(conn):
    ws, change = workspace_ops.create(conn, "Work", "#5563d1", tool_id="calc")
    assert change == Change(workspaces=True) and ws.tool_ids == ["calc"]
    with pytest.raises(workspace_ops.WorkspaceError):
        workspace_ops.create(conn, "work")
    assert workspace_ops.rename(conn, ws.id, "Job") == Change(workspaces=True)
    assert workspace_ops.set_colour(conn, ws.id, "#000000") == Change(workspaces=True)
    assert workspace_ops.set_collapsed(conn, ws.id, True) == Change(workspaces=True)
    got = workspace_queries.get(conn, ws.id)
    assert (got.name, got.colour, got.collapsed) == ("Job", "#000000", 1)
    assert workspace_ops.add_tool(conn, ws.id, "other") == Change(workspaces=True)
    assert workspace_ops.remove_tool(conn, ws.id, "calc") == Change(workspaces=True)
    assert workspace_queries.members(conn, ws.id) == ["other"]
    ws2, _ = workspace_ops.create(conn, "Home")
    assert workspace_ops.reorder(conn, [ws2.id, ws.id]) == Change(workspaces=True)
    assert [w.id for w in workspace_queries.list_all(conn)] == [ws2.id, ws.id]
    assert workspace_queries.used_colours(conn) == {"#000000", ""}
    assert workspace_ops.delete(conn, ws.id) == Change(workspaces=True)
    assert workspace_queries.get(conn, ws.id) is None


def test_place_tools_names_the_tools_whose_order_changed(conn):
    ws, _ = workspace_ops.create(conn, "Work")
    change = workspace_ops.place_tools(conn, ws.id, ["a", "b"], ["a", "b"])
    assert change == Change.of(workspaces=True, tool_ids=["a", "b"])
    assert tool_queries.workspace_order(tool_queries.state(conn, "b")) == {str(ws.id): 1}
    change = workspace_ops.place_tools(conn, ws.id, ["c"], ["a", "c", "b"])
    assert change == Change.of(workspaces=True, tool_ids=["c", "b"])  # "a" kept its place
    assert workspace_queries.members(conn, ws.id) == ["a", "b", "c"]
    assert tool_queries.memberships(conn) == {"a": [ws.id], "b": [ws.id], "c": [ws.id]}


def test_artefact_star_label_tags_trash_restore(conn):
    _run(conn)
    a = _artefact(conn, tags="_pixie_run_outputs,old")
    b = _artefact(conn, name="b.png")
    want = Change.of(artefacts=True, artefact_ids=[a, b])
    assert artefact_ops.set_starred(conn, [a, b], True) == want
    assert all(r.starred for r in artefact_queries.get_many(conn, [a, b]))
    assert artefact_ops.set_label(conn, [a], "nice") == Change.of(artefacts=True, artefact_ids=[a])
    artefact_ops.set_tags(conn, [a], ["new"])
    assert artefact_queries.get(conn, a).tag_list == ["_pixie_run_outputs", "new"]  # internal tag survives
    moved, change = artefact_ops.trash(conn, [a, b])
    assert moved == [a, b] and change == want
    assert artefact_ops.trash(conn, [a])[0] == []  # already in the Trash: nothing to undo
    assert artefact_ops.restore(conn, [a]) == Change.of(artefacts=True, artefact_ids=[a])
    assert [r.id for r in artefact_queries.list_artefacts(conn)] == [a]


def test_thumb_paths_are_a_cache_write_that_asks_no_reload(conn):
    _run(conn)
    a = _artefact(conn)
    change = artefact_ops.set_thumb_paths(conn, [(a, "thumbs/x.png")])
    assert change.artefact_ids == {a} and not change.artefacts
    assert artefact_queries.get(conn, a).thumb_path == "thumbs/x.png"


def test_save_validation_report(conn):
    report = {"tool_id": "calc", "overall": "pass", "timestamp": "2026-01-01T00:00:00+00:00", "checks": []}
    assert validation_ops.save_report(conn, report) == Change.of(validation_tool_ids=["calc"])
    assert validation_queries.latest(conn, "calc").overall == "pass"
    assert set(validation_queries.latest_all(conn)) == {"calc"}
    assert tool_queries.snapshot(conn, "calc").validation == "pass"
    assert tool_queries.snapshot_all(conn).of("calc").validation == "pass"
    assert tool_queries.snapshot_all(conn).of("nope").validation == "unchecked"
    assert validation_ops.saved_by_batch(["a", "b"]) == Change.of(validation_tool_ids=["a", "b"])


def test_settings_writes(conn):
    assert settings_ops.set_setting(conn, "ui.k", '["x"]') == Change.of(settings_keys=["ui.k"])
    assert settings_queries.get_json(conn, "ui.k") == ["x"]
    settings_ops.set_setting(conn, "ui.bad", "{")
    assert settings_queries.get_json(conn, "ui.bad", 7) == 7
    assert settings_ops.delete_setting(conn, "ui.k") == Change.of(settings_keys=["ui.k"])
    assert settings_queries.get_setting(conn, "ui.k", "gone") == "gone"


def test_run_queries_page_is_keyset_ordered(conn):
    for i in range(5):
        runs_repo.create_run(conn, f"r{i}", "calc" if i % 2 else "other", {}, started_at=f"2026-01-0{i + 1}T00:00:00")
    run_ops.star(conn, "r3")
    first = run_queries.page(conn, limit=2)
    assert [r.id for r in first] == ["r4", "r3"]
    assert [r.id for r in run_queries.page(conn, after=first[-1], limit=2)] == ["r2", "r1"]
    assert [r.id for r in run_queries.page(conn, tool_id="calc", limit=5)] == ["r3", "r1"]
    assert [r.id for r in run_queries.page(conn, starred_only=True, limit=5)] == ["r3"]
    assert [r.id for r in run_queries.recent(conn, 1)] == ["r4"]


def test_ops_and_queries_import_no_qt():
    import subprocess

    code = ("import sys, pixie_desktop.ops.runs, pixie_desktop.ops.tools, pixie_desktop.ops.workspaces, "
            "pixie_desktop.ops.artefacts, pixie_desktop.ops.validation, pixie_desktop.ops.settings, "
            "pixie_desktop.queries.runs, pixie_desktop.queries.tools, pixie_desktop.queries.workspaces, "
            "pixie_desktop.queries.artefacts, pixie_desktop.queries.validation, pixie_desktop.queries.settings, "
            "pixie_desktop.queries.home; "
            "bad = [m for m in sys.modules if m.startswith(('PySide6', 'pixie_desktop.ui'))]; "
            "print(bad); sys.exit(1 if bad else 0)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr


def test_no_ui_module_imports_the_store():
    """Every module of the Qt layer writes through ops and reads through queries (a plain text
    scan, so it also catches imports inside functions that import-linter sees too)."""
    import re
    from pathlib import Path

    import pixie_desktop

    ui = Path(pixie_desktop.__file__).parent / "ui"
    allowed: set[str] = set()
    pattern = re.compile(r"pixie_desktop\.store\b|from pixie_desktop import store\b")
    offenders = [str(p.relative_to(ui)) for p in ui.rglob("*.py")
                 if str(p.relative_to(ui)) not in allowed and pattern.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
