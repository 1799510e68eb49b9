"""Run search over the FTS5 index that schema.SEARCH_* and its triggers maintain.

`RunFilter` says what to find (words + tool, status, starred, date range); `search_page` returns
one keyset page of matching runs, newest first, exactly like `queries.runs.page` does for the
unfiltered history. `backfill_batch` indexes runs written before the index existed (the triggers
index every run that ends after it). A run still going is not in the index yet: the few listed
in `run_search_running` are matched here, word by word, on the same text the index will hold.
Without FTS5 in this SQLite the same filters run as LIKE scans."""

from __future__ import annotations

import bisect
import json
import re
import sqlite3
import unicodedata
from dataclasses import dataclass
from typing import Any, Iterator

from pixie_desktop.store.db import transaction
from pixie_desktop.store.runs_repo import COLUMNS, RunRecord
from pixie_desktop.store.schema import (DOC_COLUMNS, DOC_SLOTS, SEARCH_INDEX_SETTING, SEARCH_INDEX_VERSION,
                                       doc_base_sql, search_doc_values, search_text_values)

# Bumped (in schema.py) when what the triggers index changes, so old rows are indexed again.
INDEX_VERSION = SEARCH_INDEX_VERSION
BACKFILL_SETTING = SEARCH_INDEX_SETTING
SUMMARY_MAX_CHARS = 32_768  # what of a spilled outputs.json is searchable; bounded like all tool output
_WORD = re.compile(r"\w+", re.UNICODE)
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)  # what FTS5's unicode61 tokenizer calls a token
_RUN_COLUMNS = ", ".join("r." + c.strip() for c in COLUMNS.split(","))


@dataclass(frozen=True)
class RunFilter:
    """What the History search field and the CLI's `runs --search` ask for. Empty = everything.

    `text`: words that must all occur (each as a prefix) in the label, inputs (file names
    included), outputs or error text. `batch_id`: only the items of one batch. `since`/`until`: ISO dates or timestamps in UTC, compared
    with started_at (since inclusive, until exclusive)."""

    text: str = ""
    tool_id: str | None = None
    status: str | None = None
    starred: bool | None = None
    since: str | None = None
    until: str | None = None
    batch_id: str | None = None   # the runs of one batch (runs.meta_json.batch_id)

    @property
    def words(self) -> list[str]:
        return _WORD.findall(self.text or "")

    def is_empty(self) -> bool:
        return not (self.words or self.tool_id or self.status or self.starred is not None
                    or self.since or self.until or self.batch_id)


def fts_query(words: list[str]) -> str:
    """An FTS5 MATCH expression: every word, as a quoted prefix (so user text never reaches the
    query syntax: `"` is doubled, AND/OR/NEAR are just words)."""
    return " ".join('"' + w.replace('"', '""') + '"*' for w in words)


def has_index(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'run_search' AND type = 'table'"
                        ).fetchone() is not None


def _filters(flt: RunFilter, after: RunRecord | None) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    args: list[Any] = []
    if flt.tool_id is not None:
        where.append("r.tool_id = ?")
        args.append(flt.tool_id)
    if flt.status is not None:
        where.append("r.status = ?")
        args.append(flt.status)
    if flt.starred is not None:
        where.append("r.starred = ?")
        args.append(1 if flt.starred else 0)
    if flt.since:
        where.append("r.started_at >= ?")
        args.append(flt.since)
    if flt.until:
        where.append("r.started_at < ?")
        args.append(flt.until)
    if flt.batch_id:
        where.append("(CASE WHEN json_valid(r.meta_json) THEN json_extract(r.meta_json, '$.batch_id') END) = ?")
        args.append(flt.batch_id)
    if after is not None:
        where.append("r.started_at <= ? AND (r.started_at < ? OR r.id < ?)")
        args += [after.started_at, after.started_at, after.id]
    return where, args


