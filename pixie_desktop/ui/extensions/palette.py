"""The "palette" extension: the command palette (ui/views/command_palette.py) over the window's
tools (as the sidebar's model holds them, archived ones left out), recent runs, starred outputs
and the commands declared for the palette in the actions registry; its Ctrl+K / Ctrl+Shift+P
binding is itself a declared action, which takes Ctrl+K from Find tool (Ctrl+F stays)."""

from __future__ import annotations

from typing import Any

from pixie_desktop.ui.actions import WINDOW, Action

PALETTE_SHORTCUTS = ("Ctrl+K", "Ctrl+Shift+P")


class PaletteExtension:
    name = "palette"

    def __init__(self) -> None:
        self._palette: Any = None
        self._actions: Any = None
        self._services: Any = None

    def install(self, services: Any) -> None:
        self._services = services
        self._actions = services.actions
        self._actions.register(Action("commandPalette", "Command palette", lambda _c: self.palette.open(), (WINDOW,),
                                      PALETTE_SHORTCUTS, help="command palette: tools, runs, starred, commands"))

    @property
    def palette(self) -> Any:
        """The palette widget, built on first use (its view and fuzzy matching are not needed to
        show the window)."""
        if self._palette is None and self._services is not None:
            from pixie_desktop.ui.views.command_palette import default_provider, install_command_palette, \
                registry_commands

            services = self._services
            model = services.window.tools_model

            def live_tools() -> list:
                return [r.info for r in model.rows()
                        if not r.state.archived and not (r.info.spec and r.info.spec.archived)]

            provider = default_provider(services.window, services.ctx, tools=live_tools,
                                        commands=lambda: registry_commands(services.actions))
            self._palette = install_command_palette(services.window, services.ctx, shortcuts=(), provider=provider)
        return self._palette

    def shutdown(self) -> None:
        if self._actions is not None:
            self._actions.unregister("commandPalette")
            self._actions = None
        if self._palette is not None:
            self._palette.hide()
