"""Leaks under load through the core Runner: N sequential runs and M concurrent runs (across
three tools, more tools than the warm pool may keep) — afterwards open file descriptors, child
processes, threads and RSS are back at their baseline (with small tolerances), and the warm pool
never holds more idle processes than `warm_keep_max` nor more memory than its budget.

CI counts are small (100 sequential / 20 concurrent); PIXIE_SOAK_FULL=1 runs 1000 / 200."""

from __future__ import annotations

import gc
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import psutil
import pytest

FULL = os.environ.get("PIXIE_SOAK_FULL") == "1"
SEQUENTIAL = 1000 if FULL else 100
CONCURRENT = 200 if FULL else 20
WORKERS = 8
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200 if FULL else 120)]


def _vitals() -> dict[str, float]:
    """Open fds, live threads (minus the runner's parked /run helpers: reused, and they retire
    after a minute idle — how many were parked depends on how runs interleaved), children, RSS."""
    from pixie_desktop.runtime.runner import _HELPERS

    me = psutil.Process()
    kids = [p for p in me.children(recursive=True) if p.status() != psutil.STATUS_ZOMBIE]
    return {"fds": me.num_fds(), "threads": threading.active_count() - _HELPERS.idle, "children": len(kids),
            "rss_mb": me.memory_info().rss / 2**20}


def _settle(runner, baseline, timeout=8.0) -> dict[str, float]:
    """Wait for helper threads (reaper, request/stream helpers) and processes to wind down."""
    end = time.monotonic() + timeout
    while True:
        gc.collect()
        now = _vitals()
        if (now["children"] == 0 and now["threads"] <= baseline["threads"] and now["fds"] <= baseline["fds"] + 2) \
                or time.monotonic() > end:
            return now
        time.sleep(0.1)


@pytest.fixture
def loaded(ctx, install, runner):
    for name in ("calculator", "bad-tool", "misbehave"):
        install(name)
    ctx.settings.values["warm_keep_max"] = 2
    tools = {t.tool_id: t for t in ctx.tools()}
    inputs = {"calculator": {"a": 3, "b": 4, "op": "multiply"}, "bad-tool": {"mode": "ok"},
              "misbehave": {"mode": "ok"}}
    # warm up imports, the spawner thread and every code path once, then measure with nothing warm.
    # The concurrent warm-up matters: SQLite keeps the fds of closed connections for reuse while
    # another connection of the process holds a lock on the same file (its POSIX-lock workaround),
    # so the first burst of WORKERS threads raises the fd count once — bounded, not a leak.
    order = list(inputs)
    with ThreadPoolExecutor(WORKERS) as ex:
        warm = list(ex.map(lambda i: runner.run(tools[order[i % 3]], inputs[order[i % 3]]), range(WORKERS * 2)))
    assert {r.status for r in warm} == {"ok"}
    runner.pool.stop_all()
    baseline = _settle(runner, {"threads": 10**6, "fds": 10**6}, timeout=3.0)
    return tools, inputs, baseline


def _pool_watch(runner, cap: int, stop: threading.Event, seen: list, violations: list) -> None:
    while not stop.is_set():
        snap = runner.pool.snapshot()
        live = [s for s in snap if s["alive"]]
        busy = sum(1 for s in live if s["in_flight"] or s["starting"])
        seen.append(len(live))
        # eviction never kills a busy tool, so only processes beyond the busy ones count against
        # the cap (+1: a spawn is registered just before its own cap check runs)
        if len(live) > max(cap, busy) + 1:
            violations.append(snap)
        time.sleep(0.01)


def test_sequential_and_concurrent_runs_leak_nothing(ctx, runner, loaded):
    tools, inputs, base = loaded
    order = list(inputs)
    t0 = time.monotonic()
    for i in range(SEQUENTIAL):
        tid = order[i % 2]  # calculator / bad-tool alternate: both stay warm
        res = runner.run(tools[tid], inputs[tid])
        assert res.status == "ok", res.error
    seq_rate = SEQUENTIAL / (time.monotonic() - t0)
    mid = _vitals()
    assert mid["children"] <= 2  # exactly the two warm tools
    assert mid["fds"] <= base["fds"] + 12  # two warm processes: pipes + keep-alive sockets

    stop = threading.Event()
    seen: list = []
    violations: list = []
    watcher = threading.Thread(target=_pool_watch, args=(runner, 2, stop, seen, violations), daemon=True)
    watcher.start()
    with ThreadPoolExecutor(WORKERS) as ex:
        results = list(ex.map(lambda i: runner.run(tools[order[i % 3]], inputs[order[i % 3]]), range(CONCURRENT)))
    stop.set()
    watcher.join(5)
    assert [r.status for r in results] == ["ok"] * CONCURRENT, [r.error for r in results if r.error][:3]
    assert seen and max(seen) <= 3 and violations == []
    # once idle, the reaper brings the pool back under its cap
    end = time.monotonic() + 6
    while time.monotonic() < end and sum(s["alive"] for s in runner.pool.snapshot()) > 2:
        time.sleep(0.1)
    assert sum(s["alive"] for s in runner.pool.snapshot()) <= 2

    runner.pool.stop_all()
    after = _settle(runner, base)
    assert after["children"] == 0
    assert after["fds"] <= base["fds"] + 2, (base, after)
    assert after["threads"] <= base["threads"], (base, after, sorted(t.name for t in threading.enumerate()))
    from pixie_desktop.runtime.runner import _HELPERS

    assert _HELPERS.idle <= WORKERS + 2  # parked helpers stay bounded by the runs in flight at once
    assert after["rss_mb"] - base["rss_mb"] < (60 if FULL else 30), (base, after)
    from pixie_desktop.store import runs_repo

    assert runs_repo.count_runs(ctx.conn, status="ok") == SEQUENTIAL + CONCURRENT + WORKERS * 2
    assert seq_rate > 5  # a warm tool answers a trivial run in well under 200 ms


def test_memory_budget_evicts_idle_tools_only(ctx, runner, loaded, monkeypatch):
    """A budget that fits one tool: every new spawn evicts the idle others, never a busy one."""
    import pixie_desktop.runtime.pool as pool_mod

    tools, inputs, _ = loaded
    ctx.settings.values["warm_keep_max"] = 10
    monkeypatch.setattr(pool_mod, "_memory_budget_mb", lambda fraction: 600.0)  # calculator 512 + …
    busy = threading.Thread(target=runner.run, args=(tools["misbehave"], {"mode": "sleep", "seconds": 1.5}))
    busy.start()
    time.sleep(0.8)
    for tid in ("calculator", "bad-tool"):
        assert runner.run(tools[tid], inputs[tid]).status == "ok"
        snap = {s["tool_id"]: s for s in runner.pool.snapshot() if s["alive"]}
        assert "misbehave" in snap  # busy: never evicted
    busy.join(10)
    runner.pool.reap()
    live = [s for s in runner.pool.snapshot() if s["alive"]]
    assert sum(s["memory_mb"] for s in live) <= 600 or len(live) == 1
