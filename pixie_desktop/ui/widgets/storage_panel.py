"""Settings ▸ Storage: the database's size and "Compact database" (VACUUM) run on the background
pool through `workers.submit_job`, with a busy bar, a running-time note and Cancel. The window
stays responsive however long the VACUUM takes; a cancelled VACUUM leaves the file unchanged.
Below it: disk use per tool as a painted bar list (read on the pool), "Clear all history…"
(starred runs kept, progress and Cancel) and "Empty Trash now" (the gallery's purge)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QPainter, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QProgressBar, QPushButton, QVBoxLayout, QWidget

from pixie_desktop.units import human_bytes
from pixie_desktop.ops import maintenance
from pixie_desktop.queries import artefacts as artefact_queries
from pixie_desktop.queries import storage as storage_queries
from pixie_desktop.ui import workers
from pixie_desktop.ui.publish import publish


def vacuum_job(handle: workers.TaskHandle, db_path: str) -> maintenance.VacuumResult:
    try:
        return maintenance.vacuum(Path(db_path), progress=handle.progress, cancelled=handle.cancelled)
    except maintenance.VacuumCancelled:
        raise workers.Cancelled() from None


def disk_use_job(_handle: workers.TaskHandle, db_path: str) -> list[storage_queries.ToolDiskUse]:
    return storage_queries.disk_use_by_tool(artefact_queries.thread_connection(db_path))


def clear_history_job(handle: workers.TaskHandle, db_path: str, settings: Any) -> tuple[Any, Any]:
    return maintenance.clear_all_history(artefact_queries.thread_connection(db_path), settings,
                                         progress=handle.progress, cancelled=handle.cancelled)


def empty_trash_job(_handle: workers.TaskHandle, db_path: str, artefacts_root: str) -> tuple[Any, Any]:
    return maintenance.empty_trash(artefact_queries.thread_connection(db_path), Path(artefacts_root))


class DiskUseChart(QWidget):
    """Disk use per tool: one painted bar per tool (largest first, the rest summed as "other")."""

    MAX_ROWS = 8
    ROW_H = 20

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.rows: list[tuple[str, int]] = []

    def set_data(self, uses: list[storage_queries.ToolDiskUse]) -> None:
        rows = [(u.tool_id, u.bytes) for u in uses[:self.MAX_ROWS]]
        rest = sum(u.bytes for u in uses[self.MAX_ROWS:])
        if rest:
            rows.append(("other tools", rest))
        self.rows = rows
        self.setToolTip("\n".join(f"{t}: {human_bytes(b)}" for t, b in rows))
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(320, max(1, len(self.rows)) * self.ROW_H)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return self.sizeHint()

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt override
        p = QPainter(self)
        pal = self.palette()
        w = self.width()
        name_w, size_w = min(160, w // 3), 70
        bar_w = max(10, w - name_w - size_w - 12)
        top = max((b for _, b in self.rows), default=0) or 1
        for i, (tool, nbytes) in enumerate(self.rows):
            y = i * self.ROW_H
            p.setPen(pal.color(QPalette.ColorRole.WindowText))
            name = self.fontMetrics().elidedText(tool, Qt.TextElideMode.ElideMiddle, name_w - 6)
            p.drawText(QRectF(0, y, name_w, self.ROW_H), Qt.AlignmentFlag.AlignVCenter, name)
            length = max(2.0, bar_w * nbytes / top) if nbytes else 0.0
            p.fillRect(QRectF(name_w, y + 4, length, self.ROW_H - 8), pal.color(QPalette.ColorRole.Highlight))
            p.drawText(QRectF(name_w + bar_w + 6, y, size_w, self.ROW_H),
                       Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, human_bytes(nbytes))
        p.end()


class StoragePanel(QWidget):
    finished = Signal(object)   # VacuumResult, or None when cancelled / failed
    maintenanceFinished = Signal(str, object)   # ("clear" | "trash", result or None)
    diskUseLoaded = Signal(object)   # list[ToolDiskUse]

    def __init__(self, db_path: Path, parent: QWidget | None = None, *, settings: Any = None):
        super().__init__(parent)
        self.db_path = Path(db_path)
        self.settings = settings
        self.task: workers.Task | None = None
        self.result: maintenance.VacuumResult | None = None
        self.maint_task: workers.Task | None = None
        self.disk_use: list[storage_queries.ToolDiskUse] | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        lay = QHBoxLayout()
        outer.addLayout(lay)
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

        self.disk_title = QLabel("Disk use per tool (artefacts, Trash excluded)", self)
        outer.addWidget(self.disk_title)
        self.chart = DiskUseChart(self)
        outer.addWidget(self.chart)
        row = QHBoxLayout()
        outer.addLayout(row)
        self.maint_label = QLabel(self)
        self.maint_label.setWordWrap(True)
        row.addWidget(self.maint_label, 1)
        self.maint_progress = QProgressBar(self)
        self.maint_progress.setRange(0, 100)
        self.maint_progress.setFixedWidth(120)
        self.maint_progress.hide()
        row.addWidget(self.maint_progress)
        self.clear_button = QPushButton("Clear all history…", self)
        self.clear_button.setToolTip("Delete every finished run and its files; starred runs are kept")
        self.clear_button.clicked.connect(lambda: self.clear_history())
        row.addWidget(self.clear_button)
        self.trash_button = QPushButton("Empty Trash now", self)
        self.trash_button.setToolTip("Delete the artefacts in the Trash for good (starred ones are kept)")
        self.trash_button.clicked.connect(lambda: self.empty_trash())
        row.addWidget(self.trash_button)
        self.maint_cancel = QPushButton("Cancel", self)
        self.maint_cancel.clicked.connect(self.cancel)
        self.maint_cancel.hide()
        row.addWidget(self.maint_cancel)
        for b in (self.clear_button, self.trash_button):
            b.setEnabled(settings is not None)
        self.refresh()
        self.load_disk_use()

    # ------------------------------------------------------------------ disk use
    def load_disk_use(self) -> None:
        workers.submit_job(disk_use_job, str(self.db_path), on_result=self._disk_use_loaded,
                           on_error=lambda exc: self.disk_title.setText(f"Disk use unavailable: {exc}"))

    def _disk_use_loaded(self, uses: list[storage_queries.ToolDiskUse]) -> None:
        self.disk_use = uses
        total = sum(u.bytes for u in uses)
        self.disk_title.setText(f"Disk use per tool: {human_bytes(total)} in artefacts (Trash excluded)"
                                if uses else "No artefacts on disk yet")
        self.chart.set_data(uses)
        self.chart.setVisible(bool(uses))  # no empty band under "No artefacts on disk yet"
        self.diskUseLoaded.emit(uses)

    # ------------------------------------------------------------------ clear history / empty trash
    def is_maintaining(self) -> bool:
        return self.maint_task is not None

    def clear_history(self, *, confirm: bool = True) -> None:
        if self.maint_task is not None or self.settings is None:
            return
        if confirm and QMessageBox.question(
                self, "Clear all history", "Delete every finished run and its files for good? "
                                           "Starred runs are kept.") != QMessageBox.StandardButton.Yes:
            return
        self._maint_busy(True, "Clearing history…")
        self.maint_task = workers.submit_job(
            clear_history_job, str(self.db_path), self.settings, on_progress=self._maint_progress,
            on_result=lambda r: self._maint_done("clear", r), on_cancelled=lambda: self._maint_stopped("clear"),
            on_error=lambda exc: self._maint_failed("clear", exc))

    def empty_trash(self, *, confirm: bool = True) -> None:
        if self.maint_task is not None or self.settings is None:
            return
        if confirm and QMessageBox.question(
                self, "Empty Trash", "Delete everything in the Trash and its files for good? "
                                     "Starred artefacts are kept.") != QMessageBox.StandardButton.Yes:
            return
        self._maint_busy(True, "Emptying the Trash…")
        self.maint_task = workers.submit_job(
            empty_trash_job, str(self.db_path), str(self.settings.artefacts_root),
            on_result=lambda r: self._maint_done("trash", r), on_cancelled=lambda: self._maint_stopped("trash"),
            on_error=lambda exc: self._maint_failed("trash", exc))

    def _maint_busy(self, on: bool, text: str = "") -> None:
        self.maint_progress.setVisible(on)
        self.maint_progress.setValue(0)
        self.maint_cancel.setVisible(on)
        for b in (self.clear_button, self.trash_button):
            b.setEnabled(not on and self.settings is not None)
        if text:
            self.maint_label.setText(text)

    def _maint_progress(self, fraction: Any, text: str) -> None:
        if fraction is not None:
            self.maint_progress.setValue(int(min(1.0, float(fraction)) * 100))
        if text:
            self.maint_label.setText(text)

    def _maint_done(self, kind: str, result: tuple[Any, Any]) -> None:
        self.maint_task = None
        self._maint_busy(False)
        outcome, change = result
        if kind == "clear":
            self.maint_label.setText(f"Deleted {outcome.deleted} run(s); {outcome.kept_starred} starred kept"
                                     + ("; stopped before the end" if outcome.stopped else ""))
        else:
            msg = f"Deleted {len(outcome.purged)} artefact(s) from the Trash"
            if outcome.errors:
                msg += f"; {len(outcome.errors)} could not be removed"
            self.maint_label.setText(msg)
        publish(change)
        self.refresh()
        self.load_disk_use()
        self.maintenanceFinished.emit(kind, outcome)

    def _maint_stopped(self, kind: str) -> None:
        self.maint_task = None
        self._maint_busy(False)
        self.maint_label.setText("Stopped")
        self.load_disk_use()
        self.maintenanceFinished.emit(kind, None)

    def _maint_failed(self, kind: str, exc: BaseException) -> None:
        self.maint_task = None
        self._maint_busy(False)
        self.maint_label.setText(f"Could not finish: {exc}")
        self.load_disk_use()
        self.maintenanceFinished.emit(kind, None)

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
        for task in (self.task, self.maint_task):
            if task is not None:
                task.cancel()

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

