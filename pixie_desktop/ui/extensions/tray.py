"""The "tray" extension: the tray icon and taskbar progress (ui/tray.py), fed with run starts and
finishes heard on the store-events hub."""

from __future__ import annotations

from typing import Any

from pixie_desktop.store import runs_repo


class TrayExtension:
    name = "tray"

    def __init__(self, **tray_options: Any) -> None:
        self.tray_options = tray_options  # notifier / taskbar / icon, for tests and embedding
        self.tray: Any = None
        self._hub: Any = None

    def install(self, services: Any) -> None:
        from pixie_desktop.ui.tray import install_tray

        self.tray = install_tray(services.window, services.ctx, **self.tray_options)
        self._services = services
        self._seen_running: set[str] = set()
        self._hub = services.events
        self._hub.runChanged.connect(self._on_run)

    def _on_run(self, run_id: str) -> None:
        s = self._services
        rec = runs_repo.get_run(s.ctx.conn, run_id)
        if rec is None or self.tray is None:
            return
        info = s.window.tools_model.tool(rec.tool_id)
        title = info.name if info is not None else rec.tool_id
        if rec.status == "running":
            if run_id not in self._seen_running:
                self._seen_running.add(run_id)
                self.tray.run_started(run_id, title)
        elif run_id in self._seen_running:
            self._seen_running.discard(run_id)
            self.tray.run_finished(run_id, title, rec.status, rec.duration_s, rec.error_text)

    def shutdown(self) -> None:
        if self._hub is not None:
            try:
                self._hub.runChanged.disconnect(self._on_run)
            except (RuntimeError, TypeError):  # the hub is already gone at exit
                pass
            self._hub = None
        if self.tray is not None:
            self.tray.shutdown()
