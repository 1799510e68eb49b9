"""The background-work API (ui/workers.py): a job gets a handle for progress, streamed values
and cancel; results, exception objects (with their traceback) and cancellation arrive on the UI
thread; errors nobody handles take the default path (log + error notice)."""

from __future__ import annotations

import logging
import threading

import pytest

from pixie_desktop import logs
from pixie_desktop.ui import errors, workers
from pixie_desktop.ui.workers import Cancelled, TaskHandle, submit, submit_job


@pytest.fixture(autouse=True)
def drained():
    yield
    assert workers.wait_for_all(5000)
    assert workers.live_tasks() == 0


def test_progress_arrives_in_order_then_result(qtbot):
    go = threading.Event()
    seen: list[tuple] = []

    def job(handle: TaskHandle, steps: int) -> str:
        go.wait(5)
        for i in range(1, steps + 1):
            handle.progress(i / steps, f"step {i}")
        return "finished"

    task = submit_job(job, 4, on_progress=lambda f, t: seen.append((f, t)))
    expected = [(task.signals.progress, f"progress {i}") for i in range(1, 5)]
    checks = [(lambda f, t, i=i: (f, t) == (i / 4, f"step {i}")) for i in range(1, 5)]
    with qtbot.waitSignals([*expected, (task.signals.result, "result"), (task.signals.done, "done")],
                           order="strict", timeout=5000,
                           check_params_cbs=[*checks, lambda v: v == "finished", None]):
        go.set()
    assert seen == [(0.25, "step 1"), (0.5, "step 2"), (0.75, "step 3"), (1.0, "step 4")]


def test_cancel_stops_loop_job_and_fires_on_cancelled(qtbot):
    started = threading.Event()
    outcome: list[str] = []
    iterations: list[int] = []

    def job(handle: TaskHandle) -> str:
        started.set()
        for i in range(10_000):
            handle.check_cancelled()
            iterations.append(i)
            threading.Event().wait(0.005)
        return "ran to the end"

    task = submit_job(job, on_result=outcome.append, on_cancelled=lambda: outcome.append("cancelled"),
                      on_error=lambda exc: outcome.append(f"error {exc!r}"))
    assert started.wait(5)
    task.cancel()
    qtbot.waitUntil(lambda: bool(outcome), timeout=5000)
    assert outcome == ["cancelled"] and task.is_cancelled()
    assert len(iterations) < 10_000


def test_cancel_stops_generator_job_at_a_yield(qtbot):
    started = threading.Event()
    closed = threading.Event()
    outcome: list[str] = []
    streamed: list[int] = []

    def gen_job():
        started.set()
        try:
            for i in range(10_000):
                yield i
                threading.Event().wait(0.005)
            return "ran to the end"
        finally:
            closed.set()  # GeneratorExit from close(): the job's cleanup runs

    task = submit(gen_job, on_stream=streamed.append, on_result=outcome.append,
                  on_cancelled=lambda: outcome.append("cancelled"))
    assert started.wait(5)
    task.cancel()
    qtbot.waitUntil(lambda: bool(outcome), timeout=5000)
    assert outcome == ["cancelled"] and closed.is_set()
    assert streamed == list(range(len(streamed))) and len(streamed) < 10_000


def test_generator_result_is_its_return_value(qtbot):
    results: list = []

    def gen_job(n):
        total = 0
        for i in range(n):
            total += i
            yield i
        return total

    streamed: list[int] = []
    submit(gen_job, 5, on_stream=streamed.append, on_result=results.append)
    qtbot.waitUntil(lambda: bool(results), timeout=5000)
    assert results == [10] and streamed == [0, 1, 2, 3, 4]


def _deep_failure(value: int) -> int:
    return {"a": 1}[str(value)]


def test_error_is_the_exception_object_with_traceback(qtbot, caplog):
    caplog.set_level(logging.WARNING, logger="pixie_desktop")
    got: list[BaseException] = []
    main = threading.get_ident()
    where: list[int] = []

    def on_error(exc: BaseException) -> None:
        where.append(threading.get_ident())
        got.append(exc)

    submit(_deep_failure, 7, on_error=on_error)
    qtbot.waitUntil(lambda: bool(got), timeout=5000)
    exc = got[0]
    assert isinstance(exc, KeyError) and str(exc) == "'7'" and where == [main]
    assert exc.__traceback__ is not None
    assert "_deep_failure" in exc.details and exc.details.startswith("Traceback (most recent call last)")
    assert workers.describe(exc) == "'7'" and workers.describe(RuntimeError()) == "RuntimeError"
    # a handled error still leaves its full traceback in the log
    record = next(r for r in caplog.records if r.name == "pixie_desktop.ui.workers")
    assert record.levelno == logging.WARNING and record.exc_info and record.exc_info[1] is exc


def test_default_error_path_logs_and_shows_notice(qtbot, caplog):
    caplog.set_level(logging.ERROR, logger="pixie_desktop")
    errors.install()
    try:
        task = submit(_deep_failure, 3)
        qtbot.waitUntil(lambda: errors.current_notice() is not None, timeout=5000)
        notice = errors.current_notice()
        assert notice.count == 1 and "KeyError" in notice.headline.text()
        assert "_deep_failure" in notice.details_text()
        assert any("A background job failed" in r.getMessage() and "_deep_failure" in r.getMessage()
                   for r in caplog.records)
        assert task.error_handled is False
    finally:
        from PySide6.QtCore import QCoreApplication, QEvent

        errors.uninstall()
        logs.shutdown_logging()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_cancelled_raised_by_plain_submit_is_not_an_error(qtbot):
    outcome: list[str] = []

    def job():
        raise Cancelled()

    submit(job, on_error=lambda exc: outcome.append("error"), on_cancelled=lambda: outcome.append("cancelled"))
    qtbot.waitUntil(lambda: bool(outcome), timeout=5000)
    assert outcome == ["cancelled"]


def test_wait_for_all_cancels_live_jobs(qtbot):
    started = threading.Event()
    ran: list[int] = []

    def job(handle: TaskHandle) -> None:
        started.set()
        while not handle.cancelled():
            ran.append(1)
            handle.cancel_event.wait(0.01)

    submit_job(job)
    assert started.wait(5) and workers.live_tasks() == 1
    assert workers.wait_for_all(5000)
    assert workers.live_tasks() == 0
