"""Housekeeping for artefacts and runs, without Qt (the CLI `pixie-desktop sweep` and the GUI's
background scheduler call the same `sweep()`).

Steps, each isolated so one failure never stops the others:
1. purge soft-deleted artefacts past `soft_delete_retention_days`: file and thumbnails are
   unlinked (through `storage.unlink_inside`) FIRST, then the row; an unlink error keeps the
   row and is reported, so nothing is silently orphaned;
2. prune runs beyond each tool's `retain_runs` (never starred, labelled, running, or holding a
   starred artefact — `runs_repo.prunable_run_ids`), deleting their files too;
3. remove stale `*.partial` files older than an hour;
4. reconcile orphan rows (row, no file): soft-deleted with the internal tag `_missing-file`, so
   they show in the Trash with the reason and are purged by retention like any deleted item
   (never deleting data outright on a transient unmount); starred rows are only reported;
5. reconcile orphan files (file, no row): registered when inside the folder of a known,
   finished run of that tool; otherwise reported, and with `fix=True` MOVED to
   `_quarantine/<YYYY-MM-DD>/<same rel path>` (after a database reset every file is an
   orphan: they are the user's data, never deleted outright);
5b. quarantine folders older than `soft_delete_retention_days` are purged;
6. remove cached thumbnails whose content hash no longer has a row;
7. disk audit: `tool_state.disk_bytes` (live artefacts + the tool folder's .venv and data) and
   `last_disk_audit`.
2b. (after pruning) the total disk cap `artefacts_total_disk_cap_bytes`: while all artefacts
   exceed it, Trash items and then the oldest unstarred artefacts are purged (`cap_notice`
   words what happened for the app's status bar).

Starred artefacts and artefacts of starred runs are never touched by any step.

Before anything, the artefacts root is checked (`storage.check_root`: its `.pixie-artefacts`
marker, or recorded files found there): a missing or unmounted root, or a wrong folder, stops
the whole sweep (and `purge_records`, `reconcile_orphan_rows`) with `report.root_problem`
saying where the folder went — it is never "every file was deleted".

Deleting never leaves the artefacts root and never follows a symlink: every removal goes
through `storage.unlink_inside`, which walks the relative path with lstat, refuses a folder on
the way that is a link (only a top-level tool folder link, made by the user, is trusted), and
removes a link found at the end itself, never its target. A file that is (or became, through a
link or a shared path) the file of a starred artefact is never removed, whatever its row says.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable

from pixie_desktop.artefacts import thumbnails as thumbs
from pixie_desktop.artefacts.storage import (check_root, contained_path, init_root, register_file, safe_join,
                                               unlink_inside)
from pixie_desktop.store import artefacts_repo, runs_repo, tool_state_repo
from pixie_desktop.store.artefacts_repo import ArtefactRecord, join_tags, split_tags
from pixie_desktop.store.db import now_iso, transaction

MISSING_FILE_TAG = "_missing-file"
PARTIAL_MAX_AGE_S = 3600
QUARANTINE_DIRNAME = "_quarantine"
RESERVED_DIRS = ("_thumbs", QUARANTINE_DIRNAME, "_exports", "_inputs")


@dataclass
class SweepReport:
    dry_run: bool = False
    purged: list[int] = field(default_factory=list)            # artefact ids hard-deleted
    purged_bytes: int = 0
    pruned_runs: list[str] = field(default_factory=list)
    partials_removed: list[str] = field(default_factory=list)  # rel paths
    orphan_rows_marked: list[int] = field(default_factory=list)
    orphan_rows_starred: list[int] = field(default_factory=list)
    orphan_files_registered: list[str] = field(default_factory=list)
    orphan_files_unknown: list[str] = field(default_factory=list)
    orphan_files_removed: list[str] = field(default_factory=list)  # moved to quarantine_folder (fix=True)
    quarantine_folder: str = ""                                # rel path of today's quarantine folder
    quarantine_purged: list[str] = field(default_factory=list)  # dated quarantine folders past retention
    thumbs_removed: int = 0
    input_blobs_removed: int = 0                               # stored file inputs no run refers to
    cap_bytes: int = 0                                         # artefacts_total_disk_cap_bytes (0 = none)
    cap_purged: list[int] = field(default_factory=list)        # artefact ids removed to get under the cap
    cap_freed_bytes: int = 0
    cap_still_over_bytes: int = 0                              # over the cap with only starred files left
    disk_bytes: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    root_problem: str = ""                                     # set: artefacts root missing/unmounted, nothing done

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        if self.root_problem:
            return "Nothing cleaned up: " + self.root_problem
        verb = "would " if self.dry_run else ""
        parts = [f"{verb}purge {len(self.purged)} artefacts ({self.purged_bytes} bytes)",
                 f"{verb}prune {len(self.pruned_runs)} runs",
                 f"{verb}remove {len(self.partials_removed)} stale partial files",
                 f"{verb}mark {len(self.orphan_rows_marked)} rows with missing files",
                 f"{verb}register {len(self.orphan_files_registered)} orphan files",
                 f"{len(self.orphan_files_unknown)} unknown files"
                 + (f" ({verb}move {len(self.orphan_files_removed)} to {self.quarantine_folder}/)"
                    if self.orphan_files_removed else ""),
                 f"{verb}remove {self.thumbs_removed} stale thumbnails"]
        if self.cap_purged:
            parts.append(f"{verb}remove {len(self.cap_purged)} oldest unstarred artefacts "
                         f"({self.cap_freed_bytes} bytes) to stay under the disk cap")
        if self.cap_still_over_bytes:
            parts.append(f"still {self.cap_still_over_bytes} bytes over the disk cap (starred files are kept)")
        if self.quarantine_purged:
            parts.append(f"{verb}purge {len(self.quarantine_purged)} expired quarantine folder(s)")
        if self.errors:
            parts.append(f"{len(self.errors)} errors")
        return "; ".join(parts)


def _remove(root: Path, rel_path: str, report: SweepReport, what: str,
            protected: frozenset[tuple[int, int]] | set = frozenset()) -> str:
    """`unlink_inside` + reporting: "gone", "kept" (deliberately left; the row may go) or "error"."""
    outcome, why = unlink_inside(root, rel_path, protected=protected)
    if why:
        report.errors.append(f"{what}: {why}" if outcome == "error" else f"{what}: {why}; file left alone")
    return outcome


def _rel_under(root: Path, path: Path) -> str:
    """`path` (built as root/…) relative to root, lexically: no symlink is resolved."""
    return Path(path).relative_to(Path(root)).as_posix()


def _protected_inodes(conn: sqlite3.Connection, root: Path, ids: set[int]) -> set[Any]:
    """(st_dev, st_ino) of every protected artefact's file, as found both without and with
    following links: another row whose file is (or became) the same file never removes it.
    The set also holds each one's real path: a hard-linked twin (dedup_artefacts) may drop its
    own name, never the starred one's (storage.unlink_inside)."""
    out: set[Any] = set()
    if not ids:
        return out
    rows = conn.execute(f"SELECT rel_path FROM artefacts WHERE id IN ({','.join('?' * len(ids))})", sorted(ids))
    for (rel,) in rows.fetchall():
        for getter in (lambda: os.lstat(contained_path(root, rel)), lambda: os.stat(safe_join(root, rel))):
            try:
                st = getter()
            except (OSError, ValueError):
                continue
            out.add((st.st_dev, st.st_ino))
        try:
            out.add(os.path.realpath(safe_join(root, rel)))
        except (OSError, ValueError):
            pass
    return out


