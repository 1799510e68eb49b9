"""Validation actions: save a validator report (the sidebar dot and the reports list follow)."""

from __future__ import annotations

import sqlite3
from typing import Any, Iterable

from pixie_desktop.ops.change import Change
from pixie_desktop.validation import report as report_mod


def save_report(conn: sqlite3.Connection, report: dict[str, Any]) -> Change:
    report_mod.save(conn, report)
    return Change.of(validation_tool_ids=[report["tool_id"]])


def saved_by_batch(tool_ids: Iterable[str]) -> Change:
    """The Change for reports the batch validator (core code) saved itself, to be published
    from the UI thread when its progress arrives."""
    return Change.of(validation_tool_ids=tool_ids)
