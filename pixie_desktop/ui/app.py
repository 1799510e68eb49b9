"""GUI entry: build the QApplication, the AppContext and the main window, then install the
extensions (command palette, window-level drops, revalidation, tray, sweeper, single instance)
with explicit services, and shut them down in reverse order from one place at exit. An
extension that fails to install is reported and never stops the app."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Iterable

from pixie_desktop.ui.extensions import Extension, Extensions, Services, default_extensions


def install_extensions(window: Any, ctx: Any, extensions: Iterable[Extension] | None = None) -> Extensions:
    """Install `extensions` (default: the app's standard list) into `window`; the returned
    Extensions holds them (`get(name)`, `shutdown()`) and the failures (`failed`)."""
    exts = Extensions(Services.for_window(window, ctx))
    exts.install_all(default_extensions() if extensions is None else extensions)
    return exts


def open_paths(extensions: Extensions, args: list[str]) -> None:
    """Files/folders given on the command line (or handed over by a second launch): a tool folder
    is offered for import; files open the tool that accepts them."""
    paths = [Path(a).expanduser() for a in args if a and not a.startswith("-")]
    # a tool.json (opened by its MIME type, see packaging/pixie-desktop-mime.xml) means its tool folder
    paths = [p.parent if p.name == "tool.json" and p.is_file() else p for p in paths if p.exists()]
    drops = extensions.get("drops")
    if paths and drops is not None:
        drops.handle_paths(paths)


def run_gui(args: list[str]) -> int:
    import sqlite3

    from PySide6.QtWidgets import QApplication, QMessageBox

    from pixie_desktop import APP_ID, APP_NAME
    from pixie_desktop.context import open_context
    from pixie_desktop.ui.views.main_window import MainWindow

    app = QApplication.instance() or QApplication([sys.argv[0], *args])
    from pixie_desktop.ui import errors
    errors.install()  # log file + sys/threading excepthooks showing the non-modal error notice
    app.setApplicationName(APP_ID)
    app.setApplicationDisplayName(APP_NAME)
    app.setDesktopFileName(APP_ID)
    try:
        ctx = open_context()
    except sqlite3.DatabaseError as exc:  # store.db.DatabaseUnreadable: clear message, pixie.db untouched
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
    except Exception:  # noqa: BLE001 - a missing icon theme leaves Qt's default icon
        pass
    window = MainWindow(ctx)
    exts = Extensions(Services.for_window(window, ctx))
    for problem in exts.install_all(default_extensions(single, lambda a: open_paths(exts, a))):
        print(f"pixie-desktop: {problem}", file=sys.stderr)
    window.show()
    open_paths(exts, list(args))
    try:
        return app.exec()
    finally:
        exts.shutdown()
        window.shutdown()
        ctx.close()