def _root_unavailable(conn: sqlite3.Connection, root: Path, report: SweepReport) -> bool:
    """True (and reported) when the artefacts root is missing or not the one the database
    knows (no marker, none of its files): then nothing may be trashed or purged."""
    status = check_root(root, conn)
    if status.ok:
        return False
    if not report.root_problem:
        report.root_problem = status.problem
        report.errors.append(status.problem)
    return True


def _protected_ids(conn: sqlite3.Connection) -> set[int]:
    """Starred artefacts and every artefact of a starred run: never touched."""
    return {r[0] for r in conn.execute(
        "SELECT a.id FROM artefacts a LEFT JOIN runs r ON r.id = a.run_id "
        "WHERE a.starred = 1 OR COALESCE(r.starred, 0) = 1")}


def purge_records(conn: sqlite3.Connection, artefacts_root: Path, records: Iterable[ArtefactRecord],
                  report: SweepReport | None = None, *, dry_run: bool = False) -> SweepReport:
    """Hard-delete artefacts: files + thumbnails first (safe_join), then rows. Starred ones and
    those of starred runs are skipped even if asked for (the Trash's "Empty" uses this too)."""
    report = report or SweepReport(dry_run=dry_run)
    root = Path(artefacts_root)
    if _root_unavailable(conn, root, report):
        return report
    protected = _protected_ids(conn)
    done: list[ArtefactRecord] = []
    inodes = _protected_inodes(conn, root, protected) if not dry_run else set()
    for rec in records:
        if rec.id in protected:
            continue
        if dry_run:
            outcome = "gone"
        else:
            outcome = _remove(root, rec.rel_path, report, f"artefact {rec.id}", inodes)
        if outcome == "error":
            continue  # keep the row so the next sweep retries; never orphan the file
        done.append(rec)
        report.purged.append(rec.id)
        report.purged_bytes += int(rec.size_bytes)
    if not dry_run and done:
        artefacts_repo.delete_rows(conn, done)
        report.thumbs_removed += _remove_unused_thumbs(conn, root, {r.sha256 for r in done}, report)
        for rec in done:
            _remove_empty_parents(root, rec.rel_path)
    return report


