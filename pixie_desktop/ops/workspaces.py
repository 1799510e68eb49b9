"""Workspace actions: create, rename, recolour, collapse, reorder and delete workspaces, and
add, remove or place tools in them."""

from __future__ import annotations

import sqlite3
from typing import Iterable

from pixie_desktop.ops.change import Change
from pixie_desktop.store import tool_state_repo, workspaces_repo
from pixie_desktop.store.db import dumps, loads, transaction
from pixie_desktop.store.workspaces_repo import Workspace, WorkspaceError

__all__ = ["Workspace", "WorkspaceError", "create", "rename", "set_colour", "set_collapsed", "reorder", "delete",
           "add_tool", "remove_tool", "place_tools"]

_WS = Change(workspaces=True)


def create(conn: sqlite3.Connection, name: str, colour: str | None = None,
           tool_id: str | None = None) -> tuple[Workspace, Change]:
    """Create a workspace (WorkspaceError for a bad or duplicate name), optionally with a first tool."""
    ws = workspaces_repo.create(conn, name, colour)
    if tool_id:
        workspaces_repo.add_tool(conn, ws.id, tool_id)
        ws.tool_ids = workspaces_repo.members(conn, ws.id)
    return ws, _WS


def rename(conn: sqlite3.Connection, workspace_id: int, name: str) -> Change:
    workspaces_repo.rename(conn, workspace_id, name)
    return _WS


def set_colour(conn: sqlite3.Connection, workspace_id: int, colour: str | None) -> Change:
    workspaces_repo.set_colour(conn, workspace_id, colour)
    return _WS


def set_collapsed(conn: sqlite3.Connection, workspace_id: int, collapsed: bool) -> Change:
    """Remember a section's collapsed state. The sidebar that collapses it already shows it and
    does not publish this (a reload would fight the user's click)."""
    workspaces_repo.set_collapsed(conn, workspace_id, collapsed)
    return _WS


def reorder(conn: sqlite3.Connection, ordered_ids: list[int]) -> Change:
    workspaces_repo.reorder(conn, ordered_ids)
    return _WS


def delete(conn: sqlite3.Connection, workspace_id: int) -> Change:
    """Delete a workspace; its tools stay (memberships cascade)."""
    workspaces_repo.delete(conn, workspace_id)
    return _WS


def add_tool(conn: sqlite3.Connection, workspace_id: int, tool_id: str) -> Change:
    workspaces_repo.add_tool(conn, workspace_id, tool_id)
    return _WS


def remove_tool(conn: sqlite3.Connection, workspace_id: int, tool_id: str) -> Change:
    workspaces_repo.remove_tool(conn, workspace_id, tool_id)
    return _WS


def place_tools(conn: sqlite3.Connection, workspace_id: int, moving: Iterable[str], order: list[str]) -> Change:
    """Add `moving` to the workspace and store `order` (every member, in order) as each tool's
    position there (tool_state.sort_order_in_workspace_json), in one transaction."""
    touched: list[str] = []
    with transaction(conn):
        for t in moving:
            workspaces_repo.add_tool(conn, workspace_id, t)
        for i, t in enumerate(order):
            mapping = loads(tool_state_repo.get(conn, t).sort_order_in_workspace_json, {})
            mapping = mapping if isinstance(mapping, dict) else {}
            if mapping.get(str(workspace_id)) != i:
                mapping[str(workspace_id)] = i
                tool_state_repo.update(conn, t, sort_order_in_workspace_json=dumps(mapping))
                touched.append(t)
    return Change.of(workspaces=True, tool_ids=touched)
