"""The shared shape of the app's in-memory table models: a list of row records, fixed column
titles, and `_row_data(row, role, column)` supplied by each model. Row counting, header titles
and index bounds checks live here once."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt


class RowListModel(QAbstractTableModel):
    """Subclasses set COLUMNS and keep their records in `self._rows`."""

    COLUMNS: tuple[str, ...] = ()

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self._rows: list[Any] = []

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal \
                and 0 <= section < len(self.COLUMNS):
            return self.COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        return self._row_data(self._rows[index.row()], role, index.column())

    def _row_data(self, row: Any, role: int, column: int) -> Any:
        raise NotImplementedError
