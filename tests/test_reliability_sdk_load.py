"""Issue 11, medium 8: the SDK server takes at least 128 pending connections (a deep listen
backlog) and 50 concurrent streaming runs without resets. Fixture: tests/fixtures/tools/sdk-probe."""

from __future__ import annotations

import os
import signal
import socket
import threading

import pytest

from pixie_desktop.runtime.launcher import spawn


@pytest.fixture
def probe(ctx, install):
    install("sdk-probe")
    proc = spawn(ctx.find_tool("sdk-probe"), ctx.settings)
    yield proc
    os.kill(proc.pid, signal.SIGCONT)
    proc.stop(grace=2)


def _accept_queue(port: int) -> int:
    """Current accept-queue length of the listening socket on `port` (Linux /proc/net/tcp)."""
    for line in open("/proc/net/tcp").read().splitlines()[1:]:
        f = line.split()
        if int(f[1].split(":")[1], 16) == port and f[3] == "0A":  # LISTEN
            return int(f[4].split(":")[1], 16)
    return -1


@pytest.mark.skipif(not os.path.exists("/proc/net/tcp"), reason="reads the accept queue from /proc")
def test_128_pending_connections_are_queued_not_refused(probe):
    # Freeze the server so nothing is accepted: every connection must wait in the backlog.
    os.kill(probe.pid, signal.SIGSTOP)
    socks: list[socket.socket] = []
    try:
        for _ in range(128):
            s = socket.create_connection(("127.0.0.1", probe.port), timeout=3)
            s.sendall(f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{probe.port}\r\n"
                      f"X-Pixie-Token: {getattr(probe, 'token', '')}\r\nConnection: close\r\n\r\n".encode())
            socks.append(s)
        # every one is fully established and waiting in the accept queue (not half-open in the
        # SYN queue, where an overflow is dropped or, with tcp_abort_on_overflow, reset)
        assert _accept_queue(probe.port) >= 128
        os.kill(probe.pid, signal.SIGCONT)
        answers = []
        for s in socks:
            s.settimeout(30)
            answers.append(s.recv(64))
        assert all(a.startswith(b"HTTP/1.1 200") for a in answers)
    finally:
        os.kill(probe.pid, signal.SIGCONT)
        for s in socks:
            s.close()


def test_50_concurrent_streaming_runs_complete_without_resets(ctx, install, runner):
    install("sdk-probe")
    tool = ctx.find_tool("sdk-probe")
    n, chunks = 50, 10
    results: list = [None] * n
    streamed = [0] * n

    def one(i: int) -> None:
        def on_event(ev, i=i):
            if ev.kind == "stream":
                streamed[i] += 1
        results[i] = runner.run(tool, {"mode": "stream", "chunks": chunks, "delay": 0.05}, on_event=on_event)

    assert runner.run(tool, {"mode": "stream", "chunks": 1}).status == "ok"  # warm it first
    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    bad = [(r.status, r.error) for r in results if r is None or r.status != "ok"]
    assert not bad, bad[:3]
    assert all(r.outputs["answer"] == "".join(f"c{k} " for k in range(chunks)) for r in results)
    assert all(s > 0 for s in streamed)
    assert runner.pool.spawn_count == 1
