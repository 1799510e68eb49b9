"""The Tools overview page: every tool as a card in a grid (name, runs, disk use, last used,
tags, archived), or in a table (a Grid / List toggle; both views share one model, one sort and
one selection), with a sort choice (your order, name, last used, runs, disk use), a filter
field, bulk archive / unarchive / add tag on the selection, and move up / down, which writes
`tool_state.sort_order` (the user's own order). Writes go through ops.tools and are announced
once per action with `publish`."""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QRect, QSize, Qt, QTimer
from PySide6.QtGui import QFont, QPainter, QPalette
from PySide6.QtWidgets import (QAbstractItemView, QButtonGroup, QComboBox, QHBoxLayout, QHeaderView, QInputDialog,
                               QLabel, QLineEdit, QListView, QPushButton, QStackedWidget, QStyle,
                               QStyledItemDelegate, QStyleOptionViewItem, QTableView, QToolButton, QVBoxLayout,
                               QWidget)

from pixie_desktop.ops import tools as tool_ops
from pixie_desktop.ops.tools import TagError
from pixie_desktop.ui.models import tools_overview_model as om
from pixie_desktop.ui.models.tools_overview_model import ToolIdRole, ToolsOverviewModel, make_proxy
from pixie_desktop.ui.publish import publish


# (label, proxy column, order): what the grid sorts by (the table's headers sort too)
SORTS = (("Your order", -1, Qt.SortOrder.AscendingOrder), ("Name", om.NAME, Qt.SortOrder.AscendingOrder),
         ("Last used", om.LAST_USED, Qt.SortOrder.DescendingOrder), ("Runs", om.RUNS, Qt.SortOrder.DescendingOrder),
         ("Disk use", om.DISK, Qt.SortOrder.DescendingOrder))


