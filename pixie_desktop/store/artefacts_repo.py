"""The `artefacts` table: metadata of every file a run produced (bytes live on disk under
artefacts_root). Soft delete via deleted_at; tags are comma-separated."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, fields
from typing import Any, Iterable

from pixie_desktop.store.db import iso_ago, now_iso, transaction


@dataclass
class ArtefactRecord:
    id: int
    run_id: str
    tool_id: str
    output_key: str
    rel_path: str
    filename: str
    mime: str
    size_bytes: int
    sha256: str
    created_at: str
    starred: int = 0
    label: str | None = None
    tags: str | None = None
    thumb_path: str | None = None
    deleted_at: str | None = None

    @property
    def tag_list(self) -> list[str]:
        return split_tags(self.tags)


COLUMNS = tuple(f.name for f in fields(ArtefactRecord))
_COLS = ", ".join(COLUMNS)


def split_tags(text: str | None) -> list[str]:
    if not text:
        return []
    out: list[str] = []
    for part in str(text).split(","):
        tag = part.strip()
        if tag and tag not in out:
            out.append(tag)
    return out


def join_tags(tags: Iterable[str]) -> str | None:
    clean: list[str] = []
    for tag in tags:
        t = str(tag).replace(",", " ").strip()
        if t and t not in clean:
            clean.append(t)
    return ",".join(clean) or None


def insert(conn: sqlite3.Connection, *, run_id: str, tool_id: str, output_key: str, rel_path: str,
           filename: str, mime: str, size_bytes: int, sha256: str, created_at: str | None = None,
           label: str | None = None, tags: str | None = None) -> int:
    """Insert one artefact row and add its size to the run's total_artefact_bytes, atomically.
    Idempotent on rel_path: an existing row is returned unchanged."""
    with transaction(conn):
        row = conn.execute("SELECT id FROM artefacts WHERE rel_path = ?", (rel_path,)).fetchone()
        if row:
            return int(row[0])
        cur = conn.execute(
            "INSERT INTO artefacts(run_id, tool_id, output_key, rel_path, filename, mime, size_bytes, sha256, "
            "created_at, label, tags) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (run_id, tool_id, output_key, rel_path, filename, mime, int(size_bytes), sha256,
             created_at or now_iso(), label, tags))
        conn.execute("UPDATE runs SET total_artefact_bytes = total_artefact_bytes + ? WHERE id = ?",
                     (int(size_bytes), run_id))
        return int(cur.lastrowid)


def get(conn: sqlite3.Connection, artefact_id: int) -> ArtefactRecord | None:
    row = conn.execute(f"SELECT {_COLS} FROM artefacts WHERE id = ?", (artefact_id,)).fetchone()
    return ArtefactRecord(*row) if row else None


def for_run(conn: sqlite3.Connection, run_id: str, include_deleted: bool = False) -> list[ArtefactRecord]:
    extra = "" if include_deleted else " AND deleted_at IS NULL"
    rows = conn.execute(f"SELECT {_COLS} FROM artefacts WHERE run_id = ?{extra} ORDER BY id", (run_id,))
    return [ArtefactRecord(*r) for r in rows]


def list_artefacts(conn: sqlite3.Connection, *, tool_id: str | None = None, starred: bool | None = None,
                   deleted: bool = False, limit: int = 100, offset: int = 0) -> list[ArtefactRecord]:
    where = ["deleted_at IS NOT NULL" if deleted else "deleted_at IS NULL"]
    args: list[Any] = []
    if tool_id is not None:
        where.append("tool_id = ?")
        args.append(tool_id)
    if starred is not None:
        where.append("starred = ?")
        args.append(1 if starred else 0)
    rows = conn.execute(f"SELECT {_COLS} FROM artefacts WHERE {' AND '.join(where)} "
                        "ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?", (*args, limit, offset))
    return [ArtefactRecord(*r) for r in rows]


def set_starred(conn: sqlite3.Connection, artefact_id: int, starred: bool) -> None:
    conn.execute("UPDATE artefacts SET starred = ? WHERE id = ?", (1 if starred else 0, artefact_id))


def set_label(conn: sqlite3.Connection, artefact_id: int, label: str | None) -> None:
    conn.execute("UPDATE artefacts SET label = ? WHERE id = ?", ((label or "").strip()[:120] or None, artefact_id))


def set_tags(conn: sqlite3.Connection, artefact_id: int, tags: Iterable[str]) -> None:
    conn.execute("UPDATE artefacts SET tags = ? WHERE id = ?", (join_tags(tags), artefact_id))


def set_thumb(conn: sqlite3.Connection, artefact_id: int, thumb_path: str | None) -> None:
    conn.execute("UPDATE artefacts SET thumb_path = ? WHERE id = ?", (thumb_path, artefact_id))


def soft_delete(conn: sqlite3.Connection, ids: Iterable[int]) -> int:
    ids = list(ids)
    if not ids:
        return 0
    marks = ",".join("?" * len(ids))
    return conn.execute(f"UPDATE artefacts SET deleted_at = ? WHERE id IN ({marks}) AND deleted_at IS NULL",
                        (now_iso(), *ids)).rowcount


def restore(conn: sqlite3.Connection, ids: Iterable[int]) -> int:
    ids = list(ids)
    if not ids:
        return 0
    marks = ",".join("?" * len(ids))
    return conn.execute(f"UPDATE artefacts SET deleted_at = NULL WHERE id IN ({marks})", ids).rowcount


def expired(conn: sqlite3.Connection, retention_days: float) -> list[ArtefactRecord]:
    """Soft-deleted rows past retention that are safe to purge: never starred ones, never ones
    belonging to a starred run."""
    rows = conn.execute(
        f"SELECT {', '.join('a.' + c for c in COLUMNS)} FROM artefacts a LEFT JOIN runs r ON r.id = a.run_id "
        "WHERE a.deleted_at IS NOT NULL AND a.deleted_at < ? AND a.starred = 0 AND COALESCE(r.starred, 0) = 0",
        (iso_ago(retention_days * 86400),))
    return [ArtefactRecord(*r) for r in rows]


def delete_rows(conn: sqlite3.Connection, records: Iterable[ArtefactRecord]) -> int:
    """Hard-delete rows and take their bytes off the run totals (callers unlink files first)."""
    recs = list(records)
    with transaction(conn):
        for rec in recs:
            conn.execute("DELETE FROM artefacts WHERE id = ?", (rec.id,))
            conn.execute("UPDATE runs SET total_artefact_bytes = MAX(0, total_artefact_bytes - ?) WHERE id = ?",
                         (rec.size_bytes, rec.run_id))
    return len(recs)


def total_bytes(conn: sqlite3.Connection, tool_id: str | None = None) -> int:
    if tool_id is None:
        return int(conn.execute("SELECT COALESCE(SUM(size_bytes),0) FROM artefacts WHERE deleted_at IS NULL")
                   .fetchone()[0])
    return int(conn.execute("SELECT COALESCE(SUM(size_bytes),0) FROM artefacts WHERE deleted_at IS NULL "
                            "AND tool_id = ?", (tool_id,)).fetchone()[0])
