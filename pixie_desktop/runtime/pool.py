"""The warm pool: at most one live server process per tool, reused across runs.

Rules (each one fixes a reference bug, reference-runtime §3 / §9.4–9.5):
- concurrent callers of the same tool share one spawn (per-tool spawn lock);
- eviction (LRU over `warm_keep_max`, then heaviest-first over the memory budget
  `warm_memory_budget_fraction` × RAM by each tool's max_memory_mb) never touches the tool just
  spawned, a tool that is starting, a tool with in-flight runs, or a pinned tool;
- the idle TTL is per tool (tool.json `warm_keep_seconds`, DB override, else global) and
  pinned tools are exempt from it too;
- the memory limit (`max_memory_mb`) applies between runs too: on each housekeeping tick
  (`reap`, every REAP_INTERVAL s) the RSS of every idle warm process tree is read, and one over
  its tool's limit is stopped (it is respawned on next use; `memory_stops` records it). While a
  run is in flight, the runner's own RSS watchdog applies instead;
- each tick also snapshots every warm tool's process tree (`runtime.proctree`), so children
  that leave the tool's process group are stopped with it;
- everything is stopped by `stop_all()`, which also runs at interpreter exit."""

from __future__ import annotations

import atexit
import collections
import threading
import time
import weakref
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator

from pixie_desktop.runtime.launcher import ToolProcess, spawn
from pixie_desktop.catalog.discovery import ToolInfo, process_hash

REAP_INTERVAL = 2.0
EVICT_GRACE = 3.0


@dataclass
class Limits:
    """A tool's effective runtime knobs: tool.json, overridden by tool_state.overrides_json."""

    max_memory_mb: int = 512
    max_runtime_seconds: int = 60
    warm_keep_seconds: int | None = None  # None = use the global setting
    concurrent: bool = True
    pinned_warm: bool = False


def effective_limits(tool: ToolInfo, overrides: dict | None = None, pinned_warm: bool | None = None) -> Limits:
    spec = tool.spec
    lim = Limits()
    if spec is not None:
        lim = Limits(max_memory_mb=spec.max_memory_mb, max_runtime_seconds=spec.max_runtime_seconds,
                     warm_keep_seconds=spec.warm_keep_seconds if "warm_keep_seconds" in spec.raw else None,
                     concurrent=spec.concurrent, pinned_warm=spec.pinned_warm)
    ov = overrides or {}

    def num(key: str, lo: int, hi: int) -> int | None:
        v = ov.get(key)
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            return None
        return int(min(max(v, lo), hi))

    lim.max_memory_mb = num("max_memory_mb", 64, 65536) or lim.max_memory_mb
    lim.max_runtime_seconds = num("max_runtime_seconds", 1, 86400) or lim.max_runtime_seconds
    wk = num("warm_keep_seconds", 0, 86400)
    if wk is not None:
        lim.warm_keep_seconds = wk
    if isinstance(ov.get("concurrent"), bool):
        lim.concurrent = ov["concurrent"]
    if pinned_warm is not None:
        lim.pinned_warm = bool(pinned_warm)
    return lim


@dataclass
class _Entry:
    tool: ToolInfo
    proc: ToolProcess | None = None
    starting: bool = False
    in_flight: int = 0
    last_used: float = 0.0
    memory_mb: int = 512
    keep_seconds: int | None = None
    pinned: bool = False
    spawned_from: str = ""  # process_hash of the tool folder when its process was started


_pools: "weakref.WeakSet[WarmPool]" = weakref.WeakSet()


def _stop_every_pool() -> None:
    for pool in list(_pools):
        try:
            pool.stop_all()
        except Exception:  # noqa: BLE001 - exit path: keep stopping the others
            pass


atexit.register(_stop_every_pool)