def cap_notice(report: SweepReport) -> str:
    """The sentence the app shows when the disk cap made the sweeper remove files ("" if not)."""
    if not report.cap_purged and not report.cap_still_over_bytes:
        return ""
    mb = report.cap_freed_bytes / 1e6
    cap_gb = report.cap_bytes / 1e9
    text = ""
    if report.cap_purged:
        text = (f"Disk cap ({cap_gb:g} GB) reached: removed the {len(report.cap_purged)} oldest unstarred "
                f"artefact{'s' if len(report.cap_purged) != 1 else ''} ({mb:.1f} MB). Star a file to keep it.")
    if report.cap_still_over_bytes:
        text += (" " if text else "") + (f"Artefacts are still {report.cap_still_over_bytes / 1e6:.1f} MB over "
                                          f"the {cap_gb:g} GB cap: only starred files are left.")
    return text


def enforce_disk_cap(conn: sqlite3.Connection, artefacts_root: Path, cap_bytes: int, report: SweepReport, *,
                     dry_run: bool = False) -> None:
    """Keep all artefacts (the Trash included) under `cap_bytes`: files in the Trash go first,
    then the oldest live ones; starred artefacts and those of starred runs are never removed
    (purge_records skips them). 0 means no cap."""
    cap = int(cap_bytes or 0)
    report.cap_bytes = cap
    if cap <= 0:
        return
    total = int(conn.execute("SELECT COALESCE(SUM(size_bytes), 0) FROM artefacts").fetchone()[0])
    if total <= cap:
        return
    protected = _protected_ids(conn)
    rows = conn.execute(
        f"SELECT {', '.join(artefacts_repo.COLUMNS)} FROM artefacts "
        "ORDER BY (deleted_at IS NULL), COALESCE(deleted_at, created_at), id").fetchall()
    chosen: list[ArtefactRecord] = []
    excess = total - cap
    for r in rows:
        rec = ArtefactRecord(*r)
        if rec.id in protected:
            continue
        chosen.append(rec)
        excess -= int(rec.size_bytes)
        if excess <= 0:
            break
    sub = SweepReport(dry_run=dry_run)
    purge_records(conn, artefacts_root, chosen, sub, dry_run=dry_run)
    report.cap_purged.extend(sub.purged)
    report.cap_freed_bytes += sub.purged_bytes
    report.thumbs_removed += sub.thumbs_removed
    report.errors.extend(sub.errors)
    report.cap_still_over_bytes = max(0, total - sub.purged_bytes - cap)


