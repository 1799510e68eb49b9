"""The database matches spec/database-schema.md exactly, init_db is idempotent, and an old
database is migrated additively without losing data."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from conftest import DATA, SHARED_SPEC
from pixie_desktop.store.db import connect, init_db
from pixie_desktop.store.schema import MIGRATIONS

SPEC_TABLES = ["settings", "runs", "tool_state", "validation_reports", "artefacts", "workspaces",
               "tool_workspaces", "tool_tags", "validate_jobs"]


def spec_ddl() -> list[str]:
    """CREATE statements from the spec markdown (the shared copy when present, else tests/data)."""
    path = SHARED_SPEC / "database-schema.md"
    if not path.exists():
        path = DATA / "database-schema.md"
    text = path.read_text()
    stmts = re.findall(r"CREATE (?:TABLE|INDEX)\b.*?;", text, flags=re.S)
    # drop the markdown's "-- comment" tails
    return [re.sub(r"--[^\n]*", "", s) for s in stmts]


def test_spec_copy_is_exact():
    if (SHARED_SPEC / "database-schema.md").exists():
        assert (SHARED_SPEC / "database-schema.md").read_text() == (DATA / "database-schema.md").read_text()


def describe(conn: sqlite3.Connection) -> dict:
    out: dict = {}
    for table in SPEC_TABLES:
        cols = [tuple(r) for r in conn.execute(f"PRAGMA table_info({table})")]
        fks = [tuple(r)[2:] for r in conn.execute(f"PRAGMA foreign_key_list({table})")]
        idx = {}
        for r in conn.execute(f"PRAGMA index_list({table})"):
            name = r[1]
            info = [tuple(x) for x in conn.execute(f"PRAGMA index_xinfo({name})")]
            sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (name,)).fetchone()[0]
            norm = re.sub(r"\s+", " ", (sql or "").replace("IF NOT EXISTS ", "")).strip()
            idx[name] = (tuple(r)[2:], info, norm)
        out[table] = {"columns": cols, "fks": fks, "indexes": idx}
    return out


def test_init_db_matches_spec_exactly():
    ref = sqlite3.connect(":memory:")
    stmts = spec_ddl()
    assert len([s for s in stmts if s.startswith("CREATE TABLE")]) == 9
    assert len([s for s in stmts if s.startswith("CREATE INDEX")]) == 10
    for s in stmts:
        ref.execute(s)
    ours = connect(":memory:")
    init_db(ours)
    a, b = describe(ref), describe(ours)
    for table in SPEC_TABLES:
        assert a[table]["columns"] == b[table]["columns"], table
        assert a[table]["fks"] == b[table]["fks"], table
        assert a[table]["indexes"] == b[table]["indexes"], table
    # the partial index really is partial
    assert b["artefacts"]["indexes"]["idx_artefacts_starred"][0][2] == 1
    # no extra tables sneaked into the spec's set
    names = {r[0] for r in ours.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert set(SPEC_TABLES) <= names


def test_pragmas_applied(tmp_path: Path):
    conn = connect(tmp_path / "p.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 5000


def test_init_db_twice_is_a_noop(tmp_path: Path):
    conn = connect(tmp_path / "x.db")
    init_db(conn)
    conn.execute("INSERT INTO settings VALUES ('a', '1')")
    before = describe(conn)
    dump_before = list(conn.iterdump())
    init_db(conn)
    assert describe(conn) == before
    assert list(conn.iterdump()) == dump_before


def test_old_database_is_migrated_without_data_loss(tmp_path: Path):
    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    # the first-release shape: no migrated columns
    old.execute("CREATE TABLE runs (id TEXT PRIMARY KEY, tool_id TEXT NOT NULL, started_at TIMESTAMP NOT NULL, "
                "finished_at TIMESTAMP, inputs_json TEXT NOT NULL, outputs_json TEXT, error_text TEXT, "
                "status TEXT NOT NULL)")
    old.execute("CREATE TABLE tool_state (tool_id TEXT PRIMARY KEY, last_inputs_json TEXT, "
                "favourited INTEGER NOT NULL DEFAULT 0, sort_order INTEGER)")
    old.execute("INSERT INTO runs VALUES ('r1', 't', '2026-01-01T00:00:00+00:00', NULL, '{}', '{\"a\":1}', NULL, 'ok')")
    old.execute("INSERT INTO tool_state VALUES ('t', '{\"x\":1}', 1, 3)")
    old.commit()
    old.close()
    conn = connect(path)
    init_db(conn)
    row = conn.execute("SELECT id, outputs_json, status, starred, label, total_artefact_bytes, meta_json "
                       "FROM runs").fetchone()
    assert tuple(row) == ("r1", '{"a":1}', "ok", 0, None, 0, None)
    st = conn.execute("SELECT last_inputs_json, favourited, sort_order, archived, run_count_total, colour "
                      "FROM tool_state").fetchone()
    assert tuple(st) == ('{"x":1}', 1, 3, 0, 0, None)
    # the migrated shape equals a fresh one
    fresh = connect(":memory:")
    init_db(fresh)
    for table in ("runs", "tool_state"):
        assert describe(conn)[table]["columns"] == describe(fresh)[table]["columns"]


def test_migration_list_only_adds_existing_spec_columns():
    fresh = connect(":memory:")
    init_db(fresh)
    for table, column in MIGRATIONS:
        cols = {r[1] for r in fresh.execute(f"PRAGMA table_info({table})")}
        assert column.split()[0] in cols


def test_non_duplicate_migration_errors_are_not_swallowed(monkeypatch):
    from pixie_desktop.store import db as dbmod

    monkeypatch.setattr(dbmod, "MIGRATIONS", (("no_such_table", "x TEXT"),))
    conn = connect(":memory:")
    with pytest.raises(sqlite3.OperationalError):
        dbmod.init_db(conn)
