"""The `runs` table: one row per tool run, from `running` to ok / error / cancelled.

The owning process's pid and host are kept in meta_json so that any entry point can tell a
run left `running` by a crash (owner dead → marked error "interrupted") from one still being
served by another live window or CLI (left alone)."""

from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
from dataclasses import dataclass
from typing import Any, Iterable

from pixie_desktop.store.db import dumps, loads, now_iso, transaction

STATUSES = ("running", "ok", "error", "cancelled")
INTERRUPTED_TEXT = ("interrupted: the app that started this run stopped before it finished "
                    "(crash, kill or power loss); its partial outputs were not recorded")


@dataclass
class RunRecord:
    id: str
    tool_id: str
    started_at: str
    finished_at: str | None
    inputs_json: str
    outputs_json: str | None
    error_text: str | None
    status: str
    starred: int = 0
    label: str | None = None
    total_artefact_bytes: int = 0
    meta_json: str | None = None

    @property
    def inputs(self) -> dict[str, Any]:
        data = loads(self.inputs_json, {})
        if isinstance(data, dict) and isinstance(data.get("inputs"), dict):
            return data["inputs"]
        return data if isinstance(data, dict) else {}

    @property
    def meta(self) -> dict[str, Any]:
        data = loads(self.meta_json, {})
        return data if isinstance(data, dict) else {}

    @property
    def inline_outputs(self) -> Any:
        return loads(self.outputs_json)

    @property
    def duration_s(self) -> float | None:
        meta = self.meta
        if isinstance(meta.get("duration_s"), (int, float)):
            return float(meta["duration_s"])
        from pixie_desktop.store.db import parse_iso

        a, b = parse_iso(self.started_at), parse_iso(self.finished_at)
        return (b - a).total_seconds() if a and b else None


COLUMNS = ("id, tool_id, started_at, finished_at, inputs_json, outputs_json, error_text, status, "
           "starred, label, total_artefact_bytes, meta_json")


def _record(row: sqlite3.Row | tuple | None) -> RunRecord | None:
    return RunRecord(*row) if row is not None else None


def owner_meta() -> dict[str, Any]:
    return {"owner_pid": os.getpid(), "owner_host": socket.gethostname()}


def create_run(conn: sqlite3.Connection, run_id: str, tool_id: str, inputs: dict[str, Any],
               *, meta: dict[str, Any] | None = None, started_at: str | None = None,
               fetch: bool = True) -> RunRecord | None:
    """Insert a `running` row. Idempotent on the id (the reference inserted twice and crashed).
    `fetch=False` skips reading the row back (the Runner's hot path does not need it)."""
    full_meta = owner_meta()
    full_meta.update(meta or {})
    conn.execute(
        f"INSERT OR IGNORE INTO runs ({COLUMNS}) VALUES (?, ?, ?, NULL, ?, NULL, NULL, 'running', 0, NULL, 0, ?)",
        (run_id, tool_id, started_at or now_iso(), dumps({"run_id": run_id, "inputs": inputs}),
         dumps(full_meta)),
    )
    if not fetch:
        return None
    rec = get_run(conn, run_id)
    assert rec is not None
    return rec


def get_run(conn: sqlite3.Connection, run_id: str) -> RunRecord | None:
    return _record(conn.execute(f"SELECT {COLUMNS} FROM runs WHERE id = ?", (run_id,)).fetchone())


_PLAIN_KEY = re.compile(r"[A-Za-z0-9_]+")
_META_OBJECT = "CASE WHEN json_valid(meta_json) AND json_type(meta_json) = 'object' THEN meta_json ELSE '{}' END"


def _meta_set(update: dict[str, Any]) -> tuple[str, list[str]] | None:
    """An SQL expression for meta_json with `update`'s keys set (json_set: top-level keys
    replaced like dict.update) and its bound values; None when a key is not a plain name or a
    value is not JSON that json() accepts (NaN, Infinity): the caller then reads, merges, writes."""
    if not all(isinstance(k, str) and _PLAIN_KEY.fullmatch(k) for k in update):
        return None
    try:
        values = [json.dumps(v, ensure_ascii=False, default=str, allow_nan=False) for v in update.values()]
    except ValueError:
        return None
    if not update:
        return _META_OBJECT, []
    return f"json_set({_META_OBJECT}, " + ", ".join(f"'$.\"{k}\"', json(?)" for k in update) + ")", values


