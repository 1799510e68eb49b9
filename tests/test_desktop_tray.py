"""Tray and notifications: notify only for long runs while the window is inactive; recent-runs
menu; launcher-entry progress payloads; the tray degrades cleanly when no tray exists."""

from __future__ import annotations

from types import SimpleNamespace

from PySide6.QtWidgets import QMainWindow

from pixie_desktop.store import runs_repo
from pixie_desktop.ui.tray import (RecentRun, TaskbarProgress, TrayController, install_tray,
                                   launcher_entry_properties, should_notify)


def test_should_notify_rules():
    assert should_notify(10, 5, window_active=False)
    assert not should_notify(10, 5, window_active=True)
    assert not should_notify(2, 5, window_active=False)
    assert should_notify(5, 5, window_active=False)
    assert not should_notify(None, 5, window_active=False)


def test_launcher_entry_payload():
    assert launcher_entry_properties(None, 0) == {"count": 0, "count-visible": False, "progress": 0.0,
                                                  "progress-visible": False}
    p = launcher_entry_properties(1.7, 2)
    assert p["progress"] == 1.0 and p["progress-visible"] and p["count"] == 2 and p["count-visible"]


def test_taskbar_progress_averages_running_runs():
    sent = []
    bar = TaskbarProgress(sender=lambda props: sent.append(props) or True)
    bar.set_run("a", None)
    assert sent[-1]["count"] == 1 and not sent[-1]["progress-visible"]
    bar.set_run("a", 0.2)
    bar.set_run("b", 0.6)
    assert sent[-1]["count"] == 2 and abs(sent[-1]["progress"] - 0.4) < 1e-9
    n = len(sent)
    bar.set_run("b", 0.6)  # unchanged: no new signal
    assert len(sent) == n
    bar.finish_run("a")
    bar.finish_run("b")
    assert sent[-1] == launcher_entry_properties(None, 0)


class Win(QMainWindow):
    def __init__(self, active: bool):
        super().__init__()
        self.active = active
        self.opened: list[str] = []

    def isActiveWindow(self):  # noqa: N802 - offscreen has no real focus; tests decide
        return self.active

    def open_run(self, run_id):
        self.opened.append(run_id)


def _tray(qtbot, active: bool, threshold: float = 5.0):
    w = Win(active)
    qtbot.addWidget(w)
    notes: list[tuple[str, str]] = []
    sent: list[dict] = []
    tray = TrayController(w, SimpleNamespace(notify_after_seconds=threshold),
                          notifier=lambda t, b: notes.append((t, b)) or True,
                          taskbar=TaskbarProgress(sender=lambda p: sent.append(p) or True))
    return w, tray, notes, sent


def test_long_run_notifies_when_window_inactive(qtbot):
    w, tray, notes, sent = _tray(qtbot, active=False)
    tray.run_started("r1", "CSV Summary")
    assert sent[-1]["count"] == 1
    assert tray.run_finished("r1", "CSV Summary", "ok", 12.0)
    assert notes == [("CSV Summary finished", "Took 12 s.")]
    assert sent[-1]["count"] == 0
    assert not tray.run_finished("r2", "Calc", "ok", 0.3)  # short run: silent
    assert tray.run_finished("r3", "Slow", "error", 9.0, error="boom: it broke\ntraceback…")
    assert notes[-1] == ("Slow failed", "boom: it broke")


def test_no_notification_when_window_active(qtbot):
    w, tray, notes, _ = _tray(qtbot, active=True)
    assert not tray.run_finished("r1", "CSV Summary", "ok", 60.0)
    assert notes == []


def test_recent_runs_menu_opens_run(qtbot):
    w, tray, _, _ = _tray(qtbot, active=True)
    assert [a.text() for a in tray.recent_menu.actions()] == ["No runs yet"]
    for i in range(10):
        tray.run_finished(f"r{i}", f"Tool {i}", "ok", 0.1)
    tray.run_started("r3", "Tool 3")  # moves to the top as running
    acts = tray.recent_menu.actions()
    assert len(acts) == 8 and acts[0].data() == "r3" and acts[0].text().startswith("…")
    acts[1].trigger()
    assert w.opened == ["r9"]


def test_install_tray_loads_recent_runs(qtbot, ctx):
    runs_repo.create_run(ctx.conn, "run-x", "calc", {})
    runs_repo.finish_run(ctx.conn, "run-x", "error", error_text="bad")
    w = Win(active=True)
    w.ctx = ctx
    qtbot.addWidget(w)
    tray = install_tray(w, notifier=lambda t, b: True, taskbar=TaskbarProgress(sender=lambda p: True))
    assert not hasattr(w, "tray") and tray.recent[0] == RecentRun("run-x", "calc", "error")
    assert tray.threshold() == ctx.settings.notify_after_seconds
    tray.shutdown()
