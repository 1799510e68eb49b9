"""The error path (pixie_desktop/ui/errors.py): exceptions escaping a thread or a Qt slot are
logged with their traceback and shown in one non-modal notice whose "Copy details" puts the
traceback on the clipboard; a storm of errors still opens a single notice."""

from __future__ import annotations

import logging
import sys
import threading

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from pixie_desktop import logs
from pixie_desktop.ui import errors


def _flush_deletes() -> None:
    from PySide6.QtCore import QCoreApplication, QEvent

    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def hooks(qtbot):
    errors.install()
    yield
    errors.uninstall()
    logs.shutdown_logging()
    _flush_deletes()  # the closed notice is really gone (no top-level widget left behind)


def _notice(qtbot) -> errors.ErrorNotice:
    qtbot.waitUntil(lambda: errors.current_notice() is not None, timeout=5000)
    return errors.current_notice()


def _open_notices() -> list:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, errors.ErrorNotice) and w.isVisible()]


def _explode_in_worker_thread() -> None:
    raise ValueError("thread went wrong")


def test_thread_exception_is_logged_and_shown(qtbot, hooks, caplog):
    caplog.set_level(logging.ERROR, logger="pixie_desktop")
    assert threading.excepthook is not threading.__excepthook__
    t = threading.Thread(target=_explode_in_worker_thread, name="worker-7")
    t.start()
    t.join()
    notice = _notice(qtbot)
    assert notice.isVisible() and not notice.isModal() and notice.count == 1
    assert "ValueError: thread went wrong" in notice.headline.text() and "worker-7" in notice.headline.text()
    record = next(r for r in caplog.records if r.name == "pixie_desktop.ui.errors")
    assert "_explode_in_worker_thread" in record.getMessage() and "Traceback" in record.getMessage()
    notice.copy_button.click()
    copied = QApplication.clipboard().text()
    assert "Traceback (most recent call last)" in copied and "_explode_in_worker_thread" in copied
    assert "ValueError: thread went wrong" in copied
    logs_text = logs.current_log_file().read_text(encoding="utf-8")
    assert "_explode_in_worker_thread" in logs_text


def _slot_that_raises() -> None:
    raise KeyError("missing-thing")


@pytest.mark.qt_no_exception_capture
def test_exception_in_qt_slot_goes_to_the_notice(qtbot, hooks):
    assert sys.excepthook is errors._sys_hook
    QTimer.singleShot(0, _slot_that_raises)
    notice = _notice(qtbot)
    assert notice.count == 1 and "KeyError" in notice.headline.text()
    notice.copy_button.click()
    assert "_slot_that_raises" in QApplication.clipboard().text()


def test_storm_opens_one_notice_and_counts(qtbot, hooks):
    threads = [threading.Thread(target=_explode_in_worker_thread) for _ in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    notice = _notice(qtbot)
    qtbot.waitUntil(lambda: notice.count == 30, timeout=5000)
    assert len(_open_notices()) == 1
    assert "29 more errors" in notice.more.text()
    notice.copy_button.click()
    assert QApplication.clipboard().text().count("Traceback") == errors.MAX_KEPT
    # once dismissed, the next error opens a fresh notice
    notice.close()
    qtbot.waitUntil(lambda: errors.current_notice() is None, timeout=5000)
    errors.report(RuntimeError("later"))
    fresh = _notice(qtbot)
    assert fresh.count == 1 and "later" in fresh.headline.text()


def test_uninstall_restores_hooks_and_closes_notice(qtbot):
    before = (sys.excepthook, threading.excepthook)
    errors.install()
    try:
        errors.report(OSError("disk"))
        notice = _notice(qtbot)
    finally:
        errors.uninstall()
        logs.shutdown_logging()
    assert (sys.excepthook, threading.excepthook) == before
    assert errors.current_notice() is None and not notice.isVisible()
    _flush_deletes()
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, errors.ErrorNotice)]


def test_report_without_install_only_logs(caplog):
    caplog.set_level(logging.ERROR, logger="pixie_desktop")
    try:
        raise ZeroDivisionError("nope")
    except ZeroDivisionError as exc:
        errors.report(exc, context="Sums failed")
    assert errors.current_notice() is None
    assert any("Sums failed: ZeroDivisionError: nope" in r.getMessage() for r in caplog.records)


def test_notice_is_anchored_on_the_main_window(qtbot, hooks):
    from PySide6.QtWidgets import QMainWindow

    window = QMainWindow()
    qtbot.addWidget(window)
    window.show()
    errors.report(RuntimeError("anchored"))
    notice = _notice(qtbot)
    assert notice.parent() is window and not notice.isModal()
    assert window.isEnabled()  # nothing blocks the window
