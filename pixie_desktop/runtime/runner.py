"""Running a tool once: the whole life of a `runs` row.

check inputs → `running` row (+ last_inputs, counters) → lease a warm process → POST /run (and
GET /stream for streaming tools, relayed as RunEvents) while watching for cancel, the per-run
time limit and the RSS limit → outputs: data-URL media become artefact files, the run folder is
registered, large responses are spilled to outputs.json → row finished ok/error/cancelled.

`Runner.run` blocks and is thread-safe (one sqlite connection per call). Tool faults never
raise: they end the run as `error` with a readable, secret-redacted message."""

from __future__ import annotations

import json
import os
import queue
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import quote

from pixie_desktop.artefacts import spill
from pixie_desktop.artefacts.spill import load_outputs  # noqa: F401 - re-exported API
from pixie_desktop.artefacts.storage import register_file, rel_path_for, run_dir
from pixie_desktop.runtime.client import (MAX_RESPONSE_BYTES, ResponseTooLarge, StreamHTTPError, describe_status,
                                          StreamTooLarge)
from pixie_desktop.artefacts.input_blobs import compact_inputs, wire_inputs
from pixie_desktop.store.search_repo import summarise_outputs
from pixie_desktop.artefacts.storage import folder_bytes
from pixie_desktop.runtime import safejson
from pixie_desktop.runtime.inputs import InputError, check_inputs
from pixie_desktop.runtime.result import RunResult  # noqa: F401 - defined there, used and re-exported here
from pixie_desktop.runtime.launcher import LauncherError, ToolProcess
from pixie_desktop.runtime.pool import Limits, WarmPool, effective_limits
from pixie_desktop.runtime.secrets import (StreamRedactor, redact, redact_filename, redact_obj,
                                          redact_then_cut, secret_values)
from pixie_desktop.catalog.discovery import ToolInfo
from pixie_desktop.store import artefacts_repo, runs_repo, tool_state_repo
from pixie_desktop.store.artefacts_repo import ArtefactRecord
from pixie_desktop.store.db import connect, open_db, transaction

__all__ = ["RunEvent", "RunResult", "InputError", "Runner", "load_outputs"]

STDERR_EXCERPT_BYTES = 4000
CANCEL_POST_TIMEOUT = 2.0
STREAM_CONNECT_RETRY_S = 5.0


@dataclass
class RunEvent:
    run_id: str
    kind: str  # started | progress | log | stream | output | status
    key: str | None = None
    value: Any = None
    fraction: float | None = None
    message: str | None = None


class _Active:
    def __init__(self, run_id: str, tool: ToolInfo):
        self.run_id = run_id
        self.tool = tool
        self.cancel = threading.Event()
        self.wake = threading.Event()
        self.proc: ToolProcess | None = None


class _HelperThreads:
    """Reused daemon threads for the /run posts: starting a fresh thread per run cost more than a
    no-op tool's whole answer (benchmarks/batch.py). A job never waits for another one: each
    submit reserves an idle thread or starts a new one; threads idle for a minute retire.
    Daemon threads, like the per-run threads before: a post a tool never answers cannot hold up
    the app's exit."""

    IDLE_S = 60.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle = 0
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()

    def submit(self, fn: Callable[[], None], then: Callable[[], None] | None = None) -> None:
        """Run `fn` on a helper thread, then `then` once that thread already counts as idle:
        a caller woken by `then` that submits its next job at once reuses this thread instead
        of finding none idle and starting another (fast runs back to back did that)."""
        with self._lock:
            spawn = self._idle == 0
            if not spawn:
                self._idle -= 1  # that idle thread is now this job's
        self._jobs.put((fn, then))
        if spawn:
            threading.Thread(target=self._work, name="pixie-run-request", daemon=True).start()

    @property
    def idle(self) -> int:
        """Threads parked waiting for a job (they retire after IDLE_S): reuse, not a leak."""
        with self._lock:
            return self._idle

    def _work(self) -> None:
        while True:
            try:
                job = self._jobs.get(timeout=self.IDLE_S)
            except queue.Empty:
                with self._lock:
                    if self._idle > 0:  # nobody reserved this thread meanwhile: retire
                        self._idle -= 1
                        return
                continue
            fn, then = job
            try:
                fn()
            except BaseException:  # noqa: BLE001 - a job reports its own errors
                pass
            with self._lock:
                self._idle += 1
            if then is not None:
                try:
                    then()
                except BaseException:  # noqa: BLE001 - signalling only
                    pass


_HELPERS = _HelperThreads()


class _Request:
    """POST /run on a helper thread so the run thread can keep watching cancel/limits."""

    def __init__(self, proc: ToolProcess, payload: dict, headers: dict, timeout: float, wake: threading.Event):
        self.done = threading.Event()
        self.status: int | None = None
        self.body: bytes = b""
        self.exc: BaseException | None = None
        self._args = (payload, headers, timeout)
        self._proc = proc
        self._wake = wake
        _HELPERS.submit(self._go, self._signal)

    def _go(self) -> None:
        payload, headers, timeout = self._args
        try:
            self.status, self.body = self._proc.client.post_json("/run", payload, headers=headers,
                                                                 timeout=timeout, max_bytes=MAX_RESPONSE_BYTES)
        except BaseException as exc:  # noqa: BLE001 - reported by the run thread
            self.exc = exc

    def _signal(self) -> None:
        self.done.set()
        self._wake.set()


MAX_STREAM_TEXT_CHARS = MAX_RESPONSE_BYTES  # streamed text per run, like a /run answer


class _StreamTextTooLarge(Exception):
    """More streamed text than a run may hold."""


