"""RunController: the one place tool runs are started, queued, cancelled and followed.

One per process (the app owns it; MainWindow makes one when none is passed). Every run — from a
tool page, a History re-run, a command-line hand-over, later batches — is `submit`ted here. The
Qt-free `RunQueue` decides what may start (a `concurrent: false` tool runs one at a time; at most
`max_parallel_runs` runs at once), and only what may start is handed to this controller's own
QThreadPool, where a QRunnable calls the blocking, Qt-free `Runner.run`. So no pool thread ever
waits for a tool's turn, and the app's background pool (`workers.app_pool()`) is never used for
runs at all.

It is also the single source of "what is queued / running": pages, the sidebar, the status bar
and the tray subscribe to its signals and filter by tool id or run id. Signals arrive on the UI
thread. When given the StoreEvents hub it announces run rows (`runChanged` when a row appears
and when it ends, `toolStateChanged`, `artefactsChanged`) and `runningChanged(tool_id, bool)`.

A queued run that is cancelled is dropped: it never starts and leaves no `runs` row (nothing ran,
so there is nothing for History to show); subscribers get `runFinished` with a RunResult whose
status is "cancelled" and whose error is "cancelled before it started" (`never_started(result)`
tells it apart from a run the runner cancelled after writing its row)."""

from __future__ import annotations

import threading
import traceback
import weakref
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QRunnable, QThreadPool, Signal

from pixie_desktop.runtime.result import RunResult  # not runtime.runner: its HTTP stack waits for a first run
from pixie_desktop.runtime.queue import QUEUED, RUNNING, RunQueue, RunRequest, default_max_parallel

NOT_STARTED = "cancelled before it started"

# Every live controller, so shutdown paths and the tests' leak guard can ask "is any run still
# queued or running?" without a reference to the window that owns the controller.
_controllers: "weakref.WeakSet[RunController]" = weakref.WeakSet()


def live_controllers() -> list["RunController"]:
    return [c for c in list(_controllers) if not c._shut_down]


def live_runs() -> list[str]:
    """Run ids queued or running in any live controller of this process."""
    out: list[str] = []
    for ctl in live_controllers():
        out += [r.run_id for r in ctl.queue.queued()] + [r.run_id for r in ctl.queue.running()]
    return out


def cancel_all_runs(wait_ms: int = 10_000) -> None:
    """Shut down every live controller (cancel, wait for its pool): used by the tests' guard."""
    for ctl in live_controllers():
        ctl.shutdown(wait_ms)


class _JobSignals(QObject):
    """Lives on the UI thread; the runnable emits through it from its pool thread."""

    events = Signal(str)            # run_id: RunEvents are waiting in the job's queue (take_events)
    finished = Signal(str, object)  # run_id, RunResult
    failed = Signal(str, str)       # run_id, text: no result (invalid inputs, unexpected crash)


def merge_events(events: list[Any]) -> list[Any]:
    """Consecutive text `stream` events for one key become one (their chunks joined), and a run
    of `progress` events keeps its last: what the UI needs, in the same order."""
    out: list[Any] = []
    parts: list[str] = []

    def close_stream() -> None:
        if parts:
            out[-1].value = "".join(parts)
            parts.clear()

    for ev in events:
        prev = out[-1] if out else None
        kind = getattr(ev, "kind", None)
        if (kind == "stream" and isinstance(ev.value, str) and prev is not None and parts
                and prev.kind == "stream" and prev.key == ev.key):
            parts.append(ev.value)
            continue
        if kind == "progress" and prev is not None and prev.kind == "progress" and prev.key == ev.key:
            out[-1] = ev
            continue
        close_stream()
        out.append(ev)
        if kind == "stream" and isinstance(ev.value, str):
            parts.append(ev.value)
    close_stream()
    return out


