"""What the Home page shows: the summary counts and the ranked tool cards (favourites first, then
the most recently used, then by name), and the latest runs. Qt-free: it ranks the rows the tools
model already holds (anything with `.info` and `.state`)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any, Iterable

from pixie_desktop.store import runs_repo
from pixie_desktop.store.runs_repo import RunRecord

HOME_CARDS = 6


@dataclass(frozen=True)
class HomeSummary:
    names: dict[str, str]   # tool_id -> name of every tool that is ready (loads and is not archived)
    broken: int
    archived: int


def home_summary(rows: Iterable[Any]) -> HomeSummary:
    rows = list(rows)
    return HomeSummary({r.info.tool_id: r.info.name for r in rows if not r.state.archived and r.info.ok},
                       sum(1 for r in rows if not r.info.ok), sum(1 for r in rows if r.state.archived))


def rank_home_tools(rows: Iterable[Any], limit: int = HOME_CARDS) -> list[Any]:
    """Ready tools: favourites first, then the most recently run, then by name."""
    live = [r for r in rows if r.info.ok and not r.state.archived]
    live.sort(key=lambda r: r.info.name.lower())
    live.sort(key=lambda r: r.state.last_run_at or "", reverse=True)  # stable: ties keep name order
    live.sort(key=lambda r: not r.state.favourited)
    return live[:limit]


def recent_runs(conn: sqlite3.Connection, limit: int = HOME_CARDS) -> list[RunRecord]:
    """The latest runs of every tool (the home page's "Recent runs")."""
    return runs_repo.list_runs(conn, limit=limit)
