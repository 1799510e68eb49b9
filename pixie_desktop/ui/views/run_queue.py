"""The run queue panel: every run the RunController knows — running, queued (in the order they
will start) and recently finished — with Cancel, Cancel all, Move up and Move down. It reads the
controller only (queued runs live in this process's memory, never in the database) and redraws
when the controller says the queue changed. Shown as a dock from View ▸ Run queue or by clicking
the status bar's run label."""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QPushButton, QTreeWidget, QTreeWidgetItem, QVBoxLayout,
                               QWidget)

from pixie_desktop.runtime.queue import ordinal

FINISHED_SHOWN = 30  # recently finished runs listed under the queue
RUN_ID_ROLE = Qt.ItemDataRole.UserRole


class RunQueuePanel(QWidget):
    """A list of the controller's runs with the queue commands (see the module doc)."""

    def __init__(self, controller: Any, *, tool_name: Callable[[str], str] | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("RunQueuePanel")
        self.controller = controller
        self._tool_name = tool_name or (lambda tid: tid)
        self._outcome: dict[str, str] = {}  # run_id → ok | error | cancelled (what the panel saw end)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 8)
        self.summary = QLabel("")
        self.summary.setObjectName("Muted")
        lay.addWidget(self.summary)
        self.tree = QTreeWidget()
        self.tree.setObjectName("RunQueueList")
        self.tree.setHeaderLabels(["Tool", "State", "Source", "Run"])
        self.tree.setRootIsDecorated(False)
        self.tree.itemSelectionChanged.connect(self._update_buttons)
        lay.addWidget(self.tree, 1)
        row = QHBoxLayout()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_all_button = QPushButton("Cancel all")
        self.up_button = QPushButton("Move up")
        self.down_button = QPushButton("Move down")
        for b, slot in ((self.cancel_button, self.cancel_selected), (self.cancel_all_button, self.cancel_all),
                        (self.up_button, self.move_up), (self.down_button, self.move_down)):
            b.setObjectName("Small")
            b.clicked.connect(slot)
            row.addWidget(b)
        row.addStretch(1)
        lay.addLayout(row)
        controller.queueChanged.connect(self._schedule)
        controller.runningChanged.connect(self._schedule)
        controller.runFinished.connect(self._on_finished)
        controller.runFailed.connect(lambda rid, _t, _x: self._on_finished(rid, _t, None))
        self._pending = False
        self.refresh()

    # -- drawing ------------------------------------------------------------------------------
    def _schedule(self, *_: Any) -> None:
        """Coalesce bursts (a batch queues hundreds of runs at once) into one redraw."""
        if not self._pending:
            self._pending = True
            QTimer.singleShot(0, self.refresh)

    def _on_finished(self, run_id: str, _tool_id: str, result: Any) -> None:
        self._outcome[run_id] = getattr(result, "status", "error") if result is not None else "error"
        self._schedule()

    def rows(self) -> list[tuple[str, str, str]]:
        """(run_id, tool_id, state text) in display order: running, queued, finished."""
        c = self.controller
        out = [(r.run_id, r.tool_id, "Running", r.source) for r in c.running()]
        out += [(r.run_id, r.tool_id, f"Queued ({ordinal(i)})", r.source) for i, r in enumerate(c.queued(), 1)]
        fin = c.finished(FINISHED_SHOWN) if hasattr(c, "finished") else []
        out += [(r.run_id, r.tool_id, self._outcome.get(r.run_id, "finished").capitalize(), r.source) for r in fin]
        return out

    def refresh(self) -> None:
        self._pending = False
        selected = self.selected_run_id()
        self.tree.clear()
        for run_id, tool_id, state, source in self.rows():
            item = QTreeWidgetItem([self._tool_name(tool_id), state, source, run_id[:8]])
            item.setData(0, RUN_ID_ROLE, run_id)
            self.tree.addTopLevelItem(item)
            if run_id == selected:
                item.setSelected(True)
                self.tree.setCurrentItem(item)
        n_run, n_q = self.controller.running_count(), len(self.controller.queued())
        self.summary.setText(f"{n_run} running · {n_q} queued · at most {self.controller.max_parallel} at once")
        self._update_buttons()

    def selected_run_id(self) -> str | None:
        items = self.tree.selectedItems()
        return items[0].data(0, RUN_ID_ROLE) if items else None

    def select(self, run_id: str) -> bool:
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            if item.data(0, RUN_ID_ROLE) == run_id:
                self.tree.setCurrentItem(item)
                item.setSelected(True)
                return True
        return False

    def _update_buttons(self) -> None:
        rid = self.selected_run_id()
        active = rid is not None and self.controller.is_active(rid)
        queued = rid is not None and self.controller.is_queued(rid)
        self.cancel_button.setEnabled(active)
        self.up_button.setEnabled(queued)
        self.down_button.setEnabled(queued)
        self.cancel_all_button.setEnabled(bool(self.controller.running_count() or self.controller.queued()))

    # -- commands -----------------------------------------------------------------------------
    def cancel_selected(self) -> bool:
        rid = self.selected_run_id()
        return bool(rid and self.controller.cancel(rid))

    def cancel_all(self) -> int:
        return self.controller.cancel_all()

    def move_up(self) -> bool:
        rid = self.selected_run_id()
        return bool(rid and self.controller.move_up(rid))

    def move_down(self) -> bool:
        rid = self.selected_run_id()
        return bool(rid and self.controller.move_down(rid))
