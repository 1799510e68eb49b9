"""The `presets` table: named input sets per tool (at most one marked as the tool's default)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

from pixie_desktop.store.db import dumps, loads, now_iso

MAX_NAME = 80


class PresetError(ValueError):
    """A preset name that is empty, too long, taken or unknown; the message says which."""


@dataclass
class Preset:
    tool_id: str
    name: str
    inputs: dict[str, Any] = field(default_factory=dict)
    is_default: bool = False
    created_at: str = ""
    updated_at: str = ""


def clean_name(name: str) -> str:
    clean = " ".join((name or "").split())
    if not clean:
        raise PresetError("A preset needs a name.")
    if len(clean) > MAX_NAME:
        raise PresetError(f"A preset name has at most {MAX_NAME} characters.")
    return clean


def _row(r: tuple) -> Preset:
    data = loads(r[2], {})
    return Preset(r[0], r[1], data if isinstance(data, dict) else {}, bool(r[3]), r[4], r[5])


_COLS = "tool_id, name, inputs_json, is_default, created_at, updated_at"


def list_for(conn: sqlite3.Connection, tool_id: str) -> list[Preset]:
    rows = conn.execute(f"SELECT {_COLS} FROM presets WHERE tool_id = ? ORDER BY name COLLATE NOCASE",
                        (tool_id,)).fetchall()
    return [_row(r) for r in rows]


def list_all(conn: sqlite3.Connection, limit: int = 500) -> list[Preset]:
    rows = conn.execute(f"SELECT {_COLS} FROM presets ORDER BY tool_id, name COLLATE NOCASE LIMIT ?",
                        (limit,)).fetchall()
    return [_row(r) for r in rows]


def get(conn: sqlite3.Connection, tool_id: str, name: str) -> Preset | None:
    r = conn.execute(f"SELECT {_COLS} FROM presets WHERE tool_id = ? AND name = ?", (tool_id, name)).fetchone()
    return _row(r) if r else None


def default_for(conn: sqlite3.Connection, tool_id: str) -> Preset | None:
    r = conn.execute(f"SELECT {_COLS} FROM presets WHERE tool_id = ? AND is_default = 1", (tool_id,)).fetchone()
    return _row(r) if r else None


def save(conn: sqlite3.Connection, tool_id: str, name: str, inputs: dict[str, Any]) -> Preset:
    """Create or overwrite a preset (keeping its default flag and creation time)."""
    name = clean_name(name)
    now = now_iso()
    conn.execute("INSERT INTO presets (tool_id, name, inputs_json, is_default, created_at, updated_at) "
                 "VALUES (?, ?, ?, 0, ?, ?) ON CONFLICT(tool_id, name) DO UPDATE SET "
                 "inputs_json = excluded.inputs_json, updated_at = excluded.updated_at",
                 (tool_id, name, dumps(inputs), now, now))
    got = get(conn, tool_id, name)
    assert got is not None
    return got


def rename(conn: sqlite3.Connection, tool_id: str, old: str, new: str) -> None:
    new = clean_name(new)
    if get(conn, tool_id, old) is None:
        raise PresetError(f"There is no preset “{old}”.")
    if new != old and get(conn, tool_id, new) is not None:
        raise PresetError(f"A preset called “{new}” already exists.")
    conn.execute("UPDATE presets SET name = ?, updated_at = ? WHERE tool_id = ? AND name = ?",
                 (new, now_iso(), tool_id, old))


def delete(conn: sqlite3.Connection, tool_id: str, name: str) -> bool:
    return conn.execute("DELETE FROM presets WHERE tool_id = ? AND name = ?", (tool_id, name)).rowcount > 0


def set_default(conn: sqlite3.Connection, tool_id: str, name: str | None) -> None:
    """Make `name` the tool's only default preset; None clears the default."""
    if name is not None and get(conn, tool_id, name) is None:
        raise PresetError(f"There is no preset “{name}”.")
    conn.execute("UPDATE presets SET is_default = 0 WHERE tool_id = ? AND is_default = 1", (tool_id,))
    if name is not None:
        conn.execute("UPDATE presets SET is_default = 1 WHERE tool_id = ? AND name = ?", (tool_id, name))
