"""The warm run's short path keeps every guarantee of the long one: the row carries the tool's
pid from its first write, finish_run stays first-writer-wins with dict.update semantics for
meta, the start counters still count, a warm lease never spawns, a run folder made by the
cached fast path is the same folder (and a swapped tool folder is never trusted), and files
a run writes are still found."""

from __future__ import annotations

import json
import os
import threading

import pytest
from conftest import write_tool

from pixie_desktop.artefacts.storage import run_dir
from pixie_desktop.runtime.pool import WarmPool
from pixie_desktop.runtime.runner import Runner
from pixie_desktop.store import runs_repo, tool_state_repo

MAIN = """import os, time
from pathlib import Path
from pixie_desktop import sdk
tool = sdk.Tool(__file__)

@tool.handler
def run(inputs, ctx):
    if inputs.get("write"):
        Path(ctx.artefacts_dir, "note.txt").write_text("hello")
    if inputs.get("wait"):
        time.sleep(float(inputs["wait"]))
    return {"x": 1}

if __name__ == "__main__":
    tool.serve()
"""


def make(ctx, tools_dir, name="w", **extra):
    spec = {"id": name, "name": name, "concurrent": True,
            "inputs": [{"key": "write", "type": "checkbox", "label": "W", "default": False},
                       {"key": "wait", "type": "number", "label": "S", "default": 0}],
            "outputs": [{"key": "x", "type": "number", "label": "X"}], **extra}
    write_tool(tools_dir, name, spec, MAIN)
    return ctx.find_tool(name)


def test_finish_run_first_writer_wins_and_merges_meta(conn):
    runs_repo.create_run(conn, "r1", "t", {"a": 1}, meta={"batch_id": "b", "nested": {"keep": 1}}, fetch=False)
    assert runs_repo.finish_run(conn, "r1", "cancelled", error_text="stop",
                                meta_update={"duration_s": 0.5, "nested": {"new": 2}, "gone": None})
    assert not runs_repo.finish_run(conn, "r1", "error", error_text="late")  # already final
    rec = runs_repo.get_run(conn, "r1")
    meta = json.loads(rec.meta_json)
    assert rec.status == "cancelled" and rec.error_text == "stop" and rec.finished_at
    # top-level keys replaced as dict.update does (no deep merge, None stored as null)
    assert meta["batch_id"] == "b" and meta["nested"] == {"new": 2} and meta["gone"] is None
    assert meta["duration_s"] == 0.5 and meta["owner_pid"] == os.getpid()


def test_finish_run_odd_meta_keys_and_values_take_the_slow_path(conn):
    runs_repo.create_run(conn, "r2", "t", {}, fetch=False)
    assert runs_repo.finish_run(conn, "r2", "error", meta_update={"a key.with$path": 1, "f": float("nan")})
    meta = runs_repo.get_run(conn, "r2").meta_json
    assert '"a key.with$path": 1' in meta and "NaN" in meta
    conn.execute("UPDATE runs SET status = 'running', meta_json = 'not json' WHERE id = 'r2'")
    assert runs_repo.finish_run(conn, "r2", "ok", meta_update={"k": [1]})
    assert json.loads(runs_repo.get_run(conn, "r2").meta_json) == {"k": [1]}


def test_record_run_start_counts_and_keeps_last_inputs(conn):
    tool_state_repo.set_flag(conn, "t", "favourited", True)
    tool_state_repo.record_run_start(conn, "t", {"a": 1})
    tool_state_repo.record_run_start(conn, "t", {"a": 2})
    state = tool_state_repo.get(conn, "t")
    assert state.run_count_total == 2 and json.loads(state.last_inputs_json) == {"a": 2}
    assert state.favourited == 1 and state.last_run_at
    tool_state_repo.record_run_start(conn, "new", {})
    assert tool_state_repo.get(conn, "new").run_count_total == 1


