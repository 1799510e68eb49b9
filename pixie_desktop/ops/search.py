"""Search-index maintenance (no Qt): index the runs an existing database held before the index
existed, and give spilled runs (outputs in outputs.json) a searchable summary.

`backfill` is a long job with a progress/cancel handle: the GUI runs it once on first start
through `ui.workers.submit_job`; the CLI runs it inline before its first search. Each batch is
its own short transaction, so runs recorded meanwhile are never blocked for long, and a cancelled
backfill simply continues next time (done batches stay done)."""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from pixie_desktop.ops.change import Change
from pixie_desktop.store import runs_repo, search_repo

log = logging.getLogger(__name__)

Progress = Callable[[float | None, str], None]


@dataclass
class BackfillResult:
    indexed: int = 0
    summarised: int = 0
    finished: bool = False
    change: Change = Change()


def summarise_spilled(conn: sqlite3.Connection, artefacts_root: Path, run_id: str, rel_path: str,
                      max_bytes: int = 64 * 1024 * 1024) -> bool:
    """Write meta_json.search_text for one spilled run from its outputs.json (the update trigger
    then reindexes it). A missing, huge or unreadable file leaves the run as it is."""
    from pixie_desktop.artefacts.storage import safe_join

    try:
        path = safe_join(artefacts_root, rel_path)  # never a path outside the artefacts root
        if path.stat().st_size > max_bytes:
            return False
        text = path.read_text(encoding="utf-8", errors="replace")
    except (OSError, ValueError):
        return False
    runs_repo.update_meta(conn, run_id, search_text=search_repo.summarise_outputs_json(text))
    return True


def backfill(conn: sqlite3.Connection, artefacts_root: Path | None, *, progress: Progress | None = None,
             cancelled: Callable[[], bool] | None = None, batch: int = 500) -> BackfillResult:
    """Index every run (idempotent: a run already indexed is rewritten with the same text) and
    summarise spilled outputs; on success the settings row records the index version so the next
    start skips this. Returns what was done; `finished` is False when cancelled part-way."""
    result = BackfillResult()
    if not search_repo.has_index(conn):
        return result
    say = progress or (lambda _f, _t: None)
    stop = cancelled or (lambda: False)
    total = int(conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0])
    say(0.0 if total else None, f"Indexing {total} runs for search…")
    last = 0
    while True:
        if stop():
            return result
        n, last = search_repo.backfill_batch(conn, last, batch)
        if n == 0:
            break
        result.indexed += n
        say(min(1.0, result.indexed / max(1, total)), f"Indexed {result.indexed} of {total} runs")
    if artefacts_root is not None:
        for run_id, rel in search_repo.spilled_without_summary(conn):
            if stop():
                return result
            if summarise_spilled(conn, Path(artefacts_root), run_id, rel):
                result.summarised += 1
    search_repo.mark_backfilled(conn)
    result.finished = True
    result.change = Change.of(settings_keys=[search_repo.BACKFILL_SETTING])
    log.info("search index: %d runs indexed, %d spilled summaries", result.indexed, result.summarised)
    return result


def backfill_if_needed(conn: sqlite3.Connection, artefacts_root: Path | None, **kw) -> BackfillResult | None:
    if not search_repo.needs_backfill(conn):
        return None
    return backfill(conn, artefacts_root, **kw)
