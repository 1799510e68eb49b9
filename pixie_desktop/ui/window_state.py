"""The main window's remembered UI state: geometry (clamped to the screen it reopens on), the
sidebar splitter, each tool page's splitter (per tool, and per wide / narrow arrangement), the
last page and the last tool — kept in the `settings` table so the next window opens where this
one was left. A write that fails (read-only or locked database) only loses the memory, never the
session."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from PySide6.QtCore import QByteArray, QRect

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
            clamp_to_screen(window)
        split = self._bytes(SPLITTER_KEY)
        if split is not None:
            splitter.restoreState(split)

    # -- tool pages ---------------------------------------------------------------------------------
    @staticmethod
    def _tool_key(page: Any) -> str:
        return f"{TOOL_SPLITTER_KEY}.{page.tool_id}.{getattr(page, 'layout_mode', 'wide')}"

    def watch_tool_page(self, page: Any) -> None:
        """Restore a new tool page's splitter (this tool, this arrangement) and remember every
        move; a page switching between wide and narrow restores that arrangement's sizes."""
        splitter = getattr(page, "splitter", None)
        if splitter is None:
            return
        self.restore_tool_page(page)
        splitter.splitterMoved.connect(lambda *_a, p=page: self.save_tool_page(p))
        if hasattr(page, "layoutModeChanged"):
            page.layoutModeChanged.connect(lambda _mode, p=page: self.restore_tool_page(p))

    def restore_tool_page(self, page: Any) -> None:
        splitter = getattr(page, "splitter", None)
        raw = self.get(self._tool_key(page)) if splitter is not None else None
        try:
            sizes = json.loads(raw) if raw else None
        except ValueError:
            sizes = None
        if isinstance(sizes, list) and len(sizes) == splitter.count() and all(
                isinstance(n, int) and n > 0 for n in sizes):
            splitter.setSizes(sizes)

    def save_tool_page(self, page: Any) -> None:
        splitter = getattr(page, "splitter", None)
        if splitter is not None and all(n > 0 for n in splitter.sizes()):
            self.set(self._tool_key(page), json.dumps(splitter.sizes()))

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


def clamp_to_screen(window: Any) -> None:
    """Bring a restored window back onto the screen it opens on: no larger than the screen's
    available area (less a margin) and not hanging off any edge — a geometry saved on a bigger
    monitor or another layout must not come back broken."""
    screen = window.screen()
    if screen is None:
        return
    avail: QRect = screen.availableGeometry()
    frame = window.frameGeometry()
    extra_w, extra_h = frame.width() - window.width(), frame.height() - window.height()
    min_size = window.minimumSize()
    w = max(min(window.width(), avail.width() - extra_w), min_size.width())
    h = max(min(window.height(), avail.height() - extra_h), min_size.height())
    if (w, h) != (window.width(), window.height()):
        window.resize(w, h)
    frame = window.frameGeometry()
    x = min(max(frame.x(), avail.left()), max(avail.left(), avail.right() + 1 - frame.width()))
    y = min(max(frame.y(), avail.top()), max(avail.top(), avail.bottom() + 1 - frame.height()))
    if (x, y) != (frame.x(), frame.y()):
        window.move(x, y)