class _StreamRelay:
    """Reads /stream?run_id= and turns frames into RunEvents plus accumulated output values.
    Liberal: `event: <key>` + text data, `{"output_key","value","done"}` JSON frames, keyed
    frames `{"<declared output key>": value, …}` (each applied by its output's type: a `log`
    appends lines, `stream_text` appends text, `progress` moves the bar, anything else replaces
    the value), the chat scaffold's `{"chunk","done"}`, `{"progress"}`/`{"log"}` shorthands,
    `event: output:<key>`, `event: done`, `event: error`."""

    def __init__(self, runner_emit: Callable[[RunEvent], None], run_id: str, spec: Any, proc: ToolProcess,
                 request: _Request, wake: threading.Event):
        self.emit = runner_emit
        self.run_id = run_id
        self.types = {o.key: o.type for o in spec.outputs}
        self.first_stream_key = next((o.key for o in spec.outputs if o.type == "stream_text"), None)
        self.first_progress_key = next((o.key for o in spec.outputs if o.type == "progress"), None)
        self.first_log_key = next((o.key for o in spec.outputs if o.type == "log"), None)
        self.lines: dict[str, list] = {}
        self.values: dict[str, Any] = {}
        self.error: str | None = None
        self.cut: str | None = None  # why the stream was cut (a size limit), if it was
        self._parts: dict[str, list[str]] = {}  # stream_text chunks, joined once (not per chunk)
        self._text_bytes = 0
        self.connected = False
        self.finished = threading.Event()
        self._proc = proc
        self._request = request
        self._wake = wake
        self._stream: Any = None
        self._closed = False
        self.thread = threading.Thread(target=self._go, name="pixie-run-stream", daemon=True)
        self.thread.start()

    def close(self) -> None:
        self._closed = True
        s = self._stream
        if s is not None:
            s.close()

    def _go(self) -> None:
        path = f"/stream?run_id={quote(self.run_id)}"
        t0 = time.monotonic()
        try:
            while not self._closed:
                try:
                    self._stream = self._proc.client.stream(path, timeout=None)
                    break
                except StreamHTTPError as exc:
                    # the stream may be registered by /run a moment later; a finished /run with
                    # no stream means the tool has none
                    if exc.status == 404 and not self._request.done.is_set() and \
                            time.monotonic() - t0 < STREAM_CONNECT_RETRY_S:
                        time.sleep(0.05)
                        continue
                    return
                except (OSError, Exception):  # noqa: BLE001 - no stream: the /run body still counts
                    return
            if self._closed:
                if self._stream is not None:
                    self._stream.close()
                return
            self.connected = True
            for ev in self._stream:
                if self._handle(ev.event, ev.data):
                    break
        except (StreamTooLarge, _StreamTextTooLarge) as exc:
            # a stream that never ends an event (or never ends) is cut: the run ends in error
            self.cut = str(exc)
            self.emit(RunEvent(self.run_id, "status", message=self.cut))
        except Exception:  # noqa: BLE001 - a broken stream never breaks the run
            pass
        finally:
            if self._stream is not None:
                self._stream.close()
            self.finished.set()
            self._wake.set()

    # -- frame handling -------------------------------------------------------------------
    def _handle(self, event: str, data: str) -> bool:
        name = event[7:] if event.startswith("output:") else event
        if name == "done":
            return True
        try:
            payload: Any = safejson.loads(data) if data else None
        except ValueError:  # not JSON, or JSON we refuse (too deep…): the frame is plain text
            payload = data
        if name == "error":
            msg = payload.get("message") if isinstance(payload, dict) else payload
            self.error = str(msg or "the tool reported a streaming error")
            self.emit(RunEvent(self.run_id, "status", message=self.error))
            return False
        if name in self.types:
            if isinstance(payload, dict) and "output_key" in payload:
                self._apply(str(payload["output_key"]), payload.get("value"), data)
            else:
                self._apply(name, payload, data)
            return False
        if isinstance(payload, dict):
            if "output_key" in payload:
                self._apply(str(payload["output_key"]), payload.get("value"), None)
                return False
            declared = [k for k in payload if k in self.types]
            if declared:  # {"<output key>": value, …}: any declared output, by its own type
                for key in declared:
                    self._apply_keyed(key, payload)
                if "chunk" in payload and "chunk" not in self.types and payload.get("chunk"):
                    self._apply(self.first_stream_key or "reply", str(payload["chunk"]), None,
                                force_type="stream_text")
                return bool(payload.get("done"))
            if "chunk" in payload:
                key = self.first_stream_key or "reply"
                self._apply(key, str(payload.get("chunk") or ""), None, force_type="stream_text")
                return bool(payload.get("done"))
            if "progress" in payload:
                self._progress(payload.get("progress"), payload.get("message"))
                return False
            if "log" in payload:
                self._log(self.first_log_key, payload.get("log"), payload.get("level"))
                return False
            return bool(payload.get("done"))
        if name == "progress":
            self._progress(payload, None)
        elif name == "log":
            self._log(self.first_log_key, payload, None)
        elif data and self.first_stream_key:
            self._apply(self.first_stream_key, data, data)
        return False

    def _apply(self, key: str, value: Any, raw: str | None, force_type: str | None = None) -> None:
        kind = force_type or self.types.get(key)
        if kind == "stream_text":
            if isinstance(value, dict):
                chunk = value.get("text", value.get("value", value.get("chunk", "")))
            elif raw is not None and not isinstance(value, str):
                chunk = raw  # `event: key` framing: the data line is the text itself
            else:
                chunk = value
            chunk = "" if chunk is None else str(chunk)
            if chunk:
                self._text_bytes += len(chunk)
                if self._text_bytes > MAX_STREAM_TEXT_CHARS:
                    raise _StreamTextTooLarge(
                        f"the tool streamed more than {MAX_STREAM_TEXT_CHARS // (1024 * 1024)} M characters "
                        "of text; the stream was cut")
                self._parts.setdefault(key, []).append(chunk)
                self.emit(RunEvent(self.run_id, "stream", key=key, value=chunk))
        elif kind == "log":
            self._log(key, value, None)
        elif kind == "progress":
            if isinstance(value, dict):
                self._progress(value.get("value", value.get("progress")),
                               value.get("message") or value.get("label"), key)
            else:
                self._progress(value, None, key)
        else:
            self.values[key] = value
            self.emit(RunEvent(self.run_id, "output", key=key, value=value))

    def _apply_keyed(self, key: str, payload: dict) -> None:
        """One declared key of a keyed frame; a sibling `message`/`level` belongs to a progress
        or log value given bare (`{"status": 0.5, "message": "…"}`, `{"trace": "…", "level": "warn"}`)."""
        value, kind = payload[key], self.types.get(key)
        if kind == "progress" and not isinstance(value, dict) and payload.get("message") is not None:
            value = {"value": value, "message": payload["message"]}
        if kind == "log":
            self._log(key, value, payload.get("level"), snapshot=True)
            return
        self._apply(key, value, None)

    def _progress(self, value: Any, message: Any, key: str | None = None) -> None:
        frac: float | None = None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            frac = float(value) / 100.0 if value > 1 else float(value)
            frac = min(max(frac, 0.0), 1.0)
        key = key or self.first_progress_key
        if key:
            self.values[key] = {"value": frac, **({"message": str(message)} if message else {})}
        self.emit(RunEvent(self.run_id, "progress", key=key, fraction=frac,
                           message=str(message) if message else None))

    def _log(self, key: str | None, value: Any, level: Any, snapshot: bool = False) -> None:
        """Append log lines. With `snapshot`, a list that starts with every line already received
        is the whole log so far (real tools resend it on each frame): only its new tail is added."""
        if isinstance(value, dict) and isinstance(value.get("lines"), list):
            lines = value["lines"]
        elif isinstance(value, list):
            lines = value
        elif value is None:
            return
        else:
            lines = [value]
        have = self.lines.get(key, []) if key else []
        if snapshot and have and len(lines) >= len(have) and \
                all(_same_line(a, b) for a, b in zip(have, lines)):
            lines = lines[len(have):]
        for line in lines:
            if isinstance(line, dict):
                entry = {"level": str(line.get("level") or level or "info"),
                         "message": str(line.get("message", line.get("msg", line.get("text", "")))),
                         **({"t": line["t"]} if "t" in line else {})}
            else:
                entry = {"level": str(level or "info"), "message": str(line)}
            # log lines share the streamed-text budget (plus a little per line): an endless log
            # stream is cut like endless text instead of growing the app's memory
            self._text_bytes = getattr(self, "_text_bytes", 0) + len(entry["message"]) + 64
            if self._text_bytes > MAX_STREAM_TEXT_CHARS:
                raise _StreamTextTooLarge(
                    f"the tool streamed more than {MAX_STREAM_TEXT_CHARS // (1024 * 1024)} M characters "
                    "of text and log lines; the stream was cut")
            if key:
                self.lines.setdefault(key, []).append(entry)
            self.emit(RunEvent(self.run_id, "log", key=key, value=entry, message=entry["message"]))

    @property
    def text(self) -> dict[str, str]:
        """Accumulated stream_text per key."""
        return {k: "".join(v) for k, v in self._parts.items()}

    @text.setter
    def text(self, value: dict[str, str]) -> None:
        self._parts = {k: [v] for k, v in value.items()}
        self._text_bytes = sum(len(v) for v in value.values())

    def merge_into(self, outputs: dict) -> dict:
        """Fill outputs the /run body left empty with what the stream delivered."""
        for key, text in self.text.items():
            if outputs.get(key) in (None, ""):
                outputs[key] = text
        for key, lines in self.lines.items():
            cur = outputs.get(key)
            if cur in (None, "") or (isinstance(cur, dict) and not cur.get("lines")):
                outputs[key] = {"lines": lines}
        for key, value in self.values.items():
            if outputs.get(key) is None:
                outputs[key] = value
        return outputs


