"""The artefacts root's identity: is the configured folder the one the database's artefacts
live in (its `.pixie-artefacts` marker, or recorded files found there), or an unmounted drive's
empty mount point or a moved folder? Checked at every start (`init_root`), so it is kept apart
from artefacts/storage.py and its imports; storage re-exports these names."""

from __future__ import annotations

import os
import sqlite3
import stat
from dataclasses import dataclass
from pathlib import Path

ROOT_MARKER = ".pixie-artefacts"


_ADOPT_SAMPLE = 50


@dataclass
class RootStatus:
    """Whether artefacts_root is the folder the database's artefacts live in. When `ok` is
    False, `problem` says where the folder went and what to do; nothing may be trashed or
    purged then (an unmounted drive or a wrong folder is not "every file was deleted")."""

    root: Path
    ok: bool
    problem: str = ""
    recorded: int = 0


def _recorded_rel_paths(conn: sqlite3.Connection) -> tuple[int, list[str]]:
    n = int(conn.execute("SELECT COUNT(*) FROM artefacts").fetchone()[0])
    rows = conn.execute("SELECT rel_path FROM artefacts WHERE deleted_at IS NULL ORDER BY id DESC LIMIT ?",
                        (_ADOPT_SAMPLE,)).fetchall() if n else []
    return n, [r[0] for r in rows]


def check_root(root: Path, conn: sqlite3.Connection) -> RootStatus:
    """Is `root` the artefacts folder the database knows? Its top holds the ROOT_MARKER file
    (written by `init_root`). Without the marker, a folder is still accepted when the database
    has no artefacts yet, or when some recorded files are there (a folder from before the
    marker existed, which `init_root` then marks)."""
    root = Path(root)
    if (root / ROOT_MARKER).is_file():  # the folder init_root marked: nothing to count (a start's common case)
        return RootStatus(root, True)
    n, sample = _recorded_rel_paths(conn)
    where = "Mount the drive it is on, or, if you moved it, set PIXIE_ARTEFACTS_ROOT (or artefacts_root in " \
            "the settings) to its new place. Nothing is trashed or purged until then."
    if not root.is_dir():
        if n == 0:
            return RootStatus(root, True)
        return RootStatus(root, False, f"The artefacts folder {root} is missing, but {n} artefact(s) are recorded "
                                       f"in it. {where}", n)
    if (root / ROOT_MARKER).exists() or n == 0:  # (a marker that is not a plain file: as before)
        return RootStatus(root, True, recorded=n)
    from pixie_desktop.artefacts.storage import contained_path

    for rel in sample:
        try:
            if stat.S_ISREG(os.lstat(contained_path(root, rel)).st_mode):
                return RootStatus(root, True, recorded=n)
        except (OSError, ValueError):
            continue
    return RootStatus(root, False, f"The artefacts folder {root} has no {ROOT_MARKER} marker and none of the "
                                   f"{n} recorded artefact files: it looks like an empty mount point or a "
                                   f"different folder. {where}", n)


def init_root(root: Path, conn: sqlite3.Connection, *, create: bool = True) -> RootStatus:
    """At start-up: create artefacts_root (when `create`) and its marker, unless the root
    looks unmounted or wrong (`check_root`); then it is left alone — creating an empty folder
    at a mount point would hide the real one."""
    status = check_root(root, conn)
    if not status.ok:
        return status
    root = Path(root)
    try:
        if create:
            root.mkdir(parents=True, exist_ok=True)
        marker = root / ROOT_MARKER
        if root.is_dir() and not marker.exists():
            marker.write_text("This folder holds Pixie Desktop artefacts. Pixie only cleans it up while this "
                              "file is here.\n")
    except OSError:
        pass  # a read-only folder still works for reading; the next start retries
    return status
