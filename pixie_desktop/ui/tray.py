"""Tray icon, finished-run notifications and taskbar progress.

- `TrayController` shows a system-tray icon (when the desktop has a tray; never the only way in)
  with Show, a "Recent runs" menu and Quit; after a run longer than
  `settings.notify_after_seconds` finishes while the window is not active it sends a desktop
  notification (the tray balloon, else freedesktop Notifications over D-Bus).
- `TaskbarProgress` puts a count of running runs and their mean progress on the dock/taskbar
  icon: on Linux through the Unity LauncherEntry D-Bus signal (GNOME Dash-to-Dock, KDE, Plank
  read it) when QtDBus and a session bus exist; elsewhere it does nothing.

The "tray" extension (ui/extensions/tray.py) feeds it run events:
    tray = install_tray(main_window, ctx)
    tray.run_started(run_id, tool_name); tray.run_progress(run_id, 0.4)
    tray.run_finished(run_id, tool_name, status, duration_s)
"""

from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget

from pixie_desktop import APP_ID, APP_NAME
from pixie_desktop.ui.app_icon import app_icon  # noqa: F401 - also imported from here

RECENT_LIMIT = 8
STATUS_MARK = {"ok": "✓", "error": "✗", "cancelled": "⊘", "running": "…"}


def should_notify(duration_s: float | None, threshold_s: float, window_active: bool) -> bool:
    """Notify only for runs that took a while, and only when the user is looking elsewhere."""
    return (not window_active) and duration_s is not None and duration_s >= threshold_s


def launcher_entry_properties(progress: float | None, count: int) -> dict[str, Any]:
    """The `a{sv}` payload of com.canonical.Unity.LauncherEntry.Update."""
    props: dict[str, Any] = {"count": int(count), "count-visible": count > 0}
    if progress is None:
        props.update({"progress": 0.0, "progress-visible": False})
    else:
        props.update({"progress": float(min(1.0, max(0.0, progress))), "progress-visible": True})
    return props


class TaskbarProgress(QObject):
    """Count + progress on the launcher icon. `sender(props)` can be injected (tests, other OSes)."""

    def __init__(self, parent: QObject | None = None, sender: Callable[[dict[str, Any]], bool] | None = None):
        super().__init__(parent)
        self._sender = sender if sender is not None else self._dbus_sender()
        self._progress: dict[str, float | None] = {}
        self.last: dict[str, Any] | None = None

    @property
    def supported(self) -> bool:
        return self._sender is not None

    @staticmethod
    def _dbus_sender() -> Callable[[dict[str, Any]], bool] | None:
        if not sys.platform.startswith("linux"):
            return None
        try:
            from PySide6.QtDBus import QDBusConnection, QDBusMessage
        except ImportError:
            return None
        bus = QDBusConnection.sessionBus()
        if not bus.isConnected():
            return None
        app_uri = f"application://{APP_ID}.desktop"
        path = "/com/canonical/unity/launcherentry/" + hashlib.md5(app_uri.encode()).hexdigest()[:16]

        def send(props: dict[str, Any]) -> bool:
            msg = QDBusMessage.createSignal(path, "com.canonical.Unity.LauncherEntry", "Update")
            msg.setArguments([app_uri, props])
            return bus.send(msg)

        return send

    def set_run(self, run_id: str, fraction: float | None) -> None:
        self._progress[run_id] = fraction
        self._push()

    def finish_run(self, run_id: str) -> None:
        self._progress.pop(run_id, None)
        self._push()

    def _push(self) -> None:
        known = [v for v in self._progress.values() if v is not None]
        count = len(self._progress)
        progress = (sum(known) / len(known)) if known and count else None
        props = launcher_entry_properties(progress, count)
        if props == self.last:
            return
        self.last = props
        if self._sender is not None:
            try:
                self._sender(props)
            except Exception:  # noqa: BLE001 - a dock that is not listening must never break runs
                pass


@dataclass
class RecentRun:
    run_id: str
    title: str
    status: str


