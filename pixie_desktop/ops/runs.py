"""Run actions: star, label and delete runs (with their artefact files)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any, Iterable

from pixie_desktop.ops.change import Change
from pixie_desktop.store import artefacts_repo, runs_repo


def set_starred(conn: sqlite3.Connection, run_id: str, starred: bool) -> Change:
    runs_repo.set_starred(conn, run_id, starred)
    return Change.of(run_ids=[run_id])


def star(conn: sqlite3.Connection, run_id: str) -> Change:
    return set_starred(conn, run_id, True)


def unstar(conn: sqlite3.Connection, run_id: str) -> Change:
    return set_starred(conn, run_id, False)


def set_label(conn: sqlite3.Connection, run_id: str, label: str | None) -> Change:
    """Label a run (blank clears it)."""
    runs_repo.set_label(conn, run_id, label)
    return Change.of(run_ids=[run_id])


def _unlink_run_files(conn: sqlite3.Connection, root: Path, rec: runs_repo.RunRecord) -> None:
    from pixie_desktop.artefacts.storage import safe_join, unlink_inside

    for art in artefacts_repo.for_run(conn, rec.id, include_deleted=True):
        for rel in (art.rel_path, art.thumb_path):
            if rel:
                unlink_inside(root, rel)  # never leaves root, never follows a symlink (a link goes itself)
    try:
        run_dir = safe_join(root, rec.tool_id, rec.id)
        for sub in sorted(run_dir.rglob("*"), key=lambda p: len(p.parts), reverse=True):
            if sub.is_dir() and not sub.is_symlink() and not any(sub.iterdir()):
                sub.rmdir()
        if run_dir.is_dir() and not any(run_dir.iterdir()):
            run_dir.rmdir()
    except (ValueError, OSError):
        pass  # a folder we cannot tidy is left behind; the rows still go


def delete_runs(conn: sqlite3.Connection, settings: Any, run_ids: Iterable[str]) -> tuple[int, Change]:
    """Unlink each run's artefact files (and thumbnails) safely under artefacts_root, remove the
    emptied run folders, then delete the rows. Running runs are skipped. Returns the number of
    runs deleted and the Change (every requested run id, so a view showing one re-reads it)."""
    ids = list(run_ids)
    root = Path(settings.artefacts_root)
    for run_id in ids:
        rec = runs_repo.get_run(conn, run_id)
        if rec is None or rec.status == "running":
            continue
        _unlink_run_files(conn, root, rec)
    deletable = [r for r in ids if (rec := runs_repo.get_run(conn, r)) is not None and rec.status != "running"]
    n = runs_repo.delete_runs(conn, deletable)
    return n, Change.of(run_ids=ids, artefacts=True)


def recorded_by_runner(run_id: str, tool_id: str | None = None, *, artefacts: bool = False) -> Change:
    """The Change for what the runner itself wrote (a run row started or finished; with the tool,
    its counters and last inputs; `artefacts` when files were recorded), for the run pipeline
    to publish on the UI thread."""
    return Change.of(run_ids=[run_id], tool_ids=[tool_id] if tool_id else None, artefacts=artefacts)