class WarmPool:
    def __init__(self, settings: Any):
        self.settings = settings
        self._entries: dict[str, _Entry] = {}
        self._pins: dict[str, bool] = {}
        self._lock = threading.RLock()
        self._spawn_locks: dict[str, threading.Lock] = {}
        self._reaper: threading.Thread | None = None
        self._stopping = threading.Event()
        self.spawn_count = 0  # for tests/benchmarks
        # (tool_id, rss_mb, limit_mb) of warm processes stopped for memory between runs (newest last)
        self.memory_stops: collections.deque[tuple[str, float, int]] = collections.deque(maxlen=50)
        _pools.add(self)

    # -- leasing --------------------------------------------------------------------------
    def _spawn_lock(self, tool_id: str) -> threading.Lock:
        with self._lock:
            return self._spawn_locks.setdefault(tool_id, threading.Lock())

    @contextmanager
    def lease(self, tool: ToolInfo, limits: Limits | None = None,
              extra_env: dict | None = None) -> Iterator[ToolProcess]:
        """A live process for `tool` (spawned if needed), counted as in-flight until the block
        exits. Raises LauncherError when the tool cannot be started."""
        proc = self.acquire(tool, limits, extra_env=extra_env)
        try:
            yield proc
        finally:
            self.release(tool.tool_id, proc)

    def acquire(self, tool: ToolInfo, limits: Limits | None = None, extra_env: dict | None = None) -> ToolProcess:
        lim = limits or effective_limits(tool)
        tid = tool.tool_id
        stale: list[ToolProcess] = []
        current = process_hash(tool.path)  # a few stats, outside the locks
        with self._spawn_lock(tid):
            with self._lock:
                entry = self._entries.get(tid)
                if entry is not None and entry.proc is not None and not entry.proc.alive():
                    stale.append(entry.proc)
                    entry.proc = None
                if entry is not None and entry.proc is not None and entry.in_flight == 0 and \
                        entry.spawned_from != current:
                    stale.append(entry.proc)  # tool.json/main.py/.env edited: restart with the new ones
                    entry.proc = None
                if entry is None:
                    entry = self._entries[tid] = _Entry(tool=tool)
                self._apply_limits(entry, tool, lim)
                spawned = entry.proc is None
                if spawned:
                    entry.starting = True
                else:
                    entry.in_flight += 1
                    entry.last_used = time.monotonic()
                    proc = entry.proc
            for old in stale:
                old.stop(grace=EVICT_GRACE, reason="restarted")
            if spawned:
                try:
                    proc = spawn(tool, self.settings, extra_env=extra_env)
                except BaseException:
                    with self._lock:
                        entry.starting = False
                        if entry.proc is None and entry.in_flight == 0:
                            self._entries.pop(tid, None)
                    raise
                with self._lock:
                    entry.proc = proc
                    entry.spawned_from = current  # hashed before spawning: an edit during it restarts
                    entry.starting = False
                    entry.in_flight += 1
                    entry.last_used = time.monotonic()
                    self.spawn_count += 1
        if spawned:
            self._enforce_caps(protect=tid)
            self._ensure_reaper()
        return proc

    def acquire_warm(self, tool: ToolInfo, limits: Limits | None = None) -> ToolProcess | None:
        """Like `acquire`, but only an already-running, up-to-date process: None instead of
        spawning (or restarting after an edit). The Runner leases it before writing the run row,
        so the row carries the tool's pid from its first commit."""
        lim = limits or effective_limits(tool)
        tid = tool.tool_id
        with self._lock:
            entry = self._entries.get(tid)
            if entry is None or entry.proc is None or entry.starting:
                return None
            proc = entry.proc
        if not proc.alive() or (entry.in_flight == 0 and entry.spawned_from != process_hash(tool.path)):
            return None  # acquire() deals with a dead or outdated process
        with self._lock:
            if self._entries.get(tid) is not entry or entry.proc is not proc:
                return None
            self._apply_limits(entry, tool, lim)
            entry.in_flight += 1
            entry.last_used = time.monotonic()
        return proc

    def _apply_limits(self, entry: _Entry, tool: ToolInfo, lim: Limits) -> None:
        """A lease's tool and limits on its entry (under self._lock): the reaper and the caps
        read them, and a pin set by the user wins over the tool.json default."""
        entry.tool = tool
        entry.memory_mb = lim.max_memory_mb
        entry.keep_seconds = lim.warm_keep_seconds
        entry.pinned = self._pins.get(tool.tool_id, lim.pinned_warm)

    def release(self, tool_id: str, proc: ToolProcess) -> None:
        with self._lock:
            entry = self._entries.get(tool_id)
            if entry is not None and entry.proc is proc:
                entry.in_flight = max(0, entry.in_flight - 1)
                entry.last_used = time.monotonic()

    def in_flight(self, tool_id: str, proc: ToolProcess | None = None) -> int:
        with self._lock:
            entry = self._entries.get(tool_id)
            if entry is None or (proc is not None and entry.proc is not proc):
                return 0
            return entry.in_flight

    def warm(self, tool: ToolInfo, limits: Limits | None = None) -> None:
        """Pre-warm (hover): spawn if not running, without counting a run."""
        proc = self.acquire(tool, limits)
        self.release(tool.tool_id, proc)

    # -- stopping -------------------------------------------------------------------------
    def stop(self, tool_id: str, proc: ToolProcess | None = None, reason: str | None = None,
             grace: float = 5.0) -> None:
        """Stop the tool's process (only `proc` if given and still the current one)."""
        with self._lock:
            entry = self._entries.get(tool_id)
            if entry is None or entry.proc is None or (proc is not None and entry.proc is not proc):
                target = proc
            else:
                target = entry.proc
                entry.proc = None
                if entry.in_flight == 0 and not entry.starting:
                    self._entries.pop(tool_id, None)
                else:
                    entry.in_flight = 0
        if target is not None:
            target.stop(grace=grace, reason=reason)

    def stop_all(self) -> None:
        self._stopping.set()
        with self._lock:
            procs = [e.proc for e in self._entries.values() if e.proc is not None]
            self._entries.clear()
        threads = [threading.Thread(target=p.stop, kwargs={"grace": 5.0, "reason": "app shutting down"},
                                    daemon=True) for p in procs]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=10)
        self._stopping.clear()

    # -- pins / snapshot ------------------------------------------------------------------
    def set_pinned(self, tool_id: str, pinned: bool) -> None:
        with self._lock:
            self._pins[tool_id] = bool(pinned)
            entry = self._entries.get(tool_id)
            if entry is not None:
                entry.pinned = bool(pinned)

    def snapshot(self) -> list[dict]:
        now = time.monotonic()
        with self._lock:
            return [{"tool_id": tid, "pid": e.proc.pid if e.proc else None,
                     "port": e.proc.port if e.proc else None, "in_flight": e.in_flight,
                     "idle_s": round(now - e.last_used, 1) if e.last_used and not e.in_flight else 0.0,
                     "pinned": e.pinned, "starting": e.starting, "memory_mb": e.memory_mb,
                     "alive": bool(e.proc and e.proc.alive())}
                    for tid, e in sorted(self._entries.items())]

    def is_warm(self, tool_id: str) -> bool:
        with self._lock:
            e = self._entries.get(tool_id)
            return bool(e and e.proc and e.proc.alive())

    # -- eviction -------------------------------------------------------------------------
    def _evictable(self, protect: str | None) -> list[tuple[str, _Entry]]:
        return [(tid, e) for tid, e in self._entries.items()
                if tid != protect and e.proc is not None and not e.starting and e.in_flight == 0
                and not e.pinned]

    def _enforce_caps(self, protect: str | None = None) -> None:
        victims: list[ToolProcess] = []
        with self._lock:
            cap = int(getattr(self.settings, "warm_keep_max", 5))
            live = [e for e in self._entries.values() if e.proc is not None]
            count = len(live)
            for tid, e in sorted(self._evictable(protect), key=lambda kv: kv[1].last_used):
                if count <= cap:
                    break
                victims.append(e.proc)  # type: ignore[arg-type]
                e.proc = None
                del self._entries[tid]
                count -= 1
            budget = _memory_budget_mb(float(getattr(self.settings, "warm_memory_budget_fraction", 0.4)))
            if budget is not None:
                total = sum(e.memory_mb for e in self._entries.values() if e.proc is not None)
                for tid, e in sorted(self._evictable(protect), key=lambda kv: (-kv[1].memory_mb, kv[1].last_used)):
                    if total <= budget:
                        break
                    victims.append(e.proc)  # type: ignore[arg-type]
                    total -= e.memory_mb
                    e.proc = None
                    del self._entries[tid]
        for p in victims:
            p.stop(grace=EVICT_GRACE, reason="evicted from the warm pool")

    def reap(self) -> None:
        """Drop dead processes and stop idle ones past their TTL (pinned tools stay)."""
        now = time.monotonic()
        victims: list[ToolProcess] = []
        default_keep = int(getattr(self.settings, "warm_keep_seconds", 300))
        with self._lock:
            for tid, e in list(self._entries.items()):
                if e.starting or e.proc is None:
                    continue
                if not e.proc.alive():
                    if e.in_flight == 0:
                        victims.append(e.proc)
                        del self._entries[tid]
                    continue
                keep = e.keep_seconds if e.keep_seconds is not None else default_keep
                if e.in_flight == 0 and not e.pinned and now - e.last_used > keep:
                    victims.append(e.proc)
                    del self._entries[tid]
        for p in victims:
            p.stop(grace=EVICT_GRACE, reason="idle")
        self._snapshot_trees()
        self._check_memory()
        self._enforce_caps()

    def _snapshot_trees(self) -> None:
        """Record each live tool's descendants (runtime.proctree): a child that later leaves the
        tool's process group (setsid, double fork) is still stopped with the tool."""
        with self._lock:
            procs = [e.proc for e in self._entries.values() if e.proc is not None and not e.starting]
        for proc in procs:
            tree = getattr(proc, "tree", None)
            if tree is not None:
                tree.snapshot()

    def _check_memory(self) -> None:
        """Stop idle warm processes whose tree RSS is over their tool's max_memory_mb (a tool
        that keeps growing between runs — a cache, a leak — must not hold the RAM the limit
        promised to free). psutil is read outside the lock; the entry is re-checked before
        stopping so a run that started meanwhile is never cut."""
        with self._lock:
            idle = [(tid, e.proc, e.memory_mb) for tid, e in self._entries.items()
                    if e.proc is not None and not e.starting and e.in_flight == 0]
        over = []
        for tid, proc, limit in idle:
            rss = proc.rss_mb()
            if rss is not None and rss > limit:
                over.append((tid, proc, rss, limit))
        victims: list[tuple[ToolProcess, str]] = []
        with self._lock:
            for tid, proc, rss, limit in over:
                e = self._entries.get(tid)
                if e is None or e.proc is not proc or e.in_flight or e.starting:
                    continue
                del self._entries[tid]
                self.memory_stops.append((tid, round(rss, 1), limit))
                victims.append((proc, f"used {rss:.0f} MB while warm, over its {limit} MB memory limit"))
        for proc, reason in victims:
            proc.stop(grace=EVICT_GRACE, reason=reason)

    def _ensure_reaper(self) -> None:
        with self._lock:
            if self._reaper is not None and self._reaper.is_alive():
                return
            ref = weakref.ref(self)
            self._reaper = threading.Thread(target=_reaper_loop, args=(ref,), name="pixie-warm-reaper",
                                            daemon=True)
            self._reaper.start()


def _reaper_loop(ref: "weakref.ref[WarmPool]") -> None:
    while True:
        time.sleep(REAP_INTERVAL)
        pool = ref()
        if pool is None:
            return
        try:
            pool.reap()
            if not pool._entries:  # noqa: SLF001 - nothing warm: let the thread end
                with pool._lock:  # noqa: SLF001
                    if not pool._entries:  # noqa: SLF001
                        pool._reaper = None  # noqa: SLF001
                        return
        except Exception:  # noqa: BLE001 - the reaper must never die
            pass
        del pool


def _memory_budget_mb(fraction: float) -> float | None:
    try:
        import psutil

        return psutil.virtual_memory().total / (1024 * 1024) * fraction
    except Exception:  # noqa: BLE001
        return None
