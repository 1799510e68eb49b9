"""The "live_discovery" extension: the app follows the tools folder while it runs. A tool folder
added, removed or renamed, or an edited tool.json / pyproject.toml / main.py / .env, reaches the
sidebar, Home and open tool pages within about a second — no F5, no restart.

Two sources feed one check, because neither is enough alone:
- a QFileSystemWatcher on tools/, each tool folder and its watched files answers at once, but
  loses a file that an editor saves by atomic rename (the watch goes with the old inode) and
  has per-user limits; its paths are re-armed after every check;
- a slow poll (POLL_MS) catches whatever the watcher missed.
Both only schedule a debounced check (DEBOUNCE_MS, so a burst of saves makes one rescan). The
check computes `catalog.discovery.tools_snapshot` on the worker pool (the UI thread never stats
files) and, only when the digest moved, asks the window to rescan (`refresh_tools()`, itself
off the UI thread). A warm process of an edited tool is restarted by the warm pool on its next
lease (it compares the folder's process hash), so nothing here stops processes."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer

from pixie_desktop.catalog.discovery import ToolsSnapshot, tools_snapshot

log = logging.getLogger(__name__)

DEBOUNCE_MS = 250
POLL_MS = 900


class LiveDiscovery(QObject):
    """Watches one tools folder and calls `on_changed()` (on the UI thread) when it changed."""

    def __init__(self, tools_dir: Any, on_changed: Any, submit: Any, parent: QObject | None = None,
                 *, debounce_ms: int = DEBOUNCE_MS, poll_ms: int = POLL_MS):
        super().__init__(parent)
        self.tools_dir = tools_dir
        self._on_changed, self._submit = on_changed, submit
        self._digest: str | None = None
        self._checking = self._again = self._stopped = False
        self.rescans = 0  # how many times a change was announced (tests, diagnostics)
        self.watcher = QFileSystemWatcher(self)
        self.watcher.directoryChanged.connect(self.poke)
        self.watcher.fileChanged.connect(self.poke)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(debounce_ms)
        self._debounce.timeout.connect(self._check)
        self._poll = QTimer(self)
        self._poll.setInterval(poll_ms)
        self._poll.timeout.connect(self._check)

    def start(self) -> None:
        self._stopped = False
        self._poll.start()
        self._check()  # the first check only records the starting point (and arms the watches)

    def stop(self) -> None:
        self._stopped = True
        self._poll.stop()
        self._debounce.stop()
        paths = self.watcher.files() + self.watcher.directories()
        if paths:
            self.watcher.removePaths(paths)

    def poke(self, *_: Any) -> None:
        """Something under tools/ moved: check soon (restarts the debounce)."""
        if not self._stopped:
            self._debounce.start()

    def _check(self) -> None:
        if self._stopped:
            return
        if self._checking:  # one snapshot at a time; a change seen meanwhile gets its own check
            self._again = True
            return
        self._checking = True
        folder = self.tools_dir() if callable(self.tools_dir) else self.tools_dir  # Settings may move it
        self._submit(tools_snapshot, folder, on_result=self._got, on_error=self._failed)

    def _failed(self, exc: BaseException) -> None:
        self._checking = False
        log.warning("live discovery: could not look at %s: %s", self.tools_dir, exc)

    def _got(self, snap: ToolsSnapshot) -> None:
        self._checking = False
        if self._stopped:
            return
        self._rearm(snap)
        changed = self._digest is not None and snap.digest != self._digest
        self._digest = snap.digest
        if changed:
            self.rescans += 1
            self._on_changed()
        if self._again:
            self._again = False
            self._debounce.start()

    def _rearm(self, snap: ToolsSnapshot) -> None:
        """Watch exactly the snapshot's paths: new folders and files re-created by an atomic
        save get a fresh watch, gone ones are dropped."""
        want = set(snap.dirs) | set(snap.files)
        have = set(self.watcher.files()) | set(self.watcher.directories())
        gone, new = sorted(have - want), sorted(want - have)
        if gone:
            self.watcher.removePaths(gone)
        if new:
            failed = self.watcher.addPaths(new)
            if failed:  # watch limit reached or a path vanished: the poll still covers them
                log.debug("live discovery: could not watch %d path(s)", len(failed))


class LiveDiscoveryExtension:
    name = "live_discovery"

    def __init__(self, *, debounce_ms: int = DEBOUNCE_MS, poll_ms: int = POLL_MS) -> None:
        self._debounce_ms, self._poll_ms = debounce_ms, poll_ms
        self.live: LiveDiscovery | None = None

    def install(self, services: Any) -> None:
        win = services.window
        self.live = LiveDiscovery(lambda: services.ctx.settings.tools_dir, lambda: win.refresh_tools(), services.submit,
                                  win, debounce_ms=self._debounce_ms, poll_ms=self._poll_ms)
        self.live.start()

    def shutdown(self) -> None:
        if self.live is not None:
            self.live.stop()
            self.live.deleteLater()
            self.live = None