class _RunJob(QRunnable):
    """One dispatched run: calls `Runner.run` on a controller pool thread."""

    def __init__(self, runner: Any, request: RunRequest):
        super().__init__()
        self.setAutoDelete(False)  # the controller keeps it until its end is reported
        self.runner = runner
        self.request = request
        self.signals = _JobSignals()
        self.cancel_requested = threading.Event()
        # RunEvents wait here for the UI thread, which is woken once per batch (`events` is
        # emitted only when the queue was empty): a tool streaming 10,000 chunks must not post
        # 10,000 queued signals, which Qt delivers in one go while the window stands still
        self._events: list[Any] = []
        self._events_lock = threading.Lock()

    def take_events(self) -> list[Any]:
        """Everything reported since the last take, merged (merge_events), in order."""
        with self._events_lock:
            events, self._events = self._events, []
        return merge_events(events)

    def cancel(self) -> None:
        self.cancel_requested.set()
        self.runner.cancel(self.request.run_id)

    def _emit(self, signal: Any, *args: Any) -> None:
        try:
            signal.emit(*args)
        except RuntimeError:  # the controller is gone (app exiting): nobody to tell
            pass

    def run(self) -> None:  # noqa: D401 - Qt override
        req = self.request
        rid = req.run_id
        if self.cancel_requested.is_set():  # cancelled between dispatch and this thread starting
            self._emit(self.signals.finished, rid, not_started_result(req))
            return

        def on_event(ev: Any) -> None:
            with self._events_lock:
                wake = not self._events
                self._events.append(ev)
            if wake:
                self._emit(self.signals.events, rid)
            if ev.kind == "started" and self.cancel_requested.is_set():
                self.runner.cancel(rid)  # cancel pressed before the runner registered the run

        # here, on the run's thread: runtime.inputs imports the manifest model, which the window's
        # start does not need (the tool scan imports it on its own pool thread)
        from pixie_desktop.runtime.inputs import InputError

        try:
            extra = {"meta": dict(req.meta)} if req.meta else {}
            inputs = req.prepare(req.inputs) if req.prepare is not None else req.inputs
            result = self.runner.run(req.tool, inputs, run_id=rid, on_event=on_event,
                                     serialised=not req.concurrent, **extra)
        except InputError as exc:
            self._emit(self.signals.failed, rid, str(exc))
        except Exception as exc:  # noqa: BLE001 - never raise into Qt; reported as a failed run
            self._emit(self.signals.failed, rid,
                       "".join(traceback.format_exception_only(type(exc), exc)).strip())
        else:
            self._emit(self.signals.finished, rid, result)


@dataclass
class NotStartedResult(RunResult):
    """The result of a run cancelled before the runner ever saw it (dropped from the queue, or
    cancelled on its way to a thread): no `runs` row was written."""

    never_started: bool = True


def not_started_result(req: RunRequest) -> NotStartedResult:
    return NotStartedResult(run_id=req.run_id, tool_id=req.tool_id, status="cancelled", outputs=None,
                            error=NOT_STARTED, duration_s=0.0)


def never_started(result: Any) -> bool:
    """True for the result of a run that was cancelled before it started (no row exists)."""
    return isinstance(result, NotStartedResult)