def merge_meta(conn: sqlite3.Connection, run_id: str, update: dict[str, Any]) -> None:
    """Set top-level meta_json keys of one run in a single UPDATE (no read-modify-write)."""
    built = _meta_set(update)
    if built is None:
        update_meta(conn, run_id, **update)
        return
    meta_sql, values = built
    conn.execute(f"UPDATE runs SET meta_json = {meta_sql} WHERE id = ?", (*values, run_id))


def finish_run(conn: sqlite3.Connection, run_id: str, status: str, *, outputs_json: str | None = None,
               error_text: str | None = None, meta_update: dict[str, Any] | None = None,
               only_if_running: bool = True) -> bool:
    """Move a run to a final status. Returns False if it was already final (first writer wins,
    so a late `error` from a killed request cannot overwrite `cancelled`).

    One UPDATE guarded by `status = 'running'` (no read-modify-write): the meta keys are set
    with json_set, top-level keys replaced like dict.update. Every run ends here, so the
    saved SELECT and JSON round trip count (benchmarks/batch.py)."""
    if status not in STATUSES or status == "running":
        raise ValueError(f"not a final status: {status!r}")
    update = meta_update or {}
    built = _meta_set(update)
    if built is None:
        return _finish_run_slow(conn, run_id, status, outputs_json, error_text, update, only_if_running)
    meta_sql, values = built
    cur = conn.execute(
        f"UPDATE runs SET status = ?, finished_at = ?, outputs_json = ?, error_text = ?, meta_json = {meta_sql} "
        "WHERE id = ?" + (" AND status = 'running'" if only_if_running else ""),
        [status, now_iso(), outputs_json, error_text, *values, run_id])
    return cur.rowcount > 0