def test_acquire_warm_never_spawns(ctx, tools_dir):
    tool = make(ctx, tools_dir)
    pool = WarmPool(ctx.settings)
    try:
        assert pool.acquire_warm(tool) is None and pool.spawn_count == 0
        pool.warm(tool)
        proc = pool.acquire_warm(tool)
        assert proc is not None and pool.in_flight("w", proc) == 1
        pool.release("w", proc)
        assert pool.in_flight("w", proc) == 0
        proc.stop(grace=1.0)  # dead: acquire() restarts it, acquire_warm does not
        assert pool.acquire_warm(tool) is None and pool.spawn_count == 1
    finally:
        pool.stop_all()


def test_warm_run_row_has_the_tool_pid_while_running(ctx, tools_dir):
    tool = make(ctx, tools_dir)
    runner = Runner(ctx.settings)
    seen: dict = {}
    try:
        assert runner.run(tool, {}).status == "ok"  # spawns: the warm process for the next run
        warm = runner.pool.acquire_warm(tool)
        pid = warm.pid
        runner.pool.release("w", warm)

        def on_event(ev):
            if ev.kind == "started" and "meta" not in seen:  # the row as first committed
                other = runs_repo.get_run(ctx.conn, ev.run_id)
                seen["meta"] = json.loads(other.meta_json)
                seen["status"] = other.status

        res = runner.run(tool, {"wait": 0.05}, on_event=on_event, meta={"batch_id": "B"})
        assert res.status == "ok", res.error
        assert seen["status"] == "running"
        assert seen["meta"]["tool_pid"] == pid and seen["meta"]["tool_pgid"] == pid
        assert seen["meta"]["batch_id"] == "B" and seen["meta"]["tool_started"] > 0
        assert runner.pool.in_flight("w") == 0  # the early lease was given back
        state = tool_state_repo.get(ctx.conn, "w")
        assert state.run_count_total == 2
    finally:
        runner.shutdown()


def test_warm_runs_find_written_files_and_skip_empty_folders(ctx, tools_dir):
    tool = make(ctx, tools_dir)
    runner = Runner(ctx.settings)
    try:
        assert runner.run(tool, {}).status == "ok"
        empty = runner.run(tool, {})
        wrote = runner.run(tool, {"write": True})
        assert empty.status == "ok" and empty.artefacts == []
        assert wrote.status == "ok" and [a.rel_path.rsplit("/", 1)[-1] for a in wrote.artefacts] == ["note.txt"]
        folder = run_dir(ctx.settings, "w", wrote.run_id, create=False)
        assert (folder / "note.txt").read_text() == "hello"
    finally:
        runner.shutdown()


def test_parallel_warm_runs_all_recorded(ctx, tools_dir):
    tool = make(ctx, tools_dir)
    runner = Runner(ctx.settings)
    results = []
    try:
        assert runner.run(tool, {}).status == "ok"
        threads = [threading.Thread(target=lambda: results.append(runner.run(tool, {"wait": 0.02})))
                   for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert [r.status for r in results] == ["ok"] * 6
        assert runs_repo.count_runs(ctx.conn, tool_id="w", status="ok") == 7
        assert runs_repo.count_runs(ctx.conn, status="running") == 0
        assert runner.pool.in_flight("w") == 0
    finally:
        runner.shutdown()


@pytest.mark.skipif(os.name != "posix", reason="symlinks and modes")
def test_run_dir_fast_path_is_the_same_folder_and_never_trusts_a_swap(ctx, tmp_path):
    first = run_dir(ctx.settings, "fast", "run-1")
    second = run_dir(ctx.settings, "fast", "run-2")  # the cached fast path
    assert second.parent == first.parent and second.is_dir() and (second.stat().st_mode & 0o777) == 0o700
    # the tool folder swapped for a link elsewhere: the cached folder is not used
    outside = tmp_path / "outside"
    outside.mkdir()
    tool_folder = first.parent
    tool_folder.rename(tmp_path / "moved")
    tool_folder.symlink_to(outside, target_is_directory=True)
    try:
        third = run_dir(ctx.settings, "fast", "run-3")
    except ValueError:
        third = None  # refused: fine
    assert not (tmp_path / "moved" / "run-3").exists()
    if third is not None:  # the user-made linked tool folder rule: the link's target, never the old folder
        assert third.resolve() == (outside / "run-3").resolve()
