"""Artefact queries: the gallery's filtered, keyset-paged query (pixie_desktop.artefacts.queries,
re-exported here so the UI and the CLI have one place to read from) and single rows."""

from __future__ import annotations

import sqlite3
from typing import Iterable, Sequence

from pixie_desktop.artefacts.queries import (  # noqa: F401 - re-exported
    MIME_KINDS, SORT_LABELS, ArtefactQuery, GalleryRow, count, fetch_rows, page, tag_counts, thread_connection,
    tool_ids, total_count, where_clause,
)
from pixie_desktop.store import artefacts_repo
from pixie_desktop.store.artefacts_repo import ArtefactRecord

__all__ = ["MIME_KINDS", "SORT_LABELS", "ArtefactQuery", "ArtefactRecord", "GalleryRow", "count", "fetch_rows",
           "page", "tag_counts", "thread_connection", "tool_ids", "total_count", "where_clause", "get", "get_many",
           "for_run", "list_artefacts", "starred", "still_matching"]


def get(conn: sqlite3.Connection, artefact_id: int) -> ArtefactRecord | None:
    return artefacts_repo.get(conn, artefact_id)


def get_many(conn: sqlite3.Connection, ids: Iterable[int]) -> list[ArtefactRecord]:
    """The rows that still exist, in the order asked."""
    return [r for r in (artefacts_repo.get(conn, i) for i in ids) if r is not None]


def for_run(conn: sqlite3.Connection, run_id: str, include_deleted: bool = False) -> list[ArtefactRecord]:
    return artefacts_repo.for_run(conn, run_id, include_deleted)


def list_artefacts(conn: sqlite3.Connection, *, tool_id: str | None = None, starred: bool | None = None,
                   deleted: bool = False, limit: int = 100, offset: int = 0) -> list[ArtefactRecord]:
    return artefacts_repo.list_artefacts(conn, tool_id=tool_id, starred=starred, deleted=deleted,
                                         limit=limit, offset=offset)


def starred(conn: sqlite3.Connection, limit: int = 30) -> list[ArtefactRecord]:
    """Newest starred artefacts (command palette)."""
    return artefacts_repo.list_artefacts(conn, starred=True, limit=limit)


def still_matching(conn: sqlite3.Connection, q: ArtefactQuery, ids: Sequence[int]) -> set[int]:
    """Which of `ids` the gallery query `q` still selects (after an edit, to drop rows that left
    the filter)."""
    ids = list(ids)
    if not ids:
        return set()
    where, args = where_clause(q)
    marks = ",".join("?" * len(ids))
    return {r[0] for r in conn.execute(f"SELECT a.id FROM artefacts a WHERE {where} AND a.id IN ({marks})",
                                       [*args, *ids])}
