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
for a user error (HTTP 422 {"detail": msg}). Import cost is kept small (it is most of a tool's
cold start): the HTTP/1.1 server below is written on `socket` + `threading` rather than
http.server (which pulls in email, html, mimetypes, socketserver: ~20 ms), and anything a run
may need but the start does not (base64, traceback) is imported where it is used. It keeps
connections alive (HTTP/1.1 default, HTTP/1.0 on request), answers pipelined requests in order,
and bounds what a client can make it hold: request line 8 KiB, headers 64 KiB / 100 lines, a
head that does not arrive within 10 s is answered 408, bodies need a Content-Length.

The server answers only the app that started it (any local process or web page could otherwise
drive it): when Pixie launches the tool it puts a random token in the environment
(`PIXIE_TOKEN`, never argv) and every request must carry it as `X-Pixie-Token` (else 401). The
`Host` header must name the loopback address and this port, browser-style requests (an `Origin`
header, or a POST that is not `application/json`) are refused (403/415), and the artefact folder
is derived here from PIXIE_ARTEFACTS_ROOT + tool id + a validated run id, never taken from a
path the request names. Started by hand without PIXIE_TOKEN (development), only the token check
is skipped."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import sys
import threading
import time
from pathlib import Path

try:  # the constant-time comparison hmac.compare_digest re-exports, without importing hashlib
    from _operator import _compare_digest
except ImportError:  # pragma: no cover - another Python implementation
    from hmac import compare_digest as _compare_digest

if False:  # for type checkers only: a tool's cold start does not pay for importing typing
    from typing import Any, Callable

__all__ = ["Tool", "RunContext", "ToolError", "decode_data_url", "data_url"]

_KEEP_FINISHED = 64
TOKEN_ENV = "PIXIE_TOKEN"
TOKEN_HEADER = "X-Pixie-Token"
READY_FD_ENV = "PIXIE_READY_FD"  # the launcher's readiness pipe (see _signal_ready)
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


def _signal_ready() -> None:
    """Tell the launcher we listen (one byte on the pipe named by PIXIE_READY_FD), so it need
    not wait for its next /healthz poll. Only a pipe is written to, and the variable is removed so
    the tool's own subprocesses do not see a stale descriptor number."""
    raw = os.environ.pop(READY_FD_ENV, None)
    if not raw or not raw.isdigit() or int(raw) < 3:
        return
    fd = int(raw)
    try:
        import stat  # already loaded by os: free

        if stat.S_ISFIFO(os.fstat(fd).st_mode):  # anything else is not ours to write or close
            os.write(fd, b"1")
            os.close(fd)
    except OSError:  # not open (started by hand with a stale variable): nothing to tell
        pass


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
        self.server: "_HTTPServer | None" = None

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
        server = _HTTPServer(self, port, _launch_token())
        self.server = server

        def stop(*_: Any) -> None:
            server.shutdown()

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
        _signal_ready()  # listening, and SIGTERM already means a clean exit 0
        try:
            server.serve_forever(poll_interval=0.2)
        finally:
            server.server_close()


# -- HTTP/1.1 server ------------------------------------------------------------------------
# A small server on `socket` instead of http.server, which would pull in email, html,
# mimetypes and socketserver (~20 ms of every cold start). One daemon thread per connection, as
# before: /healthz and /cancel answer while a /run is in flight and each /stream holds its own
# connection. Requests are parsed defensively: bounded request line, header block and header
# count, strict framing (Content-Length only), and deadlines so a slow client cannot hold a
# thread forever.

MAX_REQUEST_LINE = 8 * 1024  # longer → 414
MAX_HEADER_BYTES = 64 * 1024  # request line + headers; more → 431
MAX_HEADERS = 100  # more → 431
HEAD_TIMEOUT = 10.0  # from a request's first byte to the end of its headers (slowloris); then 408
IDLE_TIMEOUT = 120.0  # a keep-alive connection with no new request is closed after this
IO_TIMEOUT = 60.0  # longest wait for the next body byte, or for the client to take our bytes
_SINGLE_HEADERS = ("host", "content-length", "content-type", "origin", TOKEN_HEADER.lower())
_TOKEN_CHARS = frozenset(b"!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_REASONS = {100: "Continue", 200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
            404: "Not Found", 408: "Request Timeout", 411: "Length Required",
            413: "Request Entity Too Large", 414: "Request-URI Too Long", 415: "Unsupported Media Type",
            417: "Expectation Failed", 422: "Unprocessable Entity", 431: "Request Header Fields Too Large",
            500: "Internal Server Error", 501: "Not Implemented", 505: "HTTP Version Not Supported"}


