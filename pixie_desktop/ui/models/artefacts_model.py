"""ArtefactsModel: the gallery's QAbstractTableModel over `artefacts` joined to runs, tool_state
(tool colour) and the tool's first workspace colour.

Rows arrive page by page (`canFetchMore`/`fetchMore`, keyset pagination in
`pixie_desktop.artefacts.queries`), on the QThreadPool by default so a slow sort at 100k rows
never stalls the UI; filters and sorts are SQL. An edit to one artefact (star, label, tags,
thumbnail) re-reads and emits `dataChanged` for that row only; a row that stops matching the
filter (deleted, unstarred in the starred view) is removed alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Sequence

from PySide6.QtCore import (QAbstractTableModel, QByteArray, QMimeData, QModelIndex, QObject,
                            QPersistentModelIndex, Qt, QTimer, QUrl, Signal)

from pixie_desktop.units import human_bytes as human_size
from pixie_desktop.artefacts.storage import safe_join
from pixie_desktop.ops import artefacts as artefact_ops
from pixie_desktop.ops.change import Change
from pixie_desktop.queries import artefacts as queries
from pixie_desktop.queries.artefacts import ArtefactQuery, ArtefactRecord, GalleryRow
from pixie_desktop.queries.common import parse_iso
from pixie_desktop.ui import workers
from pixie_desktop.ui.plain_text import plain_tooltip

ARTEFACT_ID_MIME = "application/x-pixie-artefact-id"

_ROLE0 = int(Qt.ItemDataRole.UserRole) + 40
ArtefactRole = _ROLE0          # ArtefactRecord
ThumbnailRole = _ROLE0 + 1     # QPixmap, or None while pending / when none can be made
StarredRole = _ROLE0 + 2       # bool
ToolColourRole = _ROLE0 + 3    # str | None
WorkspaceColourRole = _ROLE0 + 4  # str | None
MimeRole = _ROLE0 + 5          # str
MimeKindRole = _ROLE0 + 6      # one of queries.MIME_KINDS
SizeRole = _ROLE0 + 7          # int bytes
PathRole = _ROLE0 + 8          # absolute path (str) or None when the rel_path is unsafe
IdRole = _ROLE0 + 9            # int
GalleryRowRole = _ROLE0 + 10   # GalleryRow
TagsRole = _ROLE0 + 11         # list[str]
LabelRole = _ROLE0 + 12        # str | None
RunStarredRole = _ROLE0 + 13   # bool
ThumbPendingRole = _ROLE0 + 14  # bool: a thumbnail is queued/being made
SourceRole = _ROLE0 + 15       # "from sunset.jpg" (the input it came from) or None when unknown
GroupRole = _ROLE0 + 16        # grouped by run: the run's header text on its first row, "" on the
                               # others; None when the gallery is not grouped

COLUMNS = ("Name", "Tool", "Kind", "Size", "Created", "Label", "Tags")
COL_NAME, COL_TOOL, COL_KIND, COL_SIZE, COL_CREATED, COL_LABEL, COL_TAGS = range(len(COLUMNS))


def short_time(iso: str | None) -> str:
    dt = parse_iso(iso)
    return dt.astimezone().strftime("%Y-%m-%d %H:%M") if dt else ""


def group_time(iso: str | None) -> str:
    """Short enough for a tile's band: "Today 09:41", "30 Nov 09:41", "30 Nov 2025"."""
    from datetime import datetime

    dt = parse_iso(iso)
    if dt is None:
        return ""
    local, now = dt.astimezone(), datetime.now().astimezone()
    if local.date() == now.date():
        return local.strftime("Today %H:%M")
    return local.strftime("%d %b %H:%M" if local.year == now.year else "%d %b %Y")


def run_header(row: GalleryRow) -> str:
    """A run group's header: when the run started (first: the band is narrow), its label, the tool."""
    label = f" · “{row.run_label}”" if row.run_label else ""
    return f"{group_time(row.run_started or row.record.created_at)}{label} · {row.record.tool_id}"


def _fetch_page(db_path: str, query: ArtefactQuery, after: Sequence[Any] | None, limit: int,
                generation: int) -> tuple[int, list[GalleryRow], bool]:
    conn = queries.thread_connection(db_path)
    rows = queries.page(conn, query, after, limit + 1)  # one extra row tells us if more exist
    add_sources(conn, rows[:limit])
    return generation, rows[:limit], len(rows) > limit


