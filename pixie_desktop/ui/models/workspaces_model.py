"""WorkspacesModel: the workspaces in their sidebar order with colour, collapsed flag and members.
A reload with the same workspace ids only emits dataChanged; adding/removing one resets."""

from __future__ import annotations

import sqlite3
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt

from pixie_desktop.ui.models.base import RowListModel

from pixie_desktop.queries import workspaces as workspace_queries
from pixie_desktop.queries.workspaces import Workspace

WorkspaceRole = Qt.ItemDataRole.UserRole + 1
WorkspaceIdRole = Qt.ItemDataRole.UserRole + 2
ColourRole = Qt.ItemDataRole.UserRole + 3
CollapsedRole = Qt.ItemDataRole.UserRole + 4
ToolIdsRole = Qt.ItemDataRole.UserRole + 5

COLUMNS = ("Workspace", "Tools")


class WorkspacesModel(RowListModel):
    COLUMNS = COLUMNS
    def __init__(self, conn: sqlite3.Connection, parent: QObject | None = None, *, events: Any = None):
        super().__init__(parent)
        self.conn = conn
        self._rows: list[Workspace] = []
        self.reload()
        if events is not None:
            events.workspacesChanged.connect(self.reload)

    def reload(self) -> None:
        try:
            rows = workspace_queries.list_all(self.conn)
        except sqlite3.Error:
            rows = []
        if rows and [w.id for w in rows] == [w.id for w in self._rows]:
            self._rows = rows
            self.dataChanged.emit(self.index(0, 0), self.index(len(rows) - 1, len(COLUMNS) - 1))
            return
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def workspaces(self) -> list[Workspace]:
        return list(self._rows)

    def workspace(self, workspace_id: int) -> Workspace | None:
        return next((w for w in self._rows if w.id == workspace_id), None)

    def _row_data(self, ws: Workspace, role: int, column: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return ws.name if column == 0 else len(ws.tool_ids)
        if role == Qt.ItemDataRole.DecorationRole and column == 0 and ws.colour:
            from PySide6.QtGui import QColor

            colour = QColor(ws.colour)
            return colour if colour.isValid() else None
        if role == WorkspaceRole:
            return ws
        if role == WorkspaceIdRole:
            return ws.id
        if role == ColourRole:
            return ws.colour
        if role == CollapsedRole:
            return bool(ws.collapsed)
        if role == ToolIdsRole:
            return list(ws.tool_ids)
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
