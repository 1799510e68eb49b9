"""The table renderer: a QTableView over `RowsModel` (lazy pages of rows, sorted and filtered by the model, typed cells
formatted as number/currency/percent/date/boolean), a filter box for long tables, Ctrl+C copies
the selection as TSV, and "Export CSV" when the spec says `downloadable`. Columns come from the
spec first, then the value, then the first row's keys — as the reference does."""

from __future__ import annotations

import logging

import csv
import io
import math
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QLineEdit, QPushButton, QTableView

from pixie_desktop.ui.outputs.base import OutputRenderer, ShapeError, kind_of, need_dict, register
from pixie_desktop.ui.outputs.textual import format_number
from pixie_desktop.ui.plain_text import plain_tooltip

log = logging.getLogger(__name__)


SORT_ROLE = Qt.ItemDataRole.UserRole + 1
NUMERIC = ("number", "currency", "percent", "integer", "float")


def format_cell(v: Any, ctype: str) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and not math.isfinite(v):  # NaN / Infinity from a tool's JSON: said plainly
        return "NaN" if v != v else ("∞" if v > 0 else "−∞")
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


DECIMALS_MAX = 6
DECIMALS_SCAN = 20_000  # rows looked at to choose a column's decimals (cheap even on huge tables)


def _decimals(v: float) -> int:
    text = f"{abs(v):.{DECIMALS_MAX}f}".rstrip("0")
    return len(text.split(".")[1]) if "." in text else 0


def column_decimals(rows: list, columns: list[tuple[str, str, str]],
                    key_index: dict[str, int] | None) -> dict[str, int]:
    """Decimals per plain-number column, so every cell of the column shows the same number of
    decimals (1.5 and 12.25 as 1.50 and 12.25) and the points line up. A column counts when its
    type is number-like (or untyped text) and every non-empty cell is a number; currency and
    percent keep their own formats."""
    out: dict[str, int] = {}
    for key, _, ctype in columns:
        if ctype not in ("number", "integer", "float", "text", "string"):
            continue
        most, seen = 0, False
        for row in rows[:DECIMALS_SCAN]:
            v = cell_of(row, key, key_index)
            if v is None:
                continue
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                seen = False
                break
            seen = True
            if isinstance(v, float) and math.isfinite(v):
                most = max(most, _decimals(v))
        if seen:
            out[key] = most
    return out


def format_in_column(v: Any, ctype: str, decimals: int | None) -> str:
    """`format_cell`, with a column's shared decimals for plain finite numbers."""
    if decimals is not None and isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v):
        return f"{v:,.{decimals}f}"
    return format_cell(v, ctype)


def sort_key(v: Any) -> tuple:
    """Numbers before text, NaN and empty cells last; text case-insensitive."""
    if isinstance(v, bool):
        return (0, float(v))
    if isinstance(v, (int, float)):
        f = float(v)
        return (2, 0.0) if f != f else (0, f)
    if v is None:
        return (3, "")
    return (1, str(v).lower())


def arrange(rows: list, columns: list[tuple[str, str, str]], key_index: dict[str, int] | None,
            sort_column: int, descending: bool, needle: str) -> list[int] | None:
    """Row order after filtering (case-insensitive substring of any shown cell) and sorting;
    None means all rows in their own order. Pure Python, safe on a worker."""
    if sort_column < 0 and not needle:
        return None
    order = list(range(len(rows)))
    if needle:
        low = needle.lower()
        keys = [(k, t) for k, _, t in columns]
        order = [i for i in order
                 if any(low in format_cell(cell_of(rows[i], k, key_index), t).lower() for k, t in keys)]
    if 0 <= sort_column < len(columns):
        k = columns[sort_column][0]
        order.sort(key=lambda i: sort_key(cell_of(rows[i], k, key_index)), reverse=descending)
    return order


def cell_of(row: Any, key: str, key_index: dict[str, int] | None) -> Any:
    if isinstance(row, dict):
        return row.get(key)
    if key_index is not None and isinstance(row, (list, tuple)):
        i = key_index.get(key)
        return row[i] if i is not None and i < len(row) else None
    return None


