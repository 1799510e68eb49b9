"""Preset queries: a tool's presets, one by name, its default, and the inputs of a run started
from a preset (the preset's values with the given inputs on top)."""

from __future__ import annotations

import sqlite3
from typing import Any

from pixie_desktop.store import presets_repo
from pixie_desktop.store.presets_repo import Preset, PresetError

__all__ = ["Preset", "PresetError", "list_for", "list_all", "get", "default_for", "merged_inputs"]


def list_for(conn: sqlite3.Connection, tool_id: str) -> list[Preset]:
    return presets_repo.list_for(conn, tool_id)


def list_all(conn: sqlite3.Connection) -> list[Preset]:
    """Every tool's presets (for the command palette)."""
    return presets_repo.list_all(conn)


def get(conn: sqlite3.Connection, tool_id: str, name: str) -> Preset | None:
    return presets_repo.get(conn, tool_id, name)


def default_for(conn: sqlite3.Connection, tool_id: str) -> Preset | None:
    return presets_repo.default_for(conn, tool_id)


def merged_inputs(conn: sqlite3.Connection, tool_id: str, name: str, overrides: dict[str, Any]) -> dict[str, Any]:
    """The preset's inputs with `overrides` on top; PresetError when there is no such preset."""
    preset = presets_repo.get(conn, tool_id, name)
    if preset is None:
        names = ", ".join(p.name for p in presets_repo.list_for(conn, tool_id)) or "none saved"
        raise PresetError(f"no preset '{name}' for {tool_id} (presets: {names})")
    return {**preset.inputs, **overrides}
