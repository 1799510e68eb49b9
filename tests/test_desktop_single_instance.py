"""Single instance: a second real process hands its arguments to the first and exits 0; a stale
socket file from a crash is recovered; a live instance is never stolen from."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("PySide6.QtNetwork")

from pixie_desktop.ui.single_instance import SingleInstance, encode_message, server_name  # noqa: E402

SENDER = (
    "import sys\n"
    "from PySide6.QtWidgets import QApplication\n"
    "app = QApplication(sys.argv[:1])\n"
    "from pixie_desktop.ui.single_instance import SingleInstance\n"
    "sys.exit(0 if SingleInstance(sys.argv[1]).send(sys.argv[2:]) else 3)\n"
)


def _launch_second(name: str, args: list[str], cwd: Path) -> subprocess.Popen:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.Popen([sys.executable, "-c", SENDER, name, *args], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _finish(proc: subprocess.Popen, qtbot) -> int:
    qtbot.waitUntil(lambda: proc.poll() is not None, timeout=20_000)
    proc.communicate()
    return proc.returncode


def test_server_name_is_per_data_dir(tmp_path):
    a, b = server_name(tmp_path / "a"), server_name(tmp_path / "b")
    assert a != b and server_name(tmp_path / "a") == a
    assert a.startswith(os.environ["XDG_RUNTIME_DIR"])


def test_encode_message_makes_existing_paths_absolute(tmp_path):
    (tmp_path / "data.csv").write_text("x")
    import json

    msg = json.loads(encode_message(["data.csv", "--flag", "missing.txt"], cwd=str(tmp_path)))
    assert msg["args"] == [str(tmp_path / "data.csv"), "--flag", "missing.txt"]


def test_second_process_hands_over_args(qtbot, tmp_path, isolated_env):
    name = server_name(isolated_env["root"])
    first = SingleInstance(name)
    got: list[dict] = []
    assert first.start(got.append)
    (tmp_path / "photo.png").write_bytes(b"x")
    proc = _launch_second(name, ["photo.png", "--tool", "csv"], tmp_path)
    try:
        qtbot.waitUntil(lambda: bool(got), timeout=20_000)
        assert _finish(proc, qtbot) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        first.stop()
    assert got[0]["args"] == [str(tmp_path / "photo.png"), "--tool", "csv"]
    assert got[0]["cwd"] == str(tmp_path)


def test_send_without_a_server_returns_false(qtbot, isolated_env):
    assert SingleInstance(server_name(isolated_env["root"])).send(["x"], timeout_ms=300) is False


def test_stale_socket_is_recovered(qtbot, tmp_path, isolated_env):
    name = server_name(isolated_env["root"])
    # A crashed instance leaves its socket file behind: bound once, nobody listening now.
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(name)
    s.close()
    assert Path(name).exists()
    first = SingleInstance(name)
    got: list[dict] = []
    assert first.start(got.append), "a stale socket must not stop the app from starting"
    proc = _launch_second(name, ["hello"], tmp_path)
    try:
        qtbot.waitUntil(lambda: bool(got), timeout=20_000)
        assert _finish(proc, qtbot) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        first.stop()
    assert got[0]["args"] == ["hello"]


def test_live_instance_is_not_replaced(qtbot, isolated_env):
    name = server_name(isolated_env["root"])
    first = SingleInstance(name)
    assert first.start()
    second = SingleInstance(name)
    try:
        assert second.start() is False
    finally:
        second.stop()
        first.stop()


def test_garbage_message_is_ignored(qtbot, tmp_path, isolated_env):
    name = server_name(isolated_env["root"])
    first = SingleInstance(name)
    got: list[dict] = []
    assert first.start(got.append)
    code = ("import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); "
            "s.sendall(b'{not json}\\n'); print(s.recv(10).decode().strip())")
    proc = subprocess.Popen([sys.executable, "-c", code, name], stdout=subprocess.PIPE, text=True)
    try:
        qtbot.waitUntil(lambda: proc.poll() is not None, timeout=10_000)
        out, _ = proc.communicate()
    finally:
        first.stop()
    assert out.strip() == "error" and got == []
