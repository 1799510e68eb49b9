"""Processes a tool starts outside its own process group (a new session, a double fork) are
found and stopped with the tool, and survivors are reported (issue 11, class 6). Qt-free.

`ToolProcess.stop()` kills the tool's process group; a child that called setsid() — or a
grandchild orphaned by a double fork — is not in that group any more. So, per spawned tool:

1. **A per-spawn marker in the environment.** The launcher puts `PIXIE_SPAWN_ID=<random>` in the
   tool's environment; every process the tool starts inherits it unless the tool scrubs its
   environment. At stop time, processes of this user created after the tool that carry the
   marker are the tool's, wherever they were reparented (a double-forked daemon under init).
2. **The process tree recorded while the tool lives.** `snapshot()` (each warm-pool
   housekeeping tick, and right before the stop signal) records `children(recursive=True)` as
   (pid, create_time): a child that scrubbed its environment but was once seen as a descendant
   is still found. create_time guards against pid reuse: a recycled pid is never killed.
3. **Survivors are written down.** The record is kept in `<cache_dir>/proctrees/` while the
   tool lives; after stopping, it is deleted when nothing survived, else kept with the
   survivors, and `pixie-desktop doctor` reports them (`--fix` kills them, same checks).

cgroups are not used: creating one needs a delegated cgroup (systemd user slice) that a desktop
session cannot assume without root; the marker + recorded tree work for any user on Linux and
macOS. A tool that both scrubs its environment and double-forks between two snapshots can
still escape; that is documented, not hidden.
"""

from __future__ import annotations

import json
import os
import secrets as _secrets
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SPAWN_ENV = "PIXIE_SPAWN_ID"
RECORD_DIRNAME = "proctrees"
_CREATE_SLACK = 1.0  # seconds: create_time is rounded by the kernel/psutil


def new_spawn_id() -> str:
    return _secrets.token_hex(8)


def record_dir(settings: Any) -> Path | None:
    try:
        return Path(settings.cache_dir) / RECORD_DIRNAME
    except Exception:  # noqa: BLE001 - settings without a cache dir: keep the record in memory only
        return None


def _same_process(pid: int, create_time: float) -> Any:
    """psutil.Process(pid) when it is alive, not a zombie, and the same process recorded
    (same create_time), else None."""
    try:
        import psutil

        p = psutil.Process(pid)
        if abs(p.create_time() - create_time) > _CREATE_SLACK or p.status() == psutil.STATUS_ZOMBIE:
            return None
        return p
    except Exception:  # noqa: BLE001 - gone, or not ours to look at
        return None