def _remove_unused_thumbs(conn: sqlite3.Connection, root: Path, shas: Iterable[str], report: SweepReport) -> int:
    """Content-addressed thumbnails are shared by identical files: remove a hash's thumbnails
    only when no row (live or in the Trash) still has that hash."""
    removed = 0
    for sha in shas:
        if conn.execute("SELECT 1 FROM artefacts WHERE sha256 = ? LIMIT 1", (sha,)).fetchone():
            continue
        for p in thumbs.thumbs_for_sha(root, sha):
            if _remove(root, _rel_under(root, p), report, "thumbnail") == "gone":
                removed += 1
    return removed


def _remove_empty_parents(root: Path, rel_path: str) -> None:
    """Remove the run folder (and tool folder) once empty; never the root itself, never a
    folder reached through a symlink, never a linked tool folder's target itself."""
    try:
        folder = contained_path(root, rel_path).parent
    except ValueError:
        return
    base = root.resolve()
    while folder != base and base in folder.parents and not folder.is_symlink():
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def purge_expired(conn: sqlite3.Connection, artefacts_root: Path, retention_days: float,
                  report: SweepReport | None = None, *, dry_run: bool = False) -> SweepReport:
    return purge_records(conn, artefacts_root, artefacts_repo.expired(conn, retention_days), report,
                         dry_run=dry_run)


def empty_trash(conn: sqlite3.Connection, artefacts_root: Path) -> SweepReport:
    """Hard-purge everything in the Trash now (after the user confirmed)."""
    rows = conn.execute(f"SELECT {', '.join(artefacts_repo.COLUMNS)} FROM artefacts WHERE deleted_at IS NOT NULL")
    return purge_records(conn, artefacts_root, [ArtefactRecord(*r) for r in rows])


def prune_runs(conn: sqlite3.Connection, artefacts_root: Path, retain: dict[str, int], default_keep: int,
               report: SweepReport, *, dry_run: bool = False) -> None:
    tool_ids = [r[0] for r in conn.execute("SELECT DISTINCT tool_id FROM runs")]
    root = Path(artefacts_root)
    inodes = _protected_inodes(conn, root, _protected_ids(conn)) if not dry_run else set()
    for tool_id in tool_ids:
        keep = int(retain.get(tool_id, default_keep))
        run_ids = runs_repo.prunable_run_ids(conn, tool_id, keep)
        if not run_ids:
            continue
        deletable: list[str] = []
        for run_id in run_ids:
            files_ok = True
            for rec in artefacts_repo.for_run(conn, run_id, include_deleted=True):
                if rec.starred:  # prunable_run_ids excludes these; belt and braces
                    files_ok = False
                    break
                if not dry_run and _remove(root, rec.rel_path, report, f"artefact {rec.id} of run {run_id}",
                                           inodes) == "error":
                    files_ok = False
            if files_ok:
                deletable.append(run_id)
        report.pruned_runs.extend(deletable)
        if not dry_run and deletable:
            shas = {r[0] for r in conn.execute(
                f"SELECT sha256 FROM artefacts WHERE run_id IN ({','.join('?' * len(deletable))})", deletable)}
            runs_repo.delete_runs(conn, deletable)
            report.thumbs_removed += _remove_unused_thumbs(conn, root, shas, report)
            for run_id in deletable:
                try:
                    folder = contained_path(root, f"{tool_id}/{run_id}")
                except ValueError:
                    continue
                _remove_tree_if_only_leftovers(folder)
                _remove_empty_parents(root, f"{tool_id}/{run_id}/x")


def _remove_tree_if_only_leftovers(folder: Path) -> None:
    """After its registered files are gone, a pruned run's folder may hold only empty dirs
    (os.walk does not descend into linked folders, and rmdir never removes a link's target)."""
    if folder.is_symlink() or not folder.is_dir():
        return
    for dirpath, _dirnames, _files in sorted(os.walk(folder), key=lambda t: -len(t[0])):
        try:
            os.rmdir(dirpath)
        except OSError:  # not empty (kept files) or already gone: only empty folders go
            pass


