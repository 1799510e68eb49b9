"""The table renderer: a QTableView over `RowsModel` (sortable through a proxy, typed cells
formatted as number/currency/percent/date/boolean), a filter box for long tables, Ctrl+C copies
the selection as TSV, and "Export CSV" when the spec says `downloadable`. Columns come from the
spec first, then the value, then the first row's keys — as the reference does."""

from __future__ import annotations

import csv
import io
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QLineEdit, QPushButton, QTableView

from pixie_desktop.ui.outputs.base import OutputRenderer, ShapeError, kind_of, need_dict, register
from pixie_desktop.ui.outputs.textual import format_number

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
NUMERIC = ("number", "currency", "percent", "integer", "float")


def format_cell(v: Any, ctype: str) -> str:
    if v is None:
        return ""
    if ctype == "boolean" or isinstance(v, bool):
        return "✔" if v in (True, 1, "true", "True", "yes", "1") else "✘"
    if ctype in NUMERIC and isinstance(v, (int, float)):
        if ctype == "currency":
            return format_number(float(v), "currency")
        if ctype == "percent":
            return format_number(float(v), "percent")
        return format_number(float(v), "decimal") if isinstance(v, float) else f"{v:,}"
    if ctype == "date" and isinstance(v, str) and len(v) >= 10:
        from datetime import date

        try:
            d = date.fromisoformat(v[:10])
            return d.strftime("%d %b %Y") + (v[10:].replace("T", " ") if len(v) > 10 else "")
        except ValueError:
            return v
    if isinstance(v, (dict, list)):
        import json

        return json.dumps(v, ensure_ascii=False)[:200]
    return str(v)


class RowsModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.columns: list[tuple[str, str, str]] = []  # key, label, type
        self.rows: list[dict] = []

    def set_data(self, columns: list[tuple[str, str, str]], rows: list[dict]) -> None:
        self.beginResetModel()
        self.columns, self.rows = columns, rows
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        key, _, ctype = self.columns[index.column()]
        v = self.rows[index.row()].get(key)
        if role == Qt.ItemDataRole.DisplayRole:
            return format_cell(v, ctype)
        if role == SORT_ROLE:
            if isinstance(v, bool):
                return int(v)
            if isinstance(v, (int, float)):
                return float(v)
            return "" if v is None else str(v).lower()
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if ctype in NUMERIC or (isinstance(v, (int, float)) and not isinstance(v, bool)):
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if ctype == "boolean":
                return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ToolTipRole and isinstance(v, str) and len(v) > 40:
            return v[:1000]
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole:
            if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
                return self.columns[section][1]
            if orientation == Qt.Orientation.Vertical:
                return str(section + 1)
        return None


def table_shape(value: Any, spec_columns) -> tuple[list[tuple[str, str, str]], list[dict]]:
    if isinstance(value, list):
        value = {"rows": value}
    d = need_dict(value, "rows")
    rows = d["rows"]
    if not isinstance(rows, list):
        raise ShapeError(f"expected rows to be a list, got {kind_of(rows)}")
    if rows and not all(isinstance(r, dict) for r in rows):
        if all(isinstance(r, list) for r in rows) and isinstance(d.get("columns"), list):
            keys = [c.get("key") if isinstance(c, dict) else str(c) for c in d["columns"]]
            rows = [dict(zip(keys, r)) for r in rows]
        else:
            raise ShapeError("expected rows to be objects keyed by column")
    cols: list[tuple[str, str, str]] = []
    if spec_columns:
        cols = [(c.key, c.label, c.type) for c in spec_columns]
    elif isinstance(d.get("columns"), list) and d["columns"]:
        for c in d["columns"]:
            if isinstance(c, dict) and "key" in c:
                cols.append((str(c["key"]), str(c.get("label", c["key"])), str(c.get("type", "text"))))
            elif isinstance(c, str):
                cols.append((c, c, "text"))
    if not cols and rows:
        cols = [(str(k), str(k), "text") for k in rows[0]]
    return cols, rows


