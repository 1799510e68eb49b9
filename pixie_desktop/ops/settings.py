"""Settings writes: raw UI-state keys (zoom, last page, collapsed sections…) and validated app
settings (theme, limits) that are applied live."""

from __future__ import annotations

import sqlite3
from typing import Any

from pixie_desktop.ops.change import Change
from pixie_desktop.store import settings_repo


def set_setting(conn: sqlite3.Connection, key: str, value: str) -> Change:
    settings_repo.set_setting(conn, key, value)
    return Change.of(settings_keys=[key])


def delete_setting(conn: sqlite3.Connection, key: str) -> Change:
    settings_repo.delete_setting(conn, key)
    return Change.of(settings_keys=[key])


def save_app_setting(settings: Any, conn: sqlite3.Connection, name: str, value: Any) -> Change:
    """Validate, persist and apply one app setting (config.save_setting; ValueError if invalid)."""
    from pixie_desktop.config import save_setting

    save_setting(settings, conn, name, value)
    return Change.of(settings_keys=[name])


def reset_app_setting(settings: Any, conn: sqlite3.Connection, name: str) -> Change:
    from pixie_desktop.config import reset_setting

    reset_setting(settings, conn, name)
    return Change.of(settings_keys=[name])
