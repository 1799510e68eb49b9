"""Crash safety: an app process SIGKILLed in the middle of a run of slow-counter.

On the next start (`open_context()`): the run is `error` "interrupted" (reference §9.7: rows left
`running` were never repaired), files the tool had fully written are registered as artefacts of
that run while unfinished `*.partial` writes are deleted (decision documented in
runtime/recovery.py), the database passes `PRAGMA integrity_check`, and no tool process — nor a
grandchild it forked — survives."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest

from pixie_desktop.store import artefacts_repo, runs_repo

REPO = Path(__file__).resolve().parent.parent

APP_SCRIPT = textwrap.dedent("""
    import json, sys
    from pixie_desktop.context import open_context
    from pixie_desktop.runtime.runner import Runner
    tool_id, inputs, run_id = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
    ctx = open_context()
    runner = Runner(ctx.settings)
    def report(ev):
        active = runner._active.get(run_id)
        pid = active.proc.pid if active and active.proc else None
        print(json.dumps({"kind": ev.kind, "progress": ev.fraction, "tool_pid": pid}), flush=True)
    runner.run(ctx.find_tool(tool_id), inputs, run_id=run_id, on_event=report)
    print(json.dumps({"kind": "finished"}), flush=True)
""")


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _group_alive(pgid: int) -> list[int]:
    out = []
    for p in psutil.process_iter(["pid"]):
        try:
            if os.getpgid(p.pid) == pgid and p.status() != psutil.STATUS_ZOMBIE:
                out.append(p.pid)
        except (OSError, psutil.Error):
            pass
    return out


def _wait_gone(pids, timeout=5.0) -> list[int]:
    end = time.monotonic() + timeout
    left = [p for p in pids if _alive(p)]
    while left and time.monotonic() < end:
        time.sleep(0.05)
        left = [p for p in left if _alive(p)]
    return left


def _start_app(tool_id: str, inputs: dict, run_id: str, ready) -> tuple[subprocess.Popen, int]:
    """Start a separate app process running one tool; return once `ready(msg)` says so."""
    app = subprocess.Popen([sys.executable, "-c", APP_SCRIPT, tool_id, json.dumps(inputs), run_id],
                           cwd=str(REPO), env=dict(os.environ),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    end = time.monotonic() + 30
    while time.monotonic() < end:
        line = app.stdout.readline()
        if not line:
            break
        msg = json.loads(line)
        if msg.get("tool_pid") and ready(msg):
            return app, msg["tool_pid"]
    app.kill()
    app.wait()
    pytest.fail("app never got going: " + app.stderr.read()[-2000:])


def _kill_app(app: subprocess.Popen) -> None:
    os.kill(app.pid, signal.SIGKILL)
    app.wait(10)
    app.stdout.close()
    app.stderr.close()


@pytest.mark.skipif(os.name != "posix", reason="process groups and SIGKILL are POSIX")
def test_sigkilled_app_leaves_interrupted_run_no_orphans_and_a_sound_db(ctx, install):
    install("slow-counter")
    ctx.tools()
    app, tool_pid = _start_app("slow-counter", {"steps": 400, "delay": 0.05}, "crash-run",
                               lambda m: m["kind"] == "progress")
    folder = ctx.settings.artefacts_root / "slow-counter" / "crash-run"
    assert folder.is_dir()
    # what the tool had written by the time of the crash: one finished file, one unfinished write
    (folder / "counted.txt").write_text("12 sheep so far")
    (folder / ".chart.png.x1y2.partial").write_bytes(b"\x89PNG half")
    meta = runs_repo.get_run(ctx.conn, "crash-run").meta
    assert meta["tool_pgid"] == tool_pid and meta["owner_pid"] == app.pid

    _kill_app(app)
    # the tool server dies with its app (kernel parent-death signal), before any restart
    assert _wait_gone([tool_pid]) == [], "tool server outlived the SIGKILLed app"
    assert runs_repo.get_run(ctx.conn, "crash-run").status == "running"  # nobody reconciled yet

    from pixie_desktop.context import open_context

    ctx2 = open_context()
    try:
        run = runs_repo.get_run(ctx2.conn, "crash-run")
        assert run.status == "error" and "interrupted" in run.error_text
        assert run.finished_at and run.meta["interrupted"] is True
        assert _group_alive(tool_pid) == []
        # finished file registered (user data is kept), unfinished write removed
        arts = artefacts_repo.for_run(ctx2.conn, "crash-run")
        assert [a.filename for a in arts] == ["counted.txt"]
        assert arts[0].output_key == "counted" and arts[0].size_bytes == 15
        assert run.meta["recovered_files"] == 1
        assert not (folder / ".chart.png.x1y2.partial").exists()
        assert runs_repo.get_run(ctx2.conn, "crash-run").total_artefact_bytes == 15
        assert ctx2.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert ctx2.conn.execute("PRAGMA foreign_key_check").fetchall() == []
        # a second start finds nothing left to do
        ctx3 = open_context()
        assert ctx3.startup.interrupted_runs == [] and ctx3.startup.recovery is None
        ctx3.close()
    finally:
        ctx2.close()


@pytest.mark.skipif(os.name != "posix", reason="process groups are POSIX")
def test_grandchild_of_a_crashed_apps_tool_is_killed_at_next_start(ctx, install):
    """The kernel kills the tool with its app, but not a grandchild the tool forked: the next
    start's reconcile finds the tool's process group in the run's meta_json and kills it."""
    install("bad-tool")
    ctx.tools()
    app, tool_pid = _start_app("bad-tool", {"mode": "pidfile"}, "crash-gc", 
                               lambda m: m["kind"] == "status")
    pidfile = ctx.settings.artefacts_root / "bad-tool" / "crash-gc" / "grandchild.txt"
    end = time.monotonic() + 10
    while not (pidfile.exists() and pidfile.read_text()) and time.monotonic() < end:
        time.sleep(0.02)
    gpid = int(pidfile.read_text())
    assert os.getpgid(gpid) == tool_pid
    _kill_app(app)
    assert _wait_gone([tool_pid]) == []
    assert _alive(gpid), "precondition: the grandchild survived its parent's death"
    from pixie_desktop.context import open_context

    ctx2 = open_context()
    try:
        assert ctx2.startup.interrupted_runs == ["crash-gc"]
        assert gpid in ctx2.startup.recovery.killed_pids
        assert _wait_gone([gpid]) == [] and _group_alive(tool_pid) == []
        assert [a.filename for a in artefacts_repo.for_run(ctx2.conn, "crash-gc")] == ["grandchild.txt"]
    finally:
        ctx2.close()


