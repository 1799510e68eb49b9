"""Issue 11 class 6: processes a tool starts in a new session or by double fork are found and
stopped with the tool (runtime.proctree); `doctor` reports survivors."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest
from conftest import write_tool

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="process trees: Linux")

# mode "double": an intermediate process calls setsid(), forks `sleep` and exits at once (the
# sleep is reparented to init: never a descendant of the tool, in no group of the tool), with
# its stdio on /dev/null like a daemon; "double-keeps-stderr" keeps the tool's stderr pipe open
# (stopping the tool must not hang on it).
# mode "session": a direct child in a new session with an EMPTY environment (no marker: only
# the recorded process tree can find it).
MAIN = r"""import os, subprocess, sys
from pixie_desktop import sdk
tool = sdk.Tool(__file__)
DOUBLE = ("import os, sys\nos.setsid()\nif os.fork():\n    os._exit(0)\n"
          "if sys.argv[2] == 'daemon':\n"
          "    fd = os.open(os.devnull, os.O_RDWR)\n"
          "    for n in (0, 1, 2):\n        os.dup2(fd, n)\n"
          "open(sys.argv[1] + '.tmp', 'w').write(str(os.getpid()))\nos.rename(sys.argv[1] + '.tmp', sys.argv[1])\n"
          "os.execvp('sleep', ['sleep', '300'])\n")

@tool.handler
def run(inputs, ctx):
    pidfile = inputs["pidfile"]
    if inputs["mode"] in ("double", "double-keeps-stderr"):
        how = "daemon" if inputs["mode"] == "double" else "keep"
        subprocess.run([sys.executable, "-c", DOUBLE, pidfile, how], check=True)
    else:
        p = subprocess.Popen(["sleep", "300"], start_new_session=True, env={}, stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        open(pidfile, "w").write(str(p.pid))
    return {"x": 1}

if __name__ == "__main__":
    tool.serve()
"""


def _tool(ctx, tools_dir):
    spec = {"id": "forker", "name": "Forker",
            "inputs": [{"key": "pidfile", "type": "text", "label": "P"}, {"key": "mode", "type": "text", "label": "M"}],
            "outputs": [{"key": "x", "type": "number", "label": "X"}]}
    write_tool(tools_dir, "forker", spec, MAIN)
    return ctx.find_tool("forker")


def _alive(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _wait_pid(path: Path) -> int:
    deadline = time.monotonic() + 10
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    return int(path.read_text())


def _gone_within(pid: int, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not _alive(pid)


@pytest.mark.parametrize("mode", ["double", "session"])
def test_escaped_child_is_stopped_with_the_tool(ctx, tools_dir, runner, tmp_path, mode):
    tool = _tool(ctx, tools_dir)
    pidfile = tmp_path / f"{mode}.pid"
    pid = None
    try:
        result = runner.run(tool, {"pidfile": str(pidfile), "mode": mode})
        assert result.status == "ok", result.error
        pid = _wait_pid(pidfile)
        assert _alive(pid)
        if mode == "session":
            runner.pool.reap()  # a housekeeping tick records the tree while the tool lives
        runner.pool.stop("forker", reason="test")
        assert _gone_within(pid), f"{mode}: pid {pid} outlived its tool"
    finally:
        if pid is not None and _alive(pid):
            os.kill(pid, signal.SIGKILL)


def test_doctor_reports_and_fixes_survivors(ctx, tools_dir, runner, tmp_path, monkeypatch):
    from pixie_desktop.doctor import run_doctor
    from pixie_desktop.runtime import proctree

    tool = _tool(ctx, tools_dir)
    pidfile = tmp_path / "d.pid"
    pid = None
    # a stop that cannot kill (e.g. EPERM) leaves a survivor on record
    monkeypatch.setattr(proctree.ProcessTree, "stop_escaped",
                        lambda self, wait=2.0: (self._write(stopped=True), [])[1])
    try:
        assert runner.run(tool, {"pidfile": str(pidfile), "mode": "double-keeps-stderr"}).status == "ok"
        pid = _wait_pid(pidfile)
        runner.pool.stop("forker", reason="test")
        assert _alive(pid)
        monkeypatch.undo()
        report = run_doctor(ctx.conn, ctx.settings, [])
        found = [p for p in report.problems if p.check == "survivors"]
        assert [p.subject for p in found] == [str(pid)] and "forker" in found[0].message
        assert "sleep" in found[0].message and not report.ok
        fixed = run_doctor(ctx.conn, ctx.settings, [], fix=True)
        assert [p.fixed for p in fixed.problems if p.check == "survivors"] == [True]
        assert _gone_within(pid)
        assert run_doctor(ctx.conn, ctx.settings, []).checked["survivors"].startswith("no tool process")
    finally:
        if pid is not None and _alive(pid):
            os.kill(pid, signal.SIGKILL)


def test_recycled_pid_is_never_killed(ctx):
    """A record naming a pid that now belongs to another process (different start time, no
    marker) is not a survivor and is never signalled."""
    import subprocess

    from pixie_desktop.runtime import proctree

    other = subprocess.Popen(["sleep", "300"])
    try:
        tree = proctree.ProcessTree("t", 999_999, time.time() - 100, "feedbeef",
                                    proctree.record_dir(ctx.settings), {other.pid: time.time() - 50})
        assert tree.stop_escaped() == [] and other.poll() is None
        assert proctree.survivors(ctx.settings) == []
    finally:
        other.kill()
        other.wait()