def search_page(conn: sqlite3.Connection, flt: RunFilter, *, after: RunRecord | None = None,
                limit: int = 50) -> list[RunRecord]:
    """The next `limit` runs matching `flt`, newest first, strictly after `after` in that order.

    With words, the page walks the FTS index in descending doc id — doc ids sort like started_at
    (schema.doc_id_sql) — so FTS5 streams matches newest first and stops after one page."""
    words = flt.words
    if words and has_index(conn):
        where, args = _filters(flt, None)
        where.insert(0, "run_search MATCH ?")
        args.insert(0, fts_query(words))
        if after is not None:
            where.append(f"s.rowid < COALESCE((SELECT doc FROM run_search_docs WHERE run_id = ?), "
                         f"{doc_base_sql('?')})")
            args += [after.id, after.started_at]
        if flt.until:  # lets FTS5 skip newer docs; a day of slack covers any timezone spelling
            where.append(f"s.rowid < {doc_base_sql('?')} + {86_400_000 * DOC_SLOTS}")
            args.append(flt.until)
        sql = (f"SELECT {_RUN_COLUMNS} FROM run_search s JOIN run_search_docs d ON d.doc = s.rowid "
               f"JOIN runs r ON r.id = d.run_id WHERE {' AND '.join(where)} ORDER BY s.rowid DESC LIMIT ?")
        limit = max(1, int(limit))
        found = [RunRecord(*row) for row in conn.execute(sql, (*args, limit))]
        return _with_running(found, _running_matches(conn, flt, after), limit)
    where, args = _filters(flt, after)
    for w in words:  # no FTS5 in this SQLite: the same words as LIKE scans
        like = "%" + w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append("(COALESCE(r.label, '') || ' ' || r.inputs_json || ' ' || COALESCE(r.outputs_json, '') "
                     "|| ' ' || COALESCE(r.error_text, '') || ' ' || COALESCE(r.meta_json, '')) "
                     "LIKE ? ESCAPE '\\'")
        args.append(like)
    sql = (f"SELECT {_RUN_COLUMNS} FROM runs r {'WHERE ' + ' AND '.join(where) if where else ''} "
           "ORDER BY r.started_at DESC, r.id DESC LIMIT ?")
    return [RunRecord(*row) for row in conn.execute(sql, (*args, max(1, int(limit))))]


def matches(conn: sqlite3.Connection, flt: RunFilter, run_id: str) -> bool:
    """Whether one run passes `flt` (a live view deciding where a changed run belongs)."""
    where, args = _filters(flt, None)
    where.insert(0, "r.id = ?")
    args.insert(0, run_id)
    words = flt.words
    if words and has_index(conn):
        if conn.execute("SELECT 1 FROM run_search_running WHERE run_id = ?", (run_id,)).fetchone():
            return any(r.id == run_id for r in _running_matches(conn, flt, None, run_id))
        where.append("r.id IN (SELECT d.run_id FROM run_search s JOIN run_search_docs d ON d.doc = s.rowid "
                     "WHERE run_search MATCH ? AND d.run_id = ?)")
        args += [fts_query(words), run_id]
    elif words:
        return any(r.id == run_id for r in search_page(conn, flt, limit=1_000_000))
    return conn.execute(f"SELECT 1 FROM runs r WHERE {' AND '.join(where)}", args).fetchone() is not None


def run_tool_ids(conn: sqlite3.Connection) -> list[str]:
    """Every tool id with at least one run (the History page's tool filter), via idx_runs_tool."""
    out: list[str] = []
    row = conn.execute("SELECT MIN(tool_id) FROM runs").fetchone()
    while row is not None and row[0] is not None:  # a skip-scan: one index seek per tool, not per run
        out.append(row[0])
        row = conn.execute("SELECT MIN(tool_id) FROM runs WHERE tool_id > ?", (row[0],)).fetchone()
    return out


def count_matches(conn: sqlite3.Connection, flt: RunFilter) -> int:
    where, args = _filters(flt, None)
    words = flt.words
    if words and has_index(conn):
        where.insert(0, "r.id IN (SELECT d.run_id FROM run_search s JOIN run_search_docs d ON d.doc = s.rowid "
                        "WHERE run_search MATCH ?)")
        args.insert(0, fts_query(words))
    elif words:
        return len(search_page(conn, flt, limit=1_000_000))
    sql = f"SELECT COUNT(*) FROM runs r {'WHERE ' + ' AND '.join(where) if where else ''}"
    running = 0
    if words and has_index(conn):  # running runs are not indexed yet (an old database's may be)
        running = sum(1 for r in _running_matches(conn, flt, None) if not conn.execute(
            "SELECT 1 FROM run_search_docs WHERE run_id = ?", (r.id,)).fetchone())
    return int(conn.execute(sql, args).fetchone()[0]) + running


