""""Set up environment" dialog: runs `lifecycle.envsetup.run_setup` as a worker job and shows the
installer's log as it streams, a phase progress bar and a Cancel button that kills the
installer's process group (a half-made .venv is removed by the core). The job's handle carries
the log lines and phases out (`handle.stream`) and the cancel request in (`handle.cancel_event`).

    dlg = ToolSetupDialog(tool.path, tool.name, parent=main_window)
    dlg.finished_setup.connect(lambda result: main_window.refresh_tools())
    dlg.open(); dlg.start()
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QFont, QFontDatabase, QTextCursor
from PySide6.QtWidgets import (QDialog, QHBoxLayout, QLabel, QPlainTextEdit, QProgressBar, QPushButton,
                               QVBoxLayout, QWidget)

from pixie_desktop.lifecycle.envsetup import SetupError, SetupResult, plan_setup, run_setup
from pixie_desktop.ui.workers import Task, TaskHandle, describe, submit_job

STEP_SPAN = 100  # progress units per phase; lines inside a phase nudge the bar toward its end


class ToolSetupDialog(QDialog):
    finished_setup = Signal(object)  # SetupResult

    def __init__(self, tool_dir: Path, tool_name: str, parent: QWidget | None = None, use_uv: bool | None = None):
        super().__init__(parent)
        self.tool_dir = Path(tool_dir)
        self.use_uv = use_uv
        self.result: SetupResult | None = None
        self.running = False
        self._close_when_done = False
        self._task: Task | None = None
        self._pending: list[str] = []
        self._phase = (0, 1)
        self._lines_in_phase = 0
        self.setWindowTitle(f"Set up {tool_name}")
        self.resize(720, 480)

        self.title = QLabel(f"Setting up <b>{tool_name}</b>")
        self.title.setTextFormat(Qt.TextFormat.RichText)
        big = QFont(self.title.font())
        big.setPointSizeF(big.pointSizeF() + 2)
        self.title.setFont(big)
        self.method = QLabel(self._describe_plan())
        self.method.setObjectName("Muted")
        self.method.setWordWrap(True)
        self.phase_label = QLabel("Waiting to start…")
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress.setFixedHeight(8)
        self.log = QPlainTextEdit()
        self.log.setObjectName("SetupLog")
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(5000)
        self.log.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        mono.setPointSizeF(max(8.0, mono.pointSizeF() - 0.5))
        self.log.setFont(mono)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel_or_close)
        self.copy_button = QPushButton("Copy log")
        self.copy_button.setObjectName("Small")
        self.copy_button.clicked.connect(self._copy_log)

        head = QVBoxLayout()
        head.setSpacing(2)
        head.addWidget(self.title)
        head.addWidget(self.method)
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        row.addWidget(self.copy_button)
        row.addWidget(self.cancel_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(18, 16, 18, 14)
        lay.setSpacing(10)
        lay.addLayout(head)
        lay.addWidget(self.phase_label)
        lay.addWidget(self.progress)
        lay.addWidget(self.log, 1)
        lay.addLayout(row)

        self._restyle()
        # Batch log lines: pip can print hundreds per second; repaint at most 20×/s.
        self._flush = QTimer(self)
        self._flush.setInterval(50)
        self._flush.timeout.connect(self._flush_lines)

    def _restyle(self, state: str = "") -> None:
        from pixie_desktop.ui import theme

        t = theme.current()
        colour = {"ok": t.success, "error": t.danger}.get(state, t.muted)
        self.log.setStyleSheet(f"QPlainTextEdit#SetupLog {{ background: {t.surface_alt}; color: {t.text};"
                               f" border: 1px solid {t.border}; border-radius: 8px; padding: 6px; }}")
        self.status.setStyleSheet(f"color: {colour};" + (" font-weight: 600;" if state else ""))
        self.phase_label.setStyleSheet(f"color: {colour if state else t.text}; font-weight: 600;")

    def _describe_plan(self) -> str:
        try:
            steps = plan_setup(self.tool_dir, use_uv=self.use_uv, probe=False)  # UI thread: run nothing
        except SetupError as exc:
            return str(exc)
        uses_uv = any(Path(s.argv[0]).name.startswith("uv") for s in steps)
        how = "uv sync" if uses_uv else "python -m venv + pip"
        return f"{how} → {self.tool_dir / '.venv'}"

    # -- running ---------------------------------------------------------------------------
    def start(self) -> None:
        if self.running:
            return
        self.running = True
        self.result = None
        self.log.clear()
        self.status.setText("")
        self._restyle()
        self.progress.setRange(0, STEP_SPAN)
        self.progress.setValue(0)
        self.cancel_button.setText("Cancel")
        self.cancel_button.setEnabled(True)
        self._flush.start()
        tool_dir, use_uv = self.tool_dir, self.use_uv

        def work(handle: TaskHandle) -> SetupResult:
            # a log line streams as str, a phase as (index, total, label)
            return run_setup(tool_dir, on_line=handle.stream, on_phase=lambda *phase: handle.stream(phase),
                             cancel=handle.cancel_event, use_uv=use_uv)

        self._task = submit_job(work, on_result=self._on_done, on_stream=self._on_stream,
                                on_error=lambda exc: self._on_done(SetupResult(False, error=describe(exc))))

    def cancel(self) -> None:
        if self.running:
            if self._task is not None:
                self._task.cancel()
            self.cancel_button.setEnabled(False)
            self.cancel_button.setText("Cancelling…")
            self.phase_label.setText("Stopping the installer…")

    def cancel_or_close(self) -> None:
        if self.running:
            self.cancel()
        else:
            self.accept() if self.result is not None and self.result.ok else self.reject()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if self.running:
            # Never orphan the installer: cancel, and close once it has really stopped.
            self._close_when_done = True
            self.cancel()
            event.ignore()
            return
        super().closeEvent(event)

    def reject(self) -> None:
        if self.running:
            self._close_when_done = True
            self.cancel()
            return
        super().reject()

    # -- callbacks (UI thread) -------------------------------------------------------------
    def _on_stream(self, item: Any) -> None:
        if isinstance(item, tuple):
            self._on_phase(*item)
        else:
            self._pending.append(item)

    def _on_phase(self, index: int, total: int, label: str) -> None:
        self._flush_lines()
        self._phase = (index, max(total, 1))
        self._lines_in_phase = 0
        self.progress.setRange(0, STEP_SPAN * max(total, 1))
        self.progress.setValue(STEP_SPAN * index)
        step = f"Step {min(index + 1, total)} of {total} · " if index < total else ""
        self.phase_label.setText(f"{step}{label}")

    def _flush_lines(self) -> None:
        if not self._pending:
            return
        lines, self._pending[:] = list(self._pending), []
        bar = self.log.verticalScrollBar()
        at_end = bar.value() >= bar.maximum() - 4
        self.log.appendPlainText("\n".join(lines))
        if at_end:
            self.log.moveCursor(QTextCursor.MoveOperation.End)
            bar.setValue(bar.maximum())
        index, total = self._phase
        if index < total:
            self._lines_in_phase += len(lines)
            # creep toward (never reach) the end of the phase so long installs still look alive
            frac = 1 - 0.9 ** self._lines_in_phase
            self.progress.setValue(int(STEP_SPAN * (index + 0.9 * frac)))

    def _on_done(self, result: SetupResult) -> None:
        self._flush.stop()
        self._flush_lines()
        self.running = False
        self._task = None
        self.result = result
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText("Close")
        if result.ok:
            self.progress.setValue(self.progress.maximum())
            self.phase_label.setText("Environment ready")
            self.status.setText(f"✓ Done in {result.duration_s:.1f} s — the tool now runs in its own .venv")
            self.status.setToolTip(str(result.python))
            self._restyle("ok")
        elif result.cancelled:
            self.phase_label.setText("Cancelled")
            self.status.setText("Setup was cancelled; nothing was left behind.")
            self._restyle("")
        else:
            self.phase_label.setText("Setup failed")
            self.status.setText(f"✗ {result.error}")
            self._restyle("error")
        self.finished_setup.emit(result)
        if self._close_when_done:
            super().reject()

    def _copy_log(self) -> None:
        from PySide6.QtWidgets import QApplication

        QApplication.clipboard().setText(self.log.toPlainText())
