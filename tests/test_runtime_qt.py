"""RunController: tool runs go through the Qt-free RunQueue and run on the controller's own
QThreadPool. Signals report queued/started/events/finished/failed on the UI thread; a
non-concurrent tool's runs wait in the queue (not on a pool thread), so background work on
workers.app_pool() is never held up; queued runs can be cancelled (dropped, no history row),
the per-tool and global limits hold, and a tool page says "Queued (1st)" while its run waits."""

from __future__ import annotations

import pytest

from fixtures_ui_shell import wait_idle
from pixie_desktop.store import runs_repo
from pixie_desktop.ui import workers
from pixie_desktop.ui.run_controller import NOT_STARTED, RunController, never_started


@pytest.fixture
def controllers(qtbot, runner):
    """Make RunControllers over the test's Runner; each is shut down (runs cancelled and waited
    for) before the Runner itself stops its tool processes."""
    from pixie_desktop.ui.store_events import StoreEvents

    made: list[RunController] = []

    def make(max_parallel: int = 4, **kw) -> RunController:
        kw.setdefault("events", StoreEvents())
        ctl = RunController(runner, max_parallel=max_parallel, **kw)
        made.append(ctl)
        return ctl

    yield make
    for ctl in made:
        assert ctl.shutdown(30_000)


def record(ctl: RunController) -> dict[str, list]:
    seen: dict[str, list] = {"queued": [], "started": [], "events": [], "finished": [], "failed": [],
                             "running": []}
    ctl.runQueued.connect(lambda rid, tid: seen["queued"].append(rid))
    ctl.runStarted.connect(lambda rid, tid: seen["started"].append(rid))
    ctl.runEvent.connect(lambda rid, ev: seen["events"].append((rid, ev)))
    ctl.runFinished.connect(lambda rid, tid, res: seen["finished"].append(res))
    ctl.runFailed.connect(lambda rid, tid, text: seen["failed"].append((rid, text)))
    ctl.runningChanged.connect(lambda tid, n: seen["running"].append((tid, n)))
    return seen


def test_run_reports_events_and_result(qtbot, ctx, install, controllers):
    install("slow-counter")
    tool = ctx.find_tool("slow-counter")
    ctl = controllers()
    seen = record(ctl)
    with qtbot.waitSignal(ctl.runFinished, timeout=30_000) as blocker:
        rid = ctl.submit(tool, {"steps": 3, "delay": 0})
        assert seen["queued"] == [rid] and seen["started"] == [rid]  # dispatched inside submit
        assert ctl.is_running(rid) and ctl.running_for("slow-counter") == [rid] and ctl.running_count() == 1
    run_id, tool_id, result = blocker.args
    assert (run_id, tool_id) == (rid, "slow-counter") and result.status == "ok" and not never_started(result)
    assert any(ev.kind == "progress" for r, ev in seen["events"] if r == rid)
    assert not ctl.is_running(rid) and ctl.state(rid) == "finished" and ctl.running_count() == 0
    assert seen["running"] == [("slow-counter", 0), ("slow-counter", 1), ("slow-counter", 0)]
    assert runs_repo.get_run(ctx.conn, rid).status == "ok"


def test_cancel_running_and_invalid_inputs_fail(qtbot, ctx, install, runner, controllers):
    install("slow-counter")
    tool = ctx.find_tool("slow-counter")
    ctl = controllers()
    seen = record(ctl)
    rid = ctl.submit(tool, {"steps": 500, "delay": 0.05})
    qtbot.waitUntil(lambda: rid in runner.active_runs(), timeout=15_000)
    assert ctl.cancel(rid)
    qtbot.waitUntil(lambda: bool(seen["finished"]), timeout=20_000)
    assert seen["finished"][0].status == "cancelled"
    assert runs_repo.get_run(ctx.conn, rid).status == "cancelled"
    bad = ctl.submit(tool, {"steps": "many"})
    qtbot.waitUntil(lambda: bool(seen["failed"]), timeout=10_000)
    assert seen["failed"][0][0] == bad and "must be a number" in seen["failed"][0][1]
    assert not ctl.is_running(bad) and runs_repo.get_run(ctx.conn, bad) is None
    assert not ctl.cancel(bad)  # ended: nothing to cancel