# -- running runs: matched directly until they end and are indexed -------------------------------
def _fold(text: str) -> str:
    """Case and accents folded away, as the index's `unicode61 remove_diacritics` tokenizer does."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def doc_tokens(texts: list[str | None]) -> list[str]:
    """The sorted distinct tokens of a doc's texts, as the index's tokenizer would cut them."""
    return sorted(set(_TOKEN.findall(_fold(" ".join(t for t in texts if t)))))


def tokens_have_words(words: list[str], tokens: list[str]) -> bool:
    """Whether every word occurs as a token prefix among `tokens` (sorted, from doc_tokens):
    what the FTS query asks of a doc. A binary search per word part, however long the doc."""
    for word in words:
        for part in _TOKEN.findall(_fold(word)):
            i = bisect.bisect_left(tokens, part)
            if i == len(tokens) or not tokens[i].startswith(part):
                return False
    return True


def text_has_words(words: list[str], texts: list[str | None]) -> bool:
    """tokens_have_words over `texts` themselves."""
    return tokens_have_words(words, doc_tokens(texts))


# run id → (its searched columns, its doc's tokens): a running run's words are worked out once,
# not on every keystroke (a run whose input is a pasted 6 MB text cost 0.7 s per search)
_RUNNING_TOKENS: dict[str, tuple[tuple, list[str]]] = {}
_RUNNING_TOKENS_MAX = 64


def _running_tokens(conn: sqlite3.Connection, rec: RunRecord) -> list[str]:
    key = (rec.label, rec.inputs_json, rec.outputs_json, rec.error_text, rec.meta_json)
    hit = _RUNNING_TOKENS.get(rec.id)
    if hit is not None and hit[0] == key:
        return hit[1]
    row = conn.execute(f"SELECT {search_text_values('r')} FROM runs r WHERE r.id = ?", (rec.id,)).fetchone()
    tokens = doc_tokens(list(row) if row else [])
    if len(_RUNNING_TOKENS) >= _RUNNING_TOKENS_MAX:
        _RUNNING_TOKENS.clear()  # running runs are few: this only drops long-finished ones
    _RUNNING_TOKENS[rec.id] = (key, tokens)
    return tokens


def _running_matches(conn: sqlite3.Connection, flt: RunFilter, after: RunRecord | None,
                     run_id: str | None = None) -> list[RunRecord]:
    """Running runs (or just `run_id`) that pass `flt`, newest first, strictly after `after`: the
    index's text for each (schema.search_text_values) is tokenized here (once per run while its
    searched columns stay the same) and matched word by word."""
    where, args = _filters(flt, after)
    if run_id is not None:
        where.append("r.id = ?")
        args.append(run_id)
    # CROSS JOIN keeps the few running rows as the outer loop: left to itself the planner would
    # walk all of `runs` in started_at order to avoid sorting (a full scan per keystroke)
    sql = (f"SELECT {_RUN_COLUMNS} FROM run_search_running p "
           f"CROSS JOIN runs r ON r.id = p.run_id {'WHERE ' + ' AND '.join(where) if where else ''} "
           "ORDER BY r.started_at DESC, r.id DESC")
    words = flt.words
    recs = [RunRecord(*row) for row in conn.execute(sql, args)]
    return [rec for rec in recs if tokens_have_words(words, _running_tokens(conn, rec))]


def _with_running(found: list[RunRecord], running: list[RunRecord], limit: int) -> list[RunRecord]:
    """An index page with the running matches that belong in it merged in by start time (the
    index's own order is kept). A full page only takes running runs newer than its last row:
    older ones come with the page where they sort."""
    if not running:
        return found
    seen = {r.id for r in found}
    extra = [r for r in running if r.id not in seen]
    if len(found) >= limit:
        last = (found[-1].started_at, found[-1].id)
        extra = [r for r in extra if (r.started_at, r.id) > last]
    out: list[RunRecord] = []
    i = 0
    for rec in found:
        while i < len(extra) and (extra[i].started_at, extra[i].id) > (rec.started_at, rec.id):
            out.append(extra[i])
            i += 1
        out.append(rec)
    out.extend(extra[i:])
    return out[:limit]


# -- keeping the index complete ------------------------------------------------------------------
def index_version(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (BACKFILL_SETTING,)).fetchone()
    return row[0] if row else None


def needs_backfill(conn: sqlite3.Connection) -> bool:
    return has_index(conn) and index_version(conn) != INDEX_VERSION


def unindexed_count(conn: sqlite3.Connection) -> int:
    """Ended runs without a doc (a running run is indexed when it ends)."""
    return int(conn.execute("SELECT COUNT(*) FROM runs r WHERE r.status IS NOT 'running' AND NOT EXISTS "
                            "(SELECT 1 FROM run_search_docs d WHERE d.run_id = r.id)").fetchone()[0])


def backfill_batch(conn: sqlite3.Connection, after_rowid: int, limit: int = 500) -> tuple[int, int]:
    """(Re)index up to `limit` runs with rowid > `after_rowid`, in one short write transaction so
    live runs are never kept waiting. Returns (rows done, last rowid; -1 when none were left).
    Paging by rowid keeps every batch a range read however large the table."""
    rows = conn.execute("SELECT rowid, id FROM runs WHERE rowid > ? ORDER BY rowid LIMIT ?",
                        (after_rowid, limit)).fetchall()
    if not rows:
        return 0, -1
    ids = [r[1] for r in rows]
    marks = ",".join("?" * len(ids))
    with transaction(conn):
        conn.execute(f"DELETE FROM run_search_docs WHERE run_id IN ({marks})", ids)
        # one row per statement: each doc id is chosen after the previous row is in (doc_id_sql)
        conn.executemany(f"INSERT INTO run_search_docs ({DOC_COLUMNS}) SELECT {search_doc_values('r')} "
                         "FROM runs r WHERE r.id = ? AND r.status IS NOT 'running'", [(i,) for i in ids])
    return len(rows), int(rows[-1][0])


def mark_backfilled(conn: sqlite3.Connection) -> None:
    conn.execute("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                 (BACKFILL_SETTING, INDEX_VERSION))


def spilled_without_summary(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """(run id, outputs_path) of runs whose outputs went to outputs.json and carry no search summary."""
    rows = conn.execute(
        "SELECT id, json_extract(meta_json, '$.outputs_path') FROM runs WHERE outputs_json IS NULL "
        "AND json_valid(meta_json) AND json_extract(meta_json, '$.outputs_oversize') "
        "AND json_extract(meta_json, '$.search_text') IS NULL").fetchall()
    return [(r[0], r[1]) for r in rows if isinstance(r[1], str)]


# -- the text of outputs too big to keep inline -------------------------------------------------
def _text_leaves(value: Any, depth: int = 0) -> Iterator[str]:
    if depth > 32:
        return
    if isinstance(value, str):
        if value.startswith("data:") or (len(value) > 120 and " " not in value):
            return
        yield value
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, (int, float)):
        yield str(value)
    elif isinstance(value, dict):
        for k, v in value.items():
            if k in ("mime", "sha256", "size", "url") and depth > 0:
                continue
            yield from _text_leaves(v, depth + 1)
    elif isinstance(value, list):
        for v in value:
            yield from _text_leaves(v, depth + 1)


def summarise_outputs(outputs: Any, max_chars: int = SUMMARY_MAX_CHARS) -> str:
    """The searchable words of an outputs dict (the same leaves the triggers index for inline
    outputs), cut at `max_chars`: stored in meta_json.search_text for spilled runs."""
    parts: list[str] = []
    n = 0
    for text in _text_leaves(outputs):
        parts.append(text[: max_chars - n])
        n += len(parts[-1]) + 1
        if n >= max_chars:
            break
    return " ".join(parts)


def summarise_outputs_json(text: str, max_chars: int = SUMMARY_MAX_CHARS) -> str:
    try:
        return summarise_outputs(json.loads(text), max_chars)
    except (ValueError, RecursionError):
        return ""