def add_sources(conn: Any, rows: list[GalleryRow]) -> None:
    """Set each row's "from <input file>" (artefacts/provenance.py) from its run's recorded inputs."""
    from pixie_desktop.artefacts import provenance

    try:
        files = provenance.source_files_of_runs(conn, (r.record.run_id for r in rows))
    except Exception:  # noqa: BLE001 - provenance is a nicety: a bad row must not cost the page
        return
    for r in rows:
        r.source = provenance.from_label(r.record.filename, files.get(r.record.run_id, []))


def _fetch_counts(db_path: str, query: ArtefactQuery, generation: int) -> tuple[int, int, int]:
    conn = queries.thread_connection(db_path)
    return generation, queries.count(conn, query), queries.total_count(conn, trash=query.trash)


class ArtefactsModel(QAbstractTableModel):
    """See module docstring. `asynchronous=False` runs page queries inline (CLI-free tests)."""

    countsChanged = Signal(int, int)  # rows matching the filter, all rows in library/trash
    loadingChanged = Signal()         # is_loading() changed
    pageLoaded = Signal(int)          # rows added
    modelChanged = Signal()           # an action changed rows (for bulk bars / previews)

    def __init__(self, ctx: Any, parent: QObject | None = None, *, thumbnails: Any = None,
                 page_size: int | None = None, asynchronous: bool = True):
        super().__init__(parent)
        self.ctx = ctx
        self.settings = ctx.settings
        self.root = Path(ctx.settings.artefacts_root)
        self.db_path = str(ctx.settings.db_path)
        self.page_size = int(page_size or max(100, int(getattr(ctx.settings, "library_page_size", 50)) * 4))
        self.asynchronous = asynchronous
        self.thumbnails = thumbnails
        self._query = ArtefactQuery()
        self._rows: list[GalleryRow] = []
        self._by_id: dict[int, int] = {}
        self._generation = 0
        self._fetching = False
        self._at_end = False
        self._matching = 0
        self._total = 0
        self._own_event = False
        self._resetting = False
        if thumbnails is not None:
            thumbnails.ready.connect(self._thumb_ready)
            thumbnails.thumbPathStored.connect(self._thumb_stored)
        self._external = QTimer(self, singleShot=True, interval=400)
        self._external.timeout.connect(self.refresh)
        from pixie_desktop.ui.store_events import store_events

        store_events().artefactsChanged.connect(self._on_store_event)

    # ------------------------------------------------------------------ Qt model API
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(COLUMNS):
            return COLUMNS[section]
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        rec = row.record
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            name = rec.filename + (f" · {row.source}" if row.source else "")
            return plain_tooltip(f"{name}\n{rec.tool_id} · {human_size(rec.size_bytes)} · {short_time(rec.created_at)}")
        if role == SourceRole:
            return row.source
        if role == GroupRole:
            return self.group_header(index.row())
        if role == Qt.ItemDataRole.TextAlignmentRole and col == COL_SIZE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == ArtefactRole:
            return rec
        if role == GalleryRowRole:
            return row
        if role == IdRole:
            return rec.id
        if role == ThumbnailRole:
            return self._thumbnail(row)
        if role == ThumbPendingRole:
            return bool(self.thumbnails is not None and self.thumbnails.is_pending(row))
        if role == StarredRole:
            return bool(rec.starred)
        if role == RunStarredRole:
            return row.run_starred
        if role == ToolColourRole:
            return row.tool_colour
        if role == WorkspaceColourRole:
            return row.workspace_colour
        if role == MimeRole:
            return rec.mime
        if role == MimeKindRole:
            return row.kind
        if role == SizeRole:
            return int(rec.size_bytes)
        if role == PathRole:
            path = self.abs_path(rec)
            return str(path) if path else None
        if role == TagsRole:
            return rec.tag_list
        if role == LabelRole:
            return rec.label
        return None

    def _display(self, row: GalleryRow, col: int) -> str:
        rec = row.record
        if col == COL_NAME:
            return rec.label or rec.filename
        if col == COL_TOOL:
            return rec.tool_id
        if col == COL_KIND:
            return row.kind
        if col == COL_SIZE:
            return human_size(rec.size_bytes)
        if col == COL_CREATED:
            return short_time(rec.created_at)
        if col == COL_LABEL:
            return rec.label or ""
        if col == COL_TAGS:
            return ", ".join(t for t in rec.tag_list if not t.startswith("_"))
        return ""

    @property
    def grouped(self) -> bool:
        """Rows come grouped by run (the "Grouped by run" sort)."""
        return self._query.sort == "run"

    def group_header(self, row: int) -> str | None:
        """Grouped: "Tool · 30 Nov 12:03 · “label”" on the first row of each run, "" on the rest."""
        if not self.grouped or not 0 <= row < len(self._rows):
            return None
        r = self._rows[row]
        if row > 0 and self._rows[row - 1].record.run_id == r.record.run_id:
            return ""
        return run_header(r)

    def _thumbnail(self, row: GalleryRow) -> Any:
        if self.thumbnails is None:
            return None
        pm = self.thumbnails.pixmap(row)
        if pm is None:
            self.thumbnails.request(row)  # only painted (visible) rows get here; cheap if queued
        return pm

    # -- fetching
    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:
        return not parent.isValid() and not self._at_end and not self._fetching

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:
        if parent.isValid() or self._at_end or self._fetching or self._resetting:
            return
        self._fetching = True
        self.loadingChanged.emit()
        after = self._rows[-1].sort_key if self._rows else None
        args = (self.db_path, self._query, after, self.page_size, self._generation)
        if self.asynchronous:
            workers.submit(_fetch_page, *args, on_result=self._on_page, on_error=self._on_page_error)
        else:
            self._on_page(_fetch_page(*args))

    def _on_page(self, result: tuple[int, list[GalleryRow], bool]) -> None:
        generation, rows, more = result
        if generation != self._generation:
            return  # a page for a query that has since changed
        fresh = [r for r in rows if r.record.id not in self._by_id]
        self._at_end = not more
        if fresh:
            first = len(self._rows)
            # still "fetching" while rowsInserted is announced, so a listener that calls
            # fetchMore from its handler cannot start a nested insert
            self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
            for r in fresh:
                self._by_id[r.record.id] = len(self._rows)
                self._rows.append(r)
            self.endInsertRows()
        self._fetching = False
        self.loadingChanged.emit()
        self.pageLoaded.emit(len(fresh))

    def _on_page_error(self, _text: str) -> None:
        self._fetching = False
        self._at_end = True  # stop asking; `refresh()` retries
        self.loadingChanged.emit()

    def is_loading(self) -> bool:
        return self._fetching

    def at_end(self) -> bool:
        return self._at_end

    # ------------------------------------------------------------------ queries
    def query(self) -> ArtefactQuery:
        return self._query

    def set_query(self, query: ArtefactQuery) -> None:
        self._query = query
        self.refresh()

    def refresh(self) -> None:
        """Drop all rows and load the first page of the current query again."""
        self._generation += 1
        self.beginResetModel()
        self._rows.clear()
        self._by_id.clear()
        self._fetching = False
        self._at_end = False
        # listeners of modelReset (views, QAbstractItemModelTester) may call fetchMore while the
        # reset is still being announced; the first page is loaded right after, by us
        self._resetting = True
        try:
            self.endResetModel()
        finally:
            self._resetting = False
        self.fetchMore()
        self.refresh_counts()

    def refresh_counts(self) -> None:
        args = (self.db_path, self._query, self._generation)
        if self.asynchronous:
            workers.submit(_fetch_counts, *args, on_result=self._on_counts)
        else:
            self._on_counts(_fetch_counts(*args))

    def _on_counts(self, result: tuple[int, int, int]) -> None:
        generation, matching, total = result
        if generation != self._generation:
            return
        self._matching, self._total = matching, total
        self.countsChanged.emit(matching, total)

    def counts(self) -> tuple[int, int]:
        return self._matching, self._total

    # ------------------------------------------------------------------ rows
    def row_of(self, artefact_id: int) -> int:
        return self._by_id.get(int(artefact_id), -1)

    def row_at(self, row: int) -> GalleryRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def record(self, row: int) -> ArtefactRecord | None:
        r = self.row_at(row)
        return r.record if r else None

    def ids_for(self, indexes: Iterable[QModelIndex]) -> list[int]:
        seen: list[int] = []
        for idx in indexes:
            r = self.row_at(idx.row())
            if r is not None and r.record.id not in seen:
                seen.append(r.record.id)
        return seen

    def abs_path(self, rec: ArtefactRecord) -> Path | None:
        """The file of a row, or None if its rel_path would escape artefacts_root."""
        try:
            return safe_join(self.root, rec.rel_path)
        except (ValueError, OSError):
            return None

    def refresh_ids(self, ids: Iterable[int]) -> None:
        """Re-read these rows: changed ones emit dataChanged (that row only), rows that no
        longer match the filter are removed, one contiguous block at a time."""
        ids = [i for i in (int(x) for x in ids) if i in self._by_id]
        if not ids:
            return
        conn = self.ctx.conn
        fresh = queries.fetch_rows(conn, ids, self._query.sort)
        still = queries.still_matching(conn, self._query, ids)
        gone = sorted((self._by_id[i] for i in ids if i not in still or i not in fresh), reverse=True)
        for artefact_id in ids:
            if artefact_id in still and artefact_id in fresh:
                row = self._by_id[artefact_id]
                new = fresh[artefact_id]
                new.sort_key = self._rows[row].sort_key  # keep the page cursor stable
                new.source = self._rows[row].source      # the run's inputs never change
                self._rows[row] = new
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
        for row in gone:
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._rows[row]
            self.endRemoveRows()
        if gone:
            self._by_id = {r.record.id: n for n, r in enumerate(self._rows)}
            self._matching = max(0, self._matching - len(gone))
            self.refresh_counts()

    def _thumb_ready(self, artefact_id: int) -> None:
        row = self._by_id.get(artefact_id)
        if row is not None:
            idx = self.index(row, COL_NAME)
            self.dataChanged.emit(idx, idx, [ThumbnailRole])

    def _thumb_stored(self, artefact_id: int, rel: str) -> None:
        row = self._by_id.get(artefact_id)
        if row is not None:
            self._rows[row].record.thumb_path = rel  # no repaint needed: the pixmap is already shown

    # ------------------------------------------------------------------ actions
    def _changed(self, ids: Sequence[int], change: Change) -> None:
        self.refresh_ids(ids)
        self.modelChanged.emit()
        self._publish(change)

    def _publish(self, change: Change) -> None:
        """Tell the other views; this model already shows the change, so it ignores the echo."""
        from pixie_desktop.ui.publish import publish

        self._own_event = True
        try:
            publish(change)
        finally:
            self._own_event = False

    def _on_store_event(self) -> None:
        if not self._own_event:
            self._external.start()  # someone else added/changed artefacts: reload, debounced

    def set_starred(self, ids: Sequence[int], starred: bool) -> None:
        self._changed(ids, artefact_ops.set_starred(self.ctx.conn, ids, starred))

    def toggle_starred(self, ids: Sequence[int]) -> None:
        """Star all when any is unstarred, else unstar all (what a toolbar toggle means)."""
        recs = [self._rows[self._by_id[i]].record for i in ids if i in self._by_id]
        self.set_starred(ids, not all(r.starred for r in recs))

    def set_label(self, ids: Sequence[int], label: str | None) -> None:
        self._changed(ids, artefact_ops.set_label(self.ctx.conn, ids, label))

    def set_tags(self, ids: Sequence[int], tags: Iterable[str]) -> None:
        # internal "_" tags (e.g. _pixie_run_outputs) survive a user edit of the visible ones
        self._changed(ids, artefact_ops.set_tags(self.ctx.conn, ids, tags))

    def soft_delete(self, ids: Sequence[int]) -> list[int]:
        """Move to the Trash; returns the ids actually moved (for Undo)."""
        ids = list(ids)
        moved, change = artefact_ops.trash(self.ctx.conn, ids)
        self._changed(ids, change)
        return moved

    def restore(self, ids: Sequence[int]) -> None:
        change = artefact_ops.restore(self.ctx.conn, ids)
        if self._query.trash:
            self._changed(ids, change)
        else:
            self.refresh()  # restored rows come back in their sorted place
            self.modelChanged.emit()  # (not published: Undo of a Trash move is this view's own business)

    # ------------------------------------------------------------------ drag out
    def mimeTypes(self) -> list[str]:
        return ["text/uri-list", ARTEFACT_ID_MIME]

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        """File URLs (desktop, file managers, a tool's file input) + the artefact ids."""
        data = QMimeData()
        ids = self.ids_for(indexes)
        urls: list[QUrl] = []
        for i in ids:
            rec = self._rows[self._by_id[i]].record
            path = self.abs_path(rec)
            if path is not None and path.is_file():
                urls.append(QUrl.fromLocalFile(str(path)))
        data.setUrls(urls)
        data.setData(ARTEFACT_ID_MIME, QByteArray(",".join(str(i) for i in ids).encode()))
        if urls:
            data.setText("\n".join(u.toLocalFile() for u in urls))
        return data