def test_eight_queued_runs_of_a_non_concurrent_tool_do_not_delay_a_background_job(
        qtbot, ctx, install, runner, controllers):
    install("serial-sleeper")
    tool = ctx.find_tool("serial-sleeper")
    assert not tool.spec.concurrent and not runner.is_concurrent(tool)
    ctl = controllers(max_parallel=8)
    assert ctl.pool is not workers.app_pool()
    ids = [ctl.submit(tool, {"delay": 5}) for _ in range(8)]
    # one runs; seven wait in the queue, not on threads (neither this pool's nor the app's)
    assert ctl.running_for("serial-sleeper") == [ids[0]]
    assert [r.run_id for r in ctl.queued()] == ids[1:]
    assert ctl.pool.activeThreadCount() <= 1
    results: list = []
    workers.submit(lambda: "background done", on_result=results.append)
    qtbot.waitUntil(lambda: bool(results), timeout=10_000)
    assert results == ["background done"]
    assert len(ctl.queued()) >= 6  # the job finished while the tool's runs were still waiting
    assert len(runner.active_runs()) <= 1  # nobody is parked on the per-tool lock
    ctl.cancel_all()
    qtbot.waitUntil(lambda: ctl.running_count() == 0, timeout=20_000)
    assert not ctl.queued()


def test_cancel_queued_run_never_starts_and_leaves_no_row(qtbot, ctx, install, runner, controllers):
    install("serial-sleeper")
    tool = ctx.find_tool("serial-sleeper")
    ctl = controllers(max_parallel=4)
    seen = record(ctl)
    first = ctl.submit(tool, {"delay": 30})
    second = ctl.submit(tool, {"delay": 30})
    third = ctl.submit(tool, {"delay": 30})
    assert ctl.is_running(first) and ctl.is_queued(second) and ctl.position(third) == 2
    assert ctl.move_up(third) and ctl.position(third) == 1 and ctl.position(second) == 2
    assert ctl.cancel(second)
    dropped = seen["finished"][-1]
    assert dropped.run_id == second and dropped.status == "cancelled" and never_started(dropped)
    assert dropped.error == NOT_STARTED and ctl.state(second) == "finished"
    assert runs_repo.get_run(ctx.conn, second) is None  # nothing ran, nothing for History
    qtbot.waitUntil(lambda: first in runner.active_runs(), timeout=15_000)
    assert ctl.cancel_tool("serial-sleeper") == 2  # the running one and the queued `third`
    qtbot.waitUntil(lambda: len(seen["finished"]) == 3, timeout=20_000)
    by_id = {r.run_id: r for r in seen["finished"]}
    assert by_id[first].status == "cancelled" and not never_started(by_id[first])
    assert runs_repo.get_run(ctx.conn, first).status == "cancelled"
    assert never_started(by_id[third]) and runs_repo.get_run(ctx.conn, third) is None
    assert seen["started"] == [first]  # the dropped runs never started
    assert ctl.running_count() == 0 and not ctl.queued()


def test_global_limit_and_next_run_starts_when_one_ends(qtbot, ctx, install, runner, controllers):
    install("slow-counter")
    install("serial-sleeper")
    counter, sleeper = ctx.find_tool("slow-counter"), ctx.find_tool("serial-sleeper")
    ctl = controllers(max_parallel=2)
    seen = record(ctl)
    a = ctl.submit(counter, {"steps": 500, "delay": 0.05})
    b = ctl.submit(sleeper, {"delay": 0.2})
    c = ctl.submit(counter, {"steps": 1, "delay": 0})
    assert ctl.running_count() == 2 and [r.run_id for r in ctl.queued()] == [c]
    assert ctl.is_queued(c) and ctl.position(c) == 1
    # b ends by itself; c takes its place without anyone asking
    qtbot.waitUntil(lambda: any(r.run_id == c for r in seen["finished"]), timeout=30_000)
    assert [r.run_id for r in seen["finished"]][:2] == [b, c]
    assert seen["started"] == [a, b, c]
    assert ctl.is_running(a) and ctl.running_count() == 1
    ctl.cancel(a)
    qtbot.waitUntil(lambda: ctl.running_count() == 0, timeout=20_000)


def test_shutdown_refuses_new_runs(qtbot, ctx, install, controllers):
    install("serial-sleeper")
    tool = ctx.find_tool("serial-sleeper")
    ctl = controllers()
    ctl.submit(tool, {"delay": 30})
    ctl.submit(tool, {"delay": 30})
    assert ctl.shutdown(30_000)
    assert ctl.running_count() == 0 and not ctl.queued()
    with pytest.raises(RuntimeError):
        ctl.submit(tool, {"delay": 0})


