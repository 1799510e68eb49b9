"""A batch's state: its items, which run each became, how each ended, and the views of it the
GUI and CLI show — progress (done/N, failed, ETA), the items to retry, the results table (one row
per item: the inputs that vary, then the scalar outputs) and its CSV export. Thread-safe: a CLI
lane's threads and the UI thread both record into it."""

from __future__ import annotations

import csv
import io
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pixie_desktop.batch.plan import BatchItem, display_value

PENDING, QUEUED, RUNNING, OK, ERROR, CANCELLED = "pending", "queued", "running", "ok", "error", "cancelled"
ENDED = (OK, ERROR, CANCELLED)
MAX_CELL = 200  # a string output longer than this is not a "scalar" for the table


def new_batch_id() -> str:
    return "b-" + uuid.uuid4().hex[:12]


def scalar(value: Any) -> Any:
    """The table cell for an output value, or None when it is not a scalar (tables, images…)."""
    if isinstance(value, dict) and set(value) <= {"value", "message"} and "value" in value:
        value = value["value"]
    if isinstance(value, bool) or isinstance(value, (int, float)):
        return value
    if isinstance(value, str) and len(value) <= MAX_CELL and not value.startswith("data:"):
        return value
    return None


@dataclass
class ItemState:
    item: BatchItem
    status: str = PENDING
    run_id: str | None = None
    outputs: dict | None = None
    error: str | None = None
    attempts: int = 0
    ran: bool = False  # the current run started (so it has a runs row); False for a dropped one


@dataclass
class Progress:
    total: int
    done: int      # ended ok, error or cancelled
    ok: int
    failed: int
    cancelled: int
    running: int
    eta_s: float | None  # None until one item has ended, or when nothing is left

    def text(self) -> str:
        eta = "" if self.eta_s is None else f" · about {_duration(self.eta_s)} left"
        failed = f" · {self.failed} failed" if self.failed else ""
        cancelled = f" · {self.cancelled} cancelled" if self.cancelled else ""
        return f"{self.done}/{self.total} done{failed}{cancelled}{eta}"


def _duration(s: float) -> str:
    s = max(0, int(round(s)))
    return f"{s // 60} min {s % 60:02d} s" if s >= 60 else f"{s} s"


@dataclass
class Batch:
    tool_id: str
    items: list[BatchItem]
    id: str = field(default_factory=new_batch_id)
    output_keys: list[str] = field(default_factory=list)  # the tool's declared outputs, in order

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self.states = [ItemState(it) for it in self.items]
        self._by_run: dict[str, int] = {}
        self.started = time.monotonic()
        self.earlier_runs: list[str] = []  # runs of items that were retried since

    # -- recording ----------------------------------------------------------------------------
    def meta(self, index: int) -> dict[str, Any]:
        """What an item's run row keeps in meta_json."""
        return {"batch_id": self.id, "batch_index": index}

    def submitted(self, index: int, run_id: str) -> None:
        with self._lock:
            st = self.states[index]
            if st.run_id is not None:
                self._by_run.pop(st.run_id, None)  # a retry: the old run's late news is ignored
                self.earlier_runs.append(st.run_id) if st.ran else None
            st.status, st.run_id, st.outputs, st.error, st.ran = QUEUED, run_id, None, None, False
            st.attempts += 1
            self._by_run[run_id] = index

    def started_run(self, run_id: str) -> None:
        with self._lock:
            idx = self._by_run.get(run_id)
            if idx is not None and self.states[idx].status == QUEUED:
                self.states[idx].status = RUNNING
                self.states[idx].ran = True

    def finished(self, run_id: str, status: str, outputs: dict | None = None, error: str | None = None,
                 *, never_started: bool = False) -> int | None:
        """Record how a run ended; returns the item's index (None for a run not in this batch).
        `never_started`: it was dropped before the runner wrote its row."""
        with self._lock:
            idx = self._by_run.get(run_id)
            if idx is None:
                return None
            st = self.states[idx]
            st.status = status if status in ENDED else ERROR
            st.outputs, st.error = outputs, error
            if never_started:
                st.ran = False
            return idx

    def cancel_pending(self) -> list[int]:
        """Mark items never submitted as cancelled (the lane stops before them)."""
        with self._lock:
            out = [i for i, st in enumerate(self.states) if st.status == PENDING]
            for i in out:
                self.states[i].status = CANCELLED
            return out

    def fail_unfinished(self, error: str) -> list[int]:
        """End every item that has not ended as an error (the cluster could not be reached…)."""
        with self._lock:
            out = [i for i, st in enumerate(self.states) if st.status not in ENDED]
            for i in out:
                st = self.states[i]
                st.status, st.error = ERROR, error
            return out

    def owns(self, run_id: str) -> bool:
        with self._lock:
            return run_id in self._by_run

    # -- views --------------------------------------------------------------------------------
    def progress(self) -> Progress:
        with self._lock:
            sts = [s.status for s in self.states]
        total = len(sts)
        ok, err, canc = sts.count(OK), sts.count(ERROR), sts.count(CANCELLED)
        done = ok + err + canc
        eta = None
        if 0 < done < total:
            elapsed = time.monotonic() - self.started
            eta = elapsed / done * (total - done)
        return Progress(total, done, ok, err, canc, sts.count(RUNNING), eta)

    @property
    def is_done(self) -> bool:
        with self._lock:
            return all(s.status in ENDED for s in self.states)

    def failed_indices(self) -> list[int]:
        """Items to retry: those that ended in error or were cancelled."""
        with self._lock:
            return [i for i, s in enumerate(self.states) if s.status in (ERROR, CANCELLED)]

    def run_ids(self) -> list[str]:
        """The current run of every item that started one (in item order): rows in History."""
        with self._lock:
            return [s.run_id for s in self.states if s.run_id and s.ran]

    def run_id_of(self, index: int) -> str | None:
        with self._lock:
            return self.states[index].run_id

    def varying_keys(self) -> list[str]:
        keys: list[str] = []
        for it in self.items:
            for k in it.varying:
                if k not in keys:
                    keys.append(k)
        return keys

    def results(self) -> tuple[list[str], list[list[Any]]]:
        """(headers, rows): '#', the varying inputs, 'status', then every scalar output."""
        vkeys = self.varying_keys()
        with self._lock:
            states = list(self.states)
        okeys = list(self.output_keys)
        for st in states:
            for k, v in (st.outputs or {}).items():
                if k not in okeys and scalar(v) is not None:
                    okeys.append(k)
        okeys = [k for k in okeys if any(scalar((st.outputs or {}).get(k)) is not None for st in states)]
        headers = ["#", *vkeys, "status", *okeys]
        rows = []
        for st in states:
            outs = st.outputs or {}
            rows.append([st.item.index + 1, *[display_value(st.item.varying.get(k)) for k in vkeys], st.status,
                         *[scalar(outs.get(k)) for k in okeys]])
        return headers, rows

    def to_csv(self, path: str | Path | None = None) -> str:
        """The results table as CSV text (written to `path` when given)."""
        headers, rows = self.results()
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(headers)
        for r in rows:
            w.writerow(["" if c is None else c for c in r])
        text = buf.getvalue()
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    def summary(self) -> dict[str, Any]:
        """The CLI's --json object."""
        p = self.progress()
        return {"batch_id": self.id, "tool_id": self.tool_id, "items": p.total, "ok": p.ok, "error": p.failed,
                "cancelled": p.cancelled, "run_ids": self.run_ids()}
