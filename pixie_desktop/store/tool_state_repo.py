"""The `tool_state` table: per-tool UI state, run counters and disk usage cache."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, fields
from typing import Any

from pixie_desktop.store.db import dumps, loads, now_iso


@dataclass
class ToolState:
    tool_id: str
    last_inputs_json: str | None = None
    favourited: int = 0
    sort_order: int | None = None
    overrides_json: str | None = None
    archived: int = 0
    pinned: int = 0
    pinned_warm: int = 0
    discovery_hash: str | None = None
    run_count_total: int = 0
    disk_bytes: int | None = None
    last_disk_audit: str | None = None
    last_run_at: str | None = None
    default_warm_keep_seconds: int | None = None
    pinned_at: str | None = None
    archived_at: str | None = None
    colour: str | None = None
    sort_order_in_workspace_json: str | None = None

    @property
    def last_inputs(self) -> dict[str, Any]:
        data = loads(self.last_inputs_json, {})
        return data if isinstance(data, dict) else {}

    @property
    def overrides(self) -> dict[str, Any]:
        data = loads(self.overrides_json, {})
        return data if isinstance(data, dict) else {}


COLUMNS = tuple(f.name for f in fields(ToolState))
_COLS = ", ".join(COLUMNS)


def ensure(conn: sqlite3.Connection, tool_id: str) -> None:
    conn.execute("INSERT INTO tool_state(tool_id) VALUES (?) ON CONFLICT(tool_id) DO NOTHING", (tool_id,))


def get(conn: sqlite3.Connection, tool_id: str) -> ToolState:
    row = conn.execute(f"SELECT {_COLS} FROM tool_state WHERE tool_id = ?", (tool_id,)).fetchone()
    return ToolState(*row) if row else ToolState(tool_id=tool_id)


def all_states(conn: sqlite3.Connection) -> dict[str, ToolState]:
    return {r[0]: ToolState(*r) for r in conn.execute(f"SELECT {_COLS} FROM tool_state")}


def update(conn: sqlite3.Connection, tool_id: str, **values: Any) -> None:
    """Set the given columns (None clears a nullable column), creating the row if needed."""
    bad = set(values) - set(COLUMNS[1:])
    if bad:
        raise KeyError(f"unknown tool_state columns: {sorted(bad)}")
    ensure(conn, tool_id)
    if values:
        sets = ", ".join(f"{k} = ?" for k in values)
        conn.execute(f"UPDATE tool_state SET {sets} WHERE tool_id = ?", (*values.values(), tool_id))


def set_last_inputs(conn: sqlite3.Connection, tool_id: str, inputs: dict[str, Any]) -> None:
    update(conn, tool_id, last_inputs_json=dumps(inputs))


def bump_run_counters(conn: sqlite3.Connection, tool_id: str, when: str | None = None) -> None:
    ensure(conn, tool_id)
    conn.execute("UPDATE tool_state SET run_count_total = run_count_total + 1, last_run_at = ? WHERE tool_id = ?",
                 (when or now_iso(), tool_id))


def set_flag(conn: sqlite3.Connection, tool_id: str, flag: str, on: bool) -> None:
    """favourited / pinned / pinned_warm / archived, keeping pinned_at and archived_at right."""
    if flag not in ("favourited", "pinned", "pinned_warm", "archived"):
        raise KeyError(flag)
    values: dict[str, Any] = {flag: 1 if on else 0}
    if flag == "pinned":
        values["pinned_at"] = now_iso() if on else None
    if flag == "archived":
        values["archived_at"] = now_iso() if on else None
    update(conn, tool_id, **values)


def set_colour(conn: sqlite3.Connection, tool_id: str, colour: str | None) -> None:
    update(conn, tool_id, colour=colour or None)


def set_overrides(conn: sqlite3.Connection, tool_id: str, overrides: dict[str, Any]) -> None:
    update(conn, tool_id, overrides_json=dumps(overrides) if overrides else None)


def record_run_start(conn: sqlite3.Connection, tool_id: str, inputs: dict[str, Any], when: str | None = None) -> None:
    """set_last_inputs + bump_run_counters as one upsert (a statement per run start, not four)."""
    conn.execute("INSERT INTO tool_state(tool_id, last_inputs_json, run_count_total, last_run_at) VALUES (?, ?, 1, ?) "
                 "ON CONFLICT(tool_id) DO UPDATE SET last_inputs_json = excluded.last_inputs_json, "
                 "run_count_total = run_count_total + 1, last_run_at = excluded.last_run_at",
                 (tool_id, dumps(inputs), when or now_iso()))
