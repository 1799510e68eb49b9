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
