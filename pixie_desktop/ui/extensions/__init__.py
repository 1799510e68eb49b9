"""Extensions: the optional parts of the desktop app (window-level drops, revalidation, the
housekeeping sweeper, the tray, the command palette, live discovery of the tools folder, single
instance), each installed with
explicit services and shut down from one place.

    exts = Extensions(Services.for_window(window))
    failed = exts.install_all(default_extensions())   # a failing extension is reported, never fatal
    exts.get("drops").handle_paths([...])
    exts.shutdown()                                   # reverse install order

An extension is any object with a `name`, `install(services) -> None` and `shutdown() -> None`.
Nothing is set on the window: what an extension adds (menu entries, shortcuts) goes through the
actions registry, what it shows goes through the window's public hooks."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Protocol, runtime_checkable

log = logging.getLogger(__name__)


@dataclass
class Services:
    """What an extension may use. `window` is the MainWindow (its public hooks: open_tool,
    open_run, refresh_tools, statusBar, tools_model…); the rest are named so extensions need
    not reach into it."""

    ctx: Any                                   # AppContext: settings, conn, tools()
    events: Any                                # the StoreEvents hub
    window: Any                                # MainWindow
    actions: Any                               # the window's ActionRegistry
    runner: Callable[[], Any]                  # the shared Runner, or None before the first run
    status: Callable[[str, int], None]         # show a status-bar message for some milliseconds
    submit: Callable[..., Any]                 # ui.workers.submit: background work off the UI thread
    tools: Callable[[], list]                  # the ToolInfo of every discovered tool, from the model

    @classmethod
    def for_window(cls, window: Any, ctx: Any = None) -> "Services":
        from pixie_desktop.ui.workers import submit

        return cls(ctx=ctx if ctx is not None else window.ctx, events=window.events, window=window,
                   actions=window.action_registry, runner=lambda: window.get_runner(create=False),
                   status=lambda text, ms=8000: window.statusBar().showMessage(text, ms), submit=submit,
                   tools=lambda: [r.info for r in window.tools_model.rows()])


@runtime_checkable
class Extension(Protocol):
    name: str

    def install(self, services: Services) -> None: ...

    def shutdown(self) -> None: ...


class Extensions:
    """The app's installed extensions, in install order."""

    def __init__(self, services: Services):
        self.services = services
        self.installed: list[Extension] = []
        self.failed: list[str] = []

    def install(self, ext: Extension) -> bool:
        try:
            ext.install(self.services)
        except Exception as exc:  # noqa: BLE001 - an extension must never stop the app
            log.exception("extension %s failed to install", ext.name)
            self.failed.append(f"{ext.name}: {type(exc).__name__}: {exc}")
            try:
                ext.shutdown()  # undo whatever it got to before failing
            except Exception:  # noqa: BLE001 - half-installed: best effort, already reported above
                log.debug("extension %s: shutdown after a failed install also failed", ext.name, exc_info=True)
            return False
        self.installed.append(ext)
        return True

    def install_all(self, exts: Iterable[Extension]) -> list[str]:
        """Install each; returns the failures ("name: Error: message") of this call."""
        before = len(self.failed)
        for ext in exts:
            self.install(ext)
        return self.failed[before:]

    def get(self, name: str) -> Any:
        return next((e for e in self.installed if e.name == name), None)

    def names(self) -> list[str]:
        return [e.name for e in self.installed]

    def shutdown(self) -> None:
        """Shut every extension down, last installed first; one failing does not stop the rest."""
        while self.installed:
            ext = self.installed.pop()
            try:
                ext.shutdown()
            except Exception:  # noqa: BLE001 - exit must continue
                log.exception("extension %s failed to shut down", ext.name)


# (name, module, class) in install order (the same order as before they were extensions)
_DEFAULTS: tuple[tuple[str, str, str], ...] = (
    ("palette", "palette", "PaletteExtension"), ("drops", "drops", "DropsExtension"),
    ("revalidation", "revalidation", "RevalidationExtension"), ("tray", "tray", "TrayExtension"),
    ("sweeper", "sweeper", "SweeperExtension"), ("live_discovery", "live_discovery", "LiveDiscoveryExtension"),
    ("search-index", "search_index", "SearchIndexExtension"))


def default_extensions(single_instance: Any = None, open_paths: Callable[[list[str]], None] | None = None,
                       *, only: Iterable[str] | None = None, skip: Iterable[str] = ()) -> list[Extension]:
    """The app's extensions in install order; `only` / `skip` select by name, and only the
    selected ones' modules are imported (the app installs the background ones after its first
    paint). "single-instance" comes last, when `single_instance` is given."""
    import importlib

    chosen, skipped = (None if only is None else set(only)), set(skip)

    def wanted(name: str) -> bool:
        return name not in skipped and (chosen is None or name in chosen)

    exts: list[Extension] = []
    for name, module, cls in _DEFAULTS:
        if wanted(name):
            exts.append(getattr(importlib.import_module(f"{__name__}.{module}"), cls)())
    if single_instance is not None and wanted("single-instance"):
        from pixie_desktop.ui.extensions.single_instance import SingleInstanceExtension

        exts.append(SingleInstanceExtension(single_instance, open_paths or (lambda _args: None)))
    return exts