@dataclass
class ProcessTree:
    """What is known about one spawned tool's processes (see module docstring)."""

    tool_id: str
    tool_pid: int
    tool_started: float  # the tool process's create_time (psutil) or wall time at spawn
    spawn_id: str
    folder: Path | None = None
    members: dict[int, float] = field(default_factory=dict)  # pid -> create_time, ever seen
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def for_process(cls, tool_id: str, pid: int, spawn_id: str, settings: Any) -> "ProcessTree":
        started = time.time()
        try:
            import psutil

            started = psutil.Process(pid).create_time()
        except Exception:  # noqa: BLE001 - gone or not ours: recorded without a start time
            pass
        tree = cls(tool_id, pid, started, spawn_id, record_dir(settings))
        tree._write(stopped=False)
        return tree

    # -- recording --------------------------------------------------------------------------
    def snapshot(self) -> None:
        """Record the tool's current descendants (best effort; cheap: one /proc walk)."""
        try:
            import psutil

            kids = psutil.Process(self.tool_pid).children(recursive=True)
        except Exception:  # noqa: BLE001 - the tool is gone: nothing new to see
            return
        new = False
        with self._lock:
            for k in kids:
                try:
                    ct = k.create_time()
                except Exception:  # noqa: BLE001
                    continue
                if self.members.get(k.pid) != ct:
                    self.members[k.pid] = ct
                    new = True
        if new:
            self._write(stopped=False)

    def _marked(self) -> list[Any]:
        """Processes of this user, created since the tool, carrying this spawn's marker."""
        try:
            import psutil
        except ImportError:  # pragma: no cover
            return []
        out = []
        uid = os.getuid() if hasattr(os, "getuid") else None
        me = os.getpid()
        for p in psutil.process_iter(["pid", "uids", "create_time"]):
            try:
                info = p.info
                if p.pid in (me, self.tool_pid) or info["create_time"] < self.tool_started - _CREATE_SLACK:
                    continue
                if uid is not None and info["uids"] is not None and info["uids"].real != uid:
                    continue
                if p.environ().get(SPAWN_ENV) == self.spawn_id:
                    out.append(p)
            except Exception:  # noqa: BLE001 - vanished or unreadable: not provably ours
                continue
        return out

    def alive_members(self) -> list[Any]:
        """Recorded processes (same pid AND create_time) still alive, plus marked ones."""
        with self._lock:
            recorded = list(self.members.items())
        found = {p.pid: p for p in (_same_process(pid, ct) for pid, ct in recorded) if p is not None}
        for p in self._marked():
            found.setdefault(p.pid, p)
        found.pop(self.tool_pid, None)
        return list(found.values())

    # -- stopping ---------------------------------------------------------------------------
    def stop_escaped(self, *, wait: float = 2.0) -> list[int]:
        """After the tool's group was killed: SIGKILL every recorded/marked process still alive,
        then write down whatever survived (doctor reports it). Returns the pids killed."""
        victims = self.alive_members()
        killed: list[int] = []
        for p in victims:
            try:
                p.send_signal(signal.SIGKILL)
                killed.append(p.pid)
            except Exception:  # noqa: BLE001 - already gone, or not ours
                continue
        if victims:
            try:
                import psutil

                psutil.wait_procs(victims, timeout=wait)
            except Exception:  # noqa: BLE001 - waiting is a courtesy; survivors are reported by doctor
                pass
        self._write(stopped=True)
        return killed

    # -- the record on disk ------------------------------------------------------------------
    @property
    def path(self) -> Path | None:
        if self.folder is None:
            return None
        return self.folder / f"{self.tool_pid}-{int(self.tool_started)}.json"

    def _write(self, *, stopped: bool) -> None:
        path = self.path
        if path is None:
            return
        try:
            if stopped:
                survivors = {p.pid: p.create_time() for p in self.alive_members() if p.is_running()}
                if not survivors:
                    path.unlink(missing_ok=True)
                    return
                members = survivors
            else:
                with self._lock:
                    members = dict(self.members)
            path.parent.mkdir(parents=True, exist_ok=True)
            data = {"tool_id": self.tool_id, "tool_pid": self.tool_pid, "tool_started": self.tool_started,
                    "spawn_id": self.spawn_id, "stopped": stopped,
                    "members": [[pid, ct] for pid, ct in sorted(members.items())]}
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(data))
            os.replace(tmp, path)
        except Exception:  # noqa: BLE001 - bookkeeping must never break stopping a tool
            pass


@dataclass
class Survivor:
    tool_id: str
    pid: int
    cmdline: str
    record: Path


def survivors(settings: Any) -> list[Survivor]:
    """Processes recorded for a tool that is no longer running and that are still alive (the
    tool process itself gone, or a different process under its pid). Records whose tool is
    still running are skipped; records with nothing left alive are removed."""
    folder = record_dir(settings)
    if folder is None or not folder.is_dir():
        return []
    out: list[Survivor] = []
    for path in sorted(folder.glob("*.json")):
        try:
            data = json.loads(path.read_text())
            tool_id, spawn_id = str(data["tool_id"]), str(data["spawn_id"])
            tool_pid, started = int(data["tool_pid"]), float(data["tool_started"])
            members = {int(pid): float(ct) for pid, ct in data.get("members", [])}
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if not data.get("stopped") and _same_process(tool_pid, started) is not None:
            continue  # the tool still runs (this or another app instance owns it)
        tree = ProcessTree(tool_id, tool_pid, started, spawn_id, folder, members)
        alive = tree.alive_members()
        if not alive:
            path.unlink(missing_ok=True)
            continue
        for p in alive:
            try:
                cmd = " ".join(p.cmdline())[:160]
            except Exception:  # noqa: BLE001
                cmd = "?"
            out.append(Survivor(tool_id, p.pid, cmd, path))
    return out


def kill_survivors(settings: Any) -> list[int]:
    """doctor --fix: stop what `survivors()` reports (the same pid + create_time/marker checks)."""
    folder = record_dir(settings)
    killed: list[int] = []
    for path in {s.record for s in survivors(settings)}:
        try:
            data = json.loads(path.read_text())
            tree = ProcessTree(str(data["tool_id"]), int(data["tool_pid"]), float(data["tool_started"]),
                               str(data["spawn_id"]), folder,
                               {int(pid): float(ct) for pid, ct in data.get("members", [])})
        except (OSError, ValueError, KeyError, TypeError):
            continue
        killed += tree.stop_escaped()
    return killed
