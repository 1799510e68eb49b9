"""The `validation_reports` table: one row per validator pass; the latest per tool feeds the
sidebar dot. Reports older than 30 days are pruned, never a tool's latest."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from pixie_desktop.store.db import dumps, iso_ago, loads, now_iso

RETENTION_DAYS = 30


@dataclass
class ValidationReportRow:
    tool_id: str
    timestamp: str
    overall: str
    report_json: str

    @property
    def report(self) -> dict[str, Any]:
        data = loads(self.report_json, {})
        return data if isinstance(data, dict) else {}


def save_report(conn: sqlite3.Connection, tool_id: str, overall: str, report: dict[str, Any],
                timestamp: str | None = None) -> ValidationReportRow:
    ts = timestamp or now_iso()
    conn.execute("INSERT OR REPLACE INTO validation_reports(tool_id, timestamp, overall, report_json) "
                 "VALUES (?, ?, ?, ?)", (tool_id, ts, overall, dumps(report)))
    return ValidationReportRow(tool_id, ts, overall, dumps(report))


def latest(conn: sqlite3.Connection, tool_id: str) -> ValidationReportRow | None:
    row = conn.execute("SELECT tool_id, timestamp, overall, report_json FROM validation_reports "
                       "WHERE tool_id = ? ORDER BY timestamp DESC LIMIT 1", (tool_id,)).fetchone()
    return ValidationReportRow(*row) if row else None


def latest_all(conn: sqlite3.Connection) -> dict[str, ValidationReportRow]:
    rows = conn.execute(
        "SELECT v.tool_id, v.timestamp, v.overall, v.report_json FROM validation_reports v "
        "JOIN (SELECT tool_id, MAX(timestamp) ts FROM validation_reports GROUP BY tool_id) m "
        "ON m.tool_id = v.tool_id AND m.ts = v.timestamp").fetchall()
    return {r[0]: ValidationReportRow(*r) for r in rows}


def history(conn: sqlite3.Connection, tool_id: str, limit: int = 50) -> list[ValidationReportRow]:
    rows = conn.execute("SELECT tool_id, timestamp, overall, report_json FROM validation_reports "
                        "WHERE tool_id = ? ORDER BY timestamp DESC LIMIT ?", (tool_id, limit)).fetchall()
    return [ValidationReportRow(*r) for r in rows]


def prune(conn: sqlite3.Connection, days: int = RETENTION_DAYS) -> int:
    """Delete reports older than `days`, but always keep each tool's latest."""
    cur = conn.execute(
        "DELETE FROM validation_reports WHERE timestamp < ? AND timestamp < "
        "(SELECT MAX(v2.timestamp) FROM validation_reports v2 WHERE v2.tool_id = validation_reports.tool_id)",
        (iso_ago(days * 86400),))
    return cur.rowcount
