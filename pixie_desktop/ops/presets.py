"""Preset actions: save the current inputs under a name, rename, delete, set or clear the
tool's default. Each returns a Change naming the tool in `preset_tool_ids`.

A preset holds settings, not data: file-like inputs (file, image, audio — data URLs that may be
megabytes) are left out by `preset_inputs`, so loading a preset never replaces the files a user
has just dropped, and a batch over a folder can start from a preset."""

from __future__ import annotations

import sqlite3
from typing import Any

from pixie_desktop.ops.change import Change
from pixie_desktop.store import presets_repo
from pixie_desktop.store.presets_repo import Preset, PresetError

__all__ = ["Preset", "PresetError", "preset_inputs", "save", "rename", "delete", "set_default"]


def preset_inputs(spec: Any, inputs: dict[str, Any]) -> dict[str, Any]:
    """The part of `inputs` a preset keeps: everything but file-like inputs (and chat history)."""
    out: dict[str, Any] = {}
    for key, value in (inputs or {}).items():
        if key in ("messages", "history"):
            continue
        ispec = spec.input(key) if spec is not None else None
        if ispec is not None and getattr(ispec, "is_file_like", False):
            continue
        out[key] = value
    return out


def save(conn: sqlite3.Connection, tool_id: str, name: str, inputs: dict[str, Any]) -> tuple[Preset, Change]:
    """Create or overwrite `name` (PresetError for an empty or too long name)."""
    preset = presets_repo.save(conn, tool_id, name, dict(inputs))
    return preset, Change.of(preset_tool_ids=[tool_id])


def rename(conn: sqlite3.Connection, tool_id: str, old: str, new: str) -> Change:
    presets_repo.rename(conn, tool_id, old, new)
    return Change.of(preset_tool_ids=[tool_id])


def delete(conn: sqlite3.Connection, tool_id: str, name: str) -> Change:
    if not presets_repo.delete(conn, tool_id, name):
        raise PresetError(f"There is no preset “{name}”.")
    return Change.of(preset_tool_ids=[tool_id])


def set_default(conn: sqlite3.Connection, tool_id: str, name: str | None) -> Change:
    """Make `name` the default (it pre-fills the form when the tool has no last inputs); None clears."""
    presets_repo.set_default(conn, tool_id, name)
    return Change.of(preset_tool_ids=[tool_id])