class TrayController(QObject):
    openRunRequested = Signal(str)
    showRequested = Signal()
    quitRequested = Signal()
    notified = Signal(str, str)  # title, body (for tests and an in-app toast)

    def __init__(self, window: QWidget, settings: Any = None, icon: QIcon | None = None,
                 notifier: Callable[[str, str], bool] | None = None, taskbar: TaskbarProgress | None = None):
        super().__init__(window)
        self.window = window
        self.settings = settings
        self.recent: list[RecentRun] = []
        self.taskbar = taskbar if taskbar is not None else TaskbarProgress(self)
        self.menu = QMenu(window)
        self.show_action = QAction(f"Show {APP_NAME}", self.menu)
        self.show_action.triggered.connect(self._show_window)
        self.recent_menu = QMenu("Recent runs", self.menu)
        self.quit_action = QAction("Quit", self.menu)
        self.quit_action.triggered.connect(self.quitRequested.emit)
        self.menu.addAction(self.show_action)
        self.menu.addMenu(self.recent_menu)
        self.menu.addSeparator()
        self.menu.addAction(self.quit_action)
        self.tray: QSystemTrayIcon | None = None
        self._rebuild_recent()
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(icon or app_icon(), self)
            self.tray.setToolTip(APP_NAME)
            self.tray.setContextMenu(self.menu)
            self.tray.activated.connect(self._on_activated)
            self.tray.show()
        self._notifier = notifier if notifier is not None else self._default_notifier

    # -- runs ------------------------------------------------------------------------------
    def threshold(self) -> float:
        return float(getattr(self.settings, "notify_after_seconds", 5.0) if self.settings is not None else 5.0)

    def run_started(self, run_id: str, title: str) -> None:
        self.taskbar.set_run(run_id, None)
        self._remember(RecentRun(run_id, title, "running"))

    def run_progress(self, run_id: str, fraction: float | None) -> None:
        self.taskbar.set_run(run_id, fraction)

    def run_finished(self, run_id: str, title: str, status: str, duration_s: float | None,
                     error: str | None = None) -> bool:
        """Record the run; returns True when a notification was sent."""
        self.taskbar.finish_run(run_id)
        self._remember(RecentRun(run_id, title, status))
        if not should_notify(duration_s, self.threshold(), self.window.isActiveWindow()):
            return False
        secs = f"{duration_s:.0f} s" if duration_s is not None and duration_s < 120 else \
            f"{(duration_s or 0) / 60:.1f} min"
        head = {"ok": f"{title} finished", "error": f"{title} failed", "cancelled": f"{title} was cancelled"}
        body = (error or "").strip().splitlines()[0][:160] if status == "error" and error else f"Took {secs}."
        self.notified.emit(head.get(status, f"{title}: {status}"), body)
        return bool(self._notifier(head.get(status, f"{title}: {status}"), body))

    def set_recent_runs(self, runs: list[RecentRun]) -> None:
        self.recent = list(runs)[:RECENT_LIMIT]
        self._rebuild_recent()

    def load_recent(self, conn: Any, names: dict[str, str] | None = None) -> None:
        from pixie_desktop.queries import runs as run_queries

        names = names or {}
        self.set_recent_runs([RecentRun(r.id, r.label or names.get(r.tool_id, r.tool_id), r.status)
                              for r in run_queries.recent(conn, RECENT_LIMIT)])

    def _remember(self, run: RecentRun) -> None:
        self.recent = [run] + [r for r in self.recent if r.run_id != run.run_id]
        del self.recent[RECENT_LIMIT:]
        self._rebuild_recent()

    def _rebuild_recent(self) -> None:
        self.recent_menu.clear()
        if not self.recent:
            empty = self.recent_menu.addAction("No runs yet")
            empty.setEnabled(False)
        for r in self.recent:
            act = self.recent_menu.addAction(f"{STATUS_MARK.get(r.status, '•')}  {r.title}")
            act.setData(r.run_id)
            act.triggered.connect(lambda _=False, rid=r.run_id: self._open_run(rid))
        running = sum(1 for r in self.recent if r.status == "running")
        if self.tray is not None:
            self.tray.setToolTip(APP_NAME + (f" — {running} running" if running else ""))

    # -- window ----------------------------------------------------------------------------
    def _show_window(self) -> None:
        from pixie_desktop.ui.single_instance import activate_window

        activate_window(self.window)
        self.showRequested.emit()

    def _open_run(self, run_id: str) -> None:
        self._show_window()
        opener = getattr(self.window, "open_run", None)
        if callable(opener):
            opener(run_id)
        self.openRunRequested.emit(run_id)

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self._show_window()

    def _default_notifier(self, title: str, body: str) -> bool:
        if self.tray is not None and self.tray.isVisible() and QSystemTrayIcon.supportsMessages():
            self.tray.showMessage(title, body, self.tray.icon(), 8000)
            return True
        return dbus_notify(title, body)

    def shutdown(self) -> None:
        for run_id in list(self.taskbar._progress):  # noqa: SLF001 - clear the dock badge on exit
            self.taskbar.finish_run(run_id)
        if self.tray is not None:
            self.tray.hide()


def dbus_notify(title: str, body: str) -> bool:
    """org.freedesktop.Notifications.Notify, fire and forget. False when unavailable."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        from PySide6.QtDBus import QDBusConnection, QDBusInterface
    except ImportError:
        return False
    bus = QDBusConnection.sessionBus()
    if not bus.isConnected():
        return False
    iface = QDBusInterface("org.freedesktop.Notifications", "/org/freedesktop/Notifications",
                           "org.freedesktop.Notifications", bus)
    if not iface.isValid():
        return False
    from PySide6.QtDBus import QDBus

    iface.call(QDBus.CallMode.NoBlock, "Notify", APP_NAME, 0, APP_ID, title, body, [], {"desktop-entry": APP_ID}, -1)
    return True


def install_tray(main_window: Any, ctx: Any = None, **kwargs: Any) -> TrayController:
    """Build the tray for `main_window` (`ctx`, default `main_window.ctx`, gives the settings and
    the recent runs). The app installs it as the "tray" extension (ui/extensions/tray.py)."""
    ctx = ctx if ctx is not None else getattr(main_window, "ctx", None)
    tray = TrayController(main_window, getattr(ctx, "settings", None), **kwargs)
    if ctx is not None:
        try:
            names = {t.tool_id: t.name for t in ctx.tools()}
            tray.load_recent(ctx.conn, names)
        except Exception:  # noqa: BLE001 - the tray must not stop the app from starting
            pass
    return tray