class RowsModel(QAbstractTableModel):
    """All rows stay in one Python list; the view sees them PAGE at a time (canFetchMore /
    fetchMore as it scrolls), so showing 200,000 rows costs the UI thread one page. Sorting and
    filtering compute a row order — on a worker for big tables — and reset to the first page."""

    PAGE = 500
    SYNC_ROWS = 5000  # up to this many rows, sort/filter right away (no visible flicker)

    sorted_or_filtered = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.columns: list[tuple[str, str, str]] = []  # key, label, type
        self.rows: list = []
        self.key_index: dict[str, int] | None = None   # list rows: column key → position
        self.decimals: dict[str, int] = {}              # plain-number column key → decimals shown
        self.order: list[int] | None = None
        self.loaded = 0
        self.sort_column, self.descending, self.needle = -1, False, ""
        self._generation = 0

    def set_data(self, columns: list[tuple[str, str, str]], rows: list,
                 key_index: dict[str, int] | None = None) -> None:
        self._generation += 1
        self.beginResetModel()
        self.columns, self.rows, self.key_index = columns, rows, key_index
        self.decimals = column_decimals(rows, columns, key_index)
        self.order = None
        self.sort_column, self.descending, self.needle = -1, False, ""
        self.loaded = min(self.PAGE, len(rows))
        self.endResetModel()

    # -- size --------------------------------------------------------------------------
    def total(self) -> int:
        """Rows after the filter (all of them, loaded into the view or not)."""
        return len(self.order) if self.order is not None else len(self.rows)

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else self.loaded

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.columns)

    def canFetchMore(self, parent: QModelIndex = QModelIndex()) -> bool:  # noqa: N802
        return not parent.isValid() and self.loaded < self.total()

    def fetchMore(self, parent: QModelIndex = QModelIndex()) -> None:  # noqa: N802
        if parent.isValid():
            return
        n = min(self.PAGE, self.total() - self.loaded)
        if n <= 0:
            return
        self.beginInsertRows(QModelIndex(), self.loaded, self.loaded + n - 1)
        self.loaded += n
        self.endInsertRows()

    def row_at(self, r: int) -> Any:
        return self.rows[self.order[r] if self.order is not None else r]

    def value(self, r: int, key: str) -> Any:
        return cell_of(self.row_at(r), key, self.key_index)

    # -- sort / filter ---------------------------------------------------------------------
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.sort_column, self.descending = column, order == Qt.SortOrder.DescendingOrder
        self._arrange()

    def set_filter(self, text: str) -> None:
        self.needle = text
        self._arrange()

    def _arrange(self) -> None:
        self._generation += 1
        gen = self._generation
        args = (self.rows, self.columns, self.key_index, self.sort_column, self.descending, self.needle)
        if len(self.rows) <= self.SYNC_ROWS:
            self._apply(gen, arrange(*args))
            return
        from pixie_desktop.ui.outputs import safe_media

        safe_media.run_async(self, arrange, *args, on_ready=lambda order: self._apply(gen, order),
                             on_error=lambda _why: None)

    def _apply(self, gen: int, order: list[int] | None) -> None:
        if gen != self._generation:
            return  # a newer sort/filter (or new data) came in meanwhile
        self.beginResetModel()
        self.order = order
        self.loaded = min(self.PAGE, self.total())
        self.endResetModel()
        self.sorted_or_filtered.emit()

    # -- cells -----------------------------------------------------------------------------
    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= self.loaded:
            return None
        key, _, ctype = self.columns[index.column()]
        v = self.value(index.row(), key)
        if role == Qt.ItemDataRole.DisplayRole:
            return format_in_column(v, ctype, self.decimals.get(key))
        if role == SORT_ROLE:
            return sort_key(v)[1]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if ctype in NUMERIC or (isinstance(v, (int, float)) and not isinstance(v, bool)):
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if ctype == "boolean":
                return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ToolTipRole and isinstance(v, str) and len(v) > 40:
            return plain_tooltip(v[:1000])
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole:
            if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
                return self.columns[section][1]
            if orientation == Qt.Orientation.Vertical:
                return str(section + 1)
        return None


