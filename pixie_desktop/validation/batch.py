"""Batch validation (revalidate-all and the nightly sweep): validates tools one after another,
saves each report, and tracks progress in a `validate_jobs` row so the status bar and a later
start can see it. Blocking and Qt-free; runs on a worker thread with its own connection."""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from pixie_desktop.catalog.discovery import ToolInfo
from pixie_desktop.store import tool_state_repo, validate_jobs_repo
from pixie_desktop.validation import report as report_mod
from pixie_desktop.validation.validator import ValidateOptions, validate_tool

log = logging.getLogger(__name__)

CANCELLED_NOTE = "cancelled by user"


@dataclass
class BatchResult:
    job_id: str
    status: str           # ok | error
    total: int
    completed: int
    passed: int
    warned: int
    failed: int
    note: str | None = None


def candidate_tools(conn: sqlite3.Connection, tools: Iterable[ToolInfo], *, include_archived: bool = False) -> list[ToolInfo]:
    """Tools a revalidate-all should cover: every discovered tool except archived ones."""
    states = tool_state_repo.all_states(conn)
    return [t for t in tools if include_archived or not (states.get(t.tool_id) and states[t.tool_id].archived)]


def changed_tools(conn: sqlite3.Connection, tools: Iterable[ToolInfo]) -> list[ToolInfo]:
    """The nightly sweep's selection: tools with no report, or whose discovery hash differs from
    the one recorded in their latest report."""
    return [t for t in candidate_tools(conn, tools) if report_mod.needs_revalidation(conn, t)]


def run_batch(conn: sqlite3.Connection, settings: Any, tools: list[ToolInfo], *, kind: str = "revalidate_all",
              on_start: Callable[[str, int], None] | None = None,
              on_progress: Callable[[int, int, str, str], None] | None = None,
              is_cancelled: Callable[[], bool] | None = None,
              options: ValidateOptions | None = None,
              validate: Callable[..., dict] = validate_tool) -> BatchResult:
    """Validate `tools` in order. `on_progress(done, total, tool_id, overall)` after each tool;
    `is_cancelled()` is checked before each tool (a cancelled job ends as error "cancelled by
    user"). `conn` must belong to the calling thread."""
    total = len(tools)
    job = validate_jobs_repo.start(conn, total, {"kind": kind, "tools": [t.tool_id for t in tools]})
    if on_start:
        on_start(job.id, total)
    done = 0
    status, note = "ok", None
    crashed: list[str] = []
    try:
        for tool in tools:
            if is_cancelled and is_cancelled():
                status, note = "error", CANCELLED_NOTE
                break
            try:
                rep = validate(tool, settings, options)
                overall = rep["overall"]
            except Exception as exc:  # noqa: BLE001 - one broken tool must not stop the pass
                # a check that crashed is a failure of that tool, and the job says so: never "ok"
                rep, overall = None, "fail"
                crashed.append(f"{tool.tool_id}: {type(exc).__name__}: {exc}")
                note = "; ".join(crashed)
                log.exception("validating %s failed", tool.tool_id)  # the note keeps one line only
            if rep is not None:
                try:
                    report_mod.save(conn, rep)
                except sqlite3.Error as exc:
                    note = f"could not save the report for {tool.tool_id}: {exc}"
            validate_jobs_repo.record_result(conn, job.id, overall, tool.tool_id)
            done += 1
            if on_progress:
                on_progress(done, total, tool.tool_id, overall)
    finally:
        if crashed and status == "ok":
            status = "error"
        validate_jobs_repo.finish(conn, job.id, status, note)
    final = validate_jobs_repo.get(conn, job.id)
    assert final is not None
    return BatchResult(job.id, final.status, final.total, final.completed, final.passed, final.warned,
                       final.failed, note)
