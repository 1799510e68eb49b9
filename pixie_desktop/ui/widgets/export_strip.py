"""The gallery's "Export to folder…" strip: copies the selected artefacts to a folder on the
background pool (`workers.submit_job` over artefacts.export_copy), with a progress bar and
Cancel. Originals are never touched, existing files never overwritten, and a cancelled copy
leaves no partial file behind."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from pixie_desktop.artefacts import export_copy
from pixie_desktop.ui import workers


def export_job(handle: workers.TaskHandle, artefacts_root: str, items: list[tuple[str, str]],
               dest: str) -> export_copy.ExportResult:
    try:
        return export_copy.export_files(Path(artefacts_root), items, Path(dest), progress=handle.progress,
                                        cancelled=handle.cancelled)
    except export_copy.ExportCancelled:
        raise workers.Cancelled() from None


class ExportStrip(QWidget):
    finished = Signal(object)   # ExportResult, or None when cancelled / failed
    statusMessage = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.task: workers.Task | None = None
        lay = QHBoxLayout(self)
        lay.setContentsMargins(12, 4, 12, 4)
        self.label = QLabel(self)
        lay.addWidget(self.label, 1)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 100)
        self.progress.setFixedWidth(160)
        lay.addWidget(self.progress)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.clicked.connect(self.cancel)
        lay.addWidget(self.cancel_button)
        self.hide()

    def is_running(self) -> bool:
        return self.task is not None

    def start(self, artefacts_root: Path, records: Sequence[Any], dest: Path) -> bool:
        """Copy `records` (rows with rel_path and filename) into `dest`; False if one is running."""
        if self.task is not None or not records:
            return False
        items = [(r.rel_path, r.filename) for r in records]
        self.dest = Path(dest)
        self.label.setText(f"Exporting {len(items)} file(s) to {dest}…")
        self.progress.setValue(0)
        self.show()
        self.task = workers.submit_job(export_job, str(artefacts_root), items, str(dest),
                                       on_progress=self._progress, on_result=self._done,
                                       on_cancelled=self._cancelled, on_error=self._failed)
        return True

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def _progress(self, fraction: Any, text: str) -> None:
        if fraction is not None:
            self.progress.setValue(int(min(1.0, float(fraction)) * 100))
        if text:
            self.label.setText(text)

    def _done(self, result: export_copy.ExportResult) -> None:
        self.task = None
        self.hide()
        msg = f"Exported {len(result.copied)} file(s) to {self.dest}"
        if result.errors:
            msg += f"; {len(result.errors)} failed ({result.errors[0]})"
        self.statusMessage.emit(msg)
        self.finished.emit(result)

    def _cancelled(self) -> None:
        self.task = None
        self.hide()
        self.statusMessage.emit("Export cancelled; files already copied were kept")
        self.finished.emit(None)

    def _failed(self, exc: BaseException) -> None:
        self.task = None
        self.hide()
        self.statusMessage.emit(f"Export failed: {exc}")
        self.finished.emit(None)
