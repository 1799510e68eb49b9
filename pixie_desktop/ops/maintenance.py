"""Database maintenance (no Qt): VACUUM with a progress/cancel hook.

VACUUM rewrites the whole file, so on a large database it takes seconds: the GUI runs it on the
background pool (Settings ▸ Storage) and the CLI could call it directly. SQLite cannot say how
far a VACUUM has got, so progress is reported as "still working" ticks (fraction None) by a
small watcher thread, which is also where a cancel takes effect: it calls
`Connection.interrupt()` (SQLite's progress handler is not invoked inside VACUUM), the VACUUM
is rolled back and the file is left exactly as it was. Run-search doc ids are INTEGER PRIMARY KEYs, so the
search index survives the rowid renumbering VACUUM may do to `runs`."""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from pixie_desktop.store.db import connect

Progress = Callable[[float | None, str], None]


class VacuumCancelled(Exception):
    """The VACUUM was stopped on request; the database is unchanged."""


@dataclass
class VacuumResult:
    before_bytes: int
    after_bytes: int

    @property
    def freed_bytes(self) -> int:
        return max(0, self.before_bytes - self.after_bytes)


def database_bytes(db_path: Path) -> int:
    """The database file plus its WAL and shared-memory files."""
    total = 0
    for suffix in ("", "-wal", "-shm"):
        try:
            total += Path(str(db_path) + suffix).stat().st_size
        except OSError:
            pass
    return total


def vacuum(db_path: Path, *, progress: Progress | None = None, cancelled: Callable[[], bool] | None = None,
           tick_seconds: float = 0.2) -> VacuumResult:
    """VACUUM the database at `db_path` on its own connection, then truncate the WAL."""
    before = database_bytes(db_path)
    say = progress or (lambda _f, _t: None)
    stop = cancelled or (lambda: False)
    if stop():
        raise VacuumCancelled("VACUUM cancelled before it started")
    conn = connect(db_path)
    finished = threading.Event()
    interrupted = threading.Event()
    lock = threading.Lock()
    t0 = time.monotonic()

    def watch() -> None:
        while not finished.wait(tick_seconds or 0.01):
            if stop():
                with lock:
                    if not finished.is_set():
                        interrupted.set()
                        conn.interrupt()
                return
            say(None, f"Compacting the database… {time.monotonic() - t0:.0f} s")

    watcher = threading.Thread(target=watch, name="pixie-vacuum-watch", daemon=True)
    try:
        say(None, "Compacting the database…")
        watcher.start()
        try:
            conn.execute("VACUUM")
        except sqlite3.OperationalError as exc:
            if interrupted.is_set():
                raise VacuumCancelled("VACUUM cancelled; the database is unchanged") from exc
            raise
        finally:
            with lock:
                finished.set()
            watcher.join()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    after = database_bytes(db_path)
    say(1.0, "Database compacted")
    return VacuumResult(before, after)


@dataclass
class ClearResult:
    deleted: int
    kept_starred: int
    stopped: bool = False   # cancelled between batches: the runs deleted so far stay deleted


def clear_all_history(conn: sqlite3.Connection, settings: object, *, progress: Progress | None = None,
                      cancelled: Callable[[], bool] | None = None, batch: int = 200):
    """Delete every finished run that is not starred (files first, through ops.runs.delete_runs),
    in batches so progress can be shown and a cancel takes effect between batches. Running runs
    are skipped by delete_runs. Returns (ClearResult, Change); a cancel returns early with
    `stopped` set and the Change of what was deleted so far (so views still re-read)."""
    from pixie_desktop.ops.change import NOTHING
    from pixie_desktop.ops.runs import delete_runs

    say = progress or (lambda _f, _t: None)
    stop = cancelled or (lambda: False)
    ids = [r[0] for r in conn.execute(
        "SELECT id FROM runs WHERE COALESCE(starred, 0) = 0 AND status != 'running' ORDER BY started_at")]
    kept = int(conn.execute("SELECT COUNT(*) FROM runs WHERE COALESCE(starred, 0) = 1").fetchone()[0])
    change, done = NOTHING, 0
    for start in range(0, len(ids), max(1, batch)):
        if stop():
            return ClearResult(done, kept, stopped=True), change
        n, ch = delete_runs(conn, settings, ids[start:start + batch])
        done, change = done + n, change | ch
        say((start + batch) / len(ids) if ids else 1.0, f"Deleted {done} of {len(ids)} run(s)…")
    say(1.0, f"Deleted {done} run(s)")
    return ClearResult(done, kept), change


def empty_trash(conn: sqlite3.Connection, artefacts_root: Path):
    """Purge everything in the Trash now (the gallery's core function; starred items are kept).
    Returns (SweepReport, Change)."""
    from pixie_desktop.artefacts import sweeper
    from pixie_desktop.ops.change import Change

    report = sweeper.empty_trash(conn, Path(artefacts_root))
    return report, Change.of(artefacts=bool(report.purged), artefact_ids=report.purged)
