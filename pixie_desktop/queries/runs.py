"""Run queries: one run, a filtered list, counts, and keyset pages for the history tables."""

from __future__ import annotations

import sqlite3
from typing import Any

from pixie_desktop.store import runs_repo
from pixie_desktop.store.runs_repo import COLUMNS, STATUSES, RunRecord

__all__ = ["COLUMNS", "STATUSES", "RunRecord", "get_run", "list_runs", "count_runs", "recent", "page"]


def get_run(conn: sqlite3.Connection, run_id: str) -> RunRecord | None:
    return runs_repo.get_run(conn, run_id)


def list_runs(conn: sqlite3.Connection, *, tool_id: str | None = None, status: str | None = None,
              starred: bool | None = None, limit: int = 100, offset: int = 0) -> list[RunRecord]:
    """Newest first."""
    return runs_repo.list_runs(conn, tool_id=tool_id, status=status, starred=starred, limit=limit, offset=offset)


def count_runs(conn: sqlite3.Connection, *, tool_id: str | None = None, status: str | None = None,
               starred: bool | None = None) -> int:
    return runs_repo.count_runs(conn, tool_id=tool_id, status=status, starred=starred)


def recent(conn: sqlite3.Connection, limit: int = 6) -> list[RunRecord]:
    """The latest runs of every tool (home page, tray menu, command palette)."""
    return runs_repo.list_runs(conn, limit=limit)


def page(conn: sqlite3.Connection, *, tool_id: str | None = None, starred_only: bool = False,
         after: RunRecord | None = None, limit: int = 50) -> list[RunRecord]:
    """The next `limit` runs, newest first, strictly older than `after` (keyset paging)."""
    where: list[str] = []
    args: list[Any] = []
    if tool_id is not None:
        where.append("tool_id = ?")
        args.append(tool_id)
    if starred_only:
        where.append("starred = 1")
    if after is not None:
        # rows strictly older than the last one loaded; the `<=` half lets sqlite use the
        # (tool_id, started_at) / (started_at) index as a range
        where.append("started_at <= ? AND (started_at < ? OR id < ?)")
        args += [after.started_at, after.started_at, after.id]
    sql = f"SELECT {COLUMNS} FROM runs {'WHERE ' + ' AND '.join(where) if where else ''} " \
          f"ORDER BY started_at DESC, id DESC LIMIT ?"
    return [RunRecord(*r) for r in conn.execute(sql, (*args, limit))]
