"""RunQueue (Qt-free): FIFO order, the per-tool `concurrent` rule and the global limit decide
what `next_dispatchable` hands out; cancel drops queued runs; move up/down reorders; states and
positions ("Queued (3rd)") are tracked; it is safe to use from several threads."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest

from pixie_desktop.runtime.queue import FINISHED, QUEUED, RUNNING, RunQueue, RunRequest, ordinal


def req(tool_id: str, run_id: str, concurrent: bool = True) -> RunRequest:
    return RunRequest(SimpleNamespace(tool_id=tool_id), {}, run_id=run_id, concurrent=concurrent)


def drain(q: RunQueue) -> list[str]:
    out = []
    while (r := q.next_dispatchable()) is not None:
        out.append(r.run_id)
    return out


def test_queue_module_is_qt_free():
    import pixie_desktop.runtime.queue as mod

    src = open(mod.__file__, encoding="utf-8").read()
    assert "PySide6" not in src and "pixie_desktop.ui" not in src


def test_fifo_order_and_positions():
    q = RunQueue(max_parallel=1)
    assert [q.submit(req("a", f"r{i}")) for i in range(4)] == [1, 2, 3, 4]
    assert [r.run_id for r in q.queued()] == ["r0", "r1", "r2", "r3"]
    assert q.position("r2") == 3 and q.position("nope") is None
    assert drain(q) == ["r0"]  # global limit 1
    assert q.state("r0") == RUNNING and q.state("r1") == QUEUED
    assert q.position("r1") == 1 and q.position("r3") == 3
    q.finish("r0")
    assert q.state("r0") == FINISHED and drain(q) == ["r1"]
    with pytest.raises(ValueError):
        q.submit(req("a", "r1"))  # already running


def test_non_concurrent_tool_runs_one_at_a_time_and_others_overtake():
    q = RunQueue(max_parallel=8)
    for i in range(3):
        q.submit(req("serial", f"s{i}", concurrent=False))
    q.submit(req("free", "f0"))
    q.submit(req("free", "f1"))
    assert drain(q) == ["s0", "f0", "f1"]  # s1 and s2 wait for s0; the other tool is not held up
    assert q.running_for("serial") == ["s0"] and q.queued_for("serial") == ["s1", "s2"]
    assert drain(q) == []
    q.finish("s0")
    assert drain(q) == ["s1"]
    q.finish("s1")
    assert drain(q) == ["s2"]
    assert q.queued() == [] and q.running_count() == 3  # s2, f0, f1


def test_concurrent_tool_fills_the_global_limit():
    q = RunQueue(max_parallel=3)
    for i in range(5):
        q.submit(req("free", f"f{i}"))
    assert drain(q) == ["f0", "f1", "f2"]
    assert q.running_count() == 3 and q.queued_count() == 2
    q.finish("f1")
    assert drain(q) == ["f3"]
    q.set_max_parallel(5)
    assert drain(q) == ["f4"]
    q.set_max_parallel(1)  # lower: running runs stay, nothing new starts until below it
    for rid in ("f0", "f2", "f3"):
        q.finish(rid)
    q.submit(req("free", "f5"))
    assert drain(q) == []
    q.finish("f4")
    assert drain(q) == ["f5"]


def test_cancel_drops_queued_runs_only():
    q = RunQueue(max_parallel=1)
    for i in range(4):
        q.submit(req("a" if i < 3 else "b", f"r{i}"))
    assert drain(q) == ["r0"]
    assert q.cancel("r0") is None  # running: stopped by whoever runs it, not by the queue
    dropped = q.cancel("r1")
    assert dropped is not None and dropped.run_id == "r1" and q.state("r1") == FINISHED
    assert q.cancel("r1") is None
    assert [r.run_id for r in q.cancel_tool("a")] == ["r2"]
    assert [r.run_id for r in q.queued()] == ["r3"]
    q.submit(req("b", "r4"))
    assert [r.run_id for r in q.cancel_all()] == ["r3", "r4"]
    q.finish("r0")
    assert drain(q) == []  # a dropped run is never handed out


def test_move_up_and_down():
    q = RunQueue(max_parallel=1)
    for i in range(3):
        q.submit(req("a", f"r{i}"))
    assert q.move_up("r2") and [r.run_id for r in q.queued()] == ["r0", "r2", "r1"]
    assert not q.move_up("r0") and not q.move_down("r1") and not q.move_up("missing")
    assert q.move_down("r0") and q.position("r0") == 2
    assert drain(q) == ["r2"]


def test_threads_never_exceed_the_limits():
    q = RunQueue(max_parallel=3)
    for i in range(60):
        q.submit(req(f"t{i % 4}", f"r{i}", concurrent=(i % 4 != 0)))
    lock = threading.Lock()
    seen_max = [0]
    problems: list[str] = []

    def worker() -> None:
        while True:
            r = q.next_dispatchable()
            if r is None:
                if q.queued_count() == 0:
                    return
                continue
            running = q.running()
            with lock:
                seen_max[0] = max(seen_max[0], len(running))
            if sum(1 for x in running if x.tool_id == "t0") > 1:
                problems.append("two runs of the non-concurrent tool at once")
            q.finish(r.run_id)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not problems and 1 <= seen_max[0] <= 3
    assert q.running_count() == 0 and q.queued_count() == 0
    assert all(q.state(f"r{i}") == FINISHED for i in range(60))


def test_ordinals():
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111)] == \
        ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "101st", "111th"]
