"""Workspace queries: every workspace with its members, one workspace, and colours in use."""

from __future__ import annotations

import sqlite3

from pixie_desktop.store import workspaces_repo
from pixie_desktop.store.workspaces_repo import Workspace

__all__ = ["Workspace", "list_all", "get", "members", "used_colours"]


def list_all(conn: sqlite3.Connection) -> list[Workspace]:
    """In sidebar order, each with its tool ids."""
    return workspaces_repo.list_all(conn)


def get(conn: sqlite3.Connection, workspace_id: int) -> Workspace | None:
    return workspaces_repo.get(conn, workspace_id)


def members(conn: sqlite3.Connection, workspace_id: int) -> list[str]:
    return workspaces_repo.members(conn, workspace_id)


def used_colours(conn: sqlite3.Connection) -> set[str]:
    """Colours of existing workspaces, lower-cased ("" for none)."""
    return {(w.colour or "").lower() for w in workspaces_repo.list_all(conn)}