class RunController(QObject):
    """Submit, dispatch, follow and cancel tool runs (see the module doc)."""

    runQueued = Signal(str, str)            # run_id, tool_id
    runStarted = Signal(str, str)           # run_id, tool_id: handed to a pool thread
    runEvent = Signal(str, object)          # run_id, RunEvent (progress, log, stream, output, status…)
    runFinished = Signal(str, str, object)  # run_id, tool_id, RunResult (ok | error | cancelled)
    runFailed = Signal(str, str, str)       # run_id, tool_id, text: ended without a RunResult
    runningChanged = Signal(str, int)       # tool_id, its running count (sent on any change of its runs)
    queueChanged = Signal()                 # something was queued, dispatched, dropped or moved

    def __init__(self, runner: Any, *, settings: Any = None, events: Any = None,
                 max_parallel: int | None = None, parent: QObject | None = None):
        """`runner`: a Runner, or a zero-argument callable returning one (created on first use).
        `max_parallel`: runs at once; default the `max_parallel_runs` setting, else one per core."""
        super().__init__(parent)
        self._runner_source = runner
        self.events = events
        if not max_parallel:
            max_parallel = int(getattr(settings, "max_parallel_runs", 0) or 0) if settings is not None else 0
        self.queue = RunQueue(max_parallel or default_max_parallel())
        self.pool = QThreadPool(self)  # runs only; background work keeps workers.app_pool()
        self.pool.setMaxThreadCount(self.queue.max_parallel)
        self.pool.setExpiryTimeout(30_000)
        self._jobs: dict[str, _RunJob] = {}
        self._shut_down = False
        self._unsubscribe = None
        if settings is not None:  # Settings ▸ Compute ▸ max parallel runs applies at once
            from pixie_desktop.config import on_setting_changed

            self._unsubscribe = on_setting_changed(self._on_setting_changed)
        _controllers.add(self)

    # -- runner -------------------------------------------------------------------------------
    def runner(self) -> Any:
        src = self._runner_source
        return src() if callable(src) and not hasattr(src, "run") else src

    @property
    def max_parallel(self) -> int:
        return self.queue.max_parallel

    def set_max_parallel(self, n: int | None) -> None:
        self.queue.set_max_parallel(n)
        self.pool.setMaxThreadCount(max(self.queue.max_parallel, self.pool.maxThreadCount()))
        self._dispatch()

    # -- submitting ---------------------------------------------------------------------------
    def submit(self, tool: Any, inputs: dict, *, run_id: str | None = None, source: str = "page",
               meta: dict | None = None, prepare: Any = None) -> str:
        """Queue a run and start it at once if the limits allow; returns its run id. Inputs are
        checked by the runner when the run starts (a refused run ends with `runFailed`); callers
        that want inline errors call `runner().check_inputs` first, as the tool page does.
        `meta`: extra keys for the run row's meta_json (a batch item's `batch_id`); `prepare`:
        inputs → inputs, called on the run's pool thread just before it runs (a batch item's
        file paths are read there); an exception from it ends the run with `runFailed`."""
        if self._shut_down:
            raise RuntimeError("the run controller has shut down")
        runner = self.runner()
        concurrent_of = getattr(runner, "is_concurrent", None)
        concurrent = bool(concurrent_of(tool)) if callable(concurrent_of) else \
            bool(getattr(getattr(tool, "spec", None), "concurrent", True))
        req = RunRequest(tool, dict(inputs), source=source, concurrent=concurrent, meta=dict(meta or {}),
                         prepare=prepare,
                         **({"run_id": run_id} if run_id else {}))
        self.queue.submit(req)
        self.runQueued.emit(req.run_id, req.tool_id)
        self.queueChanged.emit()
        self._tool_changed(req.tool_id)
        self._dispatch()
        return req.run_id

    def _dispatch(self) -> None:
        if self._shut_down:
            return
        started: list[RunRequest] = []
        while (req := self.queue.next_dispatchable()) is not None:
            job = _RunJob(self.runner(), req)
            job.signals.events.connect(self._on_events)
            job.signals.finished.connect(self._on_finished)
            job.signals.failed.connect(self._on_failed)
            self._jobs[req.run_id] = job
            self.pool.start(job)
            started.append(req)
        for req in started:
            self.runStarted.emit(req.run_id, req.tool_id)
            self._tool_changed(req.tool_id)
        if started:
            self.queueChanged.emit()

    # -- what the jobs report (UI thread) -----------------------------------------------------
    def _on_events(self, run_id: str) -> None:
        job = self._jobs.get(run_id)
        for ev in job.take_events() if job is not None else []:
            self._on_event(run_id, ev)

    def _on_event(self, run_id: str, ev: Any) -> None:
        if getattr(ev, "kind", None) == "started" and self.events is not None:
            self.events.runChanged.emit(run_id)  # the history row appears as "running"
        self.runEvent.emit(run_id, ev)

    def _on_finished(self, run_id: str, result: Any) -> None:
        req = self._end(run_id)
        if req is None:
            return
        if self.events is not None and not never_started(result):
            self.events.runChanged.emit(run_id)
            self.events.toolStateChanged.emit(req.tool_id)
            if result.artefacts:
                self.events.artefactsChanged.emit()
        self.runFinished.emit(run_id, req.tool_id, result)
        self._dispatch()

    def _on_failed(self, run_id: str, text: str) -> None:
        req = self._end(run_id)
        if req is None:
            return
        if self.events is not None:
            self.events.runChanged.emit(run_id)  # a crash after the row was written ends it there
        self.runFailed.emit(run_id, req.tool_id, text)
        self._dispatch()

    def _end(self, run_id: str) -> RunRequest | None:
        self._jobs.pop(run_id, None)
        req = self.queue.finish(run_id)
        if req is not None:
            self._tool_changed(req.tool_id)
        return req

    def _tool_changed(self, tool_id: str) -> None:
        """A run of `tool_id` was queued, started, ended or dropped."""
        running = len(self.queue.running_for(tool_id))
        self.runningChanged.emit(tool_id, running)
        if self.events is not None:
            active = running + len(self.queue.queued_for(tool_id))
            self.events.runningChanged.emit(tool_id, active > 0)

    # -- cancelling and reordering ------------------------------------------------------------
    def cancel(self, run_id: str) -> bool:
        """Cancel one run: a queued one is dropped (never starts; `runFinished` with status
        cancelled follows at once), a running one is asked to stop. False if it is neither."""
        req = self.queue.cancel(run_id)
        if req is not None:
            self.queueChanged.emit()
            self._tool_changed(req.tool_id)
            self.runFinished.emit(run_id, req.tool_id, not_started_result(req))
            return True
        job = self._jobs.get(run_id)
        if job is None:
            return False
        job.cancel()
        return True

    def cancel_tool(self, tool_id: str) -> int:
        """Cancel every queued and running run of one tool; returns how many were cancelled."""
        ids = self.queue.queued_for(tool_id) + self.queue.running_for(tool_id)
        return sum(1 for rid in ids if self.cancel(rid))

    def cancel_all(self) -> int:
        """Cancel every queued and running run; returns how many were cancelled."""
        ids = [r.run_id for r in self.queue.queued()] + [r.run_id for r in self.queue.running()]
        return sum(1 for rid in ids if self.cancel(rid))

    def move_up(self, run_id: str) -> bool:
        moved = self.queue.move_up(run_id)
        if moved:
            self.queueChanged.emit()
        return moved

    def move_down(self, run_id: str) -> bool:
        moved = self.queue.move_down(run_id)
        if moved:
            self.queueChanged.emit()
        return moved

    def _on_setting_changed(self, name: str, value: Any) -> None:
        if name == "max_parallel_runs" and not self._shut_down:
            self.set_max_parallel(int(value or 0) or None)

    def shutdown(self, wait_ms: int = 10_000) -> bool:
        """Stop dispatching, cancel everything, and wait up to `wait_ms` for the running runs to
        end; returns True when none is left. Safe to call more than once."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self.cancel_all()
        self._shut_down = True
        done = self.pool.waitForDone(wait_ms)
        # the ends the pool threads reported are still posted to us: deliver them now, so the
        # queue and every subscriber see the runs end before the app goes on closing
        QCoreApplication.sendPostedEvents(self, QEvent.Type.MetaCall)
        return done

    # -- questions ----------------------------------------------------------------------------
    def state(self, run_id: str) -> str | None:
        """'queued', 'running', 'finished', or None for a run this controller never had."""
        return self.queue.state(run_id)

    def is_running(self, run_id: str) -> bool:
        return self.queue.state(run_id) == RUNNING

    def is_queued(self, run_id: str) -> bool:
        return self.queue.state(run_id) == QUEUED

    def is_active(self, run_id: str) -> bool:
        """Queued or running: not finished yet."""
        return self.queue.state(run_id) in (QUEUED, RUNNING)

    def position(self, run_id: str) -> int | None:
        """1-based place of a queued run in the queue (for "Queued (2nd)"); None when not queued."""
        return self.queue.position(run_id)

    def running_for(self, tool_id: str) -> list[str]:
        """Run ids of this tool that are running now."""
        return self.queue.running_for(tool_id)

    def queued_for(self, tool_id: str) -> list[str]:
        return self.queue.queued_for(tool_id)

    def running_count(self) -> int:
        return self.queue.running_count()

    def queued(self) -> list[RunRequest]:
        """Waiting runs in the order they will start."""
        return self.queue.queued()

    def running(self) -> list[RunRequest]:
        return self.queue.running()

    def finished(self, limit: int = 50) -> list[RunRequest]:
        """Recently finished or dropped runs, newest first (for the queue panel)."""
        return self.queue.finished(limit)

    def request(self, run_id: str) -> RunRequest | None:
        return self.queue.get(run_id)

