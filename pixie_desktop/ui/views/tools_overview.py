"""The Tools overview page: every tool in one table (name, last used, runs, disk use, archived,
tags) with column sorting, a filter field, bulk archive / unarchive / add tag on the selected
rows, and move up / down, which writes `tool_state.sort_order` (the user's own order). Writes go
through ops.tools and are announced once per action with `publish`."""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QInputDialog, QLabel, QLineEdit,
                               QPushButton, QTableView, QVBoxLayout, QWidget)

from pixie_desktop.ops import tools as tool_ops
from pixie_desktop.ops.tools import TagError
from pixie_desktop.ui.models.tools_overview_model import ToolIdRole, ToolsOverviewModel, make_proxy
from pixie_desktop.ui.publish import publish


class ToolsOverview(QWidget):
    """`tools` supplies the (tool id, name) pairs to show (the window's discovered tools)."""

    def __init__(self, conn: Any, tools: Callable[[], list[tuple[str, str]]], events: Any = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("ToolsOverview")
        self.conn = conn
        self.events = events
        self._tools = tools
        self._dirty = True
        self.model = ToolsOverviewModel(conn, self)
        self.proxy = make_proxy(self.model, self)
        self._reload_timer = QTimer(self, singleShot=True, interval=0)
        self._reload_timer.timeout.connect(self.reload)

        self.filter = QLineEdit(placeholderText="Filter tools by name, id or tag", clearButtonEnabled=True)
        self.filter.setAccessibleName("Filter tools")
        self.filter.textChanged.connect(self.proxy.set_text)
        self.table = QTableView(sortingEnabled=True, alternatingRowColors=True)
        self.table.setAccessibleName("All tools")
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSortIndicatorShown(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # start in the user's own order
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)

        self.archive_btn = self._button("Archive", lambda: self.set_archived_selected(True))
        self.unarchive_btn = self._button("Unarchive", lambda: self.set_archived_selected(False))
        self.tag_btn = self._button("Add tag…", self._ask_tag)
        self.up_btn = self._button("Move up", lambda: self.move_selected(-1))
        self.down_btn = self._button("Move down", lambda: self.move_selected(1))
        self.message = QLabel(wordWrap=True, textFormat=Qt.TextFormat.PlainText)

        bar = QHBoxLayout()
        bar.addWidget(self.filter, 1)
        for b in (self.archive_btn, self.unarchive_btn, self.tag_btn, self.up_btn, self.down_btn):
            bar.addWidget(b)
        lay = QVBoxLayout(self)
        title = QLabel("Tools", textFormat=Qt.TextFormat.PlainText)  # labels are plain text app-wide
        font = title.font()
        font.setBold(True)
        title.setFont(font)
        lay.addWidget(title)
        lay.addLayout(bar)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.message)
        if events is not None:
            events.toolStateChanged.connect(self._changed_elsewhere)
            events.toolsRescanned.connect(self._changed_elsewhere)
            # runs change in bursts while tools run: counts are re-read when the page is next shown
            events.runChanged.connect(self._mark_dirty)
        self._update_buttons()

    def _button(self, text: str, slot: Callable[[], Any]) -> QPushButton:
        b = QPushButton(text)
        b.setAccessibleName(text.rstrip("…") + " selected tools")
        b.clicked.connect(slot)
        return b

    # -- loading -------------------------------------------------------------------------------
    def reload(self) -> None:
        selected = self.selected_tool_ids()
        self.model.load(self._tools())
        self._dirty = False
        self.select_tools(selected)

    def _changed_elsewhere(self, *_: Any) -> None:
        """Re-read once the burst of signals is over, only while the page is on screen."""
        self._dirty = True
        if self.isVisible():
            self._reload_timer.start()

    def _mark_dirty(self, *_: Any) -> None:
        self._dirty = True

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().hideEvent(event)
        self._reload_timer.stop()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self._dirty:
            self.reload()

    # -- selection -----------------------------------------------------------------------------
    def selected_tool_ids(self) -> list[str]:
        rows = sorted({ix.row() for ix in self.table.selectionModel().selectedRows()})
        return [self.proxy.index(r, 0).data(ToolIdRole) for r in rows]

    def select_tools(self, tool_ids: list[str]) -> None:
        from PySide6.QtCore import QItemSelection, QItemSelectionModel

        sel = QItemSelection()
        for tid in tool_ids:
            src = self.model.row_of(tid)
            if src < 0:
                continue
            ix = self.proxy.mapFromSource(self.model.index(src, 0))
            if ix.isValid():
                sel.select(ix, ix.siblingAtColumn(self.proxy.columnCount() - 1))
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.table.selectionModel().select(sel, flags)

    def _update_buttons(self, *_: Any) -> None:
        any_sel = bool(self.table.selectionModel().selectedRows())
        for b in (self.archive_btn, self.unarchive_btn, self.tag_btn, self.up_btn, self.down_btn):
            b.setEnabled(any_sel)

    # -- actions -------------------------------------------------------------------------------
    def set_archived_selected(self, on: bool) -> None:
        ids = self.selected_tool_ids()
        if ids:
            publish(tool_ops.set_archived_many(self.conn, ids, on), self.events)
            self.reload()
            self.message.setText(f"{'Archived' if on else 'Unarchived'} {len(ids)} tool(s).")

    def _ask_tag(self) -> None:
        tag, ok = QInputDialog.getText(self, "Add tag", "Tag for the selected tools (kebab-case):")
        if ok and tag.strip():
            self.add_tag_selected(tag)

    def add_tag_selected(self, tag: str) -> bool:
        ids = self.selected_tool_ids()
        if not ids:
            return False
        try:
            clean, change = tool_ops.add_tag_many(self.conn, ids, tag)
        except TagError as exc:
            self.message.setText(str(exc))
            return False
        publish(change, self.events)
        self.reload()
        self.message.setText(f"Tagged {len(ids)} tool(s) “{clean}”.")
        return True

    def move_selected(self, delta: int) -> None:
        """Move the selection one place in the user's order (the column sort is dropped so the
        table shows that order) and store it as sort_order."""
        ids = self.selected_tool_ids()
        if not ids:
            return
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.proxy.sort(-1)
        publish(tool_ops.set_sort_order(self.conn, self.model.moved(ids, delta)), self.events)
        self.reload()