class _Proxy(QSortFilterProxyModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterKeyColumn(-1)

    def lessThan(self, left: QModelIndex, right: QModelIndex) -> bool:  # noqa: N802
        a, b = left.data(SORT_ROLE), right.data(SORT_ROLE)
        if type(a) is not type(b):
            return str(a) < str(b)
        return a < b


class _View(QTableView):
    def keyPressEvent(self, event) -> None:  # noqa: N802
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_selection()
            return
        super().keyPressEvent(event)

    def copy_selection(self) -> None:
        idx = sorted(self.selectedIndexes(), key=lambda i: (i.row(), i.column()))
        if not idx:
            return
        rows: dict[int, list[str]] = {}
        for i in idx:
            rows.setdefault(i.row(), []).append(str(i.data() or ""))
        try:
            QGuiApplication.clipboard().setText("\n".join("\t".join(r) for r in rows.values()))
        except Exception:  # noqa: BLE001
            pass


@register("table")
class TableRenderer(OutputRenderer):
    def _build(self) -> None:
        bar = QHBoxLayout()
        self.filter = QLineEdit(self.body)
        self.filter.setPlaceholderText("Filter rows…")
        self.filter.setClearButtonEnabled(True)
        self.filter.setMaximumWidth(240)
        self.count = QLabel(self.body)
        self.count.setObjectName("Muted")
        self.export_btn = QPushButton("Export CSV", self.body)
        self.export_btn.setObjectName("Small")
        self.export_btn.clicked.connect(self.export_csv)
        bar.addWidget(self.filter)
        bar.addWidget(self.count)
        bar.addStretch(1)
        bar.addWidget(self.export_btn)
        self.body_layout.addLayout(bar)
        self.model = RowsModel(self)
        self.proxy = _Proxy(self)
        self.proxy.setSourceModel(self.model)
        self.filter.textChanged.connect(self._filter)
        self.view = _View(self.body)
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.setAlternatingRowColors(True)
        self.view.setSelectionMode(QTableView.SelectionMode.ExtendedSelection)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.verticalHeader().setDefaultSectionSize(26)
        self.view.verticalHeader().setVisible(False)
        self.view.setShowGrid(False)
        self.body_layout.addWidget(self.view)

    def _filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text)
        self._count()

    def _count(self) -> None:
        total = self.model.rowCount()
        shown = self.proxy.rowCount()
        self.count.setText(f"{total:,} row{'s' if total != 1 else ''}" if shown == total else f"{shown:,} of {total:,} rows")

    def _render(self, value: Any) -> None:
        cols, rows = table_shape(value, self.spec.columns)
        self.model.set_data(cols, rows)
        self.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.filter.setVisible(len(rows) > 20)
        self.filter.clear()
        downloadable = self.spec.downloadable or (isinstance(value, dict) and value.get("downloadable") is True)
        self.export_btn.setVisible(bool(downloadable))
        self._count()
        self.view.resizeColumnsToContents()
        for c in range(len(cols)):
            self.view.setColumnWidth(c, min(320, max(80, self.view.columnWidth(c) + 16)))
        n = min(12, max(1, len(rows)))
        self.view.setFixedHeight(n * 26 + self.view.horizontalHeader().sizeHint().height() + 4)

    def csv_text(self) -> str:
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow([c[1] for c in self.model.columns])
        for r in range(self.proxy.rowCount()):
            src = self.proxy.mapToSource(self.proxy.index(r, 0)).row()
            row = self.model.rows[src]
            w.writerow(["" if row.get(k) is None else row.get(k) for k, _, _ in self.model.columns])
        return buf.getvalue()

    def export_csv(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export CSV", f"{self.spec.key}.csv", "CSV (*.csv)")
        if path:
            try:
                with open(path, "w", newline="", encoding="utf-8") as fh:
                    fh.write(self.csv_text())
            except OSError as exc:
                self.count.setText(f"Could not save: {exc.strerror or exc}")

    def copy_text(self) -> str:
        return self.csv_text() if self._built else ""
