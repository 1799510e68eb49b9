"""The conftest's Qt leak guard notices each kind of leak it promises to (and not clean tests)."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from conftest import QtLeakCheck


def test_guard_reports_window_timer_and_pool_job(qtbot):
    from pixie_desktop.ui import workers

    check = QtLeakCheck(QApplication.instance())
    window = QWidget()
    window.setObjectName("leaky-window")
    window.show()
    owner = QObject()
    owner.setObjectName("timer-owner")
    timer = QTimer(owner)
    timer.start(60_000)
    release = threading.Event()
    task = workers.submit(release.wait, 30)
    try:
        leaks = check.leaks(drain_seconds=0.2)
    finally:
        release.set()
        check.clean_up()
    text = "\n".join(leaks)
    assert "top-level window: QWidget 'leaky-window' (visible)" in text
    assert "running QTimer: QTimer owned by QObject 'timer-owner'" in text
    assert "live Task(s) in ui.workers" in text
    assert not timer.isActive() and task.is_cancelled()


def test_guard_is_quiet_after_a_clean_test(qtbot):
    check = QtLeakCheck(QApplication.instance())
    window = QWidget()
    window.show()
    timer = QTimer(window)
    timer.start(60_000)
    window.close()
    window.deleteLater()
    del window, timer
    assert check.leaks(drain_seconds=0.2) == []