def _same_line(have: dict, line: Any) -> bool:
    """Whether `line` (as sent) is the already-received entry `have`."""
    if isinstance(line, dict):
        msg = line.get("message", line.get("msg", line.get("text", "")))
        return str(msg) == have.get("message") and ("t" not in line or line["t"] == have.get("t"))
    return str(line) == have.get("message")


class Runner:
    def __init__(self, settings: Any, pool: WarmPool | None = None):
        self.settings = settings
        self.pool = pool or WarmPool(settings)
        self._active: dict[str, _Active] = {}
        self._lock = threading.Lock()
        self._run_locks: dict[str, threading.Lock] = {}
        self._local = threading.local()
        self._conns: list[tuple[threading.Thread, Any]] = []
        self._gen = 0
        self._db_ready = False

    # -- public API -----------------------------------------------------------------------
    def check_inputs(self, tool: ToolInfo, inputs: dict) -> dict:
        if not tool.ok or tool.spec is None:
            raise InputError([("", f"tool '{tool.tool_id}' cannot run: {tool.error or 'its tool.json is invalid'}")])
        return check_inputs(tool.spec, inputs)

    def active_runs(self) -> list[str]:
        with self._lock:
            return list(self._active)

    def cancel(self, run_id: str) -> bool:
        """Ask one run to stop; returns False if it is not running here."""
        with self._lock:
            active = self._active.get(run_id)
        if active is None:
            return False
        active.cancel.set()
        active.wake.set()
        return True

    def shutdown(self, wait: float = 10.0) -> None:
        for run_id in self.active_runs():
            self.cancel(run_id)
        deadline = time.monotonic() + wait
        while self.active_runs() and time.monotonic() < deadline:
            time.sleep(0.05)
        self.pool.stop_all()
        if not self.active_runs():
            self.close_connections()

    def is_concurrent(self, tool: ToolInfo) -> bool:
        """Whether runs of `tool` may overlap: its tool.json `concurrent`, unless the user's
        per-tool overrides say otherwise (what `run` itself goes by)."""
        if not tool.ok or tool.spec is None:
            return True  # it will not run at all: nothing to serialise
        try:
            state = tool_state_repo.get(self._conn(), tool.tool_id)
        except Exception:  # noqa: BLE001 - unreadable state: the tool.json decides
            return bool(tool.spec.concurrent)
        return effective_limits(tool, state.overrides, None).concurrent

    def run(self, tool: ToolInfo, inputs: dict, *, run_id: str | None = None,
            on_event: Callable[[RunEvent], None] | None = None, serialised: bool = False,
            meta: dict[str, Any] | None = None) -> RunResult:
        """Run once and block until the run ends. `meta`: extra keys for the row's meta_json
        (a batch item's `batch_id`), written with the row. A non-concurrent tool's runs take turns on a
        per-tool lock (callers such as the CLI rely on it), unless `serialised`: the caller's
        queue already starts at most one of them at a time, so no thread ever waits here."""
        clean = self.check_inputs(tool, inputs)  # InputError before any row is written
        run_id = run_id or str(uuid.uuid4())
        secrets = secret_values(tool)
        t0 = time.monotonic()

        streamed = StreamRedactor(secrets)

        def deliver(ev: RunEvent) -> None:
            try:
                on_event(ev)  # type: ignore[misc]
            except Exception:  # noqa: BLE001 - a broken listener must not break the run
                pass

        def emit(ev: RunEvent) -> None:
            if on_event is None:
                return
            if secrets:
                if ev.kind == "stream" and isinstance(ev.value, str):
                    # a secret split across chunks: hold back a tail until it cannot be one
                    ev.value = streamed.feed(ev.key, ev.value)
                    if not ev.value:
                        return
                else:
                    ev.value = redact_obj(ev.value, secrets)
                ev.message = redact(ev.message, secrets) if ev.message else ev.message
            deliver(ev)

        def flush_stream() -> None:
            if on_event is not None:
                for key, tail in streamed.flush().items():
                    deliver(RunEvent(run_id, "stream", key=key, value=tail))

        emit.flush = flush_stream  # type: ignore[attr-defined]  # called when the stream has ended

        active = _Active(run_id, tool)
        with self._lock:
            if run_id in self._active:
                raise ValueError(f"run {run_id} is already running")
            self._active[run_id] = active
        conn: Any = None
        started = False
        pre: ToolProcess | None = None
        try:
            try:
                conn = self._conn()
                try:  # big file inputs go to the blob store, not the database (outside the write lock)
                    recorded = compact_inputs(tool.spec, clean, self.settings.artefacts_root)
                except Exception:  # noqa: BLE001 - a full disk must not stop the run; inputs kept inline
                    recorded = clean
                state = tool_state_repo.get(conn, tool.tool_id)
                limits = effective_limits(tool, state.overrides, bool(state.pinned_warm) or tool.spec.pinned_warm)
                row_meta = meta
                if limits.concurrent or serialised:
                    # a warm process that needs no turn-taking is leased before the row is written,
                    # so its pid goes in with the row: one commit less per run than an UPDATE later
                    pre = self.pool.acquire_warm(tool, limits)
                    if pre is not None:
                        row_meta = {**(meta or {}), **_pid_meta(pre)}
                try:
                    with transaction(conn):  # one commit for the start bookkeeping
                        runs_repo.create_run(conn, run_id, tool.tool_id, recorded, meta=row_meta, fetch=False)
                        tool_state_repo.record_run_start(conn, tool.tool_id, recorded)
                except BaseException:
                    if pre is not None:
                        self.pool.release(tool.tool_id, pre)
                    raise
                started = True
                emit(RunEvent(run_id, "started"))
                # the tool gets the contract's plain data URLs; the recorded inputs keep file names
                return self._execute(conn, tool, wire_inputs(tool.spec, clean), run_id, limits, active, emit,
                                     secrets, t0, serialised, pre)
            except Exception as exc:  # noqa: BLE001 - no run may stay `running`, whatever went wrong
                return self._fail(conn, tool, run_id, exc, started, secrets, t0, emit)
        finally:
            with self._lock:
                self._active.pop(run_id, None)

    # -- runs executed elsewhere (a Dask worker): this Runner keeps the books ----------------
    def begin_remote(self, tool: ToolInfo, inputs: dict, run_id: str, meta: dict[str, Any] | None = None) -> dict:
        """Write the `running` row of a run another machine will execute; returns the checked
        inputs to send (InputError before any row is written). The app stays the only writer."""
        clean = self.check_inputs(tool, inputs)
        conn = self._conn()
        try:
            recorded = compact_inputs(tool.spec, clean, self.settings.artefacts_root)
        except OSError:
            recorded = clean
        with transaction(conn):
            runs_repo.create_run(conn, run_id, tool.tool_id, recorded, meta=meta)
            tool_state_repo.bump_run_counters(conn, tool.tool_id)
        return clean

    def finish_remote(self, tool: ToolInfo, run_id: str, status: str, outputs: dict | None, error: str | None,
                      files: dict[str, bytes] | None = None, meta: dict[str, Any] | None = None,
                      duration_s: float = 0.0) -> RunResult:
        """End a remote run exactly as a local one ends: its files land in the run folder, then
        the same bookkeeping (media, spill, artefact rows with sha256, redaction) as `run`."""
        conn = self._conn()
        from pixie_desktop.artefacts.storage import atomic_write, safe_join

        folder = None
        try:
            folder = run_dir(self.settings, tool.tool_id, run_id)
            for rel, data in (files or {}).items():
                if rel == spill.OUTPUTS_FILE:
                    continue  # the worker's spill copy: spilled again here if still too large
                target = safe_join(folder, rel)  # ValueError for a path escaping the run folder
                target.parent.mkdir(parents=True, exist_ok=True)
                atomic_write(target, data)
        except (OSError, ValueError) as exc:
            status, outputs, error = "error", None, f"could not save the run's files: {exc}"
        return self._finish(conn, tool, run_id, status, outputs, error, dict(meta or {}), folder,
                            secret_values(tool), time.monotonic() - duration_s, lambda _ev: None)

    def _conn(self) -> Any:
        """This thread's connection (one per thread, reused across runs: opening and closing a
        WAL connection per run costs milliseconds). The schema is ensured once per Runner."""
        local = self._local
        if getattr(local, "conn", None) is not None and getattr(local, "gen", -1) == self._gen:
            return local.conn
        if not self._db_ready:
            conn = open_db(self.settings.db_path)
            self._db_ready = True
        else:
            conn = connect(self.settings.db_path)
        local.conn, local.gen = conn, self._gen
        with self._lock:
            # pool threads come and go (Qt retires idle ones): close connections of dead threads
            dead = [c for t, c in self._conns if not t.is_alive()]
            self._conns = [(t, c) for t, c in self._conns if t.is_alive()]
            self._conns.append((threading.current_thread(), conn))
        for c in dead:
            try:
                c.close()
            except Exception:  # noqa: BLE001 - its thread is gone; a failed close frees nothing more
                pass
        return conn

    def close_connections(self) -> None:
        with self._lock:
            conns, self._conns = [c for _, c in self._conns], []
            self._gen += 1
        for c in conns:
            try:
                c.close()
            except Exception:  # noqa: BLE001 - closing at exit is best effort
                pass

    # -- the run --------------------------------------------------------------------------
    def _execute(self, conn: Any, tool: ToolInfo, inputs: dict, run_id: str, limits: Limits, active: _Active,
                 emit: Callable[[RunEvent], None], secrets: list[str], t0: float,
                 serialised: bool = False, pre: ToolProcess | None = None) -> RunResult:
        """`pre`: a warm process already leased (and recorded in the row) by `run`; released here."""
        tid = tool.tool_id
        outputs: dict | None = None
        error: str | None = None
        status = "ok"
        meta: dict[str, Any] = {}
        folder = None
        leased = pre
        try:
            try:
                folder = run_dir(self.settings, tid, run_id)
            except (OSError, ValueError) as exc:
                return self._finish(conn, tool, run_id, "error", None, f"could not create the run folder: {exc}",
                                    meta, None, secrets, t0, emit)
            run_lock = None if (limits.concurrent or serialised) else self._run_lock(tid)
            if run_lock is not None:
                emit(RunEvent(run_id, "status", message="waiting for the previous run of this tool"))
                while not run_lock.acquire(timeout=0.1):
                    if active.cancel.is_set():
                        return self._finish(conn, tool, run_id, "cancelled", None, "cancelled before it started",
                                            meta, folder, secrets, t0, emit)
            try:
                if leased is None:
                    if not self.pool.is_warm(tid):
                        emit(RunEvent(run_id, "status", message="starting the tool…"))
                    try:
                        leased = self.pool.acquire(tool, limits)
                    except LauncherError as exc:
                        return self._finish(conn, tool, run_id, "error", None, str(exc), meta, folder, secrets, t0,
                                            emit)
                    # recorded now, not at finish: if this app dies mid-run, the next start's reconcile
                    # finds the tool's process group here and kills whatever of it survived
                    try:  # one statement (its own commit): no read-modify-write transaction per run
                        runs_repo.merge_meta(conn, run_id, _pid_meta(leased))
                    except Exception:  # noqa: BLE001 - bookkeeping must not fail the run
                        pass
                proc = leased
                active.proc = proc
                meta["tool_pid"] = proc.pid
                try:
                    status, outputs, error = self._call(proc, tool, inputs, run_id, limits, active, emit, folder)
                finally:
                    leased = None
                    self.pool.release(tid, proc)
            finally:
                if run_lock is not None:
                    run_lock.release()
        finally:
            if leased is not None:  # leased by `run` but never used (no run folder, cancelled…)
                self.pool.release(tid, leased)
        return self._finish(conn, tool, run_id, status, outputs, error, meta, folder, secrets, t0, emit)

    def _run_lock(self, tool_id: str) -> threading.Lock:
        lock_owner = self.pool
        with self._lock:
            locks = getattr(lock_owner, "_run_locks", None)
            if locks is None:
                locks = lock_owner._run_locks = {}  # type: ignore[attr-defined]  # shared by runners of a pool
            return locks.setdefault(tool_id, threading.Lock())

    def _call(self, proc: ToolProcess, tool: ToolInfo, inputs: dict, run_id: str, limits: Limits,
              active: _Active, emit: Callable[[RunEvent], None], folder: Any
              ) -> tuple[str, dict | None, str | None]:
        spec = tool.spec
        tid = tool.tool_id
        mark = proc.stderr_mark()
        grace = float(getattr(self.settings, "run_cancel_grace_seconds", 5.0))
        if active.cancel.is_set():
            return "cancelled", None, "cancelled before it started"
        folder_s = str(folder)
        payload = {"run_id": run_id, "inputs": inputs, "_pixie": {"run_id": run_id, "artefacts_dir": folder_s}}
        headers = {"X-Pixie-Run-Id": run_id, "X-Pixie-Artefacts-Dir": _header_safe(folder_s)}
        http_timeout = limits.max_runtime_seconds + grace + 10
        emit(RunEvent(run_id, "status", message="running"))
        req = _Request(proc, payload, headers, http_timeout, active.wake)
        relay = _StreamRelay(emit, run_id, spec, proc, req, active.wake) if spec.is_streaming else None
        deadline = time.monotonic() + limits.max_runtime_seconds
        next_rss = time.monotonic() + 0.5
        reason: str | None = None
        rss_seen = 0.0
        quota = int(getattr(self.settings, "max_artefact_bytes_per_run", 10 * 1024 ** 3))
        quota_seen = 0

        def complete() -> bool:
            if not req.done.is_set():
                return False
            return relay is None or relay.finished.is_set() or not relay.thread.is_alive()

        while not complete():
            now = time.monotonic()
            active.wake.wait(max(0.0, min(0.25, deadline - now)))
            active.wake.clear()
            if complete():
                break
            if active.cancel.is_set():
                reason = "cancelled"
                break
            now = time.monotonic()
            if now >= deadline:
                if not req.done.is_set():
                    reason = "timeout"
                break  # /run answered but the stream never closed: keep what we have
            if not proc.alive():
                req.done.wait(1.0)
                # the leader is gone: kill its group now so a forked grandchild cannot linger
                self.pool.stop(tid, proc, grace=0)
                break
            if now >= next_rss:
                next_rss = now + 1.0
                rss = proc.rss_mb()
                if rss is not None and rss > limits.max_memory_mb:
                    reason, rss_seen = "memory", rss
                    break
                written = folder_bytes(folder, stop_above=quota)
                if written > quota:
                    reason, quota_seen = "quota", written
                    break

        if reason in ("cancelled", "timeout"):
            emit(RunEvent(run_id, "status", message="cancelling…" if reason == "cancelled" else "timed out"))
            try:
                proc.client.request("POST", f"/cancel?run_id={quote(run_id)}", body=b"",
                                    timeout=CANCEL_POST_TIMEOUT)
            except Exception:  # noqa: BLE001 - a tool without /cancel is fine
                pass
            req.done.wait(grace)
            if not req.done.is_set():
                what = "cancel" if reason == "cancelled" else "end the timed-out"
                if self.pool.in_flight(tid, proc) <= 1:
                    self.pool.stop(tid, proc, reason=f"stopped to {what} run {run_id}", grace=1.0)
                    req.done.wait(3.0)
                # else: other runs are being served by this process; abandon this response only
        elif reason == "memory":
            self.pool.stop(tid, proc, reason=f"memory limit of {limits.max_memory_mb} MB exceeded", grace=1.0)
            req.done.wait(3.0)
        elif reason == "quota":
            # the writer is the tool process itself: stopping it is the only way to stop the writing
            self.pool.stop(tid, proc, reason=f"run {run_id} exceeded its artefact quota", grace=1.0)
            req.done.wait(3.0)
        if relay is not None:
            relay.close()
            relay.thread.join(timeout=2.0)
        getattr(emit, "flush", lambda: None)()  # the held-back tail of redacted stream text

        outputs, error = self._parse(tool, req, proc, relay)
        if not proc.alive():
            # the tool died: kill what is left of its group (forked grandchildren hold its stderr
            # open) so the pump drains everything it wrote before the excerpt is taken
            self.pool.stop(tid, proc, grace=0)
        excerpt = proc.stderr_since(mark, STDERR_EXCERPT_BYTES).strip()
        if reason == "cancelled":
            return "cancelled", outputs, "cancelled by the user"
        if reason == "timeout":
            return "error", None, _with_stderr(
                f"timed out after {limits.max_runtime_seconds} s (the tool's max_runtime_seconds)", excerpt)
        if reason == "quota":
            return "error", None, _with_stderr(
                f"stopped: the run wrote {quota_seen / 1024 ** 2:.1f} MB of artefacts, more than the "
                f"max_artefact_bytes_per_run setting allows ({quota / 1024 ** 2:.1f} MB); the files it wrote are kept",
                excerpt)
        if reason == "memory":
            return "error", None, _with_stderr(
                f"stopped: the tool used {rss_seen:.0f} MB, more than its max_memory_mb of {limits.max_memory_mb} MB",
                excerpt)
        if error is not None:
            return "error", None, _with_stderr(error, excerpt)
        if relay is not None and relay.cut:
            return "error", None, _with_stderr(f"tool '{tid}': {relay.cut}", excerpt)
        if relay is not None and relay.error and not outputs:
            return "error", None, _with_stderr(f"tool '{tid}' stream error: {relay.error}", excerpt)
        return "ok", outputs, None

    def _parse(self, tool: ToolInfo, req: _Request, proc: ToolProcess,
               relay: _StreamRelay | None) -> tuple[dict | None, str | None]:
        tid = tool.tool_id
        if not req.done.is_set():
            return None, f"tool '{tid}' did not answer"
        if req.exc is not None:
            exc = req.exc
            if isinstance(exc, ResponseTooLarge):
                return None, f"tool '{tid}' returned more than {MAX_RESPONSE_BYTES // (1024 * 1024)} MB; the response was refused"
            if isinstance(exc, (socket.timeout, TimeoutError)):
                return None, f"tool '{tid}' did not answer in time"
            try:  # a dropped connection usually means the process is dying: let it finish exiting
                proc.popen.wait(timeout=1.0)
            except Exception:  # noqa: BLE001 - still alive: a genuine connection problem
                pass
            if not proc.alive():
                code = proc.returncode
                why = f" ({proc.stop_reason})" if proc.stop_reason else ""
                return None, f"tool '{tid}' process exited with code {code} during the run{why}"
            return None, f"lost the connection to tool '{tid}': {type(exc).__name__}: {exc}"
        status, body = req.status or 0, req.body
        secrets = list(getattr(proc, "_secrets", []) or [])
        if not 200 <= status < 300:
            return None, describe_status(status, _error_body(body, secrets), tid)
        req.body = b""  # the only copy of the raw answer left is `body`, freed when parsing ends
        try:
            with safejson.gc_paused_for_big_answer(len(body)):  # GC passes over a big answer froze the UI
                data = safejson.loads(body) if body.strip() else {}
        except safejson.UntrustedJSONError as exc:
            snippet = redact_then_cut(body[:4096].decode("utf-8", "replace"), secrets, 200)
            return None, f"tool '{tid}' returned invalid JSON ({exc}); the response starts: {snippet!r}"
        del body
        try:
            outputs = spill.normalise_response(data, [o.key for o in tool.spec.outputs])
        except ValueError as exc:
            return None, f"tool '{tid}': {exc}"
        outputs = dict(outputs)
        if relay is not None:
            relay.merge_into(outputs)
        return outputs, None

    # -- bookkeeping ----------------------------------------------------------------------
    def _fail(self, conn: Any, tool: ToolInfo, run_id: str, exc: BaseException, started: bool,
              secrets: list[str], t0: float, emit: Callable[[RunEvent], None]) -> RunResult:
        """The last line of defence: an unexpected exception anywhere in a run ends it `error`
        with a readable message. Files already in the run folder stay there (and are registered
        when the database lets us); a locked database is retried on a fresh connection."""
        tid = tool.tool_id
        duration = round(time.monotonic() - t0, 4)
        what = _describe(exc)
        if not started:
            error = redact(f"the run could not start: {what}", secrets)
            return RunResult(run_id=run_id, tool_id=tid, status="error", outputs=None, error=error,
                             duration_s=duration)
        error = redact(f"the run failed inside the app: {what}", secrets)
        artefacts: list[ArtefactRecord] = []
        recorded = False
        for attempt in range(3):
            try:
                c = conn if attempt == 0 and conn is not None else connect(self.settings.db_path)
            except Exception:  # noqa: BLE001
                time.sleep(0.2)
                continue
            try:
                try:
                    artefacts = self._register_leftovers(c, tool, run_id)
                except Exception:  # noqa: BLE001 - the files stay on disk; sweep/doctor see them
                    artefacts = []
                won = runs_repo.finish_run(c, run_id, "error", error_text=error,
                                           meta_update={"duration_s": duration, "internal_error": True})
                if not won:
                    rec = runs_repo.get_run(c, run_id)
                    if rec is not None and rec.status != "running":
                        return RunResult(run_id=run_id, tool_id=tid, status=rec.status, outputs=None,
                                         error=rec.error_text, duration_s=duration, artefacts=artefacts)
                recorded = True
                break
            except Exception:  # noqa: BLE001 - e.g. "database is locked" past busy_timeout: try again
                time.sleep(0.2)
            finally:
                if c is not conn:
                    try:
                        c.close()
                    except Exception:  # noqa: BLE001 - a retry connection; the run's result stands
                        pass
        if not recorded:
            error += (" (the run could not be recorded as failed: the database is busy; it will be marked "
                      "interrupted at the next start)")
        return RunResult(run_id=run_id, tool_id=tid, status="error", outputs=None, error=error,
                         duration_s=duration, artefacts=artefacts)

    def _register_leftovers(self, conn: Any, tool: ToolInfo, run_id: str) -> list[ArtefactRecord]:
        """Register whatever regular files the run folder already holds (never follows symlinks)."""
        folder = run_dir(self.settings, tool.tool_id, run_id, create=False)
        if not folder.is_dir() or folder.is_symlink():
            return []
        declared = [o.key for o in tool.spec.outputs] if tool.spec else []
        limit = int(getattr(self.settings, "max_artefacts_per_run", 10_000))
        out: list[ArtefactRecord] = []
        with transaction(conn):
            for path, key in spill.collect_files(folder, declared, limit):
                out.append(register_file(conn, self.settings, run_id=run_id, tool_id=tool.tool_id,
                                         output_key=key, path=path, tags=None))
        return out

    def _finish(self, conn: Any, tool: ToolInfo, run_id: str, status: str, outputs: dict | None, error: str | None,
                meta: dict, folder: Any, secrets: list[str], t0: float,
                emit: Callable[[RunEvent], None]) -> RunResult:
        tid = tool.tool_id
        if error:
            error = redact(error, secrets)
        if outputs is not None and secrets:
            outputs = redact_obj(outputs, secrets)
        outputs_json: str | None = None
        spilled = False
        artefacts: list[ArtefactRecord] = []
        files: list[tuple[Any, str, str | None]] = []
        if folder is not None:
            try:
                if outputs is not None:
                    spill.materialise_media(outputs, tool.spec, folder)
                    outputs_json, spilled_path, nbytes = spill.spill_if_large(
                        outputs, folder, int(getattr(self.settings, "inline_output_max_bytes", 65536)))
                    if spilled_path is not None:
                        spilled = True
                        meta.update({"outputs_oversize": True, "bytes": nbytes,
                                     "outputs_path": rel_path_for(self.settings, spilled_path),
                                     # triggers cannot read outputs.json: its words, for search
                                     "search_text": summarise_outputs(outputs)})
                        files.append((spilled_path, "", spill.OUTPUTS_TAG))
                if spilled or not _empty_dir(folder):  # most runs write nothing: one scandir says so
                    declared = [o.key for o in tool.spec.outputs] if tool.spec else []
                    limit = int(getattr(self.settings, "max_artefacts_per_run", 10_000))
                    known = spill.referenced_files(outputs, folder, declared) if outputs is not None else {}
                    for path, key in spill.collect_files(folder, declared, limit, known):
                        if spilled and path.name == spill.OUTPUTS_FILE and path.parent == folder:
                            continue
                        files.append((path, key, None))
            except Exception as exc:  # noqa: BLE001 - a full disk, a symlink, unencodable text…
                status, outputs, outputs_json, spilled = "error", None, None, False
                meta.pop("outputs_oversize", None)
                meta.pop("bytes", None)
                meta.pop("outputs_path", None)
                meta.pop("search_text", None)
                error = redact(f"could not save the run's outputs: {_describe(exc)}", secrets)
                try:  # what the tool (or we) already wrote is kept and registered
                    files = [(path, key, None) for path, key in spill.collect_files(
                        folder, [o.key for o in tool.spec.outputs] if tool.spec else [],
                        int(getattr(self.settings, "max_artefacts_per_run", 10_000)))]
                except Exception:  # noqa: BLE001
                    files = []
        if secrets and files and folder is not None:
            renamed = [(_rename_secret_path(folder, path, secrets), key, tags) for path, key, tags in files]
            files = [(path, key, tags) for path, key, tags in renamed if path is not None]
        duration = round(time.monotonic() - t0, 4)
        meta["duration_s"] = duration
        final = status
        try:
            if files:
                with transaction(conn):
                    for path, key, tags in files:
                        artefacts.append(register_file(conn, self.settings, run_id=run_id, tool_id=tid,
                                                       output_key=key, path=path, tags=tags))
                    won = runs_repo.finish_run(conn, run_id, status, outputs_json=outputs_json, error_text=error,
                                               meta_update=meta)
            else:  # finish_run is one guarded UPDATE: its own commit, no BEGIN/COMMIT round trip
                won = runs_repo.finish_run(conn, run_id, status, outputs_json=outputs_json, error_text=error,
                                           meta_update=meta)
        except (OSError, ValueError) as exc:
            artefacts = []
            error = redact(f"could not register the run's files: {_describe(exc)}", secrets)
            won = runs_repo.finish_run(conn, run_id, "error", error_text=error, meta_update={"duration_s": duration})
            final, outputs, spilled = "error", None, False
        if not won:  # someone else (reconcile / another writer) finalised it first
            rec = runs_repo.get_run(conn, run_id)
            if rec is not None:
                final = rec.status
                error = rec.error_text
        if final == "ok":
            emit(RunEvent(run_id, "status", message="finished"))
        if not artefacts and (files or not won):  # a remote or earlier writer may have filed some
            artefacts = artefacts_repo.for_run(conn, run_id)
        return RunResult(run_id=run_id, tool_id=tid, status=final, outputs=outputs, error=error,
                         duration_s=duration, artefacts=artefacts, spilled=spilled)


