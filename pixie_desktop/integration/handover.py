"""Hand a command-line run to the running app (issue 17): when Pixie Desktop is open on the
same data dir, `pixie-desktop run` and `batch` send each run over the app's single-instance
socket instead of starting the tool themselves. The app submits it to its RunController, so
the run uses the warm pool and shows live in the window; this end follows it and gets the
result back, so the command prints exactly what a local run prints.

Qt-free (the command line never imports PySide6): a plain unix socket to the path the app's
QLocalServer listens on (integration/instance.py), JSON lines both ways:

    → {"kind": "run", "protocol": 1, "run_id", "tool_id", "tool_path", "inputs", "meta", "sent_at"}
    ← {"kind": "accepted"} | {"kind": "declined", "reason"}      (declined: run locally)
    ← {"kind": "event", "event": {kind, key, value, fraction, message}}   (stream/status/progress)
    ← {"kind": "done", "status", "outputs", "error", "duration_s", "spilled"} | {"kind": "failed", "error"}
    → {"kind": "cancel"}                                           (Ctrl+C; closing the socket too)

Nothing is lost by trying: no app, another user's socket, a refused or declined request or no
answer in time all end in `HandoverUnavailable` before the run was taken, and the caller runs
it locally as before. `--no-app` or PIXIE_NO_HANDOVER=1 skip the attempt."""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from typing import Any, Callable

from pixie_desktop.integration import instance
from pixie_desktop.integration.instance import server_name

log = logging.getLogger(__name__)

PROTOCOL = 1
NO_HANDOVER_ENV = "PIXIE_NO_HANDOVER"
MAX_REQUEST_BYTES = 16 * 1024 * 1024   # larger inputs (big files as data URLs) run locally
CONNECT_TIMEOUT_S = 2.0
ACCEPT_TIMEOUT_S = 15.0                # a busy UI thread on a loaded machine answers late
# The app refuses a request older than this, so one it reads only after the command gave up
# waiting (and ran the run itself, under the same run id) never runs a second time.
STALE_AFTER_S = 10.0
CANCEL_GRACE_S = 30.0                  # after a cancel, how long to wait for the app's "done"
MAX_LINE_BYTES = 256 * 1024 * 1024     # outputs come back in the "done" line


class HandoverUnavailable(Exception):
    """No app took the run (none running, declined, no answer): run it locally."""


class HandoverFailed(RuntimeError):
    """The app took the run but it ended without a result (the app quit, the run crashed)."""


