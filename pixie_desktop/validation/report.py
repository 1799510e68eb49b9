"""Persisting and reading validation reports: save (then prune >30 days, never a tool's latest),
latest status per tool for the sidebar dot, summaries, and whether a tool needs re-validating
because its discovery hash changed since its latest report."""

from __future__ import annotations

import sqlite3
from typing import Any

from pixie_desktop.catalog.discovery import ToolInfo
from pixie_desktop.store import validation_repo
from pixie_desktop.store.db import transaction
from pixie_desktop.validation.model import counts

UNCHECKED = "unchecked"


def save(conn: sqlite3.Connection, report: dict[str, Any]) -> None:
    """Store the report and prune old ones in one transaction. A database error is raised to the
    caller, who decides whether it matters (the CLI prints a note, the batch carries on)."""
    with transaction(conn):
        validation_repo.save_report(conn, report["tool_id"], report["overall"], report,
                                    timestamp=report.get("timestamp"))
        validation_repo.prune(conn)


def latest_report(conn: sqlite3.Connection, tool_id: str) -> dict[str, Any] | None:
    row = validation_repo.latest(conn, tool_id)
    return row.report if row else None


def status_of(conn: sqlite3.Connection, tool_id: str) -> str:
    row = validation_repo.latest(conn, tool_id)
    return row.overall if row else UNCHECKED


def statuses(conn: sqlite3.Connection) -> dict[str, str]:
    """tool_id → pass|warn|fail for every tool with a report (absent ⇒ unchecked)."""
    return {tid: row.overall for tid, row in validation_repo.latest_all(conn).items()}


def summary(report: dict[str, Any]) -> dict[str, Any]:
    checks = report.get("checks") or []
    return {
        "tool_id": report.get("tool_id"), "tool_path": report.get("tool_path"),
        "timestamp": report.get("timestamp"), "overall": report.get("overall"),
        "counts": counts(checks),
        "notable_checks": [c for c in checks if c.get("status") in ("fail", "warn")],
        "duration_ms": report.get("duration_ms"),
    }


def needs_revalidation(conn: sqlite3.Connection, tool: ToolInfo) -> bool:
    """True when the tool has no report or its files changed since the latest one."""
    row = validation_repo.latest(conn, tool.tool_id)
    if row is None:
        return True
    return row.report.get("discovery_hash") != tool.discovery_hash
