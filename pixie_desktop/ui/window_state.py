"""The main window's remembered UI state: geometry, the sidebar splitter, each tool-page layout's
splitter, the last page and the last tool — kept in the `settings` table so the next window
opens where this one was left. A write that fails (read-only or locked database) only loses the
memory, never the session."""

from __future__ import annotations

import sqlite3
from typing import Any

from PySide6.QtCore import QByteArray

from pixie_desktop.ops import settings as settings_ops
from pixie_desktop.queries import settings as settings_queries

GEOMETRY_KEY = "ui.main.geometry"
SPLITTER_KEY = "ui.main.splitter"
TOOL_SPLITTER_KEY = "ui.tool.splitter"
LAST_PAGE_KEY = "ui.main.last_page"
LAST_TOOL_KEY = "ui.main.last_tool"


class WindowState:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def get(self, key: str) -> str | None:
        try:
            return settings_queries.get_setting(self.conn, key)
        except sqlite3.Error:
            return None

    def set(self, key: str, value: str) -> None:
        try:
            settings_ops.set_setting(self.conn, key, value)
        except sqlite3.Error:  # the UI state is a convenience: losing it must not interrupt the user
            pass

    def _bytes(self, key: str) -> QByteArray | None:
        raw = self.get(key)
        if not raw:
            return None
        try:
            return QByteArray.fromBase64(raw.encode("ascii"))
        except (UnicodeEncodeError, ValueError):
            return None

    def _save_bytes(self, key: str, data: QByteArray) -> None:
        self.set(key, bytes(data.toBase64()).decode())

    # -- the window ---------------------------------------------------------------------------------
    def save_window(self, window: Any, splitter: Any, tool_page: Any = None) -> None:
        self._save_bytes(GEOMETRY_KEY, window.saveGeometry())
        self._save_bytes(SPLITTER_KEY, splitter.saveState())
        if tool_page is not None:
            self.save_tool_page(tool_page)

    def restore_window(self, window: Any, splitter: Any) -> None:
        geo = self._bytes(GEOMETRY_KEY)
        if geo is not None:
            window.restoreGeometry(geo)
        split = self._bytes(SPLITTER_KEY)
        if split is not None:
            splitter.restoreState(split)

    # -- tool pages ---------------------------------------------------------------------------------
    def watch_tool_page(self, page: Any) -> None:
        """Restore a new tool page's splitter for its layout kind and remember every move."""
        splitter = getattr(page, "splitter", None)
        if splitter is None:
            return
        saved = self._bytes(f"{TOOL_SPLITTER_KEY}.{getattr(page, 'layout_kind', 'form')}")
        if saved is not None:
            splitter.restoreState(saved)
        splitter.splitterMoved.connect(lambda *_a, p=page: self.save_tool_page(p))

    def save_tool_page(self, page: Any) -> None:
        splitter = getattr(page, "splitter", None)
        if splitter is not None:
            self._save_bytes(f"{TOOL_SPLITTER_KEY}.{page.layout_kind}", splitter.saveState())

    # -- last place ---------------------------------------------------------------------------------
    def save_page(self, key: str, tool_id: str | None = None) -> None:
        self.set(LAST_PAGE_KEY, key)
        if tool_id is not None:
            self.set(LAST_TOOL_KEY, tool_id)

    def last_place(self) -> tuple[str | None, str | None]:
        """(last page key, last tool id)."""
        return self.get(LAST_PAGE_KEY), self.get(LAST_TOOL_KEY)

    def restore_last_place(self, window: Any) -> None:
        """Reopen the last page (or tool) through the window's show_page / open_tool hooks."""
        page, tool = self.last_place()
        if page == "tool":
            if not (tool and window.open_tool(tool)):
                window.show_page("home")
        elif page and page in window.pages:
            window.show_page(page)
