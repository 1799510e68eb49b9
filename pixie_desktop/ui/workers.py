"""Qt bridge for background work: an app-owned QThreadPool, and `Task`, a QRunnable that runs a
plain callable off the UI thread and reports back through a separate QObject of signals
(superqt's pattern: the signal holder outlives the runnable and live tasks are kept in a
registry so their signals always arrive and shutdown can wait for them).

Two ways in, same callbacks (all run on the UI thread when submitted from it):

    submit(fn, *args, on_result=…, on_error=…)            # fn(*args): one-off work
    submit_job(job, *args, on_progress=…, on_cancelled=…)  # job(handle, *args): long work

A job gets a `TaskHandle`: `handle.progress(fraction, text)` reports progress (fraction in
0..1, or None while the total is unknown), `handle.stream(value)` hands partial output to
`on_stream` (log lines, rows), and `handle.cancelled()` / `handle.check_cancelled()` honour
`task.cancel()` (the latter raises `Cancelled`). A job may also be a generator (superqt's
generator worker): every `yield value` streams `value` and is a cancel point, and its `return`
value is the result.

Errors arrive as the exception object with its traceback attached (`exc.__traceback__`, and
`exc.details` holding the formatted text). Without `on_error` the default error path logs it and
shows the app's error notice (`ui/errors.py`); with one, the traceback still goes to the log.
Cancelling ends in `on_cancelled()` when the job stops by `Cancelled` (or at a generator's
yield); a job that notices cancel and returns a value normally still ends in `on_result`.
Tool runs never use this pool: the RunController (ui/run_controller.py) runs them on its own,
so a queue of runs cannot delay background work."""

from __future__ import annotations

import inspect
import logging
import threading
import traceback
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from pixie_desktop.ui import errors
from pixie_desktop.ui.errors import format_details

log = logging.getLogger(__name__)

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


class Cancelled(Exception):
    """Raised inside a job by `handle.check_cancelled()`; the task then ends in `on_cancelled`."""


def describe(exc: BaseException) -> str:
    """One line for the UI: the message, or the exception's type name when it has none."""
    return str(exc).strip() or type(exc).__name__


class TaskSignals(QObject):
    result = Signal(object)
    error = Signal(object)             # the exception object (traceback attached)
    progress = Signal(object, str)     # fraction in 0..1 or None, text
    stream = Signal(object)            # a partial value from handle.stream / a generator's yield
    cancelled = Signal()
    done = Signal()


class TaskHandle:
    """What a job function sees of its task: report progress, stream values, honour cancel."""

    def __init__(self, task: "Task"):
        self._task = task

    def progress(self, fraction: float | None = None, text: str = "") -> None:
        self._task._emit(self._task.signals.progress, fraction, text)

    def stream(self, value: Any) -> None:
        self._task._emit(self._task.signals.stream, value)

    def cancelled(self) -> bool:
        return self._task._cancel.is_set()

    def check_cancelled(self) -> None:
        if self._task._cancel.is_set():
            raise Cancelled()

    @property
    def cancel_event(self) -> threading.Event:
        """The underlying event, for Qt-free code that takes a `threading.Event` to poll."""
        return self._task._cancel


