"""GUI entry: build the QApplication, the AppContext and the main window."""

from __future__ import annotations

import sys


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
    window = MainWindow(ctx)
    window.show()
    try:
        return app.exec()
    finally:
        window.shutdown()
        ctx.close()
