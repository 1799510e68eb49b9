"""Connections and schema creation. Every connection gets the four PRAGMAs; `init_db()` is
idempotent and migrates older databases additively. One connection per thread.

pixie.db holds run inputs and outputs (possibly personal): it is created 0600, and SQLite gives
its -wal/-shm files the same mode; a looser mode found on an existing file is tightened.
A file that is not a readable SQLite database raises `DatabaseUnreadable` with a message
saying what to do; nothing ever writes to (or replaces) that file."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from pixie_desktop.store.schema import (EXTRA_TABLES, INDEXES, MIGRATIONS, PRAGMAS, SEARCH_INDEX_SETTING,
                                       SEARCH_INDEX_VERSION, SEARCH_RUNNING_SEED, SEARCH_TABLES, SEARCH_TRIGGERS,
                                       TABLES)


def now_iso() -> str:
    """UTC timestamp as Python isoformat ("…+00:00"); every timestamp column uses this form so
    lexical comparisons order correctly."""
    return datetime.now(timezone.utc).isoformat()


def iso_ago(seconds: float) -> str:
    return datetime.fromtimestamp(time.time() - seconds, timezone.utc).isoformat()


def parse_iso(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        dt = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


class DatabaseUnreadable(sqlite3.DatabaseError):
    """pixie.db exists but is damaged or not a Pixie/SQLite database. str() is the message to
    show the user (GUI dialog, CLI stderr); the file has been left untouched."""

    def __init__(self, path: str | Path, cause: BaseException):
        self.path = str(path)
        self.cause = cause
        super().__init__(
            f"The database {path} cannot be read ({cause}). It is damaged or is not a Pixie Desktop "
            f"database, and has been left untouched. Restore it from a backup, or move it aside to start "
            f"with an empty one (`sqlite3 {Path(str(path)).name} .recover` can salvage rows; "
            f"`pixie-desktop doctor` reports what it can).")


def _is_corruption(exc: sqlite3.DatabaseError) -> bool:
    """Damage/not-a-database, as opposed to a busy or read-only database (retry/permissions)."""
    text = str(exc).lower()
    return not isinstance(exc, sqlite3.OperationalError) or "malformed" in text or "not a database" in text


def _private_file(path: Path) -> None:
    """Create the database file 0600 before SQLite opens it (SQLite copies the main file's mode
    to -wal/-shm), and tighten an existing db/-wal/-shm that others could read."""
    if os.name != "posix":
        return
    try:
        fd = os.open(str(path), os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
        os.close(fd)
    except FileExistsError:  # created meanwhile by another process: its mode is checked below
        pass
    except OSError:
        return
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            st = os.lstat(p)
            if stat.S_ISREG(st.st_mode) and st.st_mode & 0o077 and st.st_uid == os.getuid():
                os.chmod(p, 0o600)
        except OSError:
            continue


def connect(path: str | Path, *, readonly: bool = False) -> sqlite3.Connection:
    """Open the database with WAL, synchronous NORMAL, foreign keys and a 5 s busy timeout.

    Autocommit mode (isolation_level=None): statements commit at once unless wrapped in
    `transaction()`, so a reader never holds a write lock by accident."""
    path = Path(path) if str(path) != ":memory:" else path
    if isinstance(path, Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        if not readonly:
            _private_file(path)
    uri = f"file:{path}?mode=ro" if readonly else str(path)
    conn = sqlite3.connect(uri, uri=readonly, timeout=5.0, isolation_level=None,
                           check_same_thread=False)
    conn.row_factory = sqlite3.Row
    try:
        for name, value in PRAGMAS:
            if readonly and name == "journal_mode":
                continue
            conn.execute(f"PRAGMA {name} = {value}")
    except sqlite3.DatabaseError as exc:
        conn.close()
        if _is_corruption(exc):
            raise DatabaseUnreadable(path, exc) from exc
        raise
    if isinstance(path, Path) and not readonly:
        _private_file(path)  # the -wal/-shm SQLite just made, under an unusual umask
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection, *, immediate: bool = True) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE … COMMIT (ROLLBACK on error). Immediate takes the write lock up front so
    busy_timeout applies at BEGIN instead of failing half-way with 'database is locked'."""
    if conn.in_transaction:
        yield conn
        return
    conn.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


def init_db(conn: sqlite3.Connection) -> None:
    """Create every table and index of the spec (safe on an existing database) and add any
    column an older database lacks."""
    for ddl in TABLES:
        conn.execute(ddl)
    for table, column in MIGRATIONS:
        try:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {column}")
        except sqlite3.OperationalError as exc:
            if "duplicate column" not in str(exc).lower():
                raise
    for ddl in INDEXES:
        conn.execute(ddl)
    for ddl in EXTRA_TABLES:
        conn.execute(ddl)
    ensure_search_schema(conn)


def ensure_search_schema(conn: sqlite3.Connection) -> bool:
    """Create the run-search table, FTS5 index and triggers (schema.SEARCH_*); a trigger whose
    stored SQL differs from ours is replaced, so a newer app can change what is indexed. False
    when this SQLite has no FTS5 (search then falls back to LIKE; nothing else is affected)."""
    try:
        existing = {name: sql for name, sql in conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN (%s)"
            % ",".join("?" * len(SEARCH_TRIGGERS)), [n for n, _ in SEARCH_TRIGGERS])}
        if len(existing) == len(SEARCH_TRIGGERS) and all(existing[n] == sql for n, sql in SEARCH_TRIGGERS):
            return True  # the common case: one read, no write lock taken
        with transaction(conn):
            fresh = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'run_search_docs'").fetchone() is None
            for ddl in SEARCH_TABLES:
                conn.execute(ddl)
            if fresh and conn.execute("SELECT 1 FROM runs LIMIT 1").fetchone() is None:
                # nothing recorded before the triggers: no backfill to run
                conn.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
                             (SEARCH_INDEX_SETTING, SEARCH_INDEX_VERSION))
            for name, sql in SEARCH_TRIGGERS:
                if existing.get(name) != sql:
                    conn.execute(f"DROP TRIGGER IF EXISTS {name}")
                    conn.execute(sql)
            # runs that were running when older triggers indexed them: listed, not indexed
            conn.execute(SEARCH_RUNNING_SEED)
            conn.execute("DELETE FROM run_search_docs WHERE run_id IN (SELECT run_id FROM run_search_running)")
        return True
    except sqlite3.OperationalError as exc:
        if "fts5" in str(exc).lower():
            return False
        raise


def _is_locked(exc: BaseException) -> bool:
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def open_db(path: str | Path, *, lock_wait_s: float = 10.0) -> sqlite3.Connection:
    """connect() + init_db(): what every entry point uses.

    Two openers of a brand-new file (the app and the CLI, two worker threads) race to switch
    it to WAL and create the schema; SQLite answers the loser 'database is locked' at once
    (the journal-mode switch does not wait on busy_timeout), so the open is retried briefly."""
    deadline = time.monotonic() + lock_wait_s
    delay = 0.01
    while True:
        conn = None
        try:
            conn = connect(path)
            init_db(conn)
            return conn
        except sqlite3.DatabaseError as exc:
            if conn is not None:
                conn.close()
            if _is_corruption(exc):
                raise DatabaseUnreadable(path, exc) from exc
            if not _is_locked(exc) or time.monotonic() >= deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 0.25)


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def loads(text: str | None, default: Any = None) -> Any:
    if text is None or text == "":
        return default
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return default