def remove_stale_partials(artefacts_root: Path, report: SweepReport, *, max_age_s: float = PARTIAL_MAX_AGE_S,
                          dry_run: bool = False) -> None:
    root = Path(artefacts_root)
    cutoff = time.time() - max_age_s
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            if not name.endswith(".partial"):
                continue
            p = Path(dirpath) / name
            try:
                if p.is_symlink() or p.stat().st_mtime >= cutoff:
                    continue
            except OSError:
                continue
            rel = p.relative_to(root).as_posix()
            if dry_run or _remove(root, rel, report, "partial file") == "gone":
                report.partials_removed.append(rel)


def reconcile_orphan_rows(conn: sqlite3.Connection, artefacts_root: Path, report: SweepReport, *,
                          dry_run: bool = False) -> None:
    root = Path(artefacts_root)
    if _root_unavailable(conn, root, report):
        return
    protected = _protected_ids(conn)
    missing: list[ArtefactRecord] = []
    rows = conn.execute(f"SELECT {', '.join(artefacts_repo.COLUMNS)} FROM artefacts WHERE deleted_at IS NULL")
    for raw in rows.fetchall():
        rec = ArtefactRecord(*raw)
        try:
            exists = stat.S_ISREG(os.lstat(contained_path(root, rec.rel_path)).st_mode)
        except (OSError, ValueError):
            exists = False  # outside the root, through a link, a folder now: as good as missing
        if exists:
            continue
        if rec.id in protected:
            report.orphan_rows_starred.append(rec.id)
        else:
            missing.append(rec)
    report.orphan_rows_marked.extend(r.id for r in missing)
    if dry_run or not missing:
        return
    stamp = now_iso()
    with transaction(conn):
        for rec in missing:
            tags = join_tags([*split_tags(rec.tags), MISSING_FILE_TAG])
            conn.execute("UPDATE artefacts SET deleted_at = ?, tags = ? WHERE id = ? AND deleted_at IS NULL",
                         (stamp, tags, rec.id))


def reconcile_orphan_files(conn: sqlite3.Connection, settings: Any, report: SweepReport, *, fix: bool = False,
                           dry_run: bool = False) -> None:
    root = Path(settings.artefacts_root)
    if not root.is_dir():
        return
    known = {r[0] for r in conn.execute("SELECT rel_path FROM artefacts")}
    runs = {r[0]: (r[1], r[2]) for r in conn.execute("SELECT id, tool_id, status FROM runs")}
    for dirpath, dirnames, files in os.walk(root):
        rel_dir = Path(dirpath).relative_to(root)
        if rel_dir == Path("."):
            dirnames[:] = [d for d in dirnames if d not in RESERVED_DIRS and not d.startswith(".")]
            continue
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in files:
            if name.startswith(".") or name.endswith(".partial"):
                continue
            p = Path(dirpath) / name
            if p.is_symlink():
                continue
            rel = (rel_dir / name).as_posix()
            if rel in known:
                continue
            parts = rel_dir.parts
            run = runs.get(parts[1]) if len(parts) >= 2 else None
            if run is not None and run[0] == parts[0]:
                if run[1] == "running":
                    continue  # the runner registers it when the run finishes
                report.orphan_files_registered.append(rel)
                if not dry_run:
                    try:
                        register_file(conn, settings, run_id=parts[1], tool_id=parts[0], output_key="", path=p)
                    except (OSError, ValueError, sqlite3.Error) as exc:
                        report.errors.append(f"could not register {rel}: {exc}")
                continue
            report.orphan_files_unknown.append(rel)
            if fix:
                report.quarantine_folder = f"{QUARANTINE_DIRNAME}/{_today()}"
            if fix and (dry_run or quarantine_file(root, rel, report)):
                report.orphan_files_removed.append(rel)


def _today() -> str:
    return time.strftime("%Y-%m-%d", time.gmtime())


