"""Issue 11 class 12: the memory limit applies to a warm tool between runs too. A tool whose
process grows past its max_memory_mb while idle in the warm pool is stopped on the next
housekeeping tick and respawned on next use; a tool under its limit stays warm, and a tool
with a run in flight is left to the runner's own watchdog."""

from __future__ import annotations

from conftest import write_tool

from pixie_desktop.runtime.pool import Limits, WarmPool

# The balloon is allocated at start-up (so it is there while the tool sits warm, between runs)
# and written to, so the pages are resident.
MAIN = """import os
from pixie_desktop import sdk
BALLOON = b"x" * (int(os.environ.get("BALLOON_MB", "0")) * 1024 * 1024)
tool = sdk.Tool(__file__)

@tool.handler
def run(inputs, ctx):
    return {"x": len(BALLOON)}

if __name__ == "__main__":
    tool.serve()
"""


def _tool(ctx, tools_dir, name, balloon_mb):
    spec = {"id": name, "name": name, "inputs": [], "outputs": [{"key": "x", "type": "number", "label": "X"}]}
    write_tool(tools_dir, name, spec, MAIN, extra={".env": f"BALLOON_MB={balloon_mb}\n"})
    return ctx.find_tool(name)


def test_warm_tool_over_its_memory_limit_is_stopped_and_respawned(ctx, tools_dir):
    fat = _tool(ctx, tools_dir, "fat", 200)
    slim = _tool(ctx, tools_dir, "slim", 0)
    pool = WarmPool(ctx.settings)
    limits = Limits(max_memory_mb=150)
    try:
        with pool.lease(fat, limits) as proc:
            assert proc.rss_mb() > 150
            pool.reap()                     # a run is in flight: the runner's watchdog owns it
            assert pool.is_warm("fat")
        pool.warm(slim, Limits(max_memory_mb=150))
        pool.reap()                         # between runs: over the limit → stopped
        assert not pool.is_warm("fat") and not proc.alive()
        assert "memory limit" in (proc.stop_reason or "")
        assert [s[0] for s in pool.memory_stops] == ["fat"] and pool.memory_stops[0][2] == 150
        assert pool.is_warm("slim"), "a tool under its limit stays warm"
        spawned = pool.spawn_count
        with pool.lease(fat, limits) as again:  # next use: a fresh process
            assert again.alive() and again.pid != proc.pid
        assert pool.spawn_count == spawned + 1
    finally:
        pool.stop_all()
