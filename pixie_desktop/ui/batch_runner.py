"""BatchRunner: one batch (pixie_desktop.batch.Batch) run through the app's RunController. Every
item is submitted as an ordinary run (source "batch", meta_json `batch_id`/`batch_index`, file
paths read on the run's own pool thread), so the queue panel, History and the per-tool limits
treat batch items like any other run. It follows the controller's signals for its own run ids
and says `changed` (throttled to a few redraws a second) and `finished` when every item ended.

Cancel drops the batch's queued items and asks its running ones to stop; retry resubmits the
items that ended in error or were cancelled."""

from __future__ import annotations

from functools import partial
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from pixie_desktop.batch.plan import resolve_files
from pixie_desktop.batch.state import CANCELLED, ERROR, Batch
from pixie_desktop.ui.run_controller import never_started


class BatchRunner(QObject):
    changed = Signal()   # progress or results changed (coalesced)
    finished = Signal()  # every item has ended (after a start or a retry)

    def __init__(self, controller: Any, tool: Any, batch: Batch, parent: QObject | None = None):
        super().__init__(parent)
        self.controller, self.tool, self.batch = controller, tool, batch
        self._active: set[str] = set()
        self._cancelling = False
        self._tick = QTimer(self)
        self._tick.setSingleShot(True)
        self._tick.setInterval(150)
        self._tick.timeout.connect(self.changed.emit)
        controller.runStarted.connect(self._on_started)
        controller.runFinished.connect(self._on_finished)
        controller.runFailed.connect(self._on_failed)

    @property
    def is_active(self) -> bool:
        return bool(self._active)

    def start(self, indices: list[int] | None = None) -> int:
        """Submit the items (all, or `indices`); returns how many were submitted."""
        self._cancelling = False
        todo = list(range(len(self.batch.items))) if indices is None else list(indices)
        prepare = partial(resolve_files, self.tool.spec)
        for i in todo:
            import uuid

            rid = str(uuid.uuid4())
            self.batch.submitted(i, rid)
            self._active.add(rid)
            try:
                self.controller.submit(self.tool, self.batch.items[i].inputs, run_id=rid, source="batch",
                                       meta=self.batch.meta(i), prepare=prepare)
            except RuntimeError as exc:  # the app is shutting down
                self._active.discard(rid)
                self.batch.finished(rid, CANCELLED, None, str(exc))
        self._changed()
        return len(todo)

    def cancel(self) -> int:
        """Drop the queued items, stop the running ones; returns how many were asked."""
        self._cancelling = True
        queued = [rid for rid in list(self._active) if self.controller.is_queued(rid)]
        running = [rid for rid in list(self._active) if rid not in queued]
        # queued first: otherwise each cancelled running item would let the next queued one start
        return sum(1 for rid in queued + running if self.controller.cancel(rid))

    def retry_failed(self) -> int:
        failed = self.batch.failed_indices()
        return self.start(failed) if failed and not self.is_active else 0

    # -- controller signals -------------------------------------------------------------------
    def _on_started(self, run_id: str, _tool_id: str) -> None:
        if run_id in self._active:
            self.batch.started_run(run_id)
            self._changed()

    def _on_finished(self, run_id: str, _tool_id: str, result: Any) -> None:
        if run_id in self._active:
            self.batch.finished(run_id, getattr(result, "status", ERROR), getattr(result, "outputs", None),
                                getattr(result, "error", None), never_started=never_started(result))
            self._ended(run_id)

    def _on_failed(self, run_id: str, _tool_id: str, text: str) -> None:
        if run_id in self._active:
            self.batch.finished(run_id, ERROR, None, text)
            self._ended(run_id)

    def _ended(self, run_id: str) -> None:
        self._active.discard(run_id)
        self._changed()
        if not self._active:
            self._tick.stop()
            self.changed.emit()
            self.finished.emit()

    def _changed(self) -> None:
        if not self._tick.isActive():
            self._tick.start()

    def shutdown(self) -> None:
        self._tick.stop()
        for sig, slot in ((self.controller.runStarted, self._on_started),
                          (self.controller.runFinished, self._on_finished),
                          (self.controller.runFailed, self._on_failed)):
            try:
                sig.disconnect(slot)
            except (RuntimeError, TypeError):
                pass


