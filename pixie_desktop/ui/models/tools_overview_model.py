"""ToolsOverviewModel: one row per tool for the Tools overview page (name, last used, runs, disk
use, archived, tags), kept in the user's own order (`tool_state.sort_order`). Column sorting and
the filter field live in a QSortFilterProxyModel (`make_proxy`) so the source order stays the
order the user arranged, which is what move up/down rewrites."""

from __future__ import annotations

import sqlite3
from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt

from pixie_desktop.units import human_bytes
from pixie_desktop.queries import tools as tool_queries
from pixie_desktop.queries.tools import OverviewRow
from pixie_desktop.ui.models.base import RowListModel

ToolIdRole = Qt.ItemDataRole.UserRole + 1
SortRole = Qt.ItemDataRole.UserRole + 2        # a comparable key for the column
ArchivedRole = Qt.ItemDataRole.UserRole + 3    # bool
TagsRole = Qt.ItemDataRole.UserRole + 4        # list[str] (user tags)

NAME, LAST_USED, RUNS, DISK, ARCHIVED, TAGS = range(6)


class ToolsOverviewModel(RowListModel):
    """Rows come from `queries.tools.overview`; `load` re-reads them for the given tools."""

    COLUMNS = ("Name", "Last used", "Runs", "Disk use", "Archived", "Tags")

    def __init__(self, conn: sqlite3.Connection, parent: Any = None):
        super().__init__(parent)
        self.conn = conn
        self._rows: list[OverviewRow] = []

    def load(self, tools: list[tuple[str, str]]) -> None:
        """(tool id, name) pairs → rows in sort_order."""
        rows = tool_queries.overview(self.conn, tools)
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def tool_ids(self) -> list[str]:
        """Every tool id in the user's order."""
        return [r.tool_id for r in self._rows]

    def row_of(self, tool_id: str) -> int:
        return next((i for i, r in enumerate(self._rows) if r.tool_id == tool_id), -1)

    def moved(self, tool_ids: list[str], delta: int) -> list[str]:
        """The full order after moving `tool_ids` one place up (delta -1) or down (+1); a
        selected tool already at the edge, or next to another selected one there, stays put."""
        order = self.tool_ids()
        chosen = set(tool_ids)
        idx = range(len(order)) if delta < 0 else range(len(order) - 1, -1, -1)
        for i in idx:
            j = i + delta
            if order[i] in chosen and 0 <= j < len(order) and order[j] not in chosen:
                order[i], order[j] = order[j], order[i]
        return order

    def _row_data(self, row: OverviewRow, role: int, column: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return (row.name, (row.last_used or "")[:16].replace("T", " ") or "never", row.runs,
                    human_bytes(row.disk_bytes), "yes" if row.archived else "", ", ".join(row.tags))[column]
        if role == SortRole:
            return (row.name.lower(), row.last_used or "", row.runs, row.disk_bytes, int(row.archived),
                    ", ".join(row.tags))[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (RUNS, DISK):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column == NAME:
            return row.tool_id
        if role == ToolIdRole:
            return row.tool_id
        if role == ArchivedRole:
            return row.archived
        if role == TagsRole:
            return list(row.tags)
        return None


class OverviewProxy(QSortFilterProxyModel):
    """Sorts by SortRole; the filter text matches name, id or tags (case-insensitive, plain text)."""

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self._text = ""

    def set_text(self, text: str) -> None:
        text = text.strip().lower()
        if hasattr(self, "endFilterChange") and hasattr(QSortFilterProxyModel, "Direction"):  # Qt ≥ 6.10
            self.beginFilterChange()
            self._text = text
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:  # pragma: no cover - older Qt
            self._text = text
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: Any) -> bool:  # noqa: N802 - Qt override
        text = self._text
        if not text:
            return True
        src = self.sourceModel()
        ix = src.index(source_row, NAME, source_parent)
        hay = " ".join([str(ix.data()), str(ix.data(ToolIdRole)), *ix.data(TagsRole)]).lower()
        return text in hay


def make_proxy(model: ToolsOverviewModel, parent: Any = None) -> OverviewProxy:
    proxy = OverviewProxy(parent)
    proxy.setSourceModel(model)
    proxy.setSortRole(SortRole)
    return proxy