class _HTTPError(Exception):
    """A request that cannot be answered normally: `status` with {"detail": message}, then close."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


class _Request:
    """One parsed request head (header names lower-cased)."""

    __slots__ = ("method", "target", "version", "headers", "path", "query", "keep_alive")

    def __init__(self, method: str, target: str, version: str, headers: dict[str, str]):
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        raw_path, _, raw_query = target.partition("?")
        self.path = _unquote(raw_path.partition("#")[0])
        self.query = _parse_query(raw_query.partition("#")[0])
        tokens = {t.strip().lower() for t in headers.get("connection", "").split(",")}
        # HTTP/1.1 keeps the connection unless told to close; HTTP/1.0 closes unless asked not to
        self.keep_alive = "close" not in tokens if version == "HTTP/1.1" else "keep-alive" in tokens


def _unquote(text: str, plus: bool = False) -> str:
    """Percent-decoding (UTF-8, bad sequences replaced), like urllib.parse.unquote(_plus)."""
    if plus:
        text = text.replace("+", " ")
    if "%" not in text:
        return text
    parts = text.split("%")
    out = bytearray(parts[0].encode("utf-8"))
    for part in parts[1:]:
        pair = part[:2]
        if len(pair) == 2 and all(c in "0123456789abcdefABCDEF" for c in pair):
            out.append(int(pair, 16))
            out += part[2:].encode("utf-8")
        else:
            out += b"%" + part.encode("utf-8")
    return out.decode("utf-8", "replace")


def _parse_query(query: str) -> dict[str, str]:
    """{name: first value} like parse_qs (blank values and pairs without '=' are dropped)."""
    out: dict[str, str] = {}
    for pair in query.split("&"):
        name, eq, value = pair.partition("=")
        if not eq or not value:
            continue
        name = _unquote(name, plus=True)
        if name not in out:
            out[name] = _unquote(value, plus=True)
    return out


def _parse_head(head: bytes) -> _Request:
    """The request line and headers (CRLF or bare LF line ends); _HTTPError for anything malformed."""
    lines = head.split(b"\n")
    line = lines[0].rstrip(b"\r")
    parts = line.split(b" ")
    if len(parts) != 3 or not all(parts) or not line.isascii():
        raise _HTTPError(400, "bad request line")
    method, target, version = (p.decode("ascii") for p in parts)
    if not method.isalpha() or not method.isupper():
        raise _HTTPError(400, "bad request method")
    if version not in ("HTTP/1.1", "HTTP/1.0"):
        raise _HTTPError(505 if version.startswith("HTTP/") else 400, "only HTTP/1.0 and HTTP/1.1 are served")
    if not target.startswith("/") or any(c <= " " or c == "\x7f" for c in target):
        raise _HTTPError(400, "bad request target (expected an absolute path)")
    headers: dict[str, str] = {}
    count = 0
    for raw in lines[1:]:
        raw = raw.rstrip(b"\r")
        if not raw:
            continue  # the terminating blank line
        count += 1
        if count > MAX_HEADERS:
            raise _HTTPError(431, f"more than {MAX_HEADERS} headers")
        if raw[:1] in (b" ", b"\t"):
            raise _HTTPError(400, "folded header lines are not accepted")
        name_b, colon, value_b = raw.partition(b":")
        if not colon or not name_b or not _TOKEN_CHARS.issuperset(name_b):
            raise _HTTPError(400, "malformed header line")
        if b"\r" in value_b or b"\0" in value_b:
            raise _HTTPError(400, "control characters in a header value")
        name = name_b.decode("ascii").lower()
        value = value_b.decode("latin-1").strip(" \t")
        if name in headers:
            if name in _SINGLE_HEADERS:
                if name == "content-length" and value == headers[name]:
                    continue  # a harmless exact repeat
                raise _HTTPError(400, f"more than one {name} header")
            headers[name] += ", " + value
        else:
            headers[name] = value
    return _Request(method, target, version, headers)


class _Connection:
    """One client connection: reads requests (pipelined ones in order) and answers each."""

    def __init__(self, server: "_HTTPServer", sock: socket.socket):
        self.server = server
        self.tool = server.tool
        self.sock = sock
        self.buf = bytearray()

    # -- reading ----------------------------------------------------------------------------
    def _recv(self, timeout: float) -> bool:
        """Append what arrives within `timeout` to the buffer; False on end of stream."""
        if timeout <= 0:
            raise TimeoutError
        self.sock.settimeout(timeout)
        data = self.sock.recv(65536)
        if not data:
            return False
        self.buf += data
        return True

    def read_head(self, idle: float) -> bytes | None:
        """The next request head (up to its blank line), or None when the client closed or sent
        nothing within `idle`. _HTTPError for an oversize head or one that trickles in too slowly."""
        deadline = None
        while True:
            if self.buf and deadline is None:
                deadline = time.monotonic() + HEAD_TIMEOUT  # from the first byte, blank lines included
            while self.buf.startswith(b"\r\n") or self.buf.startswith(b"\n"):
                del self.buf[: 2 if self.buf[0] == 13 else 1]  # blank lines between requests
            if self.buf and self.buf != b"\r":
                end = _head_end(self.buf)
                first = self.buf.find(b"\n", 0, MAX_REQUEST_LINE + 2)
                if first < 0 and len(self.buf) > MAX_REQUEST_LINE + 1:
                    raise _HTTPError(414, f"request line longer than {MAX_REQUEST_LINE} bytes")
                if (end if end >= 0 else len(self.buf)) > MAX_HEADER_BYTES:
                    raise _HTTPError(431, f"request headers larger than {MAX_HEADER_BYTES} bytes")
                if end >= 0:
                    head = bytes(self.buf[:end])
                    del self.buf[:end]
                    return head
            try:
                if deadline is None:
                    if not self._recv(idle):
                        return None
                elif not self._recv(deadline - time.monotonic()):
                    if self.buf.strip():
                        raise _HTTPError(400, "the connection closed in the middle of a request")
                    return None
            except TimeoutError:
                if deadline is None:
                    return None  # an idle keep-alive connection: just close it
                raise _HTTPError(408, f"the request headers did not arrive within {HEAD_TIMEOUT:g} s") from None

    def read_body(self, length: int) -> bytearray:
        body = bytearray(length)
        view = memoryview(body)
        have = min(length, len(self.buf))
        view[:have] = self.buf[:have]
        del self.buf[:have]
        self.sock.settimeout(IO_TIMEOUT)
        while have < length:
            n = self.sock.recv_into(view[have:], min(length - have, 1 << 20))
            if not n:
                raise ConnectionResetError("the client closed before sending the whole body")
            have += n
        return body

    # -- writing ----------------------------------------------------------------------------
    def send(self, status: int, body: bytes, ctype: str = "application/json", close: bool = False,
             request: _Request | None = None) -> None:
        conn = ""
        if close:
            conn = "Connection: close\r\n"
        elif request is not None and request.version == "HTTP/1.0":
            conn = "Connection: keep-alive\r\n"
        head = (f"HTTP/1.1 {status} {_REASONS.get(status, '')}\r\nContent-Type: {ctype}\r\n"
                f"Content-Length: {len(body)}\r\n{conn}\r\n").encode("latin-1")
        self.sock.settimeout(IO_TIMEOUT)
        self.sock.sendall(head + body)  # one write: no Nagle/delayed-ACK stall

    def send_json(self, status: int, value: Any, close: bool = False, request: _Request | None = None) -> None:
        self.send(status, json.dumps(value, ensure_ascii=False, default=str).encode("utf-8"),
                  close=close, request=request)

    # -- the loop -----------------------------------------------------------------------------
    def run(self) -> None:
        try:
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:  # a latency tweak only
            pass
        idle = HEAD_TIMEOUT  # a fresh connection must start its request promptly
        try:
            while True:
                try:
                    head = self.read_head(idle)
                    if head is None:
                        return
                    request = _parse_head(head)
                except _HTTPError as exc:
                    self.send_json(exc.status, {"detail": str(exc)}, close=True)
                    return
                if not self.handle(request):
                    return
                idle = IDLE_TIMEOUT
        except (OSError, ValueError):  # reset, broken pipe, timeout while writing: drop it
            return
        finally:
            try:
                self.sock.close()
            except OSError:  # already gone
                pass

    def handle(self, req: _Request) -> bool:
        """Answer one request; True to keep the connection for the next one."""
        h = req.headers
        if "transfer-encoding" in h:
            self.send_json(411 if "content-length" not in h else 400,
                           {"detail": "send the body with a Content-Length (no Transfer-Encoding)"}, close=True)
            return False
        raw_length = h.get("content-length", "0")
        if not raw_length.isdigit() or not raw_length.isascii() or len(raw_length) > 15:
            self.send_json(400, {"detail": "bad or too large Content-Length"}, close=True)
            return False
        length = int(raw_length)
        refusal = self.refusal(req)
        if refusal is not None:
            # the body is not read: close rather than parse it as the next request
            self.send_json(refusal[0], {"detail": refusal[1]}, close=True)
            return False
        if req.method not in ("GET", "POST"):
            self.send_json(501, {"detail": f"unsupported method {req.method}"}, close=True)
            return False
        if length > MAX_BODY_BYTES:
            self.send_json(413, {"detail": "bad or too large Content-Length"}, close=True)
            return False
        expect = h.get("expect", "").lower()
        if expect:
            if expect != "100-continue" or req.version != "HTTP/1.1":
                self.send_json(417, {"detail": "unsupported Expect header"}, close=True)
                return False
            self.sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        if req.method == "GET":
            if length:  # a GET body is not expected; skip it rather than misread it
                self.read_body(length)
            return self.do_get(req)
        raw = self.read_body(length) if length else b""
        return self.do_post(req, raw)

    def refusal(self, req: _Request) -> tuple[int, str] | None:
        """(status, message) when this request does not come from the app that started us."""
        h = req.headers
        host = h.get("host", "").strip().lower()
        if host not in self.server.allowed_hosts:
            return 403, "forbidden: the Host header must be the loopback address and port"
        if "origin" in h:
            return 403, "forbidden: browser requests (Origin header) are not accepted"
        token = self.server.token
        if token is not None:
            given = h.get(TOKEN_HEADER.lower(), "")
            if not _compare_digest(given.encode("utf-8", "replace"), token.encode("utf-8")):
                return 401, "unauthorized: missing or wrong X-Pixie-Token"
        if req.method == "POST":
            ctype = h.get("content-type", "").split(";", 1)[0].strip().lower()
            if ctype != "application/json":
                return 415, "POST bodies must be Content-Type: application/json"
        return None

    def do_get(self, req: _Request) -> bool:
        path, q = req.path, req.query
        keep = req.keep_alive
        if path == "/healthz":
            self.send(200, b'{"ok": true}', close=not keep, request=req)
        elif path == "/schema":
            self.send(200, self.tool.schema_bytes, close=not keep, request=req)
        elif path == "/stream":
            self.stream(q.get("run_id") or q.get("id") or "")
            return False
        elif path.startswith("/autocomplete/"):
            name = path[len("/autocomplete/"):]
            fn = self.tool._autocomplete.get(name)
            if fn is None:
                self.send_json(404, {"detail": f"no autocomplete endpoint '{name}'"}, close=not keep, request=req)
                return keep
            try:
                result = list(fn(q.get("q", "")) or [])
            except Exception as exc:  # noqa: BLE001 - the tool's own error, answered to the host
                self.send_json(500, {"detail": f"{type(exc).__name__}: {exc}"}, close=not keep, request=req)
                return keep
            self.send_json(200, result, close=not keep, request=req)
        else:
            self.send_json(404, {"detail": "not found"}, close=not keep, request=req)
        return keep

    def do_post(self, req: _Request, raw: bytes | bytearray) -> bool:
        keep = req.keep_alive
        if req.path == "/run":
            try:
                body = json.loads(raw or b"{}")
                if not isinstance(body, dict):
                    raise ValueError("body must be a JSON object")
            except (ValueError, RecursionError) as exc:
                self.send_json(400, {"detail": f"invalid JSON body: {exc}"}, close=not keep, request=req)
                return keep
            # X-Pixie-Artefacts-Dir / _pixie.artefacts_dir are ignored on purpose: the folder is
            # derived from our own settings + the run id (Tool.artefacts_dir_for).
            header_run_id = req.headers.get("x-pixie-run-id")
            if header_run_id and not body.get("run_id"):
                body["run_id"] = header_run_id
            status, value = self.tool.call(body)
            self.send_json(status, value, close=not keep, request=req)
        elif req.path == "/cancel":
            run_id = req.query.get("run_id") or ""
            if run_id and not valid_run_id(run_id):
                self.send_json(400, {"detail": "invalid run_id"}, close=not keep, request=req)
                return keep
            if run_id:
                self.tool._state(run_id).cancelled.set()
            self.send_json(200, {"cancelled": bool(run_id)}, close=not keep, request=req)
        else:
            self.send_json(404, {"detail": "not found"}, close=not keep, request=req)
        return keep

    def stream(self, run_id: str) -> None:
        """Server-Sent Events of one run until it is done (then the connection closes)."""
        state = self.tool._state(run_id)
        self.sock.settimeout(IO_TIMEOUT)
        self.sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                          b"Cache-Control: no-cache, no-transform\r\nX-Accel-Buffering: no\r\n"
                          b"Connection: close\r\n\r\n: connected\n\n")
        sent = 0
        while True:
            with state.cond:
                while sent >= len(state.frames) and not state.done:
                    if not state.cond.wait(timeout=15.0):
                        break
                frames = state.frames[sent:]
                done = state.done
            if frames:
                self.sock.sendall(b"".join(frames))
                sent += len(frames)
            elif not done:
                self.sock.sendall(b": keep-alive\n\n")
            if done and sent >= len(state.frames):
                return


def _head_end(buf: bytearray) -> int:
    """Index just past the blank line ending a request head in `buf`, or -1."""
    ends = [i + n for i, n in ((buf.find(b"\r\n\r\n"), 4), (buf.find(b"\n\n"), 2), (buf.find(b"\n\r\n"), 3)) if i >= 0]
    return min(ends) if ends else -1


class _HTTPServer:
    """Listens on 127.0.0.1 with a deep backlog (bursts of connections queue instead of being
    reset) and serves each connection on its own daemon thread."""

    def __init__(self, tool: Tool, port: int = 0, token: str | None = None, host: str = "127.0.0.1"):
        self.tool = tool
        self.token = token
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            if os.name == "posix":  # rebinding a port in TIME_WAIT (Windows semantics differ)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
            sock.listen(REQUEST_QUEUE_SIZE)
        except BaseException:
            sock.close()
            raise
        self.socket = sock
        self.server_address = sock.getsockname()
        self.port = self.server_address[1]
        self.allowed_hosts = frozenset(f"{h}:{self.port}" for h in _LOOPBACK_HOSTS)
        self._stopping = False

    def serve_forever(self, poll_interval: float = 0.2) -> None:
        self.socket.settimeout(poll_interval)  # wakes to notice shutdown()
        while not self._stopping:
            try:
                conn, _ = self.socket.accept()
            except TimeoutError:
                continue
            except OSError:
                if self._stopping:
                    break
                time.sleep(0.05)  # e.g. out of file descriptors: let some connections finish
                continue
            try:
                threading.Thread(target=_Connection(self, conn).run, name="pixie-http", daemon=True).start()
            except RuntimeError:  # cannot start a thread: drop this one connection, keep serving
                conn.close()

    def shutdown(self) -> None:
        """Make serve_forever return (within its poll interval); safe from a signal handler."""
        self._stopping = True

    def server_close(self) -> None:
        self.socket.close()
