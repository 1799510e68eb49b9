"""Issue 11, low: process-group reuse cannot make start-up recovery kill a foreign process. The
recorded pgid of a dead run may now lead a NEW group — even a fresh spawn of the same tool,
carrying the same PIXIE_TOOL_ID — and recovery must leave it alone (start time checked)."""

from __future__ import annotations

import os
import subprocess
import time

import pytest

from pixie_desktop.runtime.recovery import kill_orphan_tool_group

pytestmark = pytest.mark.skipif(os.name != "posix", reason="process groups")


def _spawn_group(tool_id: str) -> subprocess.Popen:
    env = dict(os.environ, PIXIE_TOOL_ID=tool_id)
    return subprocess.Popen(["sleep", "300"], start_new_session=True, env=env)


def test_recycled_pgid_of_a_newer_group_is_not_killed():
    newer = _spawn_group("demo")  # same tool id, started after the recorded run
    try:
        meta = {"tool_pid": newer.pid, "tool_pgid": newer.pid, "tool_started": time.time() - 3600}
        assert kill_orphan_tool_group(meta, "demo") == []
        time.sleep(0.1)
        assert newer.poll() is None, "a foreign process group was killed"
    finally:
        newer.kill()
        newer.wait()


def test_the_original_group_is_still_cleaned_up():
    orphan = _spawn_group("demo")
    try:
        meta = {"tool_pid": orphan.pid, "tool_pgid": orphan.pid, "tool_started": time.time()}
        assert kill_orphan_tool_group(meta, "demo") == [orphan.pid]
        assert orphan.wait(timeout=10) is not None
    finally:
        if orphan.poll() is None:
            orphan.kill()
            orphan.wait()


def test_start_times_are_read_on_the_wall_clock():
    """psutil's create_time rests on the boot time truncated to whole seconds, so it can read
    up to a second early — enough, under load, for recovery to take a real orphan for an
    older stranger. The start time recovery uses lies between the wall-clock readings taken
    around the spawn (to one clock tick)."""
    from pixie_desktop.runtime.recovery import _started_at

    tick = 1.0 / os.sysconf("SC_CLK_TCK")
    before = time.time()
    proc = subprocess.Popen(["sleep", "30"])
    after = time.time()
    try:
        assert before - 2 * tick <= _started_at(proc.pid) <= after + 2 * tick
    finally:
        proc.kill()
        proc.wait()
