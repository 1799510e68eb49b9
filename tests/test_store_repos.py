"""Repository behaviour: run lifecycle, reconciliation of interrupted runs, prune rules,
artefact bytes bookkeeping, workspaces cascade, tags, validation retention, validate jobs."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from pixie_desktop.store import (artefacts_repo, runs_repo, settings_repo, tags_repo, tool_state_repo,
                                 validate_jobs_repo, validation_repo, workspaces_repo)
from pixie_desktop.store.db import dumps, iso_ago


def test_settings_roundtrip(conn):
    assert settings_repo.get_setting(conn, "k") is None
    settings_repo.set_setting(conn, "k", "1")
    settings_repo.set_setting(conn, "k", "2")
    assert settings_repo.get_setting(conn, "k") == "2"
    settings_repo.delete_setting(conn, "k")
    assert settings_repo.get_setting(conn, "k", "d") == "d"


def test_run_lifecycle_first_final_writer_wins(conn):
    rec = runs_repo.create_run(conn, "r1", "t", {"x": 1})
    assert rec.status == "running" and rec.inputs == {"x": 1} and rec.meta["owner_pid"] == os.getpid()
    runs_repo.create_run(conn, "r1", "t", {"x": 1})  # idempotent
    assert runs_repo.count_runs(conn) == 1
    assert runs_repo.finish_run(conn, "r1", "cancelled", meta_update={"duration_s": 1.5})
    assert not runs_repo.finish_run(conn, "r1", "error", error_text="late")
    rec = runs_repo.get_run(conn, "r1")
    assert rec.status == "cancelled" and rec.error_text is None and rec.duration_s == 1.5
    with pytest.raises(ValueError):
        runs_repo.finish_run(conn, "r1", "running")


def test_reconcile_marks_only_dead_owners(conn):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    runs_repo.create_run(conn, "dead", "t", {}, meta={"owner_pid": dead.pid})
    runs_repo.create_run(conn, "mine", "t", {})
    runs_repo.create_run(conn, "legacy", "t", {})
    conn.execute("UPDATE runs SET meta_json = NULL WHERE id = 'legacy'")
    fixed = runs_repo.reconcile_interrupted(conn)
    assert sorted(fixed) == ["dead", "legacy"]
    assert runs_repo.get_run(conn, "dead").status == "error"
    assert "interrupted" in runs_repo.get_run(conn, "dead").error_text
    assert runs_repo.get_run(conn, "mine").status == "running"


def test_prune_spares_starred_labelled_running_and_starred_artefacts(conn):
    for i in range(6):
        runs_repo.create_run(conn, f"r{i}", "t", {}, started_at=f"2026-01-0{i + 1}T00:00:00+00:00")
        if i != 5:
            runs_repo.finish_run(conn, f"r{i}", "ok")
    runs_repo.set_starred(conn, "r0", True)
    runs_repo.set_label(conn, "r1", "keep me")
    artefacts_repo.insert(conn, run_id="r2", tool_id="t", output_key="o", rel_path="t/r2/a.png", filename="a.png",
                          mime="image/png", size_bytes=10, sha256="x")
    artefacts_repo.set_starred(conn, 1, True)
    # r5 is running and r0/r1/r2 are protected; of the rest (r4, r3) the newest `keep` stay
    assert runs_repo.prunable_run_ids(conn, "t", keep=1) == ["r3"]
    assert runs_repo.prunable_run_ids(conn, "t", keep=0) == ["r4", "r3"]


def test_artefact_bytes_and_soft_delete(conn):
    runs_repo.create_run(conn, "r", "t", {})
    a = artefacts_repo.insert(conn, run_id="r", tool_id="t", output_key="o", rel_path="t/r/a", filename="a",
                              mime="text/plain", size_bytes=100, sha256="s")
    assert artefacts_repo.insert(conn, run_id="r", tool_id="t", output_key="o", rel_path="t/r/a", filename="a",
                                 mime="text/plain", size_bytes=100, sha256="s") == a
    artefacts_repo.insert(conn, run_id="r", tool_id="t", output_key="o", rel_path="t/r/b", filename="b",
                          mime="text/plain", size_bytes=50, sha256="s2")
    assert runs_repo.get_run(conn, "r").total_artefact_bytes == 150
    artefacts_repo.set_tags(conn, a, ["x", "y, z", "x"])
    assert artefacts_repo.get(conn, a).tags == "x,y  z"
    assert artefacts_repo.get(conn, a).tag_list == ["x", "y  z"]
    assert artefacts_repo.soft_delete(conn, [a]) == 1
    assert [r.id for r in artefacts_repo.list_artefacts(conn)] == [2]
    conn.execute("UPDATE artefacts SET deleted_at = ? WHERE id = ?", (iso_ago(10 * 86400), a))
    exp = artefacts_repo.expired(conn, 7)
    assert [r.id for r in exp] == [a]
    artefacts_repo.delete_rows(conn, exp)
    assert runs_repo.get_run(conn, "r").total_artefact_bytes == 50


def test_expired_never_returns_starred_or_starred_run(conn):
    runs_repo.create_run(conn, "r", "t", {})
    runs_repo.create_run(conn, "s", "t", {})
    runs_repo.set_starred(conn, "s", True)
    ids = [artefacts_repo.insert(conn, run_id=run, tool_id="t", output_key="", rel_path=f"t/{run}/{n}",
                                 filename=n, mime="x/y", size_bytes=1, sha256="h")
           for run, n in (("r", "a"), ("r", "b"), ("s", "c"))]
    artefacts_repo.set_starred(conn, ids[1], True)
    artefacts_repo.soft_delete(conn, ids)
    conn.execute("UPDATE artefacts SET deleted_at = ?", (iso_ago(30 * 86400),))
    assert [r.id for r in artefacts_repo.expired(conn, 7)] == [ids[0]]


def test_workspaces_crud_cascade(conn):
    a = workspaces_repo.create(conn, "Data", "#ff0000")
    b = workspaces_repo.create(conn, "Images")
    with pytest.raises(workspaces_repo.WorkspaceError, match="already exists"):
        workspaces_repo.create(conn, "data")
    with pytest.raises(workspaces_repo.WorkspaceError):
        workspaces_repo.create(conn, " ")
    workspaces_repo.add_tool(conn, a.id, "calc")
    workspaces_repo.add_tool(conn, b.id, "calc")
    workspaces_repo.add_tool(conn, a.id, "calc")
    assert workspaces_repo.workspaces_of(conn, "calc") == [a.id, b.id]
    workspaces_repo.reorder(conn, [b.id, a.id])
    assert [w.name for w in workspaces_repo.list_all(conn)] == ["Images", "Data"]
    tool_state_repo.ensure(conn, "calc")
    workspaces_repo.delete(conn, a.id)
    assert workspaces_repo.workspaces_of(conn, "calc") == [b.id]
    assert tool_state_repo.get(conn, "calc").tool_id == "calc"


def test_tags_kebab(conn):
    assert tags_repo.add_tag(conn, "t", " Data-Cleaning ") == "data-cleaning"
    with pytest.raises(tags_repo.TagError, match="kebab-case.*Try “data-cleaning-v2”"):
        tags_repo.add_tag(conn, "t", "Data Cleaning v2")
    with pytest.raises(tags_repo.TagError):
        tags_repo.add_tag(conn, "t", "a--b")
    assert tags_repo.tools_with_tag(conn, "data-cleaning") == ["t"]


def test_tool_state_flags(conn):
    tool_state_repo.set_flag(conn, "t", "archived", True)
    st = tool_state_repo.get(conn, "t")
    assert st.archived == 1 and st.archived_at
    tool_state_repo.set_flag(conn, "t", "archived", False)
    assert tool_state_repo.get(conn, "t").archived_at is None
    tool_state_repo.bump_run_counters(conn, "t")
    tool_state_repo.bump_run_counters(conn, "t")
    assert tool_state_repo.get(conn, "t").run_count_total == 2
    with pytest.raises(KeyError):
        tool_state_repo.update(conn, "t", nope=1)


def test_validation_prune_keeps_latest(conn):
    old = iso_ago(60 * 86400)
    older = iso_ago(90 * 86400)
    validation_repo.save_report(conn, "a", "pass", {}, timestamp=older)
    validation_repo.save_report(conn, "a", "fail", {}, timestamp=old)
    validation_repo.save_report(conn, "b", "pass", {}, timestamp=older)
    validation_repo.save_report(conn, "b", "warn", {})
    assert validation_repo.prune(conn) == 2
    latest = validation_repo.latest_all(conn)
    assert latest["a"].overall == "fail" and latest["b"].overall == "warn"


def test_validate_jobs(conn):
    job = validate_jobs_repo.start(conn, 3)
    validate_jobs_repo.record_result(conn, job.id, "pass", "a")
    validate_jobs_repo.record_result(conn, job.id, "fail", "b")
    j = validate_jobs_repo.get(conn, job.id)
    assert (j.completed, j.passed, j.failed) == (2, 1, 0 + 1)
    assert j.details["results"] == {"a": "pass", "b": "fail"}
    assert validate_jobs_repo.mark_interrupted(conn) == []  # owned by this live process
    conn.execute("UPDATE validate_jobs SET details_json = ? WHERE id = ?", (dumps({"owner_pid": 0}), job.id))
    assert validate_jobs_repo.mark_interrupted(conn) == [job.id]
    assert validate_jobs_repo.get(conn, job.id).status == "error"
