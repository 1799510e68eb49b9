"""RunsModel: the `runs` table for one tool or for every tool, newest first.

Rows arrive a page at a time through canFetchMore/fetchMore with keyset pagination on
(started_at, id), so opening a history of 100k runs reads one page. `run_changed(run_id)`
updates, inserts or removes exactly one row — a finished run never resets the view."""

from __future__ import annotations

import sqlite3
from typing import Any, Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from pixie_desktop.ops import runs as run_ops
from pixie_desktop.queries import runs as run_queries
from pixie_desktop.queries import search as search_queries
from pixie_desktop.queries.search import RunFilter
from pixie_desktop.queries.runs import RunRecord
from pixie_desktop.ui.publish import publish
from pixie_desktop.ui.plain_text import plain_tooltip
from pixie_desktop.ui.run_format import STATUS_TEXT, format_bytes, format_duration, format_started  # noqa: F401 - re-exported

RunRole = Qt.ItemDataRole.UserRole + 1          # RunRecord
StatusRole = Qt.ItemDataRole.UserRole + 2       # "running" | "ok" | "error" | "cancelled"
StarredRole = Qt.ItemDataRole.UserRole + 3      # bool (settable)
DurationRole = Qt.ItemDataRole.UserRole + 4     # float seconds or None
LabelRole = Qt.ItemDataRole.UserRole + 5        # str or None (settable)
RunIdRole = Qt.ItemDataRole.UserRole + 6
ToolIdRole = Qt.ItemDataRole.UserRole + 7
BytesRole = Qt.ItemDataRole.UserRole + 8
ToolColourRole = Qt.ItemDataRole.UserRole + 9   # the tool's colour, else its first workspace's colour

COL_STATUS, COL_TOOL, COL_STARTED, COL_DURATION, COL_LABEL, COL_STAR, COL_BYTES, COL_INPUTS = range(8)
COLUMNS = ("Status", "Tool", "Started", "Duration", "Label", "★", "Artefacts", "Inputs")