def _quarantine_day_folder(root: Path) -> Path:
    """root/_quarantine/<today>, created; ValueError when either is a symlink (moving files
    there must never take them out of the root)."""
    base = Path(root).resolve()
    folder = base / QUARANTINE_DIRNAME
    day = folder / _today()
    for d in (folder, day):
        if d.is_symlink():
            raise ValueError(f"{d} is a symlink; orphan files are not moved there")
        d.mkdir(mode=0o700, exist_ok=True)
    return day


def quarantine_file(root: Path, rel: str, report: SweepReport) -> bool:
    """Move the orphan file root/rel to `_quarantine/<date>/rel` (never delete it): it is kept
    for the Trash retention period, then `purge_quarantine` removes it. No link is followed."""
    try:
        src = contained_path(root, rel)
        if not stat.S_ISREG(os.lstat(src).st_mode):
            return False
        day = _quarantine_day_folder(root)
        dest = day.joinpath(*Path(rel).parts)
        dest.parent.mkdir(parents=True, exist_ok=True)
        contained_path(root, dest.relative_to(Path(root).resolve()).as_posix())  # no link on the way
        n = 2
        while os.path.lexists(dest):
            dest = dest.with_name(f"{Path(rel).stem}-{n}{Path(rel).suffix}")
            n += 1
        os.rename(src, dest)  # same file system (both under the root): never a copy + delete
        return True
    except (OSError, ValueError) as exc:
        report.errors.append(f"could not move orphan file {rel} to quarantine: {getattr(exc, 'strerror', None) or exc}")
        return False


def purge_quarantine(artefacts_root: Path, retention_days: float, report: SweepReport, *,
                     dry_run: bool = False) -> None:
    """Remove `_quarantine/<date>/` folders older than the retention period (shutil.rmtree
    does not follow symlinks inside; a linked quarantine folder is left alone)."""
    import shutil
    from datetime import datetime, timezone

    folder = Path(artefacts_root) / QUARANTINE_DIRNAME
    if folder.is_symlink() or not folder.is_dir():
        return
    now = datetime.now(timezone.utc)
    for day in sorted(folder.iterdir()):
        try:
            when = datetime.strptime(day.name, "%Y-%m-%d").replace(tzinfo=timezone.utc)
        except ValueError:
            continue
        if (now - when).total_seconds() < (float(retention_days) + 1) * 86400 or day.is_symlink() \
                or not day.is_dir():
            continue
        rel = f"{QUARANTINE_DIRNAME}/{day.name}"
        if not dry_run:
            try:
                shutil.rmtree(day)
            except OSError as exc:
                report.errors.append(f"could not purge {rel}: {exc.strerror or exc}")
                continue
        report.quarantine_purged.append(rel)


def remove_stale_thumbs(conn: sqlite3.Connection, artefacts_root: Path, report: SweepReport, *,
                        dry_run: bool = False) -> None:
    root = Path(artefacts_root)
    folder = root / thumbs.THUMBS_DIRNAME
    if not folder.is_dir():
        return
    live = {r[0] for r in conn.execute("SELECT DISTINCT sha256 FROM artefacts")}
    if folder.is_symlink():
        report.errors.append(f"thumbnails: {folder} is a symlink, not cleaned")
        return
    for p in folder.glob("*/*.png"):
        sha = p.name.rsplit("-", 1)[0]
        if sha not in live and (dry_run or _remove(root, _rel_under(root, p), report, "thumbnail") == "gone"):
            report.thumbs_removed += 1


def _dir_bytes(path: Path) -> int:
    total = 0
    for dirpath, _dirs, files in os.walk(path):
        for name in files:
            try:
                st = os.lstat(os.path.join(dirpath, name))
            except OSError:
                continue
            total += st.st_size
    return total


