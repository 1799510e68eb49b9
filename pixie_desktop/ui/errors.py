"""One path for unexpected errors: `install()` hooks `sys.excepthook` (exceptions escaping Qt
slots and event handlers land there) and `threading.excepthook`; `report(exc)` is the same path
for code that caught something it cannot handle (the worker API's default `on_error`).

Each error is logged with its full traceback (see `pixie_desktop/logs.py`) and shown in a small
non-modal notice with "Copy details", which puts the traceback(s) on the clipboard. One notice
at a time: errors that arrive while it is open are added to it ("and 3 more"), so an exception
storm never buries the window in dialogs. Safe from any thread: the notice is created on the UI
thread through a queued signal.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (QApplication, QDialog, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton,
                               QVBoxLayout, QWidget)

log = logging.getLogger(__name__)

MAX_KEPT = 20  # tracebacks kept for "Copy details" during a storm; later ones are only counted


@dataclass(frozen=True)
class ErrorInfo:
    """What the notice shows for one error."""

    summary: str   # "ValueError: bad value"
    details: str   # full traceback text
    context: str   # where it happened ("A background job failed", "Unexpected error in thread X")


def format_details(exc: BaseException) -> str:
    """The full traceback text of an exception (what the log and "Copy details" get)."""
    details = getattr(exc, "details", None)
    if isinstance(details, str) and details:
        return details
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)).rstrip()


def _summary(exc: BaseException) -> str:
    return "".join(traceback.format_exception_only(type(exc), exc)).strip().splitlines()[-1]


class ErrorNotice(QDialog):
    """Non-modal notice: what went wrong, how many errors, Copy details / Dismiss."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("ErrorNotice")
        self.setWindowTitle("Something went wrong")
        self.setModal(False)
        self.setWindowModality(Qt.WindowModality.NonModal)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False)  # never keeps the app alive
        self.errors: list[ErrorInfo] = []
        self.count = 0
        self.headline = QLabel()
        self.headline.setWordWrap(True)
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.more = QLabel()
        self.more.setObjectName("Muted")
        self.hint = QLabel()
        self.hint.setObjectName("Muted")
        self.hint.setWordWrap(True)
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.details.hide()
        self.toggle_button = QPushButton("Show details")
        self.toggle_button.clicked.connect(self._toggle_details)
        self.copy_button = QPushButton("Copy details")
        self.copy_button.clicked.connect(self.copy_details)
        self.close_button = QPushButton("Dismiss")
        self.close_button.setDefault(True)
        self.close_button.clicked.connect(self.close)
        row = QHBoxLayout()
        row.addWidget(self.toggle_button)
        row.addStretch(1)
        row.addWidget(self.copy_button)
        row.addWidget(self.close_button)
        lay = QVBoxLayout(self)
        lay.addWidget(self.headline)
        lay.addWidget(self.more)
        lay.addWidget(self.hint)
        lay.addWidget(self.details, 1)
        lay.addLayout(row)
        from pixie_desktop.logs import current_log_file

        path = current_log_file()
        self.hint.setText(f"The details were written to the log: {path}" if path is not None else "")
        self.hint.setVisible(path is not None)
        self.resize(520, 160)

    def add(self, info: ErrorInfo) -> None:
        self.count += 1
        if len(self.errors) < MAX_KEPT:
            self.errors.append(info)
        first = self.errors[0]
        self.headline.setText(f"<b>{first.context}</b><br>{_escape(first.summary)}")
        extra = self.count - 1
        self.more.setText(f"and {extra} more error{'s' if extra != 1 else ''} after it" if extra else "")
        self.more.setVisible(bool(extra))
        self.details.setPlainText(self.details_text())

    def details_text(self) -> str:
        parts = [f"{e.context}\n{e.details}" for e in self.errors]
        dropped = self.count - len(self.errors)
        if dropped > 0:
            parts.append(f"… and {dropped} more not kept (see the log)")
        return "\n\n".join(parts)

    def copy_details(self) -> None:
        QApplication.clipboard().setText(self.details_text())
        self.copy_button.setText("Copied")

    def _toggle_details(self) -> None:
        show = not self.details.isVisible()
        self.details.setVisible(show)
        self.toggle_button.setText("Hide details" if show else "Show details")
        self.resize(self.width(), 420 if show else 160)


