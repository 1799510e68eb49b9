"""Qt bridge for background work: an app-owned QThreadPool, and `Task`, a QRunnable that runs a
plain callable off the UI thread and reports back through a separate QObject of signals
(superqt's pattern: the signal holder outlives the runnable and live tasks are kept in a
registry so their signals always arrive and shutdown can wait for them).

Use `submit(fn, *args, on_result=…, on_error=…)` for one-off work (DB reads, hashing,
thumbnails). Tool runs use `RunWorker` (added by the runtime bridge) on the same pool."""

from __future__ import annotations

import threading
import traceback
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

_pool: QThreadPool | None = None
_live: set["Task"] = set()
_live_lock = threading.Lock()


def app_pool() -> QThreadPool:
    """The app's own pool (not the global one) so tests and shutdown can wait on it."""
    global _pool
    if _pool is None:
        _pool = QThreadPool()
        _pool.setMaxThreadCount(max(4, QThreadPool.globalInstance().maxThreadCount()))
        _pool.setExpiryTimeout(30_000)
    return _pool


class TaskSignals(QObject):
    result = Signal(object)
    error = Signal(str)
    done = Signal()


class Task(QRunnable):
    """Runs `fn(*args, **kwargs)` on a pool thread; emits result(value) or error(text), then done."""

    def __init__(self, fn: Callable[..., Any], *args: Any, **kwargs: Any):
        super().__init__()
        self.setAutoDelete(False)  # we own the lifetime through _live
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.signals = TaskSignals()
        self.cancelled = threading.Event()

    def cancel(self) -> None:
        """Ask the work to stop; the callable sees it via `task.cancelled` if it was given it."""
        self.cancelled.set()

    def run(self) -> None:  # noqa: D401 - Qt override
        try:
            value = self.fn(*self.args, **self.kwargs)
        except Exception as exc:  # noqa: BLE001 - reported to the UI, never raised into Qt
            detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            try:
                self.signals.error.emit(detail)
            except RuntimeError:
                pass
        else:
            try:
                self.signals.result.emit(value)
            except RuntimeError:
                pass
        finally:
            try:
                self.signals.done.emit()
            except RuntimeError:
                pass
            with _live_lock:
                _live.discard(self)


def submit(fn: Callable[..., Any], *args: Any, on_result: Callable[[Any], None] | None = None,
           on_error: Callable[[str], None] | None = None, pool: QThreadPool | None = None,
           **kwargs: Any) -> Task:
    """Start `fn` on the app pool. Callbacks run on the thread that owns the receiver (the UI
    thread when connected from widgets)."""
    task = Task(fn, *args, **kwargs)
    if on_result is not None:
        task.signals.result.connect(on_result)
    if on_error is not None:
        task.signals.error.connect(on_error)
    with _live_lock:
        _live.add(task)
    (pool or app_pool()).start(task)
    return task


def live_tasks() -> int:
    with _live_lock:
        return len(_live)


def wait_for_all(timeout_ms: int = 10_000) -> bool:
    """Cancel what can be cancelled and wait for the pool to drain (used at exit and in tests)."""
    with _live_lock:
        for task in _live:
            task.cancel()
    return app_pool().waitForDone(timeout_ms)


# --- tool runs -----------------------------------------------------------------------------
# RunWorker wraps the Qt-free Runner.run on the app pool. The run id is chosen before the
# worker starts so the UI can show/cancel the run at once; RunEvents (progress, log, stream…)
# are forwarded through `signals.event` and arrive on the UI thread as queued signals.

_live_runs: dict[str, "RunWorker"] = {}


class RunSignals(QObject):
    started = Signal(str)      # run_id
    event = Signal(object)     # RunEvent
    finished = Signal(object)  # RunResult (status ok | error | cancelled)
    failed = Signal(str)       # the run could not start (invalid inputs) or crashed unexpectedly


class RunWorker(QRunnable):
    def __init__(self, runner: Any, tool: Any, inputs: dict, run_id: str | None = None):
        super().__init__()
        import uuid

        self.setAutoDelete(False)
        self.runner, self.tool, self.inputs = runner, tool, inputs
        self.run_id = run_id or str(uuid.uuid4())
        self.signals = RunSignals()
        self._cancel_requested = threading.Event()

    def cancel(self) -> None:
        """Cancel this run only (works before it started, too)."""
        self._cancel_requested.set()
        self.runner.cancel(self.run_id)

    def _emit(self, signal: Any, value: Any) -> None:
        try:
            signal.emit(value)
        except RuntimeError:  # the receiver was deleted (window closed): nothing to tell
            pass

    def run(self) -> None:  # noqa: D401 - Qt override
        from pixie_desktop.runtime.runner import InputError

        try:
            if self._cancel_requested.is_set():
                self._emit(self.signals.failed, "cancelled before it started")
                return
            self._emit(self.signals.started, self.run_id)

            def on_event(ev: Any) -> None:
                self._emit(self.signals.event, ev)
                if self._cancel_requested.is_set() and ev.kind == "started":
                    self.runner.cancel(self.run_id)  # cancel pressed between start and registration

            result = self.runner.run(self.tool, self.inputs, run_id=self.run_id, on_event=on_event)
            self._emit(self.signals.finished, result)
        except InputError as exc:
            self._emit(self.signals.failed, str(exc))
        except Exception as exc:  # noqa: BLE001 - never raise into Qt
            detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            self._emit(self.signals.failed, detail)
        finally:
            with _live_lock:
                _live_runs.pop(self.run_id, None)


def start_run(runner: Any, tool: Any, inputs: dict, *, run_id: str | None = None,
              on_event: Callable[[Any], None] | None = None, on_finished: Callable[[Any], None] | None = None,
              on_failed: Callable[[str], None] | None = None, pool: QThreadPool | None = None) -> RunWorker:
    """Start a run on the app pool and return its worker (worker.run_id is already known)."""
    worker = RunWorker(runner, tool, inputs, run_id)
    if on_event is not None:
        worker.signals.event.connect(on_event)
    if on_finished is not None:
        worker.signals.finished.connect(on_finished)
    if on_failed is not None:
        worker.signals.failed.connect(on_failed)
    with _live_lock:
        _live_runs[worker.run_id] = worker
    (pool or app_pool()).start(worker)
    return worker


def live_runs() -> list[str]:
    with _live_lock:
        return list(_live_runs)


def cancel_all_runs() -> None:
    with _live_lock:
        workers = list(_live_runs.values())
    for w in workers:
        w.cancel()
