"""Settings reads: raw UI-state keys, optionally JSON-decoded."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from pixie_desktop.store import settings_repo


def get_setting(conn: sqlite3.Connection, key: str, default: str | None = None) -> str | None:
    return settings_repo.get_setting(conn, key, default)


def get_json(conn: sqlite3.Connection, key: str, default: Any = None) -> Any:
    """The key's JSON value; `default` when missing or not valid JSON (sqlite errors propagate)."""
    raw = settings_repo.get_setting(conn, key)
    if not raw:
        return default
    try:
        return json.loads(raw)
    except ValueError:
        return default


def all_settings(conn: sqlite3.Connection) -> dict[str, str]:
    return settings_repo.all_settings(conn)
