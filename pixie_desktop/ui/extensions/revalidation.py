"""The "revalidation" extension: validation of every tool from the app — the status-bar progress
widget, the daily sweep of changed tools, and three commands declared in the actions registry:
Tools ▸ Validate all tools, Tools ▸ Secrets… (for the open tool) and Edit ▸ Settings… (Ctrl+,).
A saved secret stops that tool's warm process off the UI thread, so the next run sees it."""

from __future__ import annotations

from typing import Any

from pixie_desktop.ui.actions import PALETTE, Action, ActionContext


class RevalidationExtension:
    name = "revalidation"
    ACTION_IDS = ("validateAll", "editSecrets", "openSettings")

    def __init__(self) -> None:
        self.controller: Any = None
        self.status_widget: Any = None
        self._services: Any = None

    def install(self, services: Any) -> None:
        from pixie_desktop.ui.revalidate import RevalidateController, RevalidateStatusWidget

        self._services = services
        win = services.window
        self.controller = ctl = RevalidateController(services.ctx, win)
        self.status_widget = RevalidateStatusWidget(ctl, win)
        win.statusBar().addPermanentWidget(self.status_widget)
        ctl.start_nightly()
        reg = services.actions
        reg.register(Action("validateAll", "Validate all tools", lambda _c: ctl.revalidate_all(),
                            ("Tools", PALETTE), section=1))
        reg.register(Action("editSecrets", "Secrets…", self.open_secrets, ("Tools", PALETTE), section=1))
        reg.register(Action("openSettings", "Settings…", self.open_settings, ("Edit", PALETTE), ("Ctrl+,",),
                            section=1, help="settings"))

    def open_settings(self, _c: ActionContext | None = None) -> None:
        from pixie_desktop.ui.views.settings_dialog import SettingsDialog

        s = self._services
        SettingsDialog(s.ctx.settings, s.ctx.conn, s.window).exec()

    def open_secrets(self, c: ActionContext | None = None) -> None:
        from pixie_desktop.ui.views.secrets_editor import SecretsEditorDialog

        s = self._services
        tool_id = c.tool_id if c is not None else None
        tool = s.ctx.find_tool(tool_id) if tool_id else None
        if tool is None:
            s.status("Open a tool first to edit its secrets", 5000)
            return
        SecretsEditorDialog(tool, s.window, on_saved=self._stop_warm).exec()

    def _stop_warm(self, tool_id: str) -> None:
        pool = getattr(self._services.runner(), "pool", None)
        if pool is not None:
            self._services.submit(pool.stop, tool_id)

    def shutdown(self) -> None:
        if self._services is not None:
            for action_id in self.ACTION_IDS:
                self._services.actions.unregister(action_id)
        if self.controller is not None:
            self.controller.shutdown()
