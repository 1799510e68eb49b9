"""Connections and schema creation. Every connection gets the four PRAGMAs; `init_db()` is
idempotent and migrates older databases additively. One connection per thread."""

from __future__ import annotations

import json
import sqlite3
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from pixie_desktop.store.schema import EXTRA_TABLES, INDEXES, MIGRATIONS, PRAGMAS, TABLES


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


def connect(path: str | Path, *, readonly: bool = False) -> sqlite3.Connection:
    """Open the database with WAL, synchronous NORMAL, foreign keys and a 5 s busy timeout.

    Autocommit mode (isolation_level=None): statements commit at once unless wrapped in
    `transaction()`, so a reader never holds a write lock by accident."""
    path = Path(path) if str(path) != ":memory:" else path
    if isinstance(path, Path):
        path.parent.mkdir(parents=True, exist_ok=True)
    uri = f"file:{path}?mode=ro" if readonly else str(path)
    conn = sqlite3.connect(uri, uri=readonly, timeout=5.0, isolation_level=None,
                           check_same_thread=False)
    conn.row_factory = sqlite3.Row
    for name, value in PRAGMAS:
        if readonly and name == "journal_mode":
            continue
        conn.execute(f"PRAGMA {name} = {value}")
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


def open_db(path: str | Path) -> sqlite3.Connection:
    """connect() + init_db(): what every entry point uses."""
    conn = connect(path)
    init_db(conn)
    return conn


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def loads(text: str | None, default: Any = None) -> Any:
    if text is None or text == "":
        return default
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return default