def disk_audit(conn: sqlite3.Connection, settings: Any, report: SweepReport, *, dry_run: bool = False) -> None:
    tools_dir = Path(settings.tools_dir)
    art = {r[0]: int(r[1]) for r in conn.execute(
        "SELECT tool_id, COALESCE(SUM(size_bytes), 0) FROM artefacts WHERE deleted_at IS NULL GROUP BY tool_id")}
    tool_ids = set(art) | {r[0] for r in conn.execute("SELECT tool_id FROM tool_state")}
    stamp = now_iso()
    for tool_id in sorted(tool_ids):
        total = art.get(tool_id, 0)
        try:
            folder = safe_join(tools_dir, tool_id)
        except ValueError:
            folder = None
        if folder is not None and folder.is_dir():
            for sub in (".venv", "data"):
                if (folder / sub).is_dir():
                    total += _dir_bytes(folder / sub)
        report.disk_bytes[tool_id] = total
        if not dry_run:
            tool_state_repo.update(conn, tool_id, disk_bytes=total, last_disk_audit=stamp)


def _retain_map(tools: Iterable[Any] | None) -> dict[str, int]:
    out: dict[str, int] = {}
    for t in tools or ():
        spec = getattr(t, "spec", None)
        if spec is not None and getattr(spec, "retain_runs", None) is not None:
            out[t.tool_id] = int(spec.retain_runs)
    return out


def remove_unreferenced_input_blobs(conn: sqlite3.Connection, root: Path, report: SweepReport, *,
                                    dry_run: bool = False) -> None:
    """Stored file inputs (see input_blobs) whose runs were all pruned or deleted."""
    from pixie_desktop.artefacts.input_blobs import unreferenced_blobs

    for path in unreferenced_blobs(conn, root):
        if not dry_run and _remove(root, _rel_under(root, path), report, f"input blob {path.name}") != "gone":
            continue
        report.input_blobs_removed += 1


def sweep(conn: sqlite3.Connection, settings: Any, *, tools: Iterable[Any] | None = None, dry_run: bool = False,
          fix: bool = False, default_retain_runs: int = 100) -> SweepReport:
    """Run every step (see module docstring). `tools` (discovery's ToolInfo list) supplies each
    tool's retain_runs; tools not listed keep `default_retain_runs`."""
    started = time.monotonic()
    report = SweepReport(dry_run=dry_run)
    root = Path(settings.artefacts_root)
    status = check_root(root, conn) if dry_run else init_root(root, conn, create=False)
    if not status.ok:
        report.root_problem = status.problem
        report.errors.append(status.problem)
        report.seconds = round(time.monotonic() - started, 3)
        return report
    steps = (
        ("purge", lambda: purge_expired(conn, root, float(settings.soft_delete_retention_days), report,
                                        dry_run=dry_run)),
        ("prune", lambda: prune_runs(conn, root, _retain_map(tools), default_retain_runs, report, dry_run=dry_run)),
        ("disk cap", lambda: enforce_disk_cap(conn, root, int(getattr(settings, "artefacts_total_disk_cap_bytes", 0)
                                                              or 0), report, dry_run=dry_run)),
        ("partials", lambda: remove_stale_partials(root, report, dry_run=dry_run)),
        ("orphan rows", lambda: reconcile_orphan_rows(conn, root, report, dry_run=dry_run)),
        ("orphan files", lambda: reconcile_orphan_files(conn, settings, report, fix=fix, dry_run=dry_run)),
        ("quarantine", lambda: purge_quarantine(root, float(settings.soft_delete_retention_days), report,
                                                dry_run=dry_run)),
        ("thumbnails", lambda: remove_stale_thumbs(conn, root, report, dry_run=dry_run)),
        ("input blobs", lambda: remove_unreferenced_input_blobs(conn, root, report, dry_run=dry_run)),
        ("disk audit", lambda: disk_audit(conn, settings, report, dry_run=dry_run)),
    )
    for name, step in steps:
        try:
            step()
        except Exception as exc:  # noqa: BLE001 - one failing step must not stop the others
            report.errors.append(f"{name}: {type(exc).__name__}: {exc}")
    if not dry_run:
        try:
            conn.execute("PRAGMA optimize")
        except sqlite3.Error:  # an optimisation hint only; a busy database skips it this time
            pass
    report.seconds = round(time.monotonic() - started, 3)
    return report
