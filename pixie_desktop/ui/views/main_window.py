"""The main window (placeholder shell until the desktop-app issue lands): tool list + status."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QListWidget, QMainWindow, QSplitter

from pixie_desktop import APP_NAME
from pixie_desktop.context import AppContext


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext):
        super().__init__()
        self.ctx = ctx
        self.setWindowTitle(APP_NAME)
        self.resize(1100, 720)
        split = QSplitter(self)
        self.tool_list = QListWidget()
        for t in ctx.tools():
            self.tool_list.addItem(t.name if t.ok else f"{t.folder} (parse error)")
        split.addWidget(self.tool_list)
        split.addWidget(QLabel("Pick a tool"))
        self.setCentralWidget(split)
        self.statusBar().showMessage(f"{self.tool_list.count()} tools · {ctx.settings.db_path}")

    def shutdown(self) -> None:
        """Stop background work before the app exits."""
