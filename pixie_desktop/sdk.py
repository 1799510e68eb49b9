"""A tiny, stdlib-only helper for writing a Pixie tool with no dependencies.

    from pixie_desktop import sdk
    tool = sdk.Tool(__file__)

    @tool.handler
    def run(inputs, ctx):
        ctx.progress(0.5, "half way")          # streamed to the app (SSE /stream)
        ctx.log("working")                     # a log line
        ctx.stream("answer", "partial text")   # appended to a stream_text output
        if ctx.cancelled: ...                  # the user pressed Cancel
        path = ctx.artefact("chart.png", png_bytes)   # a file in this run's artefact folder
        return {"out": 1}

    @tool.autocomplete("cities")
    def cities(q): return [{"value": "paris", "label": "Paris"}]

    if __name__ == "__main__":
        tool.serve()                           # parses --port

It serves the Pixie HTTP contract on 127.0.0.1: /healthz, /schema (tool.json verbatim), /run,
/stream?run_id= (SSE), /cancel?run_id=, /autocomplete/<name>?q=. Raise `sdk.ToolError("msg")`
for a user error (HTTP 422 {"detail": msg}). Import cost is kept small: only stdlib modules the
HTTP server needs anyway.

The server answers only the app that started it (any local process or web page could otherwise
drive it): when Pixie launches the tool it puts a random token in the environment
(`PIXIE_TOKEN`, never argv) and every request must carry it as `X-Pixie-Token` (else 401). The
`Host` header must name the loopback address and this port, browser-style requests (an `Origin`
header, or a POST that is not `application/json`) are refused (403/415), and the artefact folder
is derived here from PIXIE_ARTEFACTS_ROOT + tool id + a validated run id, never taken from a
path the request names. Started by hand without PIXIE_TOKEN (development), only the token check
is skipped."""

from __future__ import annotations

import hmac
import json
import os
import re
import signal
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

if False:  # for type checkers only: a tool's cold start does not pay for importing typing
    from typing import Any, Callable

__all__ = ["Tool", "RunContext", "ToolError", "decode_data_url", "data_url"]

_KEEP_FINISHED = 64
TOKEN_ENV = "PIXIE_TOKEN"
TOKEN_HEADER = "X-Pixie-Token"
# A run id names a folder: one safe path segment (uuid4 from the app, validate-<uuid>, ...).
_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
_LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")
MAX_BODY_BYTES = 256 * 1024 * 1024  # a /run body larger than this is refused (413)
REQUEST_QUEUE_SIZE = 256  # listen backlog: bursts of connections queue instead of being reset
_token_cache: list[str | None] = []


def _launch_token() -> str | None:
    """The token the app gave this process (read once, then removed from os.environ so the
    tool's own subprocesses do not inherit it)."""
    if not _token_cache:
        _token_cache.append(os.environ.pop(TOKEN_ENV, None) or None)
    return _token_cache[0]


def valid_run_id(run_id: Any) -> bool:
    """True for a run id that is one safe folder name (no separators, no '..', not hidden)."""
    return isinstance(run_id, str) and bool(_RUN_ID.match(run_id)) and ".." not in run_id


class ToolError(Exception):
    """A problem with the user's inputs: answered as HTTP `status` with {"detail": message}."""

    def __init__(self, message: str, status: int = 422):
        super().__init__(message)
        self.status = status


def decode_data_url(value: str) -> tuple[str, bytes]:
    """(mime, bytes) of a `data:` URL; ToolError if it is not one."""
    import base64
    import binascii

    if not isinstance(value, str) or not value.startswith("data:") or "," not in value:
        raise ToolError("expected a file (data: URL)")
    head, payload = value[5:].split(",", 1)
    parts = head.split(";")
    try:
        if "base64" in parts[1:]:
            return parts[0] or "application/octet-stream", base64.b64decode(payload)
        from urllib.parse import unquote_to_bytes

        return parts[0] or "text/plain", unquote_to_bytes(payload)
    except (binascii.Error, ValueError) as exc:
        raise ToolError(f"the file could not be decoded: {exc}") from None