def test_tool_page_says_queued_while_its_run_waits(qtbot, make_window, install, ctx):
    install("serial-sleeper")
    win = make_window()
    ctl = win.run_controller
    assert win.open_tool("serial-sleeper")
    page = win.tool_pages["serial-sleeper"]
    blocker = ctl.submit(page.info, {"delay": 30}, source="test")  # holds the tool's one slot
    started: list[str] = []
    ctl.runStarted.connect(lambda rid, tid: started.append(rid))
    page.form.set_values({"delay": 0})
    assert page.run()
    assert page.is_running and ctl.is_queued(page.run_id)
    assert page.status_label.text() == "Queued (1st)" and page.state_badge.text() == "Queued"
    assert page.cancel_button.isEnabled() and not page.run_button.isEnabled()
    assert win.tools_model.tool_row("serial-sleeper").running == 2  # in flight: running + queued
    assert win.running_label.text() == "● 1 running · 1 queued"
    dropped = page.run_id
    assert page.cancel()
    assert not page.is_running and page.status_label.text() == "Cancelled before it started"
    assert page.last_result.status == "cancelled" and runs_repo.get_run(ctx.conn, dropped) is None
    assert page.run_button.isEnabled() and not page.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: win.statusBar().currentMessage() == "Serial Sleeper was cancelled")
    assert win.running_label.text() == "● 1 running"
    # queued again: it starts by itself once the run ahead of it ends
    assert page.run() and page.status_label.text() == "Queued (1st)"
    ctl.cancel(blocker)
    wait_idle(qtbot, page)
    assert page.last_result.status == "ok" and page.last_result.run_id in started
    assert dropped not in started
    assert runs_repo.get_run(ctx.conn, page.last_result.run_id).status == "ok"
    qtbot.waitUntil(lambda: win.running_label.text() == "Idle")
    assert win.tools_model.tool_row("serial-sleeper").running == 0


def test_max_parallel_comes_from_the_setting_else_the_cpu_count(qtbot, ctx, runner, monkeypatch):
    import os

    from pixie_desktop.config import load_settings

    monkeypatch.setenv("PIXIE_MAX_PARALLEL_RUNS", "3")
    ctl = RunController(runner, settings=load_settings())
    assert ctl.max_parallel == 3 and ctl.pool.maxThreadCount() == 3
    assert ctx.settings.max_parallel_runs == 0  # the default: one per core
    assert RunController(runner, settings=ctx.settings).max_parallel == max(1, os.cpu_count() or 1)
    assert RunController(runner, settings=ctx.settings, max_parallel=5).max_parallel == 5


@pytest.fixture(autouse=True)
def _drain_app_pool():
    yield
    assert workers.app_pool().waitForDone(10_000)


def test_a_burst_of_events_wakes_the_ui_once_and_arrives_merged(qtbot):
    """A tool streaming thousands of chunks must not post thousands of queued signals (Qt
    delivers them in one go while the window stands still): the job queues its RunEvents and
    wakes the UI thread only when its queue was empty; the UI takes them merged, in order."""
    from types import SimpleNamespace

    from PySide6.QtCore import Qt

    from pixie_desktop.runtime.queue import RunRequest
    from pixie_desktop.runtime.runner import RunEvent
    from pixie_desktop.ui.run_controller import _RunJob

    class BurstRunner:
        def run(self, tool, inputs, *, run_id, on_event, serialised, **_kw):
            on_event(RunEvent(run_id, "started"))
            for i in range(2000):
                on_event(RunEvent(run_id, "stream", key="out", value=f"chunk {i} "))
                if i % 500 == 0:
                    on_event(RunEvent(run_id, "progress", key="p", fraction=i / 2000))
                    on_event(RunEvent(run_id, "progress", key="p", fraction=(i + 1) / 2000))
            return SimpleNamespace(run_id=run_id, status="ok")

    tool = SimpleNamespace(tool_id="burst")
    job = _RunJob(BurstRunner(), RunRequest(tool, {}))
    wakes: list[str] = []
    job.signals.events.connect(wakes.append, Qt.ConnectionType.QueuedConnection)
    job.run()  # on this thread, the event loop not running: nothing is taken meanwhile
    qtbot.wait(10)
    assert len(wakes) == 1
    events = job.take_events()
    kinds = [(ev.kind, ev.key) for ev in events]
    assert kinds == [("started", None)] + [("stream", "out"), ("progress", "p")] * 4 + [("stream", "out")]
    assert "".join(ev.value for ev in events if ev.kind == "stream") == "".join(f"chunk {i} " for i in range(2000))
    assert [ev.fraction for ev in events if ev.kind == "progress"] == [(i + 1) / 2000 for i in range(0, 2000, 500)]
    assert job.take_events() == []