class Task(QRunnable):
    """Runs `fn(*args, **kwargs)` (or `fn(handle, *args, **kwargs)` with `with_handle`) on a pool
    thread; emits result(value), error(exc) or cancelled(), then done."""

    def __init__(self, fn: Callable[..., Any], *args: Any, with_handle: bool = False, **kwargs: Any):
        super().__init__()
        self.setAutoDelete(False)  # we own the lifetime through _live
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.with_handle = with_handle
        self.signals = TaskSignals()
        self.handle = TaskHandle(self)
        self.name = getattr(fn, "__qualname__", repr(fn))
        self.error_handled = False  # set by submit when the caller takes errors itself
        self._cancel = threading.Event()

    def cancel(self) -> None:
        """Ask the work to stop; a job sees it through its handle."""
        self._cancel.set()

    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def _emit(self, signal: Any, *values: Any) -> None:
        try:
            signal.emit(*values)
        except RuntimeError:  # the signal holder was deleted (app closing): nobody to tell
            pass

    def _call(self) -> Any:
        args = (self.handle, *self.args) if self.with_handle else self.args
        value = self.fn(*args, **self.kwargs)
        if not inspect.isgenerator(value):
            return value
        gen = value
        try:
            while True:
                if self._cancel.is_set():
                    gen.close()
                    raise Cancelled()
                self._emit(self.signals.stream, next(gen))
        except StopIteration as stop:
            return stop.value

    def run(self) -> None:  # noqa: D401 - Qt override
        try:
            value = self._call()
        except Cancelled:
            self._emit(self.signals.cancelled)
        except Exception as exc:  # noqa: BLE001 - delivered to the UI, never raised into Qt
            try:
                exc.details = format_details(exc)  # type: ignore[attr-defined]
            except (AttributeError, TypeError):  # an exception type that refuses attributes
                pass
            # keep file/line info but drop the frames' locals: the exception travels to the UI
            # thread and must not keep the job's connections and buffers alive
            traceback.clear_frames(exc.__traceback__)
            if self.error_handled:
                log.warning("background job %s failed", self.name, exc_info=exc)
            self._emit(self.signals.error, exc)
        else:
            self._emit(self.signals.result, value)
        finally:
            self._emit(self.signals.done)
            with _live_lock:
                _live.discard(self)


def report_error(exc: BaseException) -> None:
    """The default error path: log the traceback and show the app's error notice (if installed)."""
    errors.report(exc, context="A background job failed")


def _start(task: Task, on_result: Callable[[Any], None] | None, on_error: Callable[[BaseException], None] | None,
           on_progress: Callable[[Any, str], None] | None, on_stream: Callable[[Any], None] | None,
           on_cancelled: Callable[[], None] | None, pool: QThreadPool | None) -> Task:
    if on_result is not None:
        task.signals.result.connect(on_result)
    task.error_handled = on_error is not None
    task.signals.error.connect(on_error if on_error is not None else report_error)
    if on_progress is not None:
        task.signals.progress.connect(on_progress)
    if on_stream is not None:
        task.signals.stream.connect(on_stream)
    if on_cancelled is not None:
        task.signals.cancelled.connect(on_cancelled)
    with _live_lock:
        _live.add(task)
    (pool or app_pool()).start(task)
    return task


def submit(fn: Callable[..., Any], *args: Any, on_result: Callable[[Any], None] | None = None,
           on_error: Callable[[BaseException], None] | None = None,
           on_progress: Callable[[Any, str], None] | None = None, on_stream: Callable[[Any], None] | None = None,
           on_cancelled: Callable[[], None] | None = None, pool: QThreadPool | None = None,
           **kwargs: Any) -> Task:
    """Start `fn(*args, **kwargs)` on the app pool. Callbacks run on the thread that owns the
    task's signal holder: the thread that called submit (the UI thread from widgets).
    `on_error(exc)` gets the exception object; leave it out for the default error path."""
    return _start(Task(fn, *args, **kwargs), on_result, on_error, on_progress, on_stream, on_cancelled, pool)


def submit_job(job: Callable[..., Any], *args: Any, on_result: Callable[[Any], None] | None = None,
               on_error: Callable[[BaseException], None] | None = None,
               on_progress: Callable[[Any, str], None] | None = None, on_stream: Callable[[Any], None] | None = None,
               on_cancelled: Callable[[], None] | None = None, pool: QThreadPool | None = None,
               **kwargs: Any) -> Task:
    """Like `submit`, but calls `job(handle, *args, **kwargs)` with the task's `TaskHandle`."""
    return _start(Task(job, *args, with_handle=True, **kwargs), on_result, on_error, on_progress, on_stream,
                  on_cancelled, pool)


def live_tasks() -> int:
    with _live_lock:
        return len(_live)


def wait_for_all(timeout_ms: int = 10_000) -> bool:
    """Cancel what can be cancelled and wait for the pool to drain (used at exit and in tests)."""
    with _live_lock:
        for task in _live:
            task.cancel()
    return app_pool().waitForDone(timeout_ms)