def _finish_run_slow(conn: sqlite3.Connection, run_id: str, status: str, outputs_json: str | None,
                     error_text: str | None, meta_update: dict[str, Any], only_if_running: bool) -> bool:
    """finish_run for meta keys a JSON path cannot name plainly: read, merge, write."""
    with transaction(conn):
        row = conn.execute("SELECT status, meta_json FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None or (only_if_running and row[0] != "running"):
            return False
        meta = loads(row[1], {}) or {}
        if not isinstance(meta, dict):
            meta = {}
        meta.update(meta_update)
        conn.execute(
            "UPDATE runs SET status = ?, finished_at = ?, outputs_json = ?, error_text = ?, meta_json = ? "
            "WHERE id = ?",
            (status, now_iso(), outputs_json, error_text, dumps(meta), run_id),
        )
    return True


def update_meta(conn: sqlite3.Connection, run_id: str, **changes: Any) -> None:
    with transaction(conn):
        row = conn.execute("SELECT meta_json FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            return
        meta = loads(row[0], {}) or {}
        meta.update(changes)
        conn.execute("UPDATE runs SET meta_json = ? WHERE id = ?", (dumps(meta), run_id))


def list_runs(conn: sqlite3.Connection, *, tool_id: str | None = None, status: str | None = None,
              starred: bool | None = None, limit: int = 100, offset: int = 0) -> list[RunRecord]:
    where, args = _where(tool_id=tool_id, status=status, starred=starred)
    rows = conn.execute(
        f"SELECT {COLUMNS} FROM runs {where} ORDER BY started_at DESC, id DESC LIMIT ? OFFSET ?",
        (*args, limit, offset),
    ).fetchall()
    return [RunRecord(*r) for r in rows]


def count_runs(conn: sqlite3.Connection, *, tool_id: str | None = None, status: str | None = None,
               starred: bool | None = None) -> int:
    where, args = _where(tool_id=tool_id, status=status, starred=starred)
    return int(conn.execute(f"SELECT COUNT(*) FROM runs {where}", args).fetchone()[0])


def _where(**filters: Any) -> tuple[str, tuple]:
    parts: list[str] = []
    args: list[Any] = []
    if filters.get("tool_id") is not None:
        parts.append("tool_id = ?")
        args.append(filters["tool_id"])
    if filters.get("status") is not None:
        parts.append("status = ?")
        args.append(filters["status"])
    if filters.get("starred") is not None:
        parts.append("starred = ?")
        args.append(1 if filters["starred"] else 0)
    return ("WHERE " + " AND ".join(parts) if parts else ""), tuple(args)


def set_starred(conn: sqlite3.Connection, run_id: str, starred: bool) -> None:
    conn.execute("UPDATE runs SET starred = ? WHERE id = ?", (1 if starred else 0, run_id))


def set_label(conn: sqlite3.Connection, run_id: str, label: str | None) -> None:
    label = (label or "").strip() or None
    conn.execute("UPDATE runs SET label = ? WHERE id = ?", (label, run_id))


def add_artefact_bytes(conn: sqlite3.Connection, run_id: str, delta: int) -> None:
    conn.execute("UPDATE runs SET total_artefact_bytes = MAX(0, total_artefact_bytes + ?) WHERE id = ?",
                 (int(delta), run_id))


def delete_runs(conn: sqlite3.Connection, run_ids: Iterable[str]) -> int:
    """Delete runs and their artefact rows (callers unlink the files first)."""
    ids = list(run_ids)
    if not ids:
        return 0
    with transaction(conn):
        marks = ",".join("?" * len(ids))
        conn.execute(f"DELETE FROM artefacts WHERE run_id IN ({marks})", ids)
        cur = conn.execute(f"DELETE FROM runs WHERE id IN ({marks})", ids)
    return cur.rowcount


def prunable_run_ids(conn: sqlite3.Connection, tool_id: str, keep: int) -> list[str]:
    """Runs beyond the newest `keep` that are neither starred, labelled, running, nor hold a
    starred artefact. Starred and labelled runs are never pruned."""
    rows = conn.execute(
        "SELECT id FROM runs r WHERE tool_id = ? AND starred = 0 AND (label IS NULL OR TRIM(label) = '') "
        "AND status != 'running' "
        "AND NOT EXISTS (SELECT 1 FROM artefacts a WHERE a.run_id = r.id AND a.starred = 1) "
        "ORDER BY started_at DESC, id DESC LIMIT -1 OFFSET ?",
        (tool_id, max(0, keep)),
    ).fetchall()
    return [r[0] for r in rows]


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def interrupted_run_ids(conn: sqlite3.Connection) -> list[str]:
    """`running` rows whose owning process is gone (what `reconcile_interrupted` would mark),
    without changing anything — `pixie-desktop doctor` reports these."""
    host = socket.gethostname()
    me = os.getpid()
    stale: list[str] = []
    for run_id, meta_json in conn.execute(
            "SELECT id, meta_json FROM runs WHERE status = 'running'").fetchall():
        meta = loads(meta_json, {}) or {}
        pid = meta.get("owner_pid")
        same_host = meta.get("owner_host") == host
        if isinstance(pid, int) and same_host and (pid == me or _pid_alive(pid)):
            continue
        if isinstance(pid, int) and not same_host and meta.get("owner_host"):
            continue  # another machine's run on a shared disk: not ours to judge
        stale.append(run_id)
    return stale


def reconcile_interrupted(conn: sqlite3.Connection) -> list[str]:
    """Mark `running` rows whose owning process is gone as `error` ("interrupted"). Rows owned
    by a live process on this host (another window, a CLI run) are left alone."""
    fixed: list[str] = []
    for run_id in interrupted_run_ids(conn):
        if finish_run(conn, run_id, "error", error_text=INTERRUPTED_TEXT,
                      meta_update={"interrupted": True}):
            fixed.append(run_id)
    return fixed
