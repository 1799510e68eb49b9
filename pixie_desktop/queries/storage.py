"""Storage queries (no Qt): disk use per tool, from the artefact rows' recorded sizes."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True)
class ToolDiskUse:
    tool_id: str
    bytes: int
    files: int


def disk_use_by_tool(conn: sqlite3.Connection) -> list[ToolDiskUse]:
    """Bytes of live (not trashed) artefacts per tool, largest first. The same sum the sweeper's
    disk audit starts from, without the tool folders' .venv/data (those are not the user's data)."""
    rows = conn.execute(
        "SELECT tool_id, COALESCE(SUM(size_bytes), 0), COUNT(*) FROM artefacts WHERE deleted_at IS NULL "
        "GROUP BY tool_id ORDER BY 2 DESC, 1")
    return [ToolDiskUse(str(t), int(b), int(n)) for t, b, n in rows]