class ToolCardDelegate(QStyledItemDelegate):
    """One tool as a card: its name, then runs · disk use, last used, and its tags (or
    "Archived"). Every line is elided to the card's width; the full name is the tooltip."""

    CARD = QSize(236, 104)
    PAD = 10

    def sizeHint(self, _option: QStyleOptionViewItem, _index: Any) -> QSize:  # noqa: N802 - Qt override
        return self.CARD

    def lines(self, index: Any) -> list[str]:
        def col(c: int) -> str:
            value = index.siblingAtColumn(c).data()
            return "" if value is None else str(value)  # 0 runs is "0 runs", not " runs"
        runs = col(om.RUNS)
        tail = "Archived" if index.data(om.ArchivedRole) else col(om.TAGS)
        return [col(om.NAME), f"{runs} run{'' if runs == '1' else 's'} · {col(om.DISK)}",
                f"Last used {col(om.LAST_USED)}", tail]

    def paint(self, p: QPainter, option: QStyleOptionViewItem, index: Any) -> None:
        pal = option.palette
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        card = option.rect.adjusted(3, 3, -3, -3)
        p.save()
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(pal.color(QPalette.ColorRole.Highlight if selected else QPalette.ColorRole.Mid))
        p.setBrush(pal.color(QPalette.ColorRole.AlternateBase if selected else QPalette.ColorRole.Base))
        p.drawRoundedRect(card, 8, 8)
        if option.state & QStyle.StateFlag.State_HasFocus:
            p.setPen(pal.color(QPalette.ColorRole.Highlight))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRoundedRect(card.adjusted(1, 1, -1, -1), 7, 7)
        inner = card.adjusted(self.PAD, self.PAD - 2, -self.PAD, -self.PAD + 2)
        y = inner.top()
        for i, text in enumerate(self.lines(index)):
            font = QFont(option.font)
            font.setBold(i == 0)
            p.setFont(font)
            fm = p.fontMetrics()
            role = QPalette.ColorRole.WindowText if i == 0 else QPalette.ColorRole.PlaceholderText
            p.setPen(pal.color(role))
            h = fm.height()
            p.drawText(QRect(inner.left(), y, inner.width(), h),
                       int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                       fm.elidedText(text, Qt.TextElideMode.ElideRight, inner.width()))
            y += h + (6 if i == 0 else 2)
        p.restore()


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
        self.table.horizontalHeader().sortIndicatorChanged.connect(self._sync_sort_combo)
        # the grid: the same proxy and the same selection model as the table
        self.cards = QListView()
        self.cards.setObjectName("ToolCards")
        self.cards.setAccessibleName("All tools")
        self.cards.setViewMode(QListView.ViewMode.IconMode)
        self.cards.setResizeMode(QListView.ResizeMode.Adjust)
        self.cards.setMovement(QListView.Movement.Static)
        self.cards.setWrapping(True)
        self.cards.setUniformItemSizes(True)
        self.cards.setSpacing(4)
        self.cards.setModel(self.proxy)
        self.cards.setModelColumn(om.NAME)
        self.cards.setSelectionModel(self.table.selectionModel())
        self.cards.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.cards.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.cards.setItemDelegate(ToolCardDelegate(self.cards))
        self.views = QStackedWidget()
        self.views.addWidget(self.cards)
        self.views.addWidget(self.table)
        self.sort_combo = QComboBox()
        self.sort_combo.setAccessibleName("Sort tools by")
        for label, _col, _order in SORTS:
            self.sort_combo.addItem(label)
        self.sort_combo.currentIndexChanged.connect(self._on_sort_chosen)
        self.grid_btn = QToolButton(text="Grid", checkable=True, checked=True)
        self.grid_btn.setAccessibleName("Show tools as cards")
        self.list_btn = QToolButton(text="List", checkable=True)
        self.list_btn.setAccessibleName("Show tools as a table")
        self.mode_group = QButtonGroup(self)
        self.mode_group.addButton(self.grid_btn, 0)
        self.mode_group.addButton(self.list_btn, 1)
        self.mode_group.idToggled.connect(lambda i, on: on and self.set_view_mode("grid" if i == 0 else "list"))

        self.archive_btn = self._button("Archive", lambda: self.set_archived_selected(True))
        self.unarchive_btn = self._button("Unarchive", lambda: self.set_archived_selected(False))
        self.tag_btn = self._button("Add tag…", self._ask_tag)
        self.up_btn = self._button("Move up", lambda: self.move_selected(-1))
        self.down_btn = self._button("Move down", lambda: self.move_selected(1))
        self.message = QLabel(wordWrap=True, textFormat=Qt.TextFormat.PlainText)

        bar = QHBoxLayout()
        bar.addWidget(self.filter, 1)
        bar.addWidget(self.sort_combo)
        bar.addWidget(self.grid_btn)
        bar.addWidget(self.list_btn)
        actions = QHBoxLayout()
        for b in (self.archive_btn, self.unarchive_btn, self.tag_btn, self.up_btn, self.down_btn):
            actions.addWidget(b)
        actions.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(20, 16, 20, 12)  # the same margins and title as the History page
        lay.setSpacing(8)
        title = QLabel("Tools", textFormat=Qt.TextFormat.PlainText)  # labels are plain text app-wide
        title.setStyleSheet("font-size: 16pt; font-weight: 650;")
        lay.addWidget(title)
        lay.addLayout(bar)
        lay.addLayout(actions)
        lay.addWidget(self.views, 1)
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

    # -- grid / list and sorting ----------------------------------------------------------------
    @property
    def view_mode(self) -> str:
        return "grid" if self.views.currentWidget() is self.cards else "list"

    def set_view_mode(self, mode: str) -> None:
        self.views.setCurrentWidget(self.cards if mode == "grid" else self.table)
        (self.grid_btn if mode == "grid" else self.list_btn).setChecked(True)

    def _on_sort_chosen(self, i: int) -> None:
        _label, col, order = SORTS[i]
        self.table.sortByColumn(col, order)
        if col < 0:
            self.proxy.sort(-1)  # back to the model's (the user's) order

    def _sync_sort_combo(self, col: int, _order: Any) -> None:
        """A table header click (or move up/down going back to your order) shows in the combo."""
        i = next((n for n, (_l, c, _o) in enumerate(SORTS) if c == col), 0)
        self.sort_combo.blockSignals(True)
        self.sort_combo.setCurrentIndex(i)
        self.sort_combo.blockSignals(False)

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
        # selectedIndexes, not selectedRows: a card selects only its row's name cell
        rows = sorted({ix.row() for ix in self.table.selectionModel().selectedIndexes()})
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
        any_sel = self.table.selectionModel().hasSelection()
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
        self._sync_sort_combo(-1, None)
        publish(tool_ops.set_sort_order(self.conn, self.model.moved(ids, delta)), self.events)
        self.reload()
