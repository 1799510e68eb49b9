"""`after_first_paint(window, callback)`: run work that is not needed to show the window (background
extensions, pre-imports) once its first paint is on screen, so it neither delays that paint nor
competes with it for the interpreter."""

from __future__ import annotations

from typing import Any, Callable

_hook_class: Any = None  # the QObject subclass, made on first use: defining one costs ~1 ms in PySide


def _first_paint_class() -> Any:
    global _hook_class
    if _hook_class is not None:
        return _hook_class
    from PySide6.QtCore import QEvent, QObject, QTimer

    class FirstPaint(QObject):
        def fire(self) -> None:
            if not self.done:
                self.done = True
                self.fallback.stop()
                self.window.removeEventFilter(self)
                self.callback()

        def eventFilter(self, obj: Any, ev: Any) -> bool:  # noqa: N802
            if ev.type() == QEvent.Type.Paint and not self.done:
                QTimer.singleShot(0, self.fire)
            return False

    FirstPaint.QTimer = QTimer  # type: ignore[attr-defined]
    _hook_class = FirstPaint
    return FirstPaint


def after_first_paint(window: Any, callback: Callable[[], Any], fallback_ms: int = 2000) -> Any:
    """Call `callback()` once, on the event loop turn after `window`'s first paint has been
    flushed (a zero timer posted from its first Paint event runs after the whole paint pass), or
    after `fallback_ms` if the window is never painted (minimised, off screen)."""
    cls = _first_paint_class()
    hook = cls(window)
    hook.done, hook.window, hook.callback = False, window, callback
    hook.fallback = cls.QTimer(hook, singleShot=True, interval=fallback_ms)  # goes with the window
    hook.fallback.timeout.connect(hook.fire)
    hook.fallback.start()
    window.installEventFilter(hook)
    return hook
