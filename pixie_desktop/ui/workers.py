"""Qt bridge for background work: an app-owned QThreadPool, and `Task`, a QRunnable that runs a
plain callable off the UI thread and reports back through a separate QObject of signals
(superqt's pattern: the signal holder outlives the runnable and live tasks are kept in a
registry so their signals always arrive and shutdown can wait for them).

Use `submit(fn, *args, on_result=…, on_error=…)` for one-off work (DB reads, hashing,
thumbnails). Tool runs never use this pool: the RunController (ui/run_controller.py) runs them
on its own, so a queue of runs cannot delay background work."""

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