class RunsModel(QAbstractTableModel):
    def __init__(self, conn: sqlite3.Connection, parent: QObject | None = None, *, tool_id: str | None = None,
                 page_size: int = 50, tool_name: Callable[[str], str] | None = None,
                 tool_colour: Callable[[str], str | None] | None = None,
                 starred_only: bool = False, events: Any = None):
        super().__init__(parent)
        self.conn = conn
        self.tool_id = tool_id
        self.page_size = max(1, int(page_size))
        self.starred_only = starred_only
        self._tool_name = tool_name or (lambda tid: tid)
        self._tool_colour = tool_colour or (lambda tid: None)
        self._events = events
        self._rows: list[RunRecord] = []
        self._pos: dict[str, int] = {}
        self._inputs_text: dict[str, tuple[str, str, str]] = {}  # run id -> (inputs_json, summary, tooltip)
        self._exhausted = False
        self.pages_fetched = 0
        self.search = RunFilter()  # words + filters from the History search bar (tool/starred stay above)
        if events is not None:
            events.runChanged.connect(self.run_changed)

    # -- paging --------------------------------------------------------------------------------
    def _matches(self, rec: RunRecord) -> bool:
        if not ((self.tool_id is None or rec.tool_id == self.tool_id) and (not self.starred_only or bool(rec.starred))):
            return False
        flt = self._filter()
        return flt.is_empty() or search_queries.matches(self.conn, flt, rec.id)

    def _filter(self) -> RunFilter:
        """The search bar's filter with the model's own tool and starred scope folded in."""
        flt = self.search
        tool_id = self.tool_id if self.tool_id is not None else flt.tool_id
        starred = True if self.starred_only else flt.starred
        return RunFilter(text=flt.text, tool_id=tool_id, status=flt.status, starred=starred, since=flt.since,
                         until=flt.until, batch_id=flt.batch_id)

    def _page(self, after: RunRecord | None) -> list[RunRecord]:
        if not self.search.is_empty():
            return search_queries.page(self.conn, self._filter(), after=after, limit=self.page_size)
        return run_queries.page(self.conn, tool_id=self.tool_id, starred_only=self.starred_only, after=after,
                                limit=self.page_size)

    def set_search(self, flt: RunFilter) -> None:
        """Show only runs matching `flt` (an empty filter shows every run again)."""
        if flt == self.search:
            return
        self.search = flt
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        self._rows = []
        self._pos = {}
        self._exhausted = False
        self.pages_fetched = 0
        self.endResetModel()
        if self.canFetchMore(QModelIndex()):
            self.fetchMore(QModelIndex())

    def set_tool(self, tool_id: str | None) -> None:
        self.tool_id = tool_id
        self.reload()

    def set_starred_only(self, on: bool) -> None:
        self.starred_only = on
        self.reload()

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:
        if parent.isValid() or self._exhausted:
            return
        try:
            page = self._page(self._rows[-1] if self._rows else None)
        except sqlite3.Error:
            page = []
        page = [r for r in page if r.id not in self._pos]
        self.pages_fetched += 1
        if len(page) < self.page_size:
            self._exhausted = True
        if not page:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
        for i, rec in enumerate(page):
            self._pos[rec.id] = first + i
        self._rows.extend(page)
        self.endInsertRows()

    @property
    def exhausted(self) -> bool:
        return self._exhausted

    # -- single-row change notifications ---------------------------------------------------------
    def run_changed(self, run_id: str) -> None:
        """Bring one run up to date: update it in place, insert it where it sorts (if that is
        inside the loaded window), or remove it when it was deleted / no longer matches."""
        try:
            rec = run_queries.get_run(self.conn, run_id)
        except sqlite3.Error:
            return
        i = self._pos.get(run_id)
        if rec is None or not self._matches(rec):
            if i is not None:
                self.beginRemoveRows(QModelIndex(), i, i)
                del self._rows[i]
                self._reindex(i)
                self.endRemoveRows()
            return
        if i is not None:
            self._rows[i] = rec
            self.dataChanged.emit(self.index(i, 0), self.index(i, len(COLUMNS) - 1))
            return
        key = (rec.started_at, rec.id)
        pos = len(self._rows)
        for j, other in enumerate(self._rows):
            if (other.started_at, other.id) < key:
                pos = j
                break
        if pos == len(self._rows) and not self._exhausted:
            return  # older than the loaded window: fetchMore will bring it in order
        self.beginInsertRows(QModelIndex(), pos, pos)
        self._rows.insert(pos, rec)
        self._reindex(pos)
        self.endInsertRows()

    def _reindex(self, start: int) -> None:
        for j in range(start, len(self._rows)):
            self._pos[self._rows[j].id] = j
        for rid in [rid for rid, j in self._pos.items() if j >= len(self._rows) or self._rows[j].id != rid]:
            del self._pos[rid]

    def inputs_text(self, rec: RunRecord) -> tuple[str, str]:
        """(one-line summary, one line per input) of a run's inputs: file inputs by their original
        name and size (artefacts/provenance.py), never a blob hash or base64. Cached per run."""
        cached = self._inputs_text.get(rec.id)
        if cached is not None and cached[0] is rec.inputs_json:
            return cached[1], cached[2]
        from pixie_desktop.artefacts import provenance

        inputs = rec.inputs
        line = provenance.summary(inputs)
        tip = "\n".join(f"{k}: {provenance.display_value(v, limit=200)}" for k, v in inputs.items())
        if len(self._inputs_text) > 5000:
            self._inputs_text.clear()
        self._inputs_text[rec.id] = (rec.inputs_json, line, tip)
        return line, tip

    def record(self, row: int) -> RunRecord | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, run_id: str) -> int:
        return self._pos.get(run_id, -1)

    # -- Qt model API ----------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if section == COL_STAR and role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.DecorationRole,
                                            Qt.ItemDataRole.AccessibleTextRole):
            # the bundled star, not "★": a missing-glyph box in some stock fonts (issue 13, item 7)
            if role == Qt.ItemDataRole.DecorationRole:
                from pixie_desktop.ui.widgets.icons import icon

                return icon("star")
            return "" if role == Qt.ItemDataRole.DisplayRole else "Starred"
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if role == Qt.ItemDataRole.ToolTipRole and section == COL_STAR:
            return "Starred runs are never pruned"
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        rec = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == COL_STATUS:
                return STATUS_TEXT.get(rec.status, rec.status)
            if col == COL_TOOL:
                return self._tool_name(rec.tool_id)
            if col == COL_STARTED:
                return format_started(rec.started_at)
            if col == COL_DURATION:
                return "…" if rec.status == "running" else format_duration(rec.duration_s)
            if col == COL_LABEL:
                return rec.label or ""
            if col == COL_STAR:
                return None  # drawn by the star delegate
            if col == COL_BYTES:
                return format_bytes(rec.total_artefact_bytes)
            if col == COL_INPUTS:
                return self.inputs_text(rec)[0]
        if role == Qt.ItemDataRole.EditRole and col == COL_LABEL:
            return rec.label or ""
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == COL_STATUS and rec.error_text:
                return plain_tooltip(rec.error_text[:600])
            if col == COL_STARTED:
                return f"Run {rec.id}"
            if col == COL_INPUTS:
                return plain_tooltip(self.inputs_text(rec)[1]) or None
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (COL_DURATION, COL_BYTES):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == RunRole:
            return rec
        if role == StatusRole:
            return rec.status
        if role == StarredRole:
            return bool(rec.starred)
        if role == DurationRole:
            return rec.duration_s
        if role == LabelRole:
            return rec.label
        if role == RunIdRole:
            return rec.id
        if role == ToolIdRole:
            return rec.tool_id
        if role == BytesRole:
            return rec.total_artefact_bytes
        if role == ToolColourRole:
            return self._tool_colour(rec.tool_id)
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == COL_LABEL:
            f |= Qt.ItemFlag.ItemIsEditable
        return f

    def setData(self, index: QModelIndex | QPersistentModelIndex, value: Any,
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return False
        rec = self._rows[index.row()]
        try:
            if role in (Qt.ItemDataRole.EditRole, LabelRole) and (index.column() == COL_LABEL or role == LabelRole):
                change = run_ops.set_label(self.conn, rec.id, str(value) if value is not None else None)
            elif role == StarredRole:
                change = run_ops.set_starred(self.conn, rec.id, bool(value))
            else:
                return False
        except sqlite3.Error:
            return False
        fresh = run_queries.get_run(self.conn, rec.id)
        if fresh is not None:
            self._rows[index.row()] = fresh
        self.dataChanged.emit(self.index(index.row(), 0), self.index(index.row(), len(COLUMNS) - 1))
        if self._events is not None:
            publish(change, self._events)  # other history views follow
        return True
