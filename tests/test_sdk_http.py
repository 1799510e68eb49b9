"""The stdlib SDK's own HTTP/1.1 server (pixie_desktop/sdk.py, written on `socket` so a tool's
cold start does not import http.server): defensive request parsing (malformed request lines,
oversize heads, framing), keep-alive and pipelining, slow-client deadlines, and the access rules
of issue 11 applied on top of it. The server runs in-process on a thread; no subprocess."""

from __future__ import annotations

import http.client
import json
import socket
import threading

import pytest

from pixie_desktop import sdk

TOKEN = "t" * 43


@pytest.fixture
def server(tmp_path, monkeypatch):
    monkeypatch.setenv("PIXIE_ARTEFACTS_ROOT", str(tmp_path / "artefacts"))
    (tmp_path / "tool.json").write_text(json.dumps({"id": "httptest", "inputs": [], "outputs": []}))
    tool = sdk.Tool(tmp_path / "main.py")
    started = threading.Event()
    release = threading.Event()

    @tool.handler
    def run(inputs, ctx):
        if inputs.get("mode") == "block":
            started.set()
            release.wait(20)
            return {"cancelled": ctx.cancelled}
        return {"echo": inputs.get("x")}

    @tool.autocomplete("cities")
    def cities(q):
        return [{"value": q, "label": q.upper()}]

    srv = sdk._HTTPServer(tool, 0, TOKEN)
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    srv.started, srv.release = started, release
    yield srv
    release.set()
    srv.shutdown()
    thread.join(10)
    srv.server_close()


def _connect(srv) -> socket.socket:
    return socket.create_connection(("127.0.0.1", srv.port), timeout=10)


def _head(srv, extra: str = "") -> str:
    return f"Host: 127.0.0.1:{srv.port}\r\nX-Pixie-Token: {TOKEN}\r\n{extra}"


