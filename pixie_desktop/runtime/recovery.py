"""Recovery after the app died mid-run (crash, SIGKILL, power loss), run at every start right
after `runs_repo.reconcile_interrupted` has marked the dead owner's rows `error` ("interrupted").

For each interrupted run:
1. **Orphan tool processes.** The run's meta_json holds the tool's pid/pgid (written when the
   run got its process). On Linux the tool itself is killed by the kernel when the app dies
   (PR_SET_PDEATHSIG, see launcher), but a grandchild it forked stays in the tool's process
   group; every live member of that group that still carries the tool's environment
   (`PIXIE_TOOL_ID`) and started no earlier than the tool is SIGKILLed. The environment check
   keeps a recycled pgid belonging to an unrelated program safe, and the start-time check keeps
   a recycled pgid of ANOTHER spawn (same tool, same environment) safe: when the pid equal to
   the recorded pgid is alive but started after the recorded `tool_started`, the group is not
   ours and nothing is killed.
2. **Partial artefacts are KEPT and registered.** Files the tool had completely written into
   the run folder are user data: they are registered as artefacts of the interrupted run (so
   they show in the gallery and are pruned with it). Temporary `*.partial` / `.<name>.*.partial`
   files — writes that never finished — are deleted.

Qt-free; every step is best effort and reports what it did."""

from __future__ import annotations

import os
import signal
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from pixie_desktop.store import runs_repo


@dataclass
class RecoveryReport:
    killed_pids: list[int] = field(default_factory=list)
    registered_files: dict[str, int] = field(default_factory=dict)  # run_id -> files registered
    removed_partials: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _group_members(pgid: int) -> list[int]:
    """Live (non-zombie) pids whose process group is `pgid`."""
    try:
        import psutil
    except ImportError:  # pragma: no cover - psutil is a dependency
        return []
    out: list[int] = []
    for proc in psutil.process_iter(["pid"]):
        try:
            if os.getpgid(proc.pid) == pgid and proc.status() != psutil.STATUS_ZOMBIE:
                out.append(proc.pid)
        except (ProcessLookupError, PermissionError, OSError, psutil.Error):
            continue
    return out


_LEADER_SLACK = 2.0  # seconds: tool_started is taken just after Popen returns (late under load)


def _started_at(pid: int) -> float:
    """When `pid` started, on the wall clock `time.time()` uses.

    psutil's create_time adds the process's start tick to /proc/stat's boot time, which the
    kernel truncates to whole seconds (and which drifts from the wall clock as NTP slews it):
    it reads up to a second or more early. Measured against the current uptime instead, a
    start time is exact to one clock tick, so the tolerances below can stay tight."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read()
        ticks = int(stat[stat.rindex(b")") + 2:].split()[19])  # field 22: starttime
        with open("/proc/uptime", "rb") as fh:
            uptime = float(fh.read().split()[0])
        return time.time() - (uptime - ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        import psutil

        return psutil.Process(pid).create_time()


def _is_tool_process(pid: int, tool_id: str, not_before: float | None) -> bool:
    try:
        import psutil

        proc = psutil.Process(pid)
        if not_before is not None and _started_at(pid) < not_before - _LEADER_SLACK:
            return False  # older than the tool: a recycled group id, not ours
        return proc.environ().get("PIXIE_TOOL_ID") == tool_id
    except Exception:  # noqa: BLE001 - unreadable (other user, gone): leave it alone
        return False


def _group_recycled(pgid: int, tool_started: float) -> bool:
    """True when a live process now holds the recorded pgid as its pid but started after the
    tool did: the id was reused by another process group (maybe a new spawn of the same tool,
    which carries the same PIXIE_TOOL_ID) and nothing in it is ours. While any member of the
    original group lives, the kernel never reuses its id, so a missing leader is no sign."""
    try:
        import psutil

        psutil.Process(pgid)  # NoSuchProcess: the original group (if any) is intact
        return _started_at(pgid) > tool_started + _LEADER_SLACK
    except Exception:  # noqa: BLE001 - no such process: the original group (if any) is intact
        return False


def kill_orphan_tool_group(meta: dict[str, Any], tool_id: str) -> list[int]:
    """SIGKILL the surviving members of an interrupted run's tool process group."""
    if os.name != "posix":
        return []
    pgid = meta.get("tool_pgid", meta.get("tool_pid"))
    if not isinstance(pgid, int) or pgid <= 1 or pgid == os.getpgid(0):
        return []
    started = meta.get("tool_started")
    not_before = float(started) if isinstance(started, (int, float)) else None
    if not_before is not None and _group_recycled(pgid, not_before):
        return []
    killed: list[int] = []
    for pid in _group_members(pgid):
        if pid == os.getpid() or not _is_tool_process(pid, tool_id, not_before):
            continue
        try:
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
        except (ProcessLookupError, PermissionError):  # already gone, or not ours to kill
            pass
    return killed


def _register_leftovers(conn: sqlite3.Connection, settings: Any, run: runs_repo.RunRecord,
                        report: RecoveryReport) -> None:
    from pixie_desktop.artefacts import spill
    from pixie_desktop.artefacts.storage import register_file, run_dir
    from pixie_desktop.store.db import transaction

    try:
        folder = run_dir(settings, run.tool_id, run.id, create=False)
    except ValueError:
        return
    if not folder.is_dir():
        return
    for dirpath, _dirs, names in os.walk(folder, followlinks=False):
        for name in names:
            if name.endswith(".partial"):
                path = Path(dirpath) / name
                try:
                    path.unlink()
                    report.removed_partials.append(str(path))
                except OSError as exc:
                    report.errors.append(f"could not remove {path}: {exc}")
    declared = _declared_outputs(settings, run.tool_id)
    limit = int(getattr(settings, "max_artefacts_per_run", 10_000))
    files = spill.collect_files(folder, declared, limit)
    if not files:
        return
    try:
        with transaction(conn):
            for path, key in files:
                register_file(conn, settings, run_id=run.id, tool_id=run.tool_id, output_key=key, path=path)
        report.registered_files[run.id] = len(files)
        runs_repo.update_meta(conn, run.id, recovered_files=len(files))
    except (OSError, ValueError, sqlite3.Error) as exc:
        report.errors.append(f"run {run.id}: could not register its files: {exc}")


def _declared_outputs(settings: Any, tool_id: str) -> list[str]:
    try:
        from pixie_desktop.catalog.discovery import Discovery, find_tool

        tool = find_tool(Discovery(Path(settings.tools_dir)).scan(), tool_id)
        if tool is not None and tool.spec is not None:
            return [o.key for o in tool.spec.outputs]
    except Exception:  # noqa: BLE001 - output keys are a nicety here
        pass
    return []


def recover_interrupted(conn: sqlite3.Connection, settings: Any, run_ids: Iterable[str]) -> RecoveryReport:
    """Kill orphaned tool processes and keep the finished files of runs just marked interrupted."""
    report = RecoveryReport()
    for run_id in run_ids:
        run = runs_repo.get_run(conn, run_id)
        if run is None:
            continue
        try:
            report.killed_pids += kill_orphan_tool_group(run.meta, run.tool_id)
        except Exception as exc:  # noqa: BLE001 - recovery never blocks start-up
            report.errors.append(f"run {run_id}: orphan check failed: {exc}")
        try:
            _register_leftovers(conn, settings, run, report)
        except Exception as exc:  # noqa: BLE001
            report.errors.append(f"run {run_id}: {exc}")
    return report
