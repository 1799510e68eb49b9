"""GUI entry: build the QApplication, the AppContext and the main window, then plug in the
optional parts other modules provide (command palette, window-level drop, validation controls,
tray, single instance). Each extra is guarded: one failing to load never stops the app."""

from __future__ import annotations

import sys
from typing import Any, Callable


def install_extensions(window: Any, ctx: Any) -> list[str]:
    """Wire the optional pieces into a MainWindow; returns the names of those that failed."""
    failed: list[str] = []

    def attempt(name: str, fn: Callable[[], Any]) -> None:
        try:
            fn()
        except Exception as exc:  # noqa: BLE001 - an extra must never stop the window
            failed.append(f"{name}: {type(exc).__name__}: {exc}")

    def palette() -> None:
        from pixie_desktop.ui.views.command_palette import install_command_palette
        install_command_palette(window, ctx)

    def drops() -> None:
        from pixie_desktop.ui.views.drop_overlay import DropController
        ctl = DropController(window, ctx, tools_provider=lambda: [r.info for r in window.tools_model.rows()])
        ctl.message.connect(lambda text: window.statusBar().showMessage(text, 8000))
        ctl.toolImported.connect(lambda tool_id: (window.refresh_tools(sync=True), window.open_tool(tool_id)))
        window.drop_controller = ctl

    def validation() -> None:
        from pixie_desktop.ui import revalidate
        window.revalidate = revalidate.install(window)

    def tray() -> None:
        from pixie_desktop.ui.tray import install_tray
        install_tray(window)

    attempt("command palette", palette)
    attempt("window drop", drops)
    attempt("validation", validation)
    attempt("tray", tray)
    return failed


def run_gui(args: list[str]) -> int:
    from PySide6.QtWidgets import QApplication

    from pixie_desktop import APP_ID, APP_NAME
    from pixie_desktop.context import open_context
    from pixie_desktop.ui.views.main_window import MainWindow

    app = QApplication.instance() or QApplication([sys.argv[0], *args])
    app.setApplicationName(APP_ID)
    app.setApplicationDisplayName(APP_NAME)
    app.setDesktopFileName(APP_ID)
    ctx = open_context()
    single = None
    try:
        from pixie_desktop.ui.single_instance import SingleInstance

        single = SingleInstance.for_settings(ctx.settings)
        if single.send(list(args)):
            ctx.close()
            return 0  # the running window got our arguments and came to the front
    except Exception:  # noqa: BLE001 - no single-instance support: just run
        single = None
    try:
        from pixie_desktop.ui.tray import app_icon

        app.setWindowIcon(app_icon())
    except Exception:  # noqa: BLE001
        pass
    window = MainWindow(ctx)
    for problem in install_extensions(window, ctx):
        print(f"pixie-desktop: {problem}", file=sys.stderr)
    if single is not None:
        from pixie_desktop.ui.single_instance import activate_window

        single.start(lambda _msg: activate_window(window))
    window.show()
    try:
        return app.exec()
    finally:
        window.shutdown()
        if single is not None:
            single.stop()
        ctx.close()