class _Reader:
    """Reads HTTP/1.1 responses (Content-Length framed) one after another off a socket."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.buf = b""

    def _more(self) -> bool:
        data = self.sock.recv(65536)
        self.buf += data
        return bool(data)

    def response(self) -> tuple[int, dict[str, str], bytes]:
        while b"\r\n\r\n" not in self.buf:
            assert self._more(), f"connection closed before a response: {self.buf!r}"
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:])}
        if status == 100:
            return status, headers, b""
        length = int(headers["content-length"])
        while len(self.buf) < length:
            assert self._more(), "connection closed inside a response body"
        body, self.buf = self.buf[:length], self.buf[length:]
        return status, headers, body

    def closed(self) -> bool:
        """True when the server closed the connection (EOF after everything read)."""
        return not self.buf and not self._more()


def _one(srv, raw: bytes) -> tuple[int, dict[str, str], bytes, bool]:
    with _connect(srv) as s:
        s.sendall(raw)
        r = _Reader(s)
        status, headers, body = r.response()
        # only a response that announces the close is checked for it (a kept connection stays open)
        return status, headers, body, headers.get("connection") == "close" and r.closed()


# -- malformed requests --------------------------------------------------------------------------
@pytest.mark.parametrize("line", [
    b"GARBAGE", b"GET /healthz", b"GET  /healthz HTTP/1.1", b"get /healthz HTTP/1.1",
    b"GET http://evil.example/healthz HTTP/1.1", b"GET /hea\x01lthz HTTP/1.1", b"G\xc3T /healthz HTTP/1.1",
    b"GET /healthz HTTP/1.1 extra",
])
def test_a_malformed_request_line_is_answered_400_and_closed(server, line):
    status, headers, body, closed = _one(server, line + b"\r\n" + _head(server).encode() + b"\r\n")
    assert status == 400
    assert headers.get("connection") == "close" and closed
    assert "detail" in json.loads(body)


def test_an_unknown_http_version_is_answered_505(server):
    status, _, _, closed = _one(server, b"GET /healthz HTTP/2.0\r\n" + _head(server).encode() + b"\r\n")
    assert status == 505 and closed


@pytest.mark.parametrize("bad", ["Host : x\r\n", " folded\r\n", "No-Colon\r\n", "Bad\x00Name: x\r\n",
                                 "Host: 127.0.0.1:1\r\n"])
def test_malformed_or_duplicate_header_lines_are_refused(server, bad):
    raw = f"GET /healthz HTTP/1.1\r\n{_head(server)}{bad}\r\n".encode()
    assert _one(server, raw)[0] == 400


def test_oversize_heads_are_refused(server):
    long_line = b"GET /" + b"a" * (sdk.MAX_REQUEST_LINE + 10) + b" HTTP/1.1\r\n"
    assert _one(server, long_line + _head(server).encode() + b"\r\n")[0] == 414
    big = f"GET /healthz HTTP/1.1\r\n{_head(server)}X-Big: {'b' * (sdk.MAX_HEADER_BYTES + 1)}\r\n\r\n"
    status, _, _, closed = _one(server, big.encode())
    assert status == 431 and closed
    many = "".join(f"X-H{i}: v\r\n" for i in range(sdk.MAX_HEADERS + 1))
    assert _one(server, f"GET /healthz HTTP/1.1\r\n{_head(server)}{many}\r\n".encode())[0] == 431
    # just under the limits is fine
    ok = "".join(f"X-H{i}: v\r\n" for i in range(sdk.MAX_HEADERS - 2))
    assert _one(server, f"GET /healthz HTTP/1.1\r\n{_head(server)}{ok}\r\n".encode())[0] == 200


# -- framing -------------------------------------------------------------------------------------
def test_post_without_content_length_has_an_empty_body_and_keeps_the_connection(server):
    with _connect(server) as s:
        r = _Reader(s)
        s.sendall(f"POST /cancel?run_id=r1 HTTP/1.1\r\n{_head(server)}Content-Type: application/json\r\n\r\n"
                  .encode())
        status, headers, body = r.response()
        assert status == 200 and json.loads(body) == {"cancelled": True}
        assert "connection" not in headers
        s.sendall(f"GET /healthz HTTP/1.1\r\n{_head(server)}\r\n".encode())
        assert r.response()[0] == 200


@pytest.mark.parametrize("framing, expected", [
    ("Transfer-Encoding: chunked\r\n", 411),
    ("Transfer-Encoding: chunked\r\nContent-Length: 4\r\n", 400),
    ("Content-Length: 4\r\nContent-Length: 5\r\n", 400),
    ("Content-Length: -4\r\n", 400),
    ("Content-Length: 4x\r\n", 400),
    (f"Content-Length: {sdk.MAX_BODY_BYTES + 1}\r\n", 413),
])
def test_bad_body_framing_is_refused_and_the_connection_closed(server, framing, expected):
    raw = (f"POST /run HTTP/1.1\r\n{_head(server)}Content-Type: application/json\r\n{framing}\r\n{{}}\r\n"
           .encode())
    status, _, _, closed = _one(server, raw)
    assert status == expected and closed


def test_expect_100_continue_is_honoured(server):
    body = json.dumps({"inputs": {"x": 7}}).encode()
    with _connect(server) as s:
        r = _Reader(s)
        s.sendall(f"POST /run HTTP/1.1\r\n{_head(server)}Content-Type: application/json\r\n"
                  f"Content-Length: {len(body)}\r\nExpect: 100-continue\r\n\r\n".encode())
        assert r.response()[0] == 100
        s.sendall(body)
        status, _, answer = r.response()
        assert status == 200 and json.loads(answer) == {"echo": 7}


def test_a_body_arriving_in_pieces_is_read_whole(server):
    body = json.dumps({"inputs": {"x": "y" * 5000}}).encode()
    with _connect(server) as s:
        r = _Reader(s)
        s.sendall(f"POST /run HTTP/1.1\r\n{_head(server)}Content-Type: application/json\r\n"
                  f"Content-Length: {len(body)}\r\n\r\n".encode())
        for i in range(0, len(body), 700):
            s.sendall(body[i:i + 700])
        status, _, answer = r.response()
        assert status == 200 and json.loads(answer)["echo"] == "y" * 5000


# -- keep-alive and pipelining -------------------------------------------------------------------
def test_pipelined_requests_are_answered_in_order_on_one_connection(server):
    body = json.dumps({"inputs": {"x": 1}}).encode()
    raw = (f"GET /healthz HTTP/1.1\r\n{_head(server)}\r\n"
           f"POST /run HTTP/1.1\r\n{_head(server)}Content-Type: application/json\r\n"
           f"Content-Length: {len(body)}\r\n\r\n").encode() + body + (
           f"\r\nGET /autocomplete/cities?q=par%C3%ADs HTTP/1.1\r\n{_head(server)}\r\n"
           f"GET /schema HTTP/1.1\r\n{_head(server)}Connection: close\r\n\r\n").encode()
    with _connect(server) as s:
        s.sendall(raw)
        r = _Reader(s)
        answers = [r.response() for _ in range(4)]
        assert [a[0] for a in answers] == [200, 200, 200, 200]
        assert json.loads(answers[0][2]) == {"ok": True}
        assert json.loads(answers[1][2]) == {"echo": 1}
        assert json.loads(answers[2][2]) == [{"value": "parís", "label": "PARÍS"}]
        assert json.loads(answers[3][2])["id"] == "httptest"
        assert answers[3][1].get("connection") == "close" and r.closed()


def test_http_client_reuses_one_keep_alive_connection(server):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        socks = []
        for i in range(3):
            conn.request("POST", "/run", body=json.dumps({"inputs": {"x": i}}),
                         headers={"X-Pixie-Token": TOKEN, "Content-Type": "application/json",
                                  "Connection": "keep-alive"})
            resp = conn.getresponse()
            assert resp.status == 200 and json.loads(resp.read()) == {"echo": i}
            assert not resp.will_close
            socks.append(conn.sock)
        assert socks[0] is not None and all(s is socks[0] for s in socks)
    finally:
        conn.close()


def test_http_1_0_closes_unless_asked_to_keep_alive(server):
    status, headers, _, closed = _one(server, f"GET /healthz HTTP/1.0\r\n{_head(server)}\r\n".encode())
    assert status == 200 and headers.get("connection") == "close" and closed
    with _connect(server) as s:
        r = _Reader(s)
        s.sendall(f"GET /healthz HTTP/1.0\r\n{_head(server)}Connection: keep-alive\r\n\r\n".encode())
        status, headers, _ = r.response()
        assert status == 200 and headers.get("connection") == "keep-alive"
        s.sendall(f"GET /healthz HTTP/1.0\r\n{_head(server)}\r\n".encode())
        assert r.response()[0] == 200 and r.closed()


def test_healthz_and_cancel_answer_while_a_run_is_in_flight(server):
    result: dict = {}

    def run() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=20)
        conn.request("POST", "/run", body=json.dumps({"run_id": "busy-1", "inputs": {"mode": "block"}}),
                     headers={"X-Pixie-Token": TOKEN, "Content-Type": "application/json"})
        resp = conn.getresponse()
        result["status"], result["body"] = resp.status, json.loads(resp.read())
        conn.close()

    t = threading.Thread(target=run)
    t.start()
    assert server.started.wait(10)
    assert _one(server, f"GET /healthz HTTP/1.1\r\n{_head(server)}\r\n".encode())[0] == 200
    raw = f"POST /cancel?run_id=busy-1 HTTP/1.1\r\n{_head(server)}Content-Type: application/json\r\n" \
          f"Content-Length: 0\r\n\r\n".encode()
    assert json.loads(_one(server, raw)[2]) == {"cancelled": True}
    server.release.set()
    t.join(20)
    assert result == {"status": 200, "body": {"cancelled": True}}


# -- slow clients ----------------------------------------------------------------------------------
def test_a_request_head_that_trickles_in_is_answered_408(server, monkeypatch):
    monkeypatch.setattr(sdk, "HEAD_TIMEOUT", 0.3)
    with _connect(server) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1")  # ... and never the rest
        r = _Reader(s)
        status, headers, _ = r.response()
        assert status == 408 and headers.get("connection") == "close" and r.closed()


def test_idle_connections_are_closed(server, monkeypatch):
    monkeypatch.setattr(sdk, "HEAD_TIMEOUT", 0.3)
    monkeypatch.setattr(sdk, "IDLE_TIMEOUT", 0.3)
    with _connect(server) as s:  # a connection that never sends anything
        assert s.recv(10) == b""
    with _connect(server) as s:  # and one that goes quiet after a request
        r = _Reader(s)
        s.sendall(f"GET /healthz HTTP/1.1\r\n{_head(server)}\r\n".encode())
        assert r.response()[0] == 200
        assert r.closed()


# -- access rules on the raw parser ----------------------------------------------------------------
def test_access_rules_hold_on_the_raw_server(server, tmp_path):
    no_token = f"GET /schema HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n\r\n".encode()
    status, headers, _, closed = _one(server, no_token)
    assert status == 401 and closed
    upper = f"GET /healthz HTTP/1.1\r\nHOST: LOCALHOST:{server.port}\r\nx-pixie-token: {TOKEN}\r\n\r\n"
    assert _one(server, upper.encode())[0] == 200  # header names and host are case-insensitive
    two_hosts = f"GET /healthz HTTP/1.1\r\n{_head(server)}Host: 127.0.0.1:{server.port}\r\n\r\n"
    assert _one(server, two_hosts.encode())[0] == 400
    evil = tmp_path / "evil"
    body = json.dumps({"run_id": "r1", "_pixie": {"artefacts_dir": str(evil)}}).encode()
    plain = (f"POST /run HTTP/1.1\r\n{_head(server)}Content-Type: text/plain\r\n"
             f"Content-Length: {len(body)}\r\n\r\n").encode() + body
    assert _one(server, plain)[0] == 415
    origin = (f"POST /run HTTP/1.1\r\n{_head(server)}Origin: null\r\nContent-Type: application/json\r\n"
              f"Content-Length: {len(body)}\r\n\r\n").encode() + body
    assert _one(server, origin)[0] == 403
    assert not evil.exists()
    assert server.server_address[0] == "127.0.0.1"


def test_query_and_path_decoding():
    assert sdk._parse_query("q=a%20b+c&q=second&empty=&flag&x=%E2%82%AC") == {"q": "a b c", "x": "€"}
    assert sdk._unquote("/autocomplete/ci%74ies") == "/autocomplete/cities"
    assert sdk._unquote("100%zz%") == "100%zz%"
    assert sdk._unquote("%ff") == "\ufffd"
