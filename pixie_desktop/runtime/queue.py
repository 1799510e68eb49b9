"""The run queue: which submitted tool runs wait, which may start now, and in what order.

Qt-free and thread-safe. It decides dispatch only; running is somebody else's job (the desktop's
RunController runs what `next_dispatchable()` hands out on its own thread pool). Two limits:
a tool whose tool.json says `concurrent: false` has at most one run going at a time, and no more
than `max_parallel` runs go at once overall. Because a run is only handed out when it may start,
nothing ever has to hold a thread while it waits for its turn.

States: queued → running → finished, or queued → finished when a queued run is cancelled (it is
dropped and never started). Finished ids are remembered for a while so late questions about a
run ("is it still going?") get a clear answer."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

QUEUED, RUNNING, FINISHED = "queued", "running", "finished"
FINISHED_MEMORY = 500  # finished ids kept for state() before the oldest are forgotten


def default_max_parallel() -> int:
    """One run per CPU core."""
    return max(1, os.cpu_count() or 1)


def ordinal(n: int) -> str:
    """1 → '1st', 2 → '2nd', 3 → '3rd', 11 → '11th', 22 → '22nd' (for "Queued (3rd)")."""
    if 10 <= n % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _new_run_id() -> str:
    import uuid  # here, not at import: uuid loads a C extension the app's start does not need

    return str(uuid.uuid4())


@dataclass
class RunRequest:
    """One run asked for: the tool (a catalog ToolInfo), its inputs, and where the ask came from."""

    tool: Any
    inputs: dict
    run_id: str = field(default_factory=_new_run_id)
    source: str = "page"  # page | history | cli | batch …: for display and logs only
    concurrent: bool = True  # False: at most one run of this tool at a time
    meta: dict = field(default_factory=dict)  # extra meta_json keys for the run row (batch_id…)
    # called with `inputs` on the thread that runs it, just before the run: turns a batch item's
    # file paths into data URLs there (not on the UI thread, and not for every queued item at once)
    prepare: Any = None

    @property
    def tool_id(self) -> str:
        return str(self.tool.tool_id)


class RunQueue:
    """FIFO of run requests with per-tool and global dispatch limits (see the module doc)."""

    def __init__(self, max_parallel: int | None = None):
        self._lock = threading.Lock()
        self._queued: list[RunRequest] = []
        self._running: dict[str, RunRequest] = {}
        self._finished: OrderedDict[str, RunRequest] = OrderedDict()
        self._max = max(1, int(max_parallel)) if max_parallel else default_max_parallel()

    # -- limits -----------------------------------------------------------------------------
    @property
    def max_parallel(self) -> int:
        return self._max

    def set_max_parallel(self, n: int | None) -> None:
        """Change the global limit; runs already going are never stopped by a lower one."""
        with self._lock:
            self._max = max(1, int(n)) if n else default_max_parallel()

    # -- submitting and dispatching ---------------------------------------------------------
    def submit(self, request: RunRequest) -> int:
        """Queue a run; returns its 1-based position in the queue."""
        with self._lock:
            rid = request.run_id
            if rid in self._running or any(r.run_id == rid for r in self._queued):
                raise ValueError(f"run {rid} is already queued or running")
            self._finished.pop(rid, None)
            self._queued.append(request)
            return len(self._queued)

    def next_dispatchable(self) -> RunRequest | None:
        """Take the first queued run that may start now and mark it running; None when nothing
        may start (queue empty, global limit reached, or every waiting tool is busy and not
        concurrent). Call it in a loop to dispatch everything that fits."""
        with self._lock:
            if len(self._running) >= self._max:
                return None
            busy = {r.tool_id for r in self._running.values()}
            blocked: set[str] = set()  # tools with an earlier run still waiting: keep their order
            for i, req in enumerate(self._queued):
                tid = req.tool_id
                if tid in blocked or (not req.concurrent and tid in busy):
                    blocked.add(tid)
                    continue
                del self._queued[i]
                self._running[req.run_id] = req
                return req
            return None

    def finish(self, run_id: str) -> RunRequest | None:
        """Mark a running run finished (ok, error or cancelled); returns it, or None if unknown."""
        with self._lock:
            req = self._running.pop(run_id, None)
            if req is not None:
                self._remember(req)
            return req

    # -- cancelling and reordering ----------------------------------------------------------
    def cancel(self, run_id: str) -> RunRequest | None:
        """Drop a queued run (it never starts); returns it, or None when it is not queued
        (a running run is stopped by whoever runs it, then `finish`ed)."""
        with self._lock:
            for i, req in enumerate(self._queued):
                if req.run_id == run_id:
                    del self._queued[i]
                    self._remember(req)
                    return req
            return None

    def cancel_tool(self, tool_id: str) -> list[RunRequest]:
        """Drop every queued run of one tool; returns them in queue order."""
        with self._lock:
            dropped = [r for r in self._queued if r.tool_id == tool_id]
            self._queued = [r for r in self._queued if r.tool_id != tool_id]
            for r in dropped:
                self._remember(r)
            return dropped

    def cancel_all(self) -> list[RunRequest]:
        """Drop every queued run; returns them in queue order."""
        with self._lock:
            dropped, self._queued = self._queued, []
            for r in dropped:
                self._remember(r)
            return dropped

    def move_up(self, run_id: str) -> bool:
        return self._move(run_id, -1)

    def move_down(self, run_id: str) -> bool:
        return self._move(run_id, +1)

    def _move(self, run_id: str, step: int) -> bool:
        with self._lock:
            idx = next((i for i, r in enumerate(self._queued) if r.run_id == run_id), None)
            if idx is None or not 0 <= idx + step < len(self._queued):
                return False
            q = self._queued
            q[idx], q[idx + step] = q[idx + step], q[idx]
            return True

    # -- questions --------------------------------------------------------------------------
    def state(self, run_id: str) -> str | None:
        """'queued', 'running', 'finished', or None for a run this queue never saw (or forgot)."""
        with self._lock:
            if run_id in self._running:
                return RUNNING
            if any(r.run_id == run_id for r in self._queued):
                return QUEUED
            return FINISHED if run_id in self._finished else None

    def position(self, run_id: str) -> int | None:
        """1-based place of a queued run in the queue; None when it is not queued."""
        with self._lock:
            return next((i + 1 for i, r in enumerate(self._queued) if r.run_id == run_id), None)

    def get(self, run_id: str) -> RunRequest | None:
        with self._lock:
            if run_id in self._running:
                return self._running[run_id]
            return next((r for r in self._queued if r.run_id == run_id), None) or self._finished.get(run_id)

    def queued(self) -> list[RunRequest]:
        """Waiting runs in the order they will be considered."""
        with self._lock:
            return list(self._queued)

    def running(self) -> list[RunRequest]:
        with self._lock:
            return list(self._running.values())

    def queued_for(self, tool_id: str) -> list[str]:
        with self._lock:
            return [r.run_id for r in self._queued if r.tool_id == tool_id]

    def running_for(self, tool_id: str) -> list[str]:
        with self._lock:
            return [rid for rid, r in self._running.items() if r.tool_id == tool_id]

    def running_count(self) -> int:
        with self._lock:
            return len(self._running)

    def queued_count(self) -> int:
        with self._lock:
            return len(self._queued)

    def finished(self, limit: int = 50) -> list[RunRequest]:
        """The most recently finished (or dropped) runs, newest first."""
        with self._lock:
            return list(reversed(self._finished.values()))[:limit]

    def _remember(self, req: RunRequest) -> None:
        self._finished[req.run_id] = req
        while len(self._finished) > FINISHED_MEMORY:
            self._finished.popitem(last=False)
