"""ValidationReportsModel: the latest validation report per tool (what the sidebar dot shows).
A new report for one tool updates or inserts that tool's row only."""

from __future__ import annotations

import sqlite3
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt

from pixie_desktop.ui.models.base import RowListModel

from pixie_desktop.queries import validation as validation_queries
from pixie_desktop.queries.common import parse_iso
from pixie_desktop.queries.validation import ValidationReportRow

ToolIdRole = Qt.ItemDataRole.UserRole + 1
OverallRole = Qt.ItemDataRole.UserRole + 2
ReportRole = Qt.ItemDataRole.UserRole + 3     # the parsed report dict
TimestampRole = Qt.ItemDataRole.UserRole + 4
RowRole = Qt.ItemDataRole.UserRole + 5        # ValidationReportRow

COLUMNS = ("Tool", "Result", "Checked")


class ValidationReportsModel(RowListModel):
    COLUMNS = COLUMNS
    def __init__(self, conn: sqlite3.Connection, parent: QObject | None = None, *, events: Any = None,
                 load: bool = True):
        """`load=False`: empty until `reload()` (the main window fills it after its first tool list)."""
        super().__init__(parent)
        self.conn = conn
        self._rows: list[ValidationReportRow] = []
        if load:
            self.reload()
        if events is not None:
            events.validationChanged.connect(self.report_changed)

    def reload(self) -> None:
        self.beginResetModel()
        try:
            self._rows = sorted(validation_queries.latest_all(self.conn).values(), key=lambda r: r.tool_id)
        except sqlite3.Error:
            self._rows = []
        self.endResetModel()

    def report_changed(self, tool_id: str) -> None:
        try:
            rep = validation_queries.latest(self.conn, tool_id)
        except sqlite3.Error:
            return
        i = next((n for n, r in enumerate(self._rows) if r.tool_id == tool_id), -1)
        if rep is None:
            if i >= 0:
                self.beginRemoveRows(QModelIndex(), i, i)
                del self._rows[i]
                self.endRemoveRows()
            return
        if i >= 0:
            self._rows[i] = rep
            self.dataChanged.emit(self.index(i, 0), self.index(i, len(COLUMNS) - 1))
            return
        pos = next((n for n, r in enumerate(self._rows) if r.tool_id > tool_id), len(self._rows))
        self.beginInsertRows(QModelIndex(), pos, pos)
        self._rows.insert(pos, rep)
        self.endInsertRows()

    def overall_for(self, tool_id: str) -> str:
        rep = next((r for r in self._rows if r.tool_id == tool_id), None)
        return rep.overall if rep else "unchecked"

    def _row_data(self, rep: ValidationReportRow, role: int, column: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return rep.tool_id
            if column == 1:
                return rep.overall
            dt = parse_iso(rep.timestamp)
            return dt.astimezone().strftime("%d %b %Y %H:%M") if dt else rep.timestamp
        if role == ToolIdRole:
            return rep.tool_id
        if role == OverallRole:
            return rep.overall
        if role == ReportRole:
            return rep.report
        if role == TimestampRole:
            return rep.timestamp
        if role == RowRole:
            return rep
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
