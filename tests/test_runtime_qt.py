"""RunWorker: a tool run on the app pool reports started/event/finished signals on the UI
thread and can be cancelled; invalid inputs come back through `failed`."""

from __future__ import annotations

import pytest

from pixie_desktop.ui.workers import RunWorker, app_pool, live_runs, start_run


def test_run_worker_reports_events_and_result(qtbot, ctx, install, runner):
    install("slow-counter")
    tool = ctx.find_tool("slow-counter")
    events = []
    worker = RunWorker(runner, tool, {"steps": 3, "delay": 0})
    assert worker.run_id
    worker.signals.event.connect(events.append)
    with qtbot.waitSignal(worker.signals.finished, timeout=30_000) as blocker:
        app_pool().start(worker)
    result = blocker.args[0]
    assert result.status == "ok" and result.run_id == worker.run_id
    qtbot.waitUntil(lambda: any(e.kind == "progress" for e in events), timeout=5000)
    assert app_pool().waitForDone(5000)


def test_start_run_cancel_and_failed(qtbot, ctx, install, runner):
    install("slow-counter")
    tool = ctx.find_tool("slow-counter")
    finished = []
    worker = start_run(runner, tool, {"steps": 500, "delay": 0.05}, on_finished=finished.append)
    assert worker.run_id in live_runs()
    qtbot.waitUntil(lambda: worker.run_id in runner.active_runs(), timeout=10_000)
    worker.cancel()
    qtbot.waitUntil(lambda: bool(finished), timeout=20_000)
    assert finished[0].status == "cancelled"
    failures = []
    bad = start_run(runner, tool, {"steps": "many"}, on_failed=failures.append)
    qtbot.waitUntil(lambda: bool(failures), timeout=10_000)
    assert "must be a number" in failures[0]
    assert app_pool().waitForDone(5000)
    assert bad.run_id not in live_runs()


@pytest.fixture(autouse=True)
def _drain_pool():
    yield
    app_pool().waitForDone(10_000)
