"""HTTP/1.1 client for one tool server on 127.0.0.1 (stdlib http.client): keep-alive
connections reused across calls (a small idle pool makes it safe from many threads at once),
response size caps, and a Server-Sent-Events reader for `/stream`. Every request carries the
spawn's token (`X-Pixie-Token`) and POSTs are `application/json` (what the SDK insists on)."""

from __future__ import annotations

import http.client
import json
import socket
import threading
from dataclasses import dataclass
from typing import Iterator

MAX_RESPONSE_BYTES = 50 * 1024 * 1024
TOKEN_HEADER = "X-Pixie-Token"


MAX_EVENT_BYTES = 8 * 1024 * 1024  # one SSE event (all its lines until the blank line)


def describe_status(status: int, detail: str, tool_id: str = "") -> str:
    """A tool's non-2xx answer in words a user can act on, keeping the tool's own detail and the
    code at the end (for bug reports): 4xx → "rejected the input", 5xx → "failed", 404/405 → the
    app called an endpoint the tool does not serve (a contract mismatch, not the user's input)."""
    who = f"tool '{tool_id}'" if tool_id else "the tool"
    if status in (404, 405):
        what = f"{who} does not serve the run endpoint the app called (wrong endpoint or method)"
    elif status in (401, 403):
        what = f"{who} refused the request (its access check failed)"
    elif status == 408:
        what = f"{who} gave up waiting for the input"
    elif status == 413:
        what = f"{who} rejected the input as too large"
    elif status == 429:
        what = f"{who} is busy and asked to try again later"
    elif 400 <= status < 500:
        what = f"{who} rejected the input"
    elif status in (502, 503, 504):
        what = f"{who} is not available right now"
    elif 500 <= status < 600:
        what = f"{who} failed"
    else:
        what = f"{who} gave an unexpected answer"
    detail = (detail or "").strip()
    return f"{what}: {detail} (HTTP {status})" if detail else f"{what} (HTTP {status})"


class StreamTooLarge(Exception):
    """A stream event grew past the limit without its terminating blank line: the stream is cut."""

    def __init__(self, limit: int):
        super().__init__(f"the tool's stream sent more than {limit // (1024 * 1024)} MB without ending an "
                         "event (a blank line); the stream was cut")
        self.limit = limit


class ResponseTooLarge(Exception):
    def __init__(self, limit: int):
        super().__init__(f"response larger than {limit // (1024 * 1024)} MB")
        self.limit = limit


@dataclass
class SSEEvent:
    event: str
    data: str


_RETRYABLE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError,
              http.client.CannotSendRequest, http.client.BadStatusLine)


class _Conn(http.client.HTTPConnection):
    # http.client writes the header block and the body in two send() calls; with Nagle off
    # that is two segments and the tool's server wakes twice. `coalesce` holds the header block
    # back and sends it with the body in one write (set per request, only for a non-empty body).
    coalesce = False
    _held: bytes | None = None

    def send(self, data) -> None:  # type: ignore[override]
        if self.coalesce and isinstance(data, bytes):
            if self._held is None:
                self._held = data
                return
            data, self._held = self._held + data, None
            self.coalesce = False
        super().send(data)

    def connect(self) -> None:
        super().connect()
        try:  # one request = one small write each way; Nagle would add 40 ms stalls
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:  # a latency tweak only; the request works without it
            pass


