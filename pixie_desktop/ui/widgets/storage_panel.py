"""Settings ▸ Storage: the database's size and "Compact database" (VACUUM) run on the background
pool through `workers.submit_job`, with a busy bar, a running-time note and Cancel. The window
stays responsive however long the VACUUM takes; a cancelled VACUUM leaves the file unchanged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from pixie_desktop.ops import maintenance
from pixie_desktop.ui import workers


def human_bytes(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


def vacuum_job(handle: workers.TaskHandle, db_path: str) -> maintenance.VacuumResult:
    try:
        return maintenance.vacuum(Path(db_path), progress=handle.progress, cancelled=handle.cancelled)
    except maintenance.VacuumCancelled:
        raise workers.Cancelled() from None


class StoragePanel(QWidget):
    finished = Signal(object)   # VacuumResult, or None when cancelled / failed

    def __init__(self, db_path: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.db_path = Path(db_path)
        self.task: workers.Task | None = None
        self.result: maintenance.VacuumResult | None = None
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.size_label = QLabel(self)
        self.size_label.setObjectName("DatabaseSize")
        lay.addWidget(self.size_label, 1)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)  # SQLite cannot tell how far a VACUUM is: a busy bar
        self.progress.setTextVisible(False)
        self.progress.setFixedWidth(120)
        self.progress.hide()
        lay.addWidget(self.progress)
        self.vacuum_button = QPushButton("Compact database", self)
        self.vacuum_button.setToolTip("VACUUM: rewrite the database without free pages (runs in the background)")
        self.vacuum_button.clicked.connect(self.start_vacuum)
        lay.addWidget(self.vacuum_button)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.hide()
        lay.addWidget(self.cancel_button)
        self.refresh()

    def refresh(self, note: str = "") -> None:
        size = human_bytes(maintenance.database_bytes(self.db_path))
        self.size_label.setText(f"Database: {size}" + (f" · {note}" if note else ""))

    def is_running(self) -> bool:
        return self.task is not None

    def start_vacuum(self) -> None:
        if self.task is not None:
            return
        self._busy(True)
        self.task = workers.submit_job(vacuum_job, str(self.db_path), on_result=self._done,
                                       on_progress=self._progress, on_cancelled=self._cancelled,
                                       on_error=self._failed)

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def _busy(self, on: bool) -> None:
        self.progress.setVisible(on)
        self.cancel_button.setVisible(on)
        self.vacuum_button.setEnabled(not on)

    def _progress(self, _fraction: Any, text: str) -> None:
        if text:
            self.size_label.setText(text)

    def _done(self, result: maintenance.VacuumResult) -> None:
        self.task, self.result = None, result
        self._busy(False)
        self.refresh(f"compacted, {human_bytes(result.freed_bytes)} freed")
        self.finished.emit(result)

    def _cancelled(self) -> None:
        self.task = None
        self._busy(False)
        self.refresh("compacting cancelled; nothing changed")
        self.finished.emit(None)

    def _failed(self, exc: BaseException) -> None:
        self.task = None
        self._busy(False)
        self.refresh(f"could not compact: {exc}")
        self.finished.emit(None)