def _empty_dir(folder: Any) -> bool:
    """Whether the run folder holds no entry at all (a missing or unreadable one counts as not
    empty: the full scan then decides)."""
    try:
        with os.scandir(folder) as it:
            return next(it, None) is None
    except OSError:
        return False


def _pid_meta(proc: ToolProcess) -> dict[str, Any]:
    """The keys the next start's reconcile reads to find (and kill) a run's surviving tool group."""
    return {"tool_pid": proc.pid, "tool_pgid": proc.pid, "tool_started": round(proc.started_at, 3)}


def _rename_secret_path(folder: Any, path: Any, secrets: list[str]) -> Any:
    """A file whose name (or folder inside the run folder) contains a secret value is renamed
    with the value replaced by REDACTED, before its name reaches the database or the UI."""
    from pathlib import Path

    try:
        rel = Path(path).relative_to(folder)
    except ValueError:
        return path
    clean = Path(*[redact_filename(part, secrets) for part in rel.parts])
    if clean == rel:
        return path
    target = Path(folder) / clean
    n = 1
    while target.exists():
        target = Path(folder) / clean.parent / f"{clean.stem}-{n}{clean.suffix}"
        n += 1
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
        return target
    except OSError:
        try:  # cannot rename: better no file than a secret in its name
            os.unlink(path)
        except OSError:  # already gone
            pass
        return None


