"""The home page's inputs: which tools get a card (favourites first, then the most recently
used, then by name) and the latest runs."""

from __future__ import annotations

import sqlite3
from typing import Any, Iterable, Sequence

from pixie_desktop.store import runs_repo
from pixie_desktop.store.runs_repo import RunRecord

CARDS = 6


def rank_tools(rows: Iterable[Any], limit: int = CARDS) -> list[Any]:
    """Rows with `.info` (ok, name) and `.state` (archived, favourited, last_run_at), e.g. the
    tools model's ToolRow: working, unarchived tools in card order."""
    live = [r for r in rows if r.info.ok and not r.state.archived]
    live.sort(key=lambda r: r.info.name.lower())
    live.sort(key=lambda r: r.state.last_run_at or "", reverse=True)  # stable: ties keep name order
    live.sort(key=lambda r: not r.state.favourited)
    return live[:limit]


def summary_counts(rows: Sequence[Any]) -> tuple[dict[str, str], int, int]:
    """(names of working unarchived tools by id, broken count, archived count)."""
    names = {r.info.tool_id: r.info.name for r in rows if not r.state.archived and r.info.ok}
    broken = sum(1 for r in rows if not r.info.ok)
    archived = sum(1 for r in rows if r.state.archived)
    return names, broken, archived


def recent_runs(conn: sqlite3.Connection, limit: int = CARDS) -> list[RunRecord]:
    return runs_repo.list_runs(conn, limit=limit)
