"""Run search (no Qt), shared by the History page's RunsModel and `pixie-desktop runs --search`:
words over labels, inputs (file inputs by original name), outputs (spilled ones by their
summary) and error text, with tool / status / starred / date-range filters. Backed by the FTS5
index that SQLite triggers keep in step with `runs` (see store/schema.py)."""

from __future__ import annotations

import re
import sqlite3

from pixie_desktop.store import search_repo
from pixie_desktop.store.runs_repo import RunRecord
from pixie_desktop.store.search_repo import RunFilter, fts_query

__all__ = ["RunFilter", "split_batch_token", "fts_query", "page", "search", "count", "matches", "run_tool_ids", "needs_backfill", "unindexed_count", "has_index"]


_BATCH_TOKEN = re.compile(r"(?:^|\s)batch:(\S+)", re.IGNORECASE)


def split_batch_token(text: str) -> tuple[str, str | None]:
    """`batch:ID` in a search text (History's search field): (the text without it, ID). The
    last token wins; the rest of the text stays a word search."""
    found = _BATCH_TOKEN.findall(text or "")
    if not found:
        return text, None
    return " ".join(_BATCH_TOKEN.sub(" ", text).split()), found[-1]


def page(conn: sqlite3.Connection, flt: RunFilter, *, after: RunRecord | None = None,
         limit: int = 50) -> list[RunRecord]:
    """The next `limit` matching runs, newest first, strictly older than `after` (keyset paging)."""
    return search_repo.search_page(conn, flt, after=after, limit=limit)


def search(conn: sqlite3.Connection, flt: RunFilter, limit: int = 100) -> list[RunRecord]:
    return search_repo.search_page(conn, flt, limit=limit)


def count(conn: sqlite3.Connection, flt: RunFilter) -> int:
    return search_repo.count_matches(conn, flt)


def matches(conn: sqlite3.Connection, flt: RunFilter, run_id: str) -> bool:
    return search_repo.matches(conn, flt, run_id)


def run_tool_ids(conn: sqlite3.Connection) -> list[str]:
    return search_repo.run_tool_ids(conn)


def needs_backfill(conn: sqlite3.Connection) -> bool:
    """True until runs recorded before the index existed have been indexed (ops.search.backfill)."""
    return search_repo.needs_backfill(conn)


def unindexed_count(conn: sqlite3.Connection) -> int:
    return search_repo.unindexed_count(conn)


def has_index(conn: sqlite3.Connection) -> bool:
    return search_repo.has_index(conn)