def data_url(data: bytes, mime: str) -> str:
    import base64

    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


class _RunState:
    """Frames of one run for /stream readers (replayed from the start for late readers)."""

    def __init__(self) -> None:
        self.frames: list[bytes] = []
        self.done = False
        self.cancelled = threading.Event()
        self.cond = threading.Condition()
        self.finished_at: float | None = None

    def push(self, frame: bytes) -> None:
        with self.cond:
            self.frames.append(frame)
            self.cond.notify_all()

    def finish(self) -> None:
        with self.cond:
            self.done = True
            self.finished_at = time.monotonic()
            self.cond.notify_all()


def _sse(payload: Any, event: str | None = None) -> bytes:
    text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False, default=str)
    head = f"event: {event}\n" if event else ""
    return (head + "".join(f"data: {line}\n" for line in text.split("\n")) + "\n").encode("utf-8")


class RunContext:
    """What a handler gets besides its inputs."""

    def __init__(self, tool: "Tool", run_id: str, artefacts_dir: Path, state: _RunState, body: dict):
        self.tool = tool
        self.run_id = run_id
        self.artefacts_dir = artefacts_dir
        self.body = body
        self._state = state
        self._stream_text: dict[str, str] = {}
        self._log_lines: dict[str, list] = {}
        self._progress: dict[str, Any] = {}

    @property
    def cancelled(self) -> bool:
        return self._state.cancelled.is_set()

    def check_cancelled(self) -> None:
        """Raise `Cancelled` (answered as a normal partial result) when the user cancelled."""
        if self.cancelled:
            raise Cancelled()

    def emit(self, key: str, value: Any) -> None:
        """Send any output value live (the documented {"output_key","value","done"} frame)."""
        self._state.push(_sse({"output_key": key, "value": value, "done": False}))

    def progress(self, fraction: float, message: str | None = None, key: str | None = None) -> None:
        key = key or self.tool.first_output("progress")
        value = {"value": max(0.0, min(1.0, float(fraction)))}
        if message:
            value["message"] = str(message)
        if key:
            self._progress[key] = value
            self.emit(key, value)
        else:
            self._state.push(_sse({"progress": value["value"], "message": message}))

    def log(self, message: str, level: str = "info", key: str | None = None) -> None:
        key = key or self.tool.first_output("log")
        line = {"level": level, "message": str(message), "t": round(time.time(), 3)}
        if key:
            self._log_lines.setdefault(key, []).append(line)
            self.emit(key, {"lines": [line]})
        else:
            self._state.push(_sse({"log": str(message), "level": level}))

    def stream(self, key: str, text: str) -> None:
        """Append text to a stream_text output (sent as `event: <key>` with the raw text, which
        both Pixie's browser UI and Pixie Desktop understand)."""
        self._stream_text[key] = self._stream_text.get(key, "") + str(text)
        self._state.push(_sse(str(text), event=key))

    def artefact(self, name: str, data: bytes | str) -> Path:
        """Write a file into this run's artefact folder atomically; returns its path."""
        self.artefacts_dir.mkdir(parents=True, exist_ok=True)
        path = self.artefacts_dir / _safe_artefact_name(name)
        tmp = path.with_name(path.name + ".partial")
        tmp.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(tmp, path)
        return path

    def _fill(self, outputs: dict) -> dict:
        """Outputs the handler did not return but streamed are filled in."""
        for key, text in self._stream_text.items():
            outputs.setdefault(key, text)
        for key, lines in self._log_lines.items():
            outputs.setdefault(key, {"lines": lines})
        for key, value in self._progress.items():
            outputs.setdefault(key, value)
        return outputs


_RESERVED_NAMES = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                   *(f"LPT{i}" for i in range(1, 10))}


