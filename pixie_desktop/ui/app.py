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

    def sweeper() -> None:
        from pixie_desktop.ui.views.gallery import SweepScheduler

        sched = SweepScheduler(ctx, window)

        def done(report: Any) -> None:
            freed = len(getattr(report, "purged", ()) or ()) + len(getattr(report, "pruned_runs", ()) or ())
            if freed:
                window.statusBar().showMessage(f"Housekeeping: {report.summary()}", 8000)

        sched.finished.connect(done)
        sched.start()  # first sweep a few seconds after start-up, then every sweeper_interval_seconds
        window.sweep_scheduler = sched

    def gallery() -> None:
        page = window.pages.get("gallery")
        if page is not None and hasattr(page, "statusMessage"):
            page.statusMessage.connect(lambda text: window.statusBar().showMessage(text, 8000))

    def tray_events() -> None:
        from pixie_desktop.store import runs_repo

        tray_ctl = getattr(window, "tray", None)
        if tray_ctl is None:
            return
        seen_running: set[str] = set()

        def on_run(run_id: str) -> None:
            rec = runs_repo.get_run(ctx.conn, run_id)
            if rec is None:
                return
            info = window.tools_model.tool(rec.tool_id)
            title = info.name if info is not None else rec.tool_id
            if rec.status == "running":
                if run_id not in seen_running:
                    seen_running.add(run_id)
                    tray_ctl.run_started(run_id, title)
            elif run_id in seen_running:
                seen_running.discard(run_id)
                tray_ctl.run_finished(run_id, title, rec.status, rec.duration_s, rec.error_text)

        window.events.runChanged.connect(on_run)

    attempt("command palette", palette)
    attempt("window drop", drops)
    attempt("validation", validation)
    attempt("tray", tray)
    attempt("tray run events", tray_events)
    attempt("gallery status", gallery)
    attempt("sweeper", sweeper)
    return failed


def open_paths(window: Any, args: list[str]) -> None:
    """Files/folders given on the command line (or handed over by a second launch): a tool folder
    is offered for import; files open the tool that accepts them."""
    from pathlib import Path

    paths = [Path(a).expanduser() for a in args if a and not a.startswith("-")]
    paths = [p for p in paths if p.exists()]
    ctl = getattr(window, "drop_controller", None)
    if paths and ctl is not None:
        ctl.handle_drop(paths)


def run_gui(args: list[str]) -> int:
    from PySide6.QtWidgets import QApplication, QMessageBox

    from pixie_desktop.store.db import DatabaseUnreadable

    from pixie_desktop import APP_ID, APP_NAME
    from pixie_desktop.context import open_context
    from pixie_desktop.ui.views.main_window import MainWindow

    app = QApplication.instance() or QApplication([sys.argv[0], *args])
    app.setApplicationName(APP_ID)
    app.setApplicationDisplayName(APP_NAME)
    app.setDesktopFileName(APP_ID)
    try:
        ctx = open_context()
    except DatabaseUnreadable as exc:  # clear message, never a traceback; pixie.db is left untouched
        QMessageBox.critical(None, APP_NAME, str(exc)); return 1  # noqa: E702
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

        def handover(message: dict) -> None:
            activate_window(window)
            args_in = message.get("args") if isinstance(message, dict) else None
            if isinstance(args_in, list):
                open_paths(window, [str(a) for a in args_in])

        single.start(handover)
    window.show()
    open_paths(window, list(args))
    try:
        return app.exec()
    finally:
        window.shutdown()
        if single is not None:
            single.stop()
        ctx.close()