def test_reconcile_never_kills_an_unrelated_process_that_reuses_the_group_id(ctx):
    """The recorded pgid may belong to someone else by the next start: only processes carrying
    the tool's PIXIE_TOOL_ID are touched."""
    stranger = subprocess.Popen(["/bin/sh", "-c", "exec sleep 30"], start_new_session=True)
    try:
        runs_repo.create_run(ctx.conn, "old-run", "slow-counter", {},
                             meta={"owner_pid": 999_999_999, "tool_pgid": stranger.pid,
                                   "tool_pid": stranger.pid})
        from pixie_desktop.context import open_context

        c2 = open_context()
        try:
            assert c2.startup.interrupted_runs == ["old-run"]
            assert c2.startup.recovery.killed_pids == []
            assert stranger.poll() is None
        finally:
            c2.close()
    finally:
        stranger.kill()
        stranger.wait()


def test_run_owned_by_a_live_process_is_left_alone(ctx):
    """Another live window/CLI's run is not ours to mark interrupted."""
    other = subprocess.Popen(["/bin/sh", "-c", "exec sleep 30"])
    try:
        runs_repo.create_run(ctx.conn, "live-run", "slow-counter", {}, meta={"owner_pid": other.pid})
        from pixie_desktop.context import open_context

        c2 = open_context()
        try:
            assert c2.startup.interrupted_runs == []
            assert runs_repo.get_run(c2.conn, "live-run").status == "running"
        finally:
            c2.close()
    finally:
        other.kill()
        other.wait()