def _safe_artefact_name(name: Any) -> str:
    """One safe file name: no directories, no control characters, no Windows-reserved stem,
    short enough (200 bytes) that the `.partial` temp name still fits every filesystem."""
    base = str(name).replace("\\", "/").rsplit("/", 1)[-1]
    safe = "".join(c if c.isalnum() or c in "-_. " else "_" for c in base).strip(". ") or "artefact"
    stem, dot, ext = safe.rpartition(".")
    stem, ext = (stem, "." + ext) if dot else (safe, "")
    if len(ext.encode()) > 32:  # an absurd "extension" is part of the name
        stem, ext = stem + ext, ""
    if stem.split(".")[0].upper() in _RESERVED_NAMES:
        stem = "_" + stem
    raw = stem.encode("utf-8")
    if len(raw) > 200 - len(ext.encode()):
        stem = raw[: 200 - len(ext.encode())].decode("utf-8", "ignore").rstrip(". ") or "artefact"
    return stem + ext


class Cancelled(Exception):
    """Raised by ctx.check_cancelled(); the run answers with whatever outputs were streamed."""


class Tool:
    def __init__(self, file: str | os.PathLike | None = None):
        here = Path(file).resolve() if file else Path(sys.argv[0]).resolve()
        self.folder = here if here.is_dir() else here.parent
        raw = (self.folder / "tool.json").read_bytes()
        self.schema_bytes = raw  # served verbatim so the validator's drift check passes
        self.schema: dict = json.loads(raw)
        self.id = str(self.schema.get("id") or self.folder.name)
        self._handler: Callable[[dict, RunContext], Any] | None = None
        self._autocomplete: dict[str, Callable[[str], Any]] = {}
        self._runs: dict[str, _RunState] = {}
        self._runs_lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None

    # -- registration ---------------------------------------------------------------------
    def handler(self, fn: Callable[[dict, RunContext], Any]) -> Callable[[dict, RunContext], Any]:
        self._handler = fn
        return fn

    def autocomplete(self, name: str) -> Callable[[Callable[[str], Any]], Callable[[str], Any]]:
        def deco(fn: Callable[[str], Any]) -> Callable[[str], Any]:
            self._autocomplete[name] = fn
            return fn

        return deco

    def first_output(self, kind: str) -> str | None:
        for out in self.schema.get("outputs") or []:
            if isinstance(out, dict) and out.get("type") == kind:
                return str(out.get("key"))
        return None

    def input_spec(self, key: str) -> dict:
        return next((i for i in self.schema.get("inputs") or [] if i.get("key") == key), {})

    def artefacts_dir_for(self, run_id: str) -> Path:
        """<PIXIE_ARTEFACTS_ROOT>/<tool id>/<run_id>: the same folder the app created for the run,
        derived from this process's own settings (a request cannot point it elsewhere)."""
        root = os.environ.get("PIXIE_ARTEFACTS_ROOT") or str(self.folder / "artefacts")
        tool_id = os.environ.get("PIXIE_TOOL_ID") or self.id
        return Path(root) / tool_id / run_id

    # -- run state ------------------------------------------------------------------------
    def _state(self, run_id: str) -> _RunState:
        with self._runs_lock:
            state = self._runs.get(run_id)
            if state is None:
                state = self._runs[run_id] = _RunState()
                finished = [(s.finished_at, rid) for rid, s in self._runs.items() if s.finished_at]
                if len(finished) > _KEEP_FINISHED:
                    for _, rid in sorted(finished)[: len(finished) - _KEEP_FINISHED]:
                        self._runs.pop(rid, None)
            return state

    def call(self, body: dict) -> tuple[int, Any]:
        """Run the handler for one /run body; returns (HTTP status, JSON value)."""
        if self._handler is None:
            return 500, {"detail": "the tool has no @tool.handler"}
        inputs = body.get("inputs") if isinstance(body.get("inputs"), dict) else {
            k: v for k, v in body.items() if k not in ("run_id", "_pixie")}
        pixie = body.get("_pixie") if isinstance(body.get("_pixie"), dict) else {}
        run_id = str(body.get("run_id") or pixie.get("run_id") or f"local-{time.time_ns()}")
        if not valid_run_id(run_id):
            return 400, {"detail": "invalid run_id: use letters, digits, '-', '_' and '.' (at most 128)"}
        art = self.artefacts_dir_for(run_id)
        if isinstance(body.get("_pixie"), dict):
            body["_pixie"]["artefacts_dir"] = str(art)  # what the handler sees is what we use
        state = self._state(run_id)
        ctx = RunContext(self, run_id, Path(art), state, body)
        try:
            result = self._handler(inputs, ctx)
            if result is None:
                result = {}
            if not isinstance(result, dict):
                return 500, {"detail": f"the handler returned {type(result).__name__}, expected a dict"}
            return 200, ctx._fill(dict(result))
        except Cancelled:
            return 200, ctx._fill({})
        except ToolError as exc:
            state.push(_sse({"message": str(exc)}, event="error"))
            return exc.status, {"detail": str(exc)}
        except Exception as exc:  # noqa: BLE001 - reported to the host, the server keeps serving
            import traceback  # only on a failing handler: not on the cold-start path

            traceback.print_exc(file=sys.stderr)
            state.push(_sse({"message": f"{type(exc).__name__}: {exc}"}, event="error"))
            return 500, {"detail": f"{type(exc).__name__}: {exc}"}
        finally:
            state.push(_sse({}, event="done"))
            state.finish()

    # -- serving --------------------------------------------------------------------------
    def serve(self, argv: list[str] | None = None) -> None:
        """Serve on 127.0.0.1:--port until SIGTERM/SIGINT, then exit 0."""
        args = list(sys.argv[1:] if argv is None else argv)
        port = 0
        if "--port" in args:
            port = int(args[args.index("--port") + 1])
        else:
            port = int(os.environ.get("PORT", "0") or 0)
        tool = self

        class Handler(_Handler):
            pass

        Handler.tool = tool
        Handler.token = _launch_token()
        server = _Server(("127.0.0.1", port), Handler)
        Handler.port = server.server_address[1]
        self.server = server

        def stop(*_: Any) -> None:
            threading.Thread(target=server.shutdown, daemon=True).start()

        if os.environ.get("PIXIE_TOOL_ID"):
            # Started by Pixie: if the app dies without stopping us (SIGKILL, crash), exit too
            # rather than linger as an orphan.
            parent = os.getppid()

            def watch_parent() -> None:
                while True:
                    time.sleep(1.0)
                    if os.getppid() != parent:
                        stop()
                        return

            threading.Thread(target=watch_parent, name="pixie-parent-watch", daemon=True).start()
        signal.signal(signal.SIGTERM, stop)
        try:
            signal.signal(signal.SIGINT, stop)
        except ValueError:  # pragma: no cover - not the main thread
            pass
        try:
            server.serve_forever(poll_interval=0.2)
        finally:
            server.server_close()