def table_shape(value: Any, spec_columns) -> tuple[list[tuple[str, str, str]], list, dict[str, int] | None]:
    """(columns, rows, key_index): rows are the value's own list (never copied — a big table
    costs no per-row work here); list rows are read through key_index."""
    if isinstance(value, list):
        value = {"rows": value}
    d = need_dict(value, "rows")
    rows = d["rows"]
    if not isinstance(rows, list):
        raise ShapeError(f"expected rows to be a list, got {kind_of(rows)}")
    key_index: dict[str, int] | None = None
    if rows and not all(isinstance(r, dict) for r in rows):
        if all(isinstance(r, list) for r in rows) and isinstance(d.get("columns"), list):
            keys = [str(c.get("key")) if isinstance(c, dict) else str(c) for c in d["columns"]]
            key_index = {k: i for i, k in reversed(list(enumerate(keys)))}
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
        cols = [(str(k), str(k), "text") for k in rows[0]] if isinstance(rows[0], dict) else []
    return cols, rows, key_index


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
        except Exception:  # noqa: BLE001 - no clipboard (headless session): nothing to copy to
            log.warning("clipboard unavailable; cells not copied")


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
        self.model.sorted_or_filtered.connect(self._count)
        self.model.sorted_or_filtered.connect(self._fit_height)
        self.filter.textChanged.connect(self._filter)
        self.view = _View(self.body)
        self.view.setAccessibleName(f"{getattr(self.spec, 'label', None) or 'Output'} table")  # screen readers
        self.view.setModel(self.model)
        self.view.setSortingEnabled(True)
        self.view.setAlternatingRowColors(True)
        self.view.setSelectionMode(QTableView.SelectionMode.ExtendedSelection)
        self.view.horizontalHeader().setStretchLastSection(True)
        # column widths from the first rows only: "resize to contents" must not read every row
        self.view.horizontalHeader().setResizeContentsPrecision(50)
        self.view.verticalHeader().setDefaultSectionSize(26)
        self.view.verticalHeader().setVisible(False)
        self.view.setShowGrid(False)
        self.body_layout.addWidget(self.view)
        # the view's height is fixed to its rows: in a tab beside a taller chart the spare height
        # goes below the table, not between the toolbar and the rows
        self.body_layout.addStretch(1)
        # the horizontal bar appears or goes as the card is resized: keep the rows in full view
        self.view.horizontalScrollBar().rangeChanged.connect(self._fit_height)

    def _filter(self, text: str) -> None:
        self.model.set_filter(text)
        self._count()
        self._fit_height()

    def _count(self) -> None:
        total = len(self.model.rows)
        shown = self.model.total()
        self.count.setText(f"{total:,} row{'s' if total != 1 else ''}" if shown == total else f"{shown:,} of {total:,} rows")

    def _render(self, value: Any) -> None:
        cols, rows, key_index = table_shape(value, self.spec.columns)
        self.filter.blockSignals(True)
        self.filter.clear()
        self.filter.blockSignals(False)
        self.view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.model.set_data(cols, rows, key_index)
        self.filter.setVisible(len(rows) > 20)
        downloadable = self.spec.downloadable or (isinstance(value, dict) and value.get("downloadable") is True)
        self.export_btn.setVisible(bool(downloadable))
        self._count()
        self.view.resizeColumnsToContents()
        for c in range(len(cols)):
            self.view.setColumnWidth(c, min(320, max(80, self.view.columnWidth(c) + 16)))
        self._fit_height()

    VISIBLE_ROWS = 12  # a card shows up to this many rows in full; longer tables scroll inside it

    def _fit_height(self, *_: Any) -> None:
        """Size the view to its rows: a short table shows every row with no inner scroll box; a
        long one scrolls inside a card of VISIBLE_ROWS rows. Room is kept for the horizontal
        scroll bar only while it is shown, so a wide table never gets a second, vertical one."""
        n_rows = self.model.total()
        few = n_rows <= self.VISIBLE_ROWS
        self.view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff if few
                                             else Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        n = min(self.VISIBLE_ROWS, max(1, n_rows))
        hbar = self.view.horizontalScrollBar()
        extra = hbar.sizeHint().height() if hbar.maximum() > 0 else 0
        self.view.setFixedHeight(n * 26 + self.view.horizontalHeader().sizeHint().height() + 4 + extra)

    def csv_text(self) -> str:
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow([c[1] for c in self.model.columns])
        m = self.model
        for r in range(m.total()):  # every row the filter keeps, loaded into the view or not
            row = m.row_at(r)
            w.writerow(["" if (v := cell_of(row, k, m.key_index)) is None else v for k, _, _ in m.columns])
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
