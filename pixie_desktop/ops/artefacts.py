"""Artefact actions: star, label, tag, move to the Trash, restore, and record thumbnails."""

from __future__ import annotations

import sqlite3
from typing import Iterable, Sequence

from pixie_desktop.ops.change import Change
from pixie_desktop.store import artefacts_repo
from pixie_desktop.store.db import transaction

MAX_TAGS = 24


def _changed(ids: Iterable[int]) -> Change:
    return Change.of(artefacts=True, artefact_ids=ids)


def set_starred(conn: sqlite3.Connection, ids: Sequence[int], starred: bool) -> Change:
    for i in ids:
        artefacts_repo.set_starred(conn, i, starred)
    return _changed(ids)


def set_label(conn: sqlite3.Connection, ids: Sequence[int], label: str | None) -> Change:
    for i in ids:
        artefacts_repo.set_label(conn, i, label)
    return _changed(ids)


def set_tags(conn: sqlite3.Connection, ids: Sequence[int], tags: Iterable[str]) -> Change:
    """Replace the visible tags; internal "_" tags (e.g. _pixie_run_outputs) survive the edit."""
    tags = list(tags)
    for i in ids:
        rec = artefacts_repo.get(conn, i)
        keep = [t for t in (rec.tag_list if rec else []) if t.startswith("_")]
        artefacts_repo.set_tags(conn, i, [*keep, *tags][:MAX_TAGS])
    return _changed(ids)


def trash(conn: sqlite3.Connection, ids: Sequence[int]) -> tuple[list[int], Change]:
    """Soft-delete (move to the Trash); returns the ids actually moved (for Undo)."""
    ids = list(ids)
    before = {r[0] for r in conn.execute(
        f"SELECT id FROM artefacts WHERE deleted_at IS NULL AND id IN ({','.join('?' * len(ids))})", ids)} \
        if ids else set()
    artefacts_repo.soft_delete(conn, ids)
    return [i for i in ids if i in before], _changed(ids)


def restore(conn: sqlite3.Connection, ids: Sequence[int]) -> Change:
    """Bring artefacts back from the Trash."""
    artefacts_repo.restore(conn, ids)
    return _changed(ids)


def set_thumb_paths(conn: sqlite3.Connection, pairs: Iterable[tuple[int, str]]) -> Change:
    """Record cached thumbnail paths (one small transaction). A cache column: the Change names
    the rows but does not ask anyone to reload."""
    pairs = list(pairs)
    with transaction(conn):
        for artefact_id, rel in pairs:
            artefacts_repo.set_thumb(conn, artefact_id, rel)
    return Change.of(artefact_ids=[a for a, _ in pairs])
