"""Shared helpers for screenshot modules: pump events, grab a widget to PNG, and report text the
grabbed widget clips (tests/clipping.py)."""

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


def save_checked(widget: QWidget, path: Path, saved: list[Path], indent: str = "  ") -> Path:
    """Save `widget` as it is now to `path`, add it to `saved`, and print every clipped text
    tests/clipping.py finds in it, after the file's name."""
    import sys

    tests = str(Path(__file__).resolve().parents[2] / "tests")
    if tests not in sys.path:
        sys.path.insert(0, tests)
    from clipping import find_clipping

    widget.grab().save(str(path))
    saved.append(path)
    for finding in find_clipping(widget):
        print(f"{indent}{path.name}: {finding}")
    return path
