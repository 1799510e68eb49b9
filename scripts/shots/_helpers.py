"""Shared helpers for screenshot modules: pump events and grab a widget to PNG."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer
from PySide6.QtWidgets import QWidget


def settle(ms: int = 200) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()
    QCoreApplication.processEvents()


def grab(widget: QWidget, path: Path, size: tuple[int, int] | None = None, wait_ms: int = 300) -> Path:
    if size:
        widget.resize(*size)
    widget.show()
    settle(wait_ms)
    widget.grab().save(str(path))
    return path
