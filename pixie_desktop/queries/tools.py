"""Tool queries: the per-tool state, user tags, workspace memberships and latest validation
verdict that the tools model joins with discovery, for every tool at once or for one."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

from pixie_desktop.store import tags_repo, tool_state_repo, validation_repo
from pixie_desktop.store.db import loads
from pixie_desktop.store.tool_state_repo import ToolState

__all__ = ["ToolState", "ToolSnapshot", "ToolsSnapshot", "state", "all_states", "user_tags",
           "all_user_tags", "memberships", "workspaces_of", "snapshot", "snapshot_all", "archived_ids",
           "archived_flags", "workspace_order",
           "last_inputs", "OverviewRow", "overview"]

UNCHECKED = "unchecked"


@dataclass
class ToolSnapshot:
    """One tool's stored state as the tools model shows it."""
    state: ToolState
    user_tags: list[str] = field(default_factory=list)
    workspaces: list[int] = field(default_factory=list)
    validation: str = UNCHECKED


@dataclass
class ToolsSnapshot:
    """Every tool's stored state, keyed by tool id (tools with no row are simply absent)."""
    states: dict[str, ToolState] = field(default_factory=dict)
    user_tags: dict[str, list[str]] = field(default_factory=dict)
    memberships: dict[str, list[int]] = field(default_factory=dict)
    validation: dict[str, str] = field(default_factory=dict)

    def of(self, tool_id: str) -> ToolSnapshot:
        return ToolSnapshot(self.states.get(tool_id) or ToolState(tool_id), list(self.user_tags.get(tool_id, [])),
                            list(self.memberships.get(tool_id, [])), self.validation.get(tool_id, UNCHECKED))


def state(conn: sqlite3.Connection, tool_id: str) -> ToolState:
    """The tool's state row (defaults when it has none yet)."""
    return tool_state_repo.get(conn, tool_id)


def all_states(conn: sqlite3.Connection) -> dict[str, ToolState]:
    return tool_state_repo.all_states(conn)


def user_tags(conn: sqlite3.Connection, tool_id: str) -> list[str]:
    return tags_repo.tags_of(conn, tool_id)


def all_user_tags(conn: sqlite3.Connection) -> dict[str, list[str]]:
    return tags_repo.all_tags(conn)


def memberships(conn: sqlite3.Connection) -> dict[str, list[int]]:
    """tool id → workspace ids (ascending)."""
    out: dict[str, list[int]] = {}
    for tool_id, ws_id in conn.execute("SELECT tool_id, workspace_id FROM tool_workspaces ORDER BY workspace_id"):
        out.setdefault(tool_id, []).append(int(ws_id))
    return out


def workspaces_of(conn: sqlite3.Connection, tool_id: str) -> list[int]:
    return [int(r[0]) for r in conn.execute(
        "SELECT workspace_id FROM tool_workspaces WHERE tool_id = ? ORDER BY workspace_id", (tool_id,))]


def snapshot(conn: sqlite3.Connection, tool_id: str) -> ToolSnapshot:
    rep = validation_repo.latest(conn, tool_id)
    return ToolSnapshot(state(conn, tool_id), user_tags(conn, tool_id), workspaces_of(conn, tool_id),
                        rep.overall if rep else UNCHECKED)


def snapshot_all(conn: sqlite3.Connection) -> ToolsSnapshot:
    return ToolsSnapshot(all_states(conn), all_user_tags(conn), memberships(conn),
                         {tid: rep.overall for tid, rep in validation_repo.latest_all(conn).items()})


def archived_ids(conn: sqlite3.Connection) -> set[str]:
    """Tools archived in the app (tool_state.archived), whatever their tool.json says."""
    return {r[0] for r in conn.execute("SELECT tool_id FROM tool_state WHERE archived = 1")}


def archived_flags(conn: sqlite3.Connection) -> dict[str, bool]:
    """tool id → archived, for every tool with a state row (the row rules over tool.json's
    `archived`, which only seeds a brand-new row)."""
    return {r[0]: bool(r[1]) for r in conn.execute("SELECT tool_id, archived FROM tool_state")}


def workspace_order(st: ToolState) -> dict[str, int]:
    """The tool's position in each workspace it was placed in: str(workspace id) → index."""
    data = loads(st.sort_order_in_workspace_json, {})
    return {str(k): int(v) for k, v in data.items() if isinstance(v, (int, float))} \
        if isinstance(data, dict) else {}


def last_inputs(conn: sqlite3.Connection, tool_id: str) -> dict[str, Any]:
    return state(conn, tool_id).last_inputs


@dataclass
class OverviewRow:
    """One line of the Tools overview page: what a user sorts, filters and bulk-edits by."""
    tool_id: str
    name: str
    last_used: str | None = None
    runs: int = 0
    disk_bytes: int = 0
    archived: bool = False
    tags: list[str] = field(default_factory=list)
    sort_order: int | None = None


def overview(conn: sqlite3.Connection, tools: list[tuple[str, str]]) -> list[OverviewRow]:
    """Rows for the given (tool id, name) pairs, in the user's order: `sort_order` ascending,
    tools never placed (NULL) after them by name. Run counts and last use come from the runs
    table itself (rows written by any process count); disk use is the cached audit figure."""
    states = all_states(conn)
    tags = all_user_tags(conn)
    runs = {r[0]: (int(r[1]), r[2]) for r in conn.execute(
        "SELECT tool_id, COUNT(*), MAX(started_at) FROM runs GROUP BY tool_id")}
    out: list[OverviewRow] = []
    for tool_id, name in tools:
        st = states.get(tool_id) or ToolState(tool_id)
        count, last = runs.get(tool_id, (0, None))
        out.append(OverviewRow(tool_id, name, last or st.last_run_at, count, int(st.disk_bytes or 0),
                               bool(st.archived), list(tags.get(tool_id, [])), st.sort_order))
    out.sort(key=lambda r: (r.sort_order is None, r.sort_order or 0, r.name.lower(), r.tool_id))
    return out
