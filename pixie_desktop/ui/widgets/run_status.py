"""The status bar's run indicator: "Idle" or "● N running" (plus "· M queued" while runs wait),
fed by the RunController, and the "X finished / was cancelled / failed" status message when a
run ends."""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QWidget

RUNNING_STYLE = "color: #3b82f6; font-weight: 600;"


class RunStatusLabel(QLabel):
    """A permanent status-bar label following the controller; `show_message(text, ms)` is how
    end-of-run messages reach the status bar (MainWindow passes statusBar().showMessage).
    A click emits `clicked` (the window opens the run queue panel)."""

    clicked = Signal()

    def __init__(self, controller: Any, *, tool_name: Callable[[str], str],
                 show_message: Callable[[str, int], Any] | None = None, parent: QWidget | None = None):
        super().__init__("Idle", parent)
        self.setObjectName("RunningCount")
        self.controller = controller
        self._tool_name = tool_name
        self._show_message = show_message
        controller.runningChanged.connect(self.refresh)
        controller.queueChanged.connect(self.refresh)
        # queued: the page that ran the tool reports its own outcome first ("Done in 0.4 s"), as
        # before; this shorter summary then takes the status bar
        controller.runFinished.connect(self._on_finished, Qt.ConnectionType.QueuedConnection)
        controller.runFailed.connect(self._on_failed, Qt.ConnectionType.QueuedConnection)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Show the run queue")
        self.refresh()

    def mouseReleaseEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mouseReleaseEvent(event)

    def refresh(self, *_: Any) -> None:
        n = self.controller.running_count()
        queued = len(self.controller.queued())
        text = f"● {n} running" if n else "Idle"
        if queued:
            text += f" · {queued} queued"
        self.setText(text)
        self.setStyleSheet(RUNNING_STYLE if n or queued else "")

    def _on_finished(self, _run_id: str, tool_id: str, result: Any) -> None:
        status = getattr(result, "status", "error")
        self._announce(tool_id, status)

    def _on_failed(self, _run_id: str, tool_id: str, _text: str) -> None:
        self._announce(tool_id, "error")

    def _announce(self, tool_id: str, status: str) -> None:
        if self._show_message is None:
            return
        name = self._tool_name(tool_id)
        text = {"ok": f"{name} finished", "cancelled": f"{name} was cancelled"}.get(status, f"{name} failed")
        self._show_message(text, 6000)

