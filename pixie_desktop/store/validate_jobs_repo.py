"""The `validate_jobs` table: progress of batch validation (revalidate-all, nightly sweep).
A job left `running` by a dead app is marked `error` ("interrupted") at next start."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from pixie_desktop.store.db import dumps, loads, now_iso


@dataclass
class ValidateJob:
    id: str
    started_at: str
    finished_at: str | None
    status: str
    total: int
    completed: int = 0
    passed: int = 0
    warned: int = 0
    failed: int = 0
    details_json: str | None = None

    @property
    def details(self) -> dict[str, Any]:
        data = loads(self.details_json, {})
        return data if isinstance(data, dict) else {}


_COLS = "id, started_at, finished_at, status, total, completed, passed, warned, failed, details_json"


def start(conn: sqlite3.Connection, total: int, details: dict[str, Any] | None = None) -> ValidateJob:
    from pixie_desktop.store.runs_repo import owner_meta

    import uuid  # here, not at import: the app's start path imports this module

    job_id = str(uuid.uuid4())
    full = owner_meta()
    full.update(details or {})
    conn.execute(f"INSERT INTO validate_jobs({_COLS}) VALUES (?, ?, NULL, 'running', ?, 0, 0, 0, 0, ?)",
                 (job_id, now_iso(), total, dumps(full)))
    job = get(conn, job_id)
    assert job is not None
    return job


def get(conn: sqlite3.Connection, job_id: str) -> ValidateJob | None:
    row = conn.execute(f"SELECT {_COLS} FROM validate_jobs WHERE id = ?", (job_id,)).fetchone()
    return ValidateJob(*row) if row else None


def latest(conn: sqlite3.Connection) -> ValidateJob | None:
    row = conn.execute(f"SELECT {_COLS} FROM validate_jobs ORDER BY started_at DESC LIMIT 1").fetchone()
    return ValidateJob(*row) if row else None


def record_result(conn: sqlite3.Connection, job_id: str, overall: str, tool_id: str | None = None) -> None:
    col = {"pass": "passed", "warn": "warned", "fail": "failed"}.get(overall)
    extra = f", {col} = {col} + 1" if col else ""
    conn.execute(f"UPDATE validate_jobs SET completed = completed + 1{extra} WHERE id = ?", (job_id,))
    if tool_id is not None:
        job = get(conn, job_id)
        if job:
            details = job.details
            details.setdefault("results", {})[tool_id] = overall
            conn.execute("UPDATE validate_jobs SET details_json = ? WHERE id = ?", (dumps(details), job_id))


def finish(conn: sqlite3.Connection, job_id: str, status: str = "ok", note: str | None = None) -> None:
    job = get(conn, job_id)
    details = job.details if job else {}
    if note:
        details["note"] = note
    conn.execute("UPDATE validate_jobs SET status = ?, finished_at = ?, details_json = ? WHERE id = ? "
                 "AND status = 'running'", (status, now_iso(), dumps(details), job_id))


def mark_interrupted(conn: sqlite3.Connection) -> list[str]:
    """At start: a job still `running` whose owning process is dead is marked `error`
    ("interrupted"); a job owned by another live app is left alone."""
    import os
    import socket

    from pixie_desktop.store.runs_repo import _pid_alive

    fixed: list[str] = []
    for job_id, details_json in conn.execute(
            "SELECT id, details_json FROM validate_jobs WHERE status = 'running'").fetchall():
        details = loads(details_json, {}) or {}
        pid = details.get("owner_pid")
        if isinstance(pid, int) and details.get("owner_host") == socket.gethostname() and (
                pid == os.getpid() or _pid_alive(pid)):
            continue
        finish(conn, job_id, "error", "interrupted: the app stopped before this validation pass finished")
        fixed.append(job_id)
    return fixed
