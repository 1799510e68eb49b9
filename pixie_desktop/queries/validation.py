"""Validation report queries: the latest report of one tool or of every tool, and a tool's history."""

from __future__ import annotations

import sqlite3

from pixie_desktop.store import validation_repo
from pixie_desktop.store.validation_repo import ValidationReportRow

__all__ = ["ValidationReportRow", "latest", "latest_all", "history"]


def latest(conn: sqlite3.Connection, tool_id: str) -> ValidationReportRow | None:
    return validation_repo.latest(conn, tool_id)


def latest_all(conn: sqlite3.Connection) -> dict[str, ValidationReportRow]:
    return validation_repo.latest_all(conn)


def history(conn: sqlite3.Connection, tool_id: str, limit: int = 50) -> list[ValidationReportRow]:
    return validation_repo.history(conn, tool_id, limit)
