"""Warm pool with real processes: shared spawns, LRU cap that never evicts busy or pinned
tools, memory budget that spares the tool just spawned, per-tool TTL, stop_all."""

from __future__ import annotations

import threading

from conftest import write_tool

from pixie_desktop.runtime.pool import WarmPool

MAIN = """from pixie_desktop import sdk
tool = sdk.Tool(__file__)

@tool.handler
def run(inputs, ctx):
    return {"x": 1}

if __name__ == "__main__":
    tool.serve()
"""


def make(ctx, tools_dir, name, **extra):
    spec = {"id": name, "name": name, "inputs": [], "outputs": [{"key": "x", "type": "number", "label": "X"}],
            **extra}
    write_tool(tools_dir, name, spec, MAIN)
    return ctx.find_tool(name)


def test_lru_cap_spares_busy_and_pinned(ctx, tools_dir):
    a, b, c, d = (make(ctx, tools_dir, n) for n in "abcd")
    ctx.settings.values["warm_keep_max"] = 1
    pool = WarmPool(ctx.settings)
    try:
        with pool.lease(a) as pa:
            pool.warm(b)          # cap exceeded, but a is in flight and b is new: both stay
            assert pool.is_warm("a") and pool.is_warm("b")
            pool.warm(c)          # b is idle and oldest: evicted; a busy, c new
            assert pool.is_warm("a") and not pool.is_warm("b") and pool.is_warm("c")
            assert pa.alive()
        pool.set_pinned("c", True)
        pool.warm(d)              # a idle → evicted; c pinned stays; d new stays
        assert not pool.is_warm("a") and pool.is_warm("c") and pool.is_warm("d")
        snap = {s["tool_id"]: s for s in pool.snapshot()}
        assert snap["c"]["pinned"] and snap["d"]["pid"] and snap["d"]["in_flight"] == 0
    finally:
        pool.stop_all()
    assert pool.snapshot() == []


def test_concurrent_leases_share_one_spawn(ctx, tools_dir):
    tool = make(ctx, tools_dir, "shared")
    pool = WarmPool(ctx.settings)
    pids = []
    try:
        def go():
            with pool.lease(tool) as p:
                pids.append(p.pid)

        threads = [threading.Thread(target=go) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert len(set(pids)) == 1 and pool.spawn_count == 1
    finally:
        pool.stop_all()


def test_memory_budget_never_kills_the_new_tool(ctx, tools_dir):
    heavy1 = make(ctx, tools_dir, "heavy1", max_memory_mb=65536)
    heavy2 = make(ctx, tools_dir, "heavy2", max_memory_mb=65536)
    ctx.settings.values["warm_memory_budget_fraction"] = 0.05
    pool = WarmPool(ctx.settings)
    try:
        pool.warm(heavy1)
        assert pool.is_warm("heavy1")  # alone over budget, but it was just spawned
        pool.warm(heavy2)
        assert not pool.is_warm("heavy1") and pool.is_warm("heavy2")
    finally:
        pool.stop_all()


def test_per_tool_ttl_and_pinned_exemption(ctx, tools_dir):
    quick = make(ctx, tools_dir, "quick", warm_keep_seconds=0)
    pinned = make(ctx, tools_dir, "pinned", warm_keep_seconds=0, pinned_warm=True)
    lasting = make(ctx, tools_dir, "lasting")
    pool = WarmPool(ctx.settings)
    try:
        for t in (quick, pinned, lasting):
            pool.warm(t)
        import time

        time.sleep(0.05)
        pool.reap()
        assert not pool.is_warm("quick") and pool.is_warm("pinned") and pool.is_warm("lasting")
    finally:
        pool.stop_all()


def test_changed_tool_is_restarted(ctx, tools_dir):
    tool = make(ctx, tools_dir, "edit")
    pool = WarmPool(ctx.settings)
    try:
        with pool.lease(tool) as p1:
            pass
        (tools_dir / "edit" / "main.py").write_text(MAIN + "\n# edited\n")
        tool2 = ctx.find_tool("edit")
        with pool.lease(tool2) as p2:
            assert p2.pid != p1.pid and not p1.alive()
    finally:
        pool.stop_all()
