"""The `workspaces` and `tool_workspaces` tables: named, coloured, collapsible groups of tools.
A tool may be in several; deleting a workspace cascades to memberships only."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from pixie_desktop.store.db import now_iso, transaction


class WorkspaceError(ValueError):
    """A readable refusal (duplicate or invalid name, unknown workspace)."""


@dataclass
class Workspace:
    id: int
    name: str
    colour: str | None
    sort_order: int
    collapsed: int
    created_at: str
    tool_ids: list[str] = field(default_factory=list)


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not 1 <= len(name) <= 60:
        raise WorkspaceError("A workspace name needs 1 to 60 characters.")
    return name


def _check_unique(conn: sqlite3.Connection, name: str, exclude_id: int | None = None) -> None:
    row = conn.execute("SELECT id FROM workspaces WHERE lower(name) = lower(?) AND id != ?",
                       (name, exclude_id or -1)).fetchone()
    if row:
        raise WorkspaceError(f"A workspace called “{name}” already exists.")


def create(conn: sqlite3.Connection, name: str, colour: str | None = None) -> Workspace:
    name = _clean_name(name)
    with transaction(conn):
        _check_unique(conn, name)
        order = conn.execute("SELECT COALESCE(MAX(sort_order), -1) + 1 FROM workspaces").fetchone()[0]
        cur = conn.execute("INSERT INTO workspaces(name, colour, sort_order, collapsed, created_at) "
                           "VALUES (?, ?, ?, 0, ?)", (name, colour, order, now_iso()))
    ws = get(conn, int(cur.lastrowid))
    assert ws is not None
    return ws


def get(conn: sqlite3.Connection, workspace_id: int) -> Workspace | None:
    row = conn.execute("SELECT id, name, colour, sort_order, collapsed, created_at FROM workspaces WHERE id = ?",
                       (workspace_id,)).fetchone()
    if row is None:
        return None
    ws = Workspace(*row)
    ws.tool_ids = members(conn, ws.id)
    return ws


def list_all(conn: sqlite3.Connection) -> list[Workspace]:
    rows = conn.execute("SELECT id, name, colour, sort_order, collapsed, created_at FROM workspaces "
                        "ORDER BY sort_order, name").fetchall()
    out = [Workspace(*r) for r in rows]
    memb: dict[int, list[str]] = {}
    for tool_id, ws_id in conn.execute("SELECT tool_id, workspace_id FROM tool_workspaces ORDER BY added_at, tool_id"):
        memb.setdefault(ws_id, []).append(tool_id)
    for ws in out:
        ws.tool_ids = memb.get(ws.id, [])
    return out


def rename(conn: sqlite3.Connection, workspace_id: int, name: str) -> None:
    name = _clean_name(name)
    with transaction(conn):
        _check_unique(conn, name, workspace_id)
        if conn.execute("UPDATE workspaces SET name = ? WHERE id = ?", (name, workspace_id)).rowcount == 0:
            raise WorkspaceError("That workspace no longer exists.")


def set_colour(conn: sqlite3.Connection, workspace_id: int, colour: str | None) -> None:
    conn.execute("UPDATE workspaces SET colour = ? WHERE id = ?", (colour or None, workspace_id))


def set_collapsed(conn: sqlite3.Connection, workspace_id: int, collapsed: bool) -> None:
    conn.execute("UPDATE workspaces SET collapsed = ? WHERE id = ?", (1 if collapsed else 0, workspace_id))


def reorder(conn: sqlite3.Connection, ordered_ids: list[int]) -> None:
    with transaction(conn):
        for i, ws_id in enumerate(ordered_ids):
            conn.execute("UPDATE workspaces SET sort_order = ? WHERE id = ?", (i, ws_id))


def delete(conn: sqlite3.Connection, workspace_id: int) -> None:
    conn.execute("DELETE FROM workspaces WHERE id = ?", (workspace_id,))


def add_tool(conn: sqlite3.Connection, workspace_id: int, tool_id: str) -> None:
    if get(conn, workspace_id) is None:
        raise WorkspaceError("That workspace no longer exists.")
    conn.execute("INSERT OR IGNORE INTO tool_workspaces(tool_id, workspace_id, added_at) VALUES (?, ?, ?)",
                 (tool_id, workspace_id, now_iso()))


def remove_tool(conn: sqlite3.Connection, workspace_id: int, tool_id: str) -> None:
    conn.execute("DELETE FROM tool_workspaces WHERE tool_id = ? AND workspace_id = ?", (tool_id, workspace_id))


def members(conn: sqlite3.Connection, workspace_id: int) -> list[str]:
    return [r[0] for r in conn.execute("SELECT tool_id FROM tool_workspaces WHERE workspace_id = ? "
                                       "ORDER BY added_at, tool_id", (workspace_id,))]


def workspaces_of(conn: sqlite3.Connection, tool_id: str) -> list[int]:
    return [r[0] for r in conn.execute("SELECT workspace_id FROM tool_workspaces WHERE tool_id = ?", (tool_id,))]