class ClusterBatchRunner(QObject):
    """The same interface as BatchRunner for a batch whose items run on a Dask cluster
    (Settings ▸ Compute ▸ compute address), holding no pool thread while the items run: a short
    background job connects and submits them (pixie_desktop.batch.cluster.ClusterBatch), a UI
    timer checks the futures without I/O, and a short job ends the items that finished (the
    app's Runner writes every row and artefact). Finished items are announced on the
    store-events hub."""

    changed = Signal()
    finished = Signal()
    POLL_MS = 100

    def __init__(self, address: str, runner_source: Any, tool: Any, batch: Batch, *, events: Any = None,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.address, self.tool, self.batch = address, tool, batch
        self._runner_source = runner_source
        self.events = events
        self._task: Any = None      # the job in flight (connect+submit, collect, cancel, close)
        self._cb: Any = None        # the ClusterBatch while items are out
        self._cancelled = False
        self.error: str | None = None
        self._poll = QTimer(self)
        self._poll.setInterval(self.POLL_MS)
        self._poll.timeout.connect(self._check)

    @property
    def is_active(self) -> bool:
        return self._task is not None or self._cb is not None

    @property
    def holds_thread(self) -> bool:
        """A background job is running right now (connect/submit, collect, cancel or close)."""
        return self._task is not None

    def start(self, indices: list[int] | None = None) -> int:
        from pixie_desktop.ui.workers import submit_job

        if self.is_active:
            return 0
        todo = list(range(len(self.batch.items))) if indices is None else list(indices)
        runner = self._runner_source()
        self.error, self._cancelled = None, False
        self._task = submit_job(self._connect_job, runner, todo, on_result=self._submitted,
                                on_error=self._failed, on_cancelled=self._finish)
        self.changed.emit()
        return len(todo)

    def _connect_job(self, handle: Any, runner: Any, todo: list[int]) -> Any:
        from pixie_desktop.batch.cluster import ClusterBatch, connect

        client = connect(self.address)
        cb = ClusterBatch(client, self.address, runner, self.tool, self.batch)
        try:
            cb.submit(todo)
        except BaseException:
            cb.close()
            client.close()
            raise
        if handle.cancelled():
            cb.cancel()
        return cb

    def _submitted(self, cb: Any) -> None:
        self._task, self._cb = None, cb
        self._announce()
        if self._cancelled:
            self.cancel()
        elif cb.pending:
            self._poll.start()
        else:
            self._close()

    def _check(self) -> None:
        """UI timer: no I/O; a short job ends the items whose futures are done."""
        from pixie_desktop.ui.workers import submit

        cb = self._cb
        if cb is None or self._task is not None or not cb.ready():
            return
        self._task = submit(cb.collect, on_result=self._collected, on_error=self._failed)

    def _collected(self, pending: int) -> None:
        self._task = None
        self._announce()
        if not pending:
            self._close()
        elif self._cancelled:  # Cancel came while this collect ran
            self.cancel()

    def _announce(self) -> None:
        if self.events is not None:
            self.events.artefactsChanged.emit()
        self.changed.emit()

    def _close(self) -> None:
        """Every item ended: let go of the client (closing it waits on the network: a job)."""
        from pixie_desktop.ui.workers import submit

        self._poll.stop()
        cb, self._cb = self._cb, None
        if cb is None:
            self._finish()
            return

        def close() -> None:
            cb.close()
            cb.client.close()
        self._task = submit(close, on_result=lambda _r: self._finish(), on_error=lambda _e: self._finish())

    def _failed(self, exc: BaseException) -> None:
        self.error = str(exc)
        self.batch.fail_unfinished(self.error)  # items never reached (or not collected) end in error
        self._task = None
        if self._cb is not None:
            self._close()
        else:
            self._finish()

    def _finish(self) -> None:
        self._task = None
        self._poll.stop()
        if self.events is not None:
            for rid in self.batch.run_ids():
                self.events.runChanged.emit(rid)
            self.events.toolStateChanged.emit(self.tool.tool_id)
        self.changed.emit()
        self.finished.emit()

    def cancel(self) -> int:
        from pixie_desktop.ui.workers import submit

        if not self.is_active:
            return 0
        self._cancelled = True
        if self._cb is None:  # still connecting/submitting: the job cancels what it submitted
            if self._task is not None:
                self._task.cancel()
            return 1
        if self._task is not None:  # a collect is running: cancel when it is done
            return 1
        self._poll.stop()
        cb = self._cb
        self._task = submit(cb.cancel, on_result=lambda _r: self._cancelled_done(),
                            on_error=self._failed)
        return 1

    def _cancelled_done(self) -> None:
        self._task = None
        self._announce()
        self._close()

    def retry_failed(self) -> int:
        failed = self.batch.failed_indices()
        return self.start(failed) if failed and not self.is_active else 0

    def shutdown(self) -> None:
        self.cancel()
