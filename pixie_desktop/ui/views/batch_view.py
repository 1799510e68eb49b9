"""A batch's panel: progress (done/N, failed, ETA), Cancel, Retry failed, Export CSV…, and the
results table — one row per item, the inputs that vary, its status, then the scalar outputs.
It follows a BatchRunner (ui/batch_runner.py); double-clicking a row opens that item's run."""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QLabel, QProgressBar, QPushButton, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)


class BatchView(QWidget):
    openRun = Signal(str)  # run_id of a row the user double-clicked
    showInGallery = Signal(str)  # batch_id
    showInHistory = Signal(str)  # batch_id

    def __init__(self, runner: Any, *, title: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("BatchView")
        self.runner = runner
        self.batch = runner.batch
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 8)
        head = QLabel(title or f"Batch {self.batch.id} · {len(self.batch.items)} items")
        head.setStyleSheet("font-weight: 600;")
        lay.addWidget(head)
        self.bar = QProgressBar()
        self.bar.setRange(0, max(1, len(self.batch.items)))
        lay.addWidget(self.bar)
        self.status = QLabel("")
        self.status.setObjectName("Muted")
        lay.addWidget(self.status)
        row = QHBoxLayout()
        self.cancel_button = QPushButton("Cancel batch")
        self.retry_button = QPushButton("Retry failed")
        self.export_button = QPushButton("Export CSV…")
        self.gallery_button = QPushButton("Show in gallery")
        self.history_button = QPushButton("Show in History")
        for b, slot in ((self.cancel_button, self.runner.cancel), (self.retry_button, self.runner.retry_failed),
                        (self.export_button, self.export_dialog),
                        (self.gallery_button, lambda: self.showInGallery.emit(self.batch.id)),
                        (self.history_button, lambda: self.showInHistory.emit(self.batch.id))):
            b.setObjectName("Small")
            b.clicked.connect(slot)
            row.addWidget(b)
        row.addStretch(1)
        lay.addLayout(row)
        self.table = QTableWidget()
        self.table.setObjectName("BatchResults")
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.cellDoubleClicked.connect(self._open_row)
        lay.addWidget(self.table, 1)
        # replaceable for tests: returns a path or "" (cancel)
        self.ask_save_path: Callable[[], str] = lambda: QFileDialog.getSaveFileName(
            self, "Export batch results", f"batch-{self.batch.id}.csv", "CSV (*.csv)")[0]
        runner.changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        p = self.batch.progress()
        self.bar.setValue(p.done)
        self.status.setText(p.text())
        active = self.runner.is_active
        self.cancel_button.setEnabled(active)
        self.retry_button.setEnabled(not active and bool(self.batch.failed_indices()))
        headers, rows = self.batch.results()
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setRowCount(len(rows))
        for r, values in enumerate(rows):
            for c, v in enumerate(values):
                item = QTableWidgetItem("" if v is None else str(v))
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)

    def cell(self, row: int, header: str) -> str:
        headers = [self.table.horizontalHeaderItem(c).text() for c in range(self.table.columnCount())]
        item = self.table.item(row, headers.index(header))
        return item.text() if item is not None else ""

    def export_dialog(self) -> str | None:
        path = self.ask_save_path()
        if not path:
            return None
        self.batch.to_csv(path)
        return path

    def _open_row(self, row: int, _col: int) -> None:
        rid = self.batch.run_id_of(row) if 0 <= row < len(self.batch.items) else None
        if rid:
            self.openRun.emit(rid)