def disabled(no_app: bool = False) -> bool:
    """True when the user asked for a local run (`--no-app`, PIXIE_NO_HANDOVER=1)."""
    return bool(no_app) or os.environ.get(NO_HANDOVER_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def connect(data_dir: Any, timeout: float = CONNECT_TIMEOUT_S) -> socket.socket | None:
    """A connected socket to this user's app on `data_dir`, or None when there is none."""
    if not hasattr(socket, "AF_UNIX"):
        return None
    path = server_name(data_dir)
    if not os.path.isabs(path) or not os.path.exists(path):
        return None
    sock = instance.connect(path, timeout)  # None: a stale socket file (the app crashed), a path too long…
    if sock is not None and instance.foreign_peer(sock.fileno()):  # never another user's app
        sock.close()
        return None
    return sock


class _Lines:
    """JSON lines over a socket: `send` from any thread, `recv` from one."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self._buf = bytearray()
        self._send_lock = threading.Lock()

    def send(self, message: dict) -> None:
        data = (json.dumps(message, ensure_ascii=False) + "\n").encode("utf-8")
        with self._send_lock:
            self.sock.sendall(data)

    def recv(self, timeout: float) -> dict | None:
        """The next message; None at end of stream; socket.timeout when none came in time."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise socket.timeout("no answer")
            self.sock.settimeout(left)
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                return None
            self._buf += chunk
            if len(self._buf) > MAX_LINE_BYTES:
                raise HandoverFailed("the app's answer is too large")
        line, _, rest = bytes(self._buf).partition(b"\n")
        self._buf = bytearray(rest)
        try:
            msg = json.loads(line.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            return {"kind": "garbled"}
        return msg if isinstance(msg, dict) else {"kind": "garbled"}

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


def _event(run_id: str, raw: Any) -> Any:
    from pixie_desktop.runtime.runner import RunEvent

    if not isinstance(raw, dict) or not isinstance(raw.get("kind"), str):
        return None
    fraction = raw.get("fraction")
    return RunEvent(run_id, raw["kind"], key=raw.get("key") if isinstance(raw.get("key"), str) else None,
                    value=raw.get("value"),
                    fraction=float(fraction) if isinstance(fraction, (int, float)) else None,
                    message=raw.get("message") if isinstance(raw.get("message"), str) else None)


class HandoverRunner:
    """A Runner for the command line: `run` hands each run to the app when one is there and
    falls back to `local` (a Runner) when not. `check_inputs`, `is_concurrent` and `shutdown`
    are the local runner's. `handed_over` counts the runs the app took."""

    def __init__(self, local: Any, data_dir: Any, *, enabled: bool = True):
        self.local = local
        self.data_dir = data_dir
        self.enabled = enabled
        self.handed_over = 0
        self._lock = threading.Lock()
        self._open: dict[str, _Lines] = {}     # run id → its connection, once the app took it
        self._cancelled: set[str] = set()

    # the local runner's
    def check_inputs(self, tool: Any, inputs: dict) -> Any:
        return self.local.check_inputs(tool, inputs)

    def is_concurrent(self, tool: Any) -> bool:
        return self.local.is_concurrent(tool)

    def shutdown(self) -> None:
        with self._lock:
            conns = list(self._open.values())
        for c in conns:
            c.close()
        self.local.shutdown()

    def cancel(self, run_id: str) -> bool:
        with self._lock:
            self._cancelled.add(run_id)
            conn = self._open.get(run_id)
        if conn is not None:
            try:
                conn.send({"kind": "cancel"})
            except OSError:
                pass
            return True
        return bool(self.local.cancel(run_id))

    def run(self, tool: Any, inputs: dict, *, run_id: str | None = None,
            on_event: Callable[[Any], None] | None = None, serialised: bool = False,
            meta: dict[str, Any] | None = None) -> Any:
        import uuid  # here: uuid imports platform (regexes compiled on import), which the GUI start skips

        run_id = run_id or str(uuid.uuid4())
        if self.enabled:
            try:
                return self._remote(tool, inputs, run_id, on_event, meta)
            except HandoverUnavailable as exc:
                log.info("run %s runs in this process: %s", run_id, exc)
                self.enabled = False  # no app now: the batch's later items do not ask again
        with self._lock:
            cancelled = run_id in self._cancelled
        if cancelled:
            from pixie_desktop.runtime.runner import RunResult

            return RunResult(run_id=run_id, tool_id=tool.tool_id, status="cancelled", outputs=None,
                             error="cancelled before it started", duration_s=0.0)
        return self.local.run(tool, inputs, run_id=run_id, on_event=on_event, serialised=serialised, meta=meta)

    def _remote(self, tool: Any, inputs: dict, run_id: str, on_event: Any, meta: Any) -> Any:
        request = {"kind": "run", "protocol": PROTOCOL, "run_id": run_id, "tool_id": tool.tool_id,
                   "inputs": inputs, "meta": dict(meta or {}), "sent_at": time.time(),
                   # the app runs only the same tool folder (not another tools dir's same id)
                   "tool_path": str(getattr(tool, "path", "") or "")}
        try:
            data = (json.dumps(request, ensure_ascii=False) + "\n").encode("utf-8")
        except (TypeError, ValueError, UnicodeError) as exc:
            raise HandoverUnavailable(f"inputs not sendable: {exc}") from None
        if len(data) > MAX_REQUEST_BYTES:
            raise HandoverUnavailable("inputs too large to hand over")
        sock = connect(self.data_dir)
        if sock is None:
            raise HandoverUnavailable("no app running")
        conn = _Lines(sock)
        try:
            with conn._send_lock:
                sock.sendall(data)
            answer = conn.recv(ACCEPT_TIMEOUT_S)
        except (OSError, HandoverFailed) as exc:  # socket.timeout is an OSError
            conn.close()
            raise HandoverUnavailable(f"the app did not answer: {exc}") from None
        if not answer or answer.get("kind") != "accepted":
            conn.close()
            reason = (answer or {}).get("reason") or (answer or {}).get("kind") or "closed"
            raise HandoverUnavailable(f"the app declined: {reason}")
        self.handed_over += 1
        log.info("run %s of %s handed to the running app", run_id, tool.tool_id)
        with self._lock:
            self._open[run_id] = conn
            cancel_now = run_id in self._cancelled
        try:
            if cancel_now:
                conn.send({"kind": "cancel"})
            return self._follow(conn, tool, run_id, on_event)
        finally:
            with self._lock:
                self._open.pop(run_id, None)
            conn.close()

    def _follow(self, conn: _Lines, tool: Any, run_id: str, on_event: Any) -> Any:
        from pixie_desktop.runtime.runner import RunResult

        cancel_deadline: float | None = None
        while True:
            with self._lock:
                if run_id in self._cancelled and cancel_deadline is None:
                    cancel_deadline = time.monotonic() + CANCEL_GRACE_S
            if cancel_deadline is not None and time.monotonic() > cancel_deadline:
                raise HandoverFailed("the app did not confirm the cancel")
            try:
                msg = conn.recv(0.5)
            except socket.timeout:
                continue
            except OSError as exc:
                raise HandoverFailed(f"lost the connection to the app: {exc}") from None
            if msg is None:
                raise HandoverFailed("the app closed before the run ended")
            kind = msg.get("kind")
            if kind == "event" and on_event is not None:
                ev = _event(run_id, msg.get("event"))
                if ev is not None:
                    on_event(ev)
            elif kind == "done":
                status = msg.get("status") if msg.get("status") in ("ok", "error", "cancelled") else "error"
                outputs = msg.get("outputs") if isinstance(msg.get("outputs"), dict) else None
                duration = msg.get("duration_s")
                return RunResult(run_id=run_id, tool_id=tool.tool_id, status=status, outputs=outputs,
                                 error=msg.get("error") if isinstance(msg.get("error"), str) else None,
                                 duration_s=float(duration) if isinstance(duration, (int, float)) else 0.0,
                                 spilled=bool(msg.get("spilled")))
            elif kind == "failed":
                raise HandoverFailed(str(msg.get("error") or "the run failed in the app"))