def _describe(exc: BaseException) -> str:
    """A readable one-liner for an unexpected exception (never a traceback)."""
    if isinstance(exc, RecursionError):
        return "the data nests too deeply to process"
    if isinstance(exc, MemoryError):
        return "out of memory while handling the tool's answer"
    if isinstance(exc, UnicodeError):
        return f"the tool's text could not be encoded ({exc.__class__.__name__}: {getattr(exc, 'reason', exc)})"
    if isinstance(exc, OSError):
        return str(exc)  # "[Errno 28] No space left on device" is readable as it is
    text = str(exc).strip() or "no details"
    return f"{type(exc).__name__}: {text[:500]}"


def _error_body(body: bytes, secrets: list[str] | None = None) -> str:
    text = body[:1 << 20].decode("utf-8", "replace")
    try:
        data = json.loads(text)
        if isinstance(data, dict):
            detail = data.get("detail", data.get("error", data.get("message")))
            if isinstance(detail, str):
                text = detail
            elif detail is not None:
                text = json.dumps(detail, ensure_ascii=False)
    except ValueError:  # not JSON: the body is shown as text
        pass
    return redact_then_cut(text, secrets or [], 500)  # redact first: a cut secret would not match


def _with_stderr(message: str, excerpt: str) -> str:
    return message + (f"\n--- tool stderr during this run ---\n{excerpt}" if excerpt else "")


def _header_safe(value: str) -> str:
    try:
        value.encode("latin-1")
        return value
    except UnicodeEncodeError:
        return quote(value, safe="/:\\")