def _main_window() -> QWidget | None:
    """The app's visible main window, so a notice is never a parentless window of its own."""
    from PySide6.QtWidgets import QMainWindow

    return next((w for w in QApplication.topLevelWidgets() if isinstance(w, QMainWindow) and w.isVisible()), None)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _Dispatcher(QObject):
    """Lives on the UI thread; `report()` emits from any thread and the notice is built here."""

    arrived = Signal(object)  # ErrorInfo

    def __init__(self, parent_window: QWidget | None):
        super().__init__()
        self.parent_window = parent_window
        self.notice: ErrorNotice | None = None
        self.arrived.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def _show(self, info: ErrorInfo) -> None:
        if self.notice is None:
            parent = self.parent_window
            if parent is None or not shiboken6.isValid(parent):
                parent = QApplication.activeWindow() or _main_window()
            self.notice = ErrorNotice(parent)
            self.notice.destroyed.connect(self._forget)
            self.notice.add(info)
            self.notice.show()
        else:
            self.notice.add(info)

    def _forget(self, *_: Any) -> None:
        self.notice = None

    def close_notice(self) -> None:
        notice, self.notice = self.notice, None
        if notice is not None:
            notice.destroyed.disconnect(self._forget)
            notice.close()  # WA_DeleteOnClose: deleted on the next event loop turn


_dispatcher: _Dispatcher | None = None
_previous: tuple[Any, Any] | None = None


def report(exc: BaseException, *, context: str = "Unexpected error") -> None:
    """Log `exc` with its traceback and show it in the notice (when installed). Any thread."""
    details = format_details(exc)
    log.error("%s: %s\n%s", context, _summary(exc), details)
    _notify(ErrorInfo(_summary(exc), details, context))


def _notify(info: ErrorInfo) -> None:
    dispatcher = _dispatcher
    if dispatcher is None:
        return
    try:
        dispatcher.arrived.emit(info)
    except RuntimeError:  # the dispatcher was deleted while the app shut down
        pass


def _sys_hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    if issubclass(exc_type, (KeyboardInterrupt, SystemExit)):
        sys.__excepthook__(exc_type, exc, tb)
        return
    if exc.__traceback__ is None and tb is not None:
        exc = exc.with_traceback(tb)
    traceback.print_exception(exc_type, exc, tb, file=sys.stderr)  # a terminal still sees it
    report(exc, context="Unexpected error")


def _thread_hook(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit or args.exc_value is None:
        return
    exc = args.exc_value
    if exc.__traceback__ is None and args.exc_traceback is not None:
        exc = exc.with_traceback(args.exc_traceback)
    name = args.thread.name if args.thread is not None else "a background thread"
    traceback.print_exception(args.exc_type, exc, args.exc_traceback, file=sys.stderr)
    report(exc, context=f"Unexpected error in {name}")


def install(parent_window: QWidget | None = None) -> None:
    """Hook sys/threading excepthooks (call on the UI thread, after QApplication exists) and
    make sure there is a log file (`logs.setup_logging()` unless already done). `parent_window`
    anchors the notice; without it the active window is used. Idempotent."""
    global _dispatcher, _previous
    from pixie_desktop import logs

    if logs.current_log_file() is None:
        logs.setup_logging()
    if _dispatcher is not None:
        _dispatcher.parent_window = parent_window or _dispatcher.parent_window
        return
    _dispatcher = _Dispatcher(parent_window)
    _previous = (sys.excepthook, threading.excepthook)
    sys.excepthook = _sys_hook
    threading.excepthook = _thread_hook


def set_parent_window(window: QWidget | None) -> None:
    """Anchor later notices on the main window once it exists."""
    if _dispatcher is not None:
        _dispatcher.parent_window = window


def current_notice() -> ErrorNotice | None:
    """The notice on screen, if any (tests, and the main window's shutdown)."""
    return _dispatcher.notice if _dispatcher is not None else None


def uninstall() -> None:
    """Restore the previous hooks and close the notice (tests; app exit)."""
    global _dispatcher, _previous
    if _previous is not None:
        sys.excepthook, threading.excepthook = _previous
        _previous = None
    dispatcher, _dispatcher = _dispatcher, None
    if dispatcher is not None:
        dispatcher.close_notice()
        dispatcher.deleteLater()