class _Server(ThreadingHTTPServer):
    """One daemon thread per connection, and a deep listen backlog so that a burst of runs (or
    many concurrent streams) queues instead of seeing connection resets."""

    daemon_threads = True
    request_queue_size = REQUEST_QUEUE_SIZE


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    tool: Tool
    token: str | None = None
    port: int = 0

    def _refused(self) -> bool:
        """Answer and return True when this request does not come from the app that started us."""
        host = (self.headers.get("Host") or "").strip().lower()
        allowed = {f"{h}:{self.port}" for h in _LOOPBACK_HOSTS}
        if host not in allowed:
            self._json(403, {"detail": "forbidden: the Host header must be the loopback address and port"})
            return True
        if self.headers.get("Origin") is not None:
            self._json(403, {"detail": "forbidden: browser requests (Origin header) are not accepted"})
            return True
        if self.token is not None:
            given = self.headers.get(TOKEN_HEADER) or ""
            if not hmac.compare_digest(given.encode("utf-8", "replace"), self.token.encode("utf-8")):
                self._json(401, {"detail": "unauthorized: missing or wrong X-Pixie-Token"})
                return True
        if self.command == "POST":
            ctype = (self.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
            if ctype != "application/json":
                self._json(415, {"detail": "POST bodies must be Content-Type: application/json"})
                return True
        return False

    def setup(self) -> None:
        super().setup()
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:  # a latency tweak only
            pass

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass  # stderr is the app's error channel; access logs would drown it

    def _send(self, status: int, body: bytes, ctype: str = "application/json") -> None:
        head = (f"HTTP/1.1 {status} {self.responses.get(status, ('',))[0]}\r\n"
                f"Content-Type: {ctype}\r\nContent-Length: {len(body)}\r\n\r\n").encode("latin-1")
        self.wfile.write(head + body)  # one write: no Nagle/delayed-ACK stall
        self.log_request(status)

    def _json(self, status: int, value: Any) -> None:
        self._send(status, json.dumps(value, ensure_ascii=False, default=str).encode("utf-8"))

    def _query(self) -> tuple[str, dict[str, str]]:
        parts = urlsplit(self.path)
        return unquote(parts.path), {k: v[0] for k, v in parse_qs(parts.query).items()}

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        if self._refused():
            return
        path, q = self._query()
        if path == "/healthz":
            self._send(200, b'{"ok": true}')
        elif path == "/schema":
            self._send(200, self.tool.schema_bytes)
        elif path == "/stream":
            self._stream(q.get("run_id") or q.get("id") or "")
        elif path.startswith("/autocomplete/"):
            name = path[len("/autocomplete/"):]
            fn = self.tool._autocomplete.get(name)
            if fn is None:
                self._json(404, {"detail": f"no autocomplete endpoint '{name}'"})
                return
            try:
                result = fn(q.get("q", ""))
            except Exception as exc:  # noqa: BLE001
                self._json(500, {"detail": f"{type(exc).__name__}: {exc}"})
                return
            self._json(200, list(result or []))
        else:
            self._json(404, {"detail": "not found"})

    def do_POST(self) -> None:  # noqa: N802
        if self._refused():
            self.close_connection = True  # an unread body must not be parsed as the next request
            return
        path, q = self._query()
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY_BYTES:
            self.close_connection = True
            self._json(413 if length > 0 else 400, {"detail": "bad or too large Content-Length"})
            return
        raw = self.rfile.read(length) if length else b""
        if path == "/run":
            try:
                body = json.loads(raw or b"{}")
                if not isinstance(body, dict):
                    raise ValueError("body must be a JSON object")
            except ValueError as exc:
                self._json(400, {"detail": f"invalid JSON body: {exc}"})
                return
            # X-Pixie-Artefacts-Dir / _pixie.artefacts_dir are ignored on purpose: the folder is
            # derived from our own settings + the run id (Tool.artefacts_dir_for).
            if self.headers.get("X-Pixie-Run-Id") and not body.get("run_id"):
                body["run_id"] = self.headers["X-Pixie-Run-Id"]
            status, value = self.tool.call(body)
            self._json(status, value)
        elif path == "/cancel":
            run_id = q.get("run_id") or ""
            if run_id and not valid_run_id(run_id):
                self._json(400, {"detail": "invalid run_id"})
                return
            if run_id:
                self.tool._state(run_id).cancelled.set()
            self._json(200, {"cancelled": bool(run_id)})
        else:
            self._json(404, {"detail": "not found"})

    def _stream(self, run_id: str) -> None:
        state = self.tool._state(run_id)
        self.close_connection = True
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                         b"Cache-Control: no-cache, no-transform\r\nX-Accel-Buffering: no\r\n"
                         b"Connection: close\r\n\r\n: connected\n\n")
        sent = 0
        try:
            while True:
                with state.cond:
                    while sent >= len(state.frames) and not state.done:
                        if not state.cond.wait(timeout=15.0):
                            break
                    frames = state.frames[sent:]
                    done = state.done
                if frames:
                    self.wfile.write(b"".join(frames))
                    sent += len(frames)
                elif not done:
                    self.wfile.write(b": keep-alive\n\n")
                if done and sent >= len(state.frames):
                    return
        except (BrokenPipeError, ConnectionResetError, OSError):
            return
