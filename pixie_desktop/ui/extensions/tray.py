"""The "tray" extension: the tray icon and taskbar progress (ui/tray.py), fed with run starts and
finishes by the window's RunController."""

from __future__ import annotations

from typing import Any


class TrayExtension:
    name = "tray"

    def __init__(self, **tray_options: Any) -> None:
        self.tray_options = tray_options  # notifier / taskbar / icon, for tests and embedding
        self.tray: Any = None
        self._runs: Any = None

    def install(self, services: Any) -> None:
        from pixie_desktop.ui.tray import install_tray

        self.tray = install_tray(services.window, services.ctx, **self.tray_options)
        self._services = services
        self._runs = services.window.run_controller
        self._runs.runStarted.connect(self._on_started)
        self._runs.runFinished.connect(self._on_finished)
        self._runs.runFailed.connect(self._on_failed)

    def _title(self, tool_id: str) -> str:
        info = self._services.window.tools_model.tool(tool_id)
        return info.name if info is not None else tool_id

    def _announced(self, run_id: str) -> bool:  # a queued run dropped before it started never was
        return self.tray is not None and any(r.run_id == run_id for r in self.tray.recent)

    def _on_started(self, run_id: str, tool_id: str) -> None:
        if self.tray is not None:
            self.tray.run_started(run_id, self._title(tool_id))

    def _on_finished(self, run_id: str, tool_id: str, result: Any) -> None:
        from pixie_desktop.ui.run_controller import never_started

        if self.tray is None or (never_started(result) and not self._announced(run_id)):
            return
        self.tray.run_finished(run_id, self._title(tool_id), result.status, result.duration_s, result.error)

    def _on_failed(self, run_id: str, tool_id: str, text: str) -> None:
        if self._announced(run_id):
            self.tray.run_finished(run_id, self._title(tool_id), "error", None, text)

    def shutdown(self) -> None:
        runs, self._runs = self._runs, None
        if runs is not None:
            for signal, slot in ((runs.runStarted, self._on_started), (runs.runFinished, self._on_finished),
                                 (runs.runFailed, self._on_failed)):
                try:
                    signal.disconnect(slot)
                except (RuntimeError, TypeError):  # the controller is already gone at exit
                    pass
        if self.tray is not None:
            self.tray.shutdown()
