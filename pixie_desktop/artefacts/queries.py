"""SQL for the gallery: every filter and sort of the artefact list is expressed here, in SQL,
with keyset pagination so page N costs the same as page 1 at 100k rows.

`ArtefactQuery` is a plain value (filters + sort). `page(conn, query, after=None, limit=200)`
returns `GalleryRow`s (the artefact + tool colour + first workspace colour + run starred) and
the keyset cursor of the last row; `count(conn, query)` counts matches. Page queries are two
stages: the inner select touches only `artefacts` (filter, sort, LIMIT), the outer one joins
the few returned rows to runs / tool_state / workspaces, so joins never run over 100k rows.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass, field, replace
from typing import Any, Sequence

from pixie_desktop.store.artefacts_repo import COLUMNS as ARTEFACT_COLUMNS, ArtefactRecord
from pixie_desktop.store.db import open_db

# Mime kinds the gallery groups files into. The CASE below and `mime_kind()` in
# artefacts/thumbnails.py must agree; tests check them against each other.
MIME_KINDS = ("image", "svg", "pdf", "video", "audio", "table", "text", "other")

TEXT_APP_MIMES = ("application/json", "application/xml", "application/javascript", "application/x-yaml",
                   "application/yaml", "application/toml", "application/x-sh", "application/x-python",
                   "application/sql", "application/x-ndjson", "application/jsonl", "application/geo+json",
                   "application/x-tex", "application/x-latex", "application/x-ipynb+json")
TABLE_MIMES = ("text/csv", "text/tab-separated-values", "application/vnd.ms-excel",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _quoted(values: Sequence[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def mime_kind_sql(col: str = "mime") -> str:
    """A CASE expression mapping a mime column to one of MIME_KINDS (order matters: svg before
    image, csv before text)."""
    m = f"lower({col})"
    return (f"(CASE WHEN {m} LIKE 'image/svg%' THEN 'svg' "
            f"WHEN {m} LIKE 'image/%' THEN 'image' "
            f"WHEN {m} = 'application/pdf' THEN 'pdf' "
            f"WHEN {m} LIKE 'video/%' THEN 'video' "
            f"WHEN {m} LIKE 'audio/%' THEN 'audio' "
            f"WHEN {m} IN ({_quoted(TABLE_MIMES)}) THEN 'table' "
            f"WHEN {m} LIKE 'text/%' OR {m} IN ({_quoted(TEXT_APP_MIMES)}) OR {m} LIKE '%+json' "
            f"OR {m} LIKE '%+xml' THEN 'text' "
            "ELSE 'other' END)")


# When an artefact's run started (its own time when the run row is gone): the "run" sort's key.
RUN_STARTED_SQL = "COALESCE((SELECT rs.started_at FROM runs rs WHERE rs.id = a.run_id), a.created_at)"

# sort name -> list of (sql expression over alias a, direction). `id` is always last so the
# keyset is total (ties never skip or repeat a row between pages).
SORTS: dict[str, tuple[tuple[str, str], ...]] = {
    "newest": (("a.created_at", "DESC"), ("a.id", "DESC")),
    "oldest": (("a.created_at", "ASC"), ("a.id", "ASC")),
    "name": (("a.filename COLLATE NOCASE", "ASC"), ("a.id", "ASC")),
    "size": (("a.size_bytes", "DESC"), ("a.id", "DESC")),
    "tool": (("a.tool_id", "ASC"), ("a.created_at", "DESC"), ("a.id", "DESC")),
    # grouped by run: newest run first, a run's files together in the order they were made
    "run": ((RUN_STARTED_SQL, "DESC"), ("a.run_id", "DESC"), ("a.id", "ASC")),
}
# Same keys read back from a row (for the cursor of the last row of a page).
_SORT_FIELDS: dict[str, tuple[str, ...]] = {
    "newest": ("created_at", "id"),
    "oldest": ("created_at", "id"),
    "name": ("filename", "id"),
    "size": ("size_bytes", "id"),
    "tool": ("tool_id", "created_at", "id"),
    "run": ("run_started", "run_id", "id"),
}
SORT_LABELS = {"newest": "Newest first", "oldest": "Oldest first", "name": "Name A–Z",
               "size": "Largest first", "tool": "By tool", "run": "Grouped by run"}


@dataclass(frozen=True)
class ArtefactQuery:
    """What the gallery shows. Empty/None filters mean "any". `trash=True` shows only
    soft-deleted artefacts (the Trash view); otherwise they are hidden."""

    tool_id: str | None = None
    workspace_id: int | None = None
    tag: str | None = None
    starred: bool = False
    kinds: tuple[str, ...] = ()
    date_from: str | None = None  # ISO timestamp, inclusive
    date_to: str | None = None    # ISO timestamp, exclusive
    text: str = ""
    run_id: str | None = None
    trash: bool = False
    sort: str = "newest"
    batch_id: str | None = None   # only artefacts of the runs of one batch (runs.meta_json.batch_id)

    def with_(self, **changes: Any) -> "ArtefactQuery":
        return replace(self, **changes)

    @property
    def is_filtered(self) -> bool:
        return bool(self.tool_id or self.workspace_id is not None or self.tag or self.starred or self.kinds
                    or self.date_from or self.date_to or self.text.strip() or self.run_id
                    or self.batch_id)


@dataclass
class GalleryRow:
    """One gallery row: the artefact record plus what the joins add."""

    record: ArtefactRecord
    tool_colour: str | None = None
    workspace_colour: str | None = None
    run_starred: bool = False
    kind: str = "other"
    sort_key: tuple = field(default=(), repr=False)
    run_started: str | None = None   # when its run started (its own time when the run is gone)
    run_label: str | None = None     # the run's label
    source: str | None = None        # "from sunset.jpg": the input it came from (None: unknown)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def where_clause(q: ArtefactQuery) -> tuple[str, list[Any]]:
    """WHERE clause (over alias a) and its parameters; never interpolates user values."""
    parts = ["a.deleted_at IS NOT NULL" if q.trash else "a.deleted_at IS NULL"]
    args: list[Any] = []
    if q.tool_id:
        parts.append("a.tool_id = ?")
        args.append(q.tool_id)
    if q.run_id:
        parts.append("a.run_id = ?")
        args.append(q.run_id)
    if q.batch_id:
        parts.append("a.run_id IN (SELECT id FROM runs WHERE json_extract(meta_json, '$.batch_id') = ?)")
        args.append(q.batch_id)
    if q.workspace_id is not None:
        parts.append("a.tool_id IN (SELECT tool_id FROM tool_workspaces WHERE workspace_id = ?)")
        args.append(int(q.workspace_id))
    if q.tag and q.tag.strip():
        # tags are comma-separated: match a whole element, not a substring of another tag
        parts.append("(',' || REPLACE(COALESCE(a.tags, ''), ', ', ',') || ',') LIKE ? ESCAPE '\\'")
        args.append("%," + _like_escape(q.tag.strip()) + ",%")
    if q.starred:
        parts.append("a.starred = 1")
    kinds = tuple(k for k in q.kinds if k in MIME_KINDS)
    if kinds:
        parts.append(f"{mime_kind_sql('a.mime')} IN ({', '.join('?' * len(kinds))})")
        args.extend(kinds)
    if q.date_from:
        parts.append("a.created_at >= ?")
        args.append(q.date_from)
    if q.date_to:
        parts.append("a.created_at < ?")
        args.append(q.date_to)
    text = q.text.strip()
    if text:
        # every word must appear in the filename or the label (case-insensitive, LIKE is ASCII-ci)
        for word in text.split():
            pat = "%" + _like_escape(word) + "%"
            parts.append("(a.filename LIKE ? ESCAPE '\\' OR COALESCE(a.label, '') LIKE ? ESCAPE '\\')")
            args.extend([pat, pat])
    return " AND ".join(parts), args


def _keyset(sort: str, after: Sequence[Any]) -> tuple[str, list[Any]]:
    """Rows strictly after `after` in sort order, for mixed ASC/DESC keys:
    k1 <= v1 AND ((k1 < v1) OR (k1 = v1 AND k2 < v2) OR …)  with the comparisons flipped per
    direction. The leading redundant bound lets SQLite seek an index on the first key."""
    keys = SORTS[sort]
    ors: list[str] = []
    first_expr, first_dir = keys[0]
    args: list[Any] = [after[0]]
    bound = f"{first_expr} {'<=' if first_dir == 'DESC' else '>='} ?"
    for i, (expr, direction) in enumerate(keys):
        ands: list[str] = []
        for j in range(i):
            ands.append(f"{keys[j][0]} = ?")
            args.append(after[j])
        ands.append(f"{expr} {'<' if direction == 'DESC' else '>'} ?")
        args.append(after[i])
        ors.append("(" + " AND ".join(ands) + ")")
    return "(" + bound + " AND (" + " OR ".join(ors) + "))", args


def _order_by(sort: str) -> str:
    return ", ".join(f"{e} {d}" for e, d in SORTS[sort])


_OUTER_COLS = ", ".join("a." + c for c in ARTEFACT_COLUMNS)
_WS_COLOUR = ("(SELECT w.colour FROM tool_workspaces tw JOIN workspaces w ON w.id = tw.workspace_id "
              "WHERE tw.tool_id = a.tool_id AND w.colour IS NOT NULL AND w.colour != '' "
              "ORDER BY w.sort_order, w.id LIMIT 1)")


# Sorts by time can be served by idx_artefacts_tool (tool_id, created_at DESC) one tool at a
# time: the top N of each tool, merged, is the global top N. The schema has no index on
# created_at alone (and we may not add one), and a full sort of 100k rows costs ~100 ms where
# the merge costs ~7 ms. Above this many tools the plain sort is used.
MERGE_MAX_TOOLS = 64
_TIME_SORTS = ("newest", "oldest")


def tools_with_artefacts_fast(conn: sqlite3.Connection) -> list[str]:
    """Distinct tool_ids by skip-scan over idx_artefacts_tool (one index seek per tool)."""
    return [r[0] for r in conn.execute(
        "WITH RECURSIVE t(x) AS (SELECT MIN(tool_id) FROM artefacts UNION ALL "
        "SELECT (SELECT MIN(tool_id) FROM artefacts WHERE tool_id > t.x) FROM t WHERE t.x IS NOT NULL) "
        "SELECT x FROM t WHERE x IS NOT NULL")]


def _inner_ids(q: ArtefactQuery, sort: str, after: Sequence[Any] | None, limit: int) -> tuple[str, list[Any]]:
    where, args = where_clause(q)
    if after is not None:
        ks, ks_args = _keyset(sort, after)
        where += " AND " + ks
        args += ks_args
    return f"SELECT a.id, a.created_at FROM artefacts a WHERE {where} ORDER BY {_order_by(sort)} LIMIT ?", \
        [*args, int(limit)]


def page_sql(q: ArtefactQuery, after: Sequence[Any] | None, limit: int,
             merge_tools: Sequence[str] | None = None) -> tuple[str, list[Any]]:
    """SQL for one page. With `merge_tools` (time sorts only) the inner select is a UNION ALL
    of per-tool index-ordered top-N selects."""
    sort = q.sort if q.sort in SORTS else "newest"
    if merge_tools and sort in _TIME_SORTS:
        parts: list[str] = []
        args: list[Any] = []
        for tool in merge_tools:
            sub, sub_args = _inner_ids(q.with_(tool_id=tool), sort, after, limit)
            parts.append(f"SELECT * FROM ({sub})")
            args += sub_args
        direction = SORTS[sort][0][1]
        inner = (f"SELECT id FROM ({' UNION ALL '.join(parts)}) "
                 f"ORDER BY created_at {direction}, id {direction} LIMIT ?")
        args.append(int(limit))
    else:
        sub, args = _inner_ids(q, sort, after, limit)
        inner = f"SELECT id FROM ({sub})"
    sql = (f"SELECT {_OUTER_COLS}, ts.colour, {_WS_COLOUR}, COALESCE(r.starred, 0), {mime_kind_sql('a.mime')}, "
           "COALESCE(r.started_at, a.created_at), r.label "
           f"FROM ({inner}) p JOIN artefacts a ON a.id = p.id "
           "LEFT JOIN tool_state ts ON ts.tool_id = a.tool_id LEFT JOIN runs r ON r.id = a.run_id "
           f"ORDER BY {_order_by(sort)}")
    return sql, args


def _row(sort: str, raw: Sequence[Any]) -> GalleryRow:
    n = len(ARTEFACT_COLUMNS)
    rec = ArtefactRecord(*raw[:n])
    row = GalleryRow(record=rec, tool_colour=raw[n] or None, workspace_colour=raw[n + 1] or None,
                     run_starred=bool(raw[n + 2]), kind=str(raw[n + 3]), run_started=raw[n + 4],
                     run_label=raw[n + 5] or None)
    row.sort_key = tuple(row.run_started if f == "run_started" else getattr(rec, f) for f in _SORT_FIELDS[sort])
    return row


def page(conn: sqlite3.Connection, q: ArtefactQuery, after: Sequence[Any] | None = None,
         limit: int = 200) -> list[GalleryRow]:
    """One page of rows in sort order, strictly after the cursor `after` (a row's sort_key)."""
    sort = q.sort if q.sort in SORTS else "newest"
    merge: list[str] | None = None
    if sort in _TIME_SORTS and not q.tool_id and not q.run_id:
        merge = tools_with_artefacts_fast(conn)
        if not merge or len(merge) > MERGE_MAX_TOOLS:
            merge = None
    sql, args = page_sql(q, after, limit, merge)
    return [_row(sort, r) for r in conn.execute(sql, args).fetchall()]


def fetch_rows(conn: sqlite3.Connection, ids: Sequence[int], sort: str = "newest") -> dict[int, GalleryRow]:
    """Re-read specific rows (after a star/label/tag/thumb change) with their joined columns."""
    ids = [int(i) for i in ids]
    if not ids:
        return {}
    sort = sort if sort in SORTS else "newest"
    marks = ",".join("?" * len(ids))
    sql = (f"SELECT {_OUTER_COLS}, ts.colour, {_WS_COLOUR}, COALESCE(r.starred, 0), {mime_kind_sql('a.mime')}, "
           "COALESCE(r.started_at, a.created_at), r.label "
           "FROM artefacts a LEFT JOIN tool_state ts ON ts.tool_id = a.tool_id LEFT JOIN runs r ON r.id = a.run_id "
           f"WHERE a.id IN ({marks})")
    return {r[0]: _row(sort, r) for r in conn.execute(sql, ids).fetchall()}


def count(conn: sqlite3.Connection, q: ArtefactQuery) -> int:
    where, args = where_clause(q)
    return int(conn.execute(f"SELECT COUNT(*) FROM artefacts a WHERE {where}", args).fetchone()[0])


def total_count(conn: sqlite3.Connection, trash: bool = False) -> int:
    """All artefacts in the library (or the trash), ignoring filters: the "M" of "N of M"."""
    return count(conn, ArtefactQuery(trash=trash))


def tag_counts(conn: sqlite3.Connection, limit: int = 40) -> list[tuple[str, int]]:
    """User tags in use (internal `_` tags hidden), most used first, for the filter bar."""
    counts: dict[str, int] = {}
    for (tags,) in conn.execute("SELECT tags FROM artefacts WHERE deleted_at IS NULL AND tags IS NOT NULL "
                                "AND tags != ''"):
        for t in str(tags).split(","):
            t = t.strip()
            if t and not t.startswith("_"):
                counts[t] = counts.get(t, 0) + 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]


def tool_ids(conn: sqlite3.Connection) -> list[str]:
    """Tools that have artefacts (for the tool filter), alphabetically."""
    return [r[0] for r in conn.execute("SELECT DISTINCT tool_id FROM artefacts ORDER BY tool_id")]


_local = threading.local()


def thread_connection(db_path: str) -> sqlite3.Connection:
    """A connection owned by the calling thread (pool threads are reused, so it is opened once
    per thread and database, not once per page or thumbnail)."""
    cache: dict[str, sqlite3.Connection] = _local.__dict__.setdefault("conns", {})
    key = str(db_path)
    conn = cache.get(key)
    if conn is None:
        conn = cache[key] = open_db(key)
    return conn