class ToolClient:
    """Calls to http://127.0.0.1:<port>. Each call borrows an idle keep-alive connection (or
    opens one) and returns it afterwards, so concurrent calls never share a socket."""

    def __init__(self, port: int, host: str = "127.0.0.1", token: str | None = None):
        self.port = port
        self.host = host
        self.token = token
        self._idle: list[_Conn] = []
        self._lock = threading.Lock()
        self._closed = False

    def _take(self, timeout: float | None) -> tuple[_Conn, bool]:
        with self._lock:
            conn = self._idle.pop() if self._idle else None
        if conn is None:
            return _Conn(self.host, self.port, timeout=timeout), False
        conn.timeout = timeout
        if conn.sock is not None:
            conn.sock.settimeout(timeout)
        return conn, True

    def _give(self, conn: _Conn) -> None:
        with self._lock:
            if not self._closed and len(self._idle) < 8:
                self._idle.append(conn)
                return
        conn.close()

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
                timeout: float | None = 5.0, max_bytes: int = MAX_RESPONSE_BYTES) -> tuple[int, bytes]:
        hdrs = {"Connection": "keep-alive"}
        if method == "POST":
            hdrs["Content-Type"] = "application/json"
        if headers:
            hdrs.update(headers)
        if self.token:
            hdrs[TOKEN_HEADER] = self.token
        for attempt in (0, 1):
            conn, reused = self._take(timeout)
            conn._held = None
            conn.coalesce = bool(body) and isinstance(body, bytes) and len(body) <= 256 * 1024
            try:
                conn.request(method, path, body=body, headers=hdrs)
                if conn._held is not None:  # defensive: never leave a held header block unsent
                    held, conn._held, conn.coalesce = conn._held, None, False
                    http.client.HTTPConnection.send(conn, held)
                resp = conn.getresponse()
                length = resp.getheader("Content-Length")
                if length is not None and length.isdigit() and int(length) > max_bytes:
                    conn.close()
                    raise ResponseTooLarge(max_bytes)
                data = resp.read(max_bytes + 1)
                if len(data) > max_bytes:
                    conn.close()
                    raise ResponseTooLarge(max_bytes)
                if resp.will_close:
                    conn.close()
                else:
                    self._give(conn)
                return resp.status, data
            except _RETRYABLE:
                conn.close()
                # A reused keep-alive socket the server had already closed: retry once on a
                # fresh connection (the request never reached the tool).
                if reused and attempt == 0:
                    continue
                raise
            except BaseException:
                conn.close()
                raise
        raise ConnectionError("unreachable")  # pragma: no cover

    def get(self, path: str, timeout: float = 5.0) -> tuple[int, bytes]:
        return self.request("GET", path, timeout=timeout)

    def post_json(self, path: str, body: dict, headers: dict | None = None, timeout: float = 65.0,
                  max_bytes: int = MAX_RESPONSE_BYTES) -> tuple[int, bytes]:
        data = json.dumps(body, ensure_ascii=False, default=str).encode("utf-8")
        hdrs = {"Content-Type": "application/json"}
        if headers:
            hdrs.update(headers)
        return self.request("POST", path, body=data, headers=hdrs, timeout=timeout, max_bytes=max_bytes)

    def stream(self, path: str, timeout: float | None = None) -> "SSEStream":
        """Open an SSE stream on its own connection; iterate for SSEEvent, `close()` from any
        thread to stop. Raises http.client.HTTPException / OSError on connect failure and
        StreamHTTPError for a non-200 answer."""
        return SSEStream(self.host, self.port, path, timeout, token=self.token)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()


class StreamHTTPError(Exception):
    def __init__(self, status: int, body: bytes):
        super().__init__(f"stream answered HTTP {status}")
        self.status = status
        self.body = body


class SSEStream:
    """An open text/event-stream response, parsed per the SSE spec (event/data fields,
    multi-line data joined with \\n, comments ignored)."""

    def __init__(self, host: str, port: int, path: str, timeout: float | None, token: str | None = None):
        self._conn = _Conn(host, port, timeout=timeout if timeout is not None else 10.0)
        headers = {"Accept": "text/event-stream"}
        if token:
            headers[TOKEN_HEADER] = token
        self._conn.request("GET", path, headers=headers)
        self._resp = self._conn.getresponse()
        if self._resp.status != 200:
            body = self._resp.read(2000)
            self._conn.close()
            raise StreamHTTPError(self._resp.status, body)
        if self._conn.sock is not None:
            self._conn.sock.settimeout(timeout)  # None = wait as long as the run takes
        self._closed = False

    max_event_bytes = MAX_EVENT_BYTES

    def _readline(self, budget: int) -> bytes:
        """One line, read in bounded pieces; StreamTooLarge once it would exceed `budget`."""
        parts: list[bytes] = []
        size = 0
        while True:
            piece = self._resp.readline(min(1 << 20, budget - size + 1))
            parts.append(piece)
            size += len(piece)
            if size > budget:
                raise StreamTooLarge(self.max_event_bytes)
            if not piece or piece.endswith(b"\n"):
                return b"".join(parts) if len(parts) > 1 else piece

    def __iter__(self) -> Iterator[SSEEvent]:
        event, data = "", []
        pending = 0  # bytes of the event being assembled
        try:
            while not self._closed:
                raw = self._readline(self.max_event_bytes - pending)
                if not raw:
                    break
                pending += len(raw)
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                if line == "":
                    if data or event:
                        yield SSEEvent(event or "message", "\n".join(data))
                    event, data = "", []
                    pending = 0
                    continue
                if line.startswith(":"):
                    continue
                name, _, value = line.partition(":")
                if value.startswith(" "):
                    value = value[1:]
                if name == "event":
                    event = value
                elif name == "data":
                    data.append(value)
            if data and not self._closed:
                yield SSEEvent(event or "message", "\n".join(data))
        except (OSError, ValueError, http.client.HTTPException):
            if not self._closed:
                raise
        finally:
            self.close()

    def close(self) -> None:
        self._closed = True
        sock = self._conn.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:  # already disconnected: nothing to shut down
                pass
        self._conn.close()
