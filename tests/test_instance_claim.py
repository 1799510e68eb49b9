"""The single-instance step the app takes before Qt starts (integration/instance.py `claim`): a
second launch hands its arguments over (or becomes the instance), launches started together never
both listen, a stale socket is recovered, and the app's QLocalServer adopts the bound socket
later with the launches that connected meanwhile still answered."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from pixie_desktop.integration.instance import claim, server_name

posix_only = pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="unix sockets")

# A launch in its own process: claim; the one that got the socket answers `expect` launches
# with "ok" (as the app does once it adopts the socket) and prints "listener"; the others print
# "handed" or "alone".
LAUNCH = """
import json, sys
from pixie_desktop.integration.instance import claim
name, expect = sys.argv[1], int(sys.argv[2])
c = claim(name, [sys.argv[3]], timeout_s=20)
if c.listener is None:
    print("handed" if c.handed_over else "alone", flush=True)
    sys.exit(0)
print("listener", flush=True)
got = []
for _ in range(expect):
    conn, _addr = c.listener.accept()
    data = b""
    while not data.endswith(b"\\n"):
        data += conn.recv(4096)
    got.append(json.loads(data)["args"][0])
    conn.sendall(b"ok\\n")
    conn.close()
print("got", " ".join(sorted(got)), flush=True)
c.release()
"""


def _serve_once(listener: socket.socket, got: list[dict], answer: bytes = b"ok\n") -> threading.Thread:
    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            data = b""
            while not data.endswith(b"\n"):
                data += conn.recv(4096)
            got.append(json.loads(data))
            conn.sendall(answer)

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    return t


@posix_only
def test_first_claim_listens_and_a_second_hands_over(isolated_env, tmp_path):
    name = server_name(isolated_env["root"])
    first = claim(name, [])
    assert first is not None and first.listener is not None and not first.handed_over
    assert Path(name).exists() and (os.stat(name).st_mode & 0o077) == 0
    got: list[dict] = []
    server = _serve_once(first.listener, got)
    (tmp_path / "photo.png").write_bytes(b"x")
    second = claim(name, ["photo.png", "--tool", "csv"], cwd=str(tmp_path))
    server.join(5)
    first.release()
    assert second.handed_over and second.listener is None
    assert got[0]["args"] == [str(tmp_path / "photo.png"), "--tool", "csv"] and got[0]["cwd"] == str(tmp_path)
    assert not Path(name).exists()  # release removes the socket it bound


@posix_only
def test_an_instance_that_does_not_answer_leaves_the_launch_alone(isolated_env):
    name = server_name(isolated_env["root"])
    first = claim(name, [])
    got: list[dict] = []
    server = _serve_once(first.listener, got, answer=b"error\n")
    second = claim(name, ["x"], timeout_s=2)
    server.join(5)
    try:
        assert not second.handed_over and second.listener is None  # runs on its own, never steals the name
        assert Path(name).exists()
    finally:
        first.release()


@posix_only
def test_a_stale_socket_file_is_replaced(isolated_env):
    name = server_name(isolated_env["root"])
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(name)  # a crashed instance's file: bound once, nobody listening now
    s.close()
    c = claim(name, [], timeout_s=0.5)
    try:
        assert c.listener is not None
    finally:
        c.release()


@posix_only
def test_launches_started_together_make_exactly_one_instance(isolated_env):
    """Without the lock two launches could both see no instance and both bind (the later unlinking
    the earlier's socket): here every launch but one must hand over to the one that listens."""
    name = server_name(isolated_env["root"])
    n = 5
    procs = [subprocess.Popen([sys.executable, "-c", LAUNCH, name, str(n - 1), f"arg{i}"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(n)]
    outs = []
    try:
        for p in procs:
            out, err = p.communicate(timeout=120)
            assert p.returncode == 0, err
            outs.append(out.split("\n", 1))
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.communicate()
    firsts = sorted(o[0] for o in outs)
    assert firsts == ["handed"] * (n - 1) + ["listener"]
    listener_rest = next(o[1] for o in outs if o[0] == "listener")
    expected = sorted(f"arg{i}" for i, o in enumerate(outs) if o[0] == "handed")
    assert listener_rest.split() == ["got", *expected]


@posix_only
def test_the_app_server_adopts_the_socket_and_answers_launches_already_waiting(qtbot, isolated_env, tmp_path):
    pytest.importorskip("PySide6.QtNetwork")
    from pixie_desktop.ui.single_instance import SingleInstance

    name = server_name(isolated_env["root"])
    first = claim(name, [])
    result: dict[str, bool] = {}
    early = threading.Thread(target=lambda: result.setdefault("handed", claim(name, ["early"], timeout_s=20).handed_over))
    early.start()  # connects now, before any QLocalServer exists: waits in the backlog
    server = SingleInstance(name)
    got: list[dict] = []
    assert server.start(got.append, listener=first.take_listener())
    try:
        qtbot.waitUntil(lambda: "handed" in result, timeout=20_000)
        assert result["handed"] and got[0]["args"] == ["early"]
        late = claim(name, ["late"])  # and later launches are served as usual
        assert late is not None and late.listener is None
    finally:
        early.join(5)
        server.stop()
    first.release()  # a no-op: the server took the socket
    assert not Path(name).exists()  # the server removed it when it stopped


@posix_only
def test_two_real_launches_leave_one_window(isolated_env, tmp_path):
    """`python -m pixie_desktop` twice in a row (offscreen): one paints its window, the other hands
    over (no arguments: the window comes to the front) and exits 0 without a window, whichever claimed the socket first."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PIXIE_FIRST_PAINT_PROBE="2")
    env.pop("PIXIE_NO_HANDOVER", None)
    a = subprocess.Popen([sys.executable, "-m", "pixie_desktop"], env=env, cwd=tmp_path,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    b = subprocess.Popen([sys.executable, "-m", "pixie_desktop"], env=env, cwd=tmp_path,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    results = []
    try:
        for p in (a, b):
            out, err = p.communicate(timeout=120)
            results.append((p.returncode, "PIXIE_FIRST_PAINT" in out, err))
    finally:
        for p in (a, b):
            if p.poll() is None:
                p.kill()
                p.communicate()
    assert [r[0] for r in results] == [0, 0], [r[2][-2000:] for r in results]
    assert sorted(r[1] for r in results) == [False, True]  # exactly one window
