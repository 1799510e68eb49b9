"""Issue 11, low: the single-instance socket never lands in a shared folder when
XDG_RUNTIME_DIR is unset (a per-user 0700 folder instead), and a connection from another user
is dropped (SO_PEERCRED on Linux)."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

pytest.importorskip("PySide6.QtNetwork")

from pixie_desktop.ui import single_instance as si  # noqa: E402

posix_only = pytest.mark.skipif(os.name != "posix", reason="unix sockets")


@posix_only
def test_socket_goes_to_a_private_per_user_folder_without_xdg_runtime_dir(tmp_path, monkeypatch):
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    name = si.server_name(tmp_path / "data")
    folder = Path(name).parent
    assert folder.parent == tmp_path and folder.name == f"pixie-desktop-{os.getuid()}"
    st = folder.lstat()
    assert stat.S_ISDIR(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o700 and st.st_uid == os.getuid()


@posix_only
def test_a_squatted_or_linked_folder_is_not_used(tmp_path, monkeypatch):
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o777)
    (tmp_path / f"pixie-desktop-{os.getuid()}").symlink_to(elsewhere, target_is_directory=True)
    folder = Path(si.server_name(tmp_path / "data")).parent
    assert folder.name == f"pixie-desktop-{os.getuid()}-2" and not folder.is_symlink()
    # an XDG_RUNTIME_DIR others can enter is not trusted either
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(elsewhere))
    os.chmod(elsewhere, 0o777)
    assert not si.server_name(tmp_path / "data").startswith(str(elsewhere))


@pytest.mark.skipif(not hasattr(socket, "SO_PEERCRED"), reason="SO_PEERCRED is Linux")
def test_peer_uid_reads_the_other_end():
    a, b = socket.socketpair(socket.AF_UNIX)
    try:
        assert si.peer_uid(a.fileno()) == os.getuid()
        assert a.fileno() >= 0  # the descriptor itself is still open
    finally:
        a.close()
        b.close()


SENDER = (
    "import sys\n"
    "from PySide6.QtWidgets import QApplication\n"
    "app = QApplication(sys.argv[:1])\n"
    "from pixie_desktop.ui.single_instance import SingleInstance\n"
    "sys.exit(0 if SingleInstance(sys.argv[1]).send(sys.argv[2:]) else 3)\n"
)


@pytest.mark.skipif(not hasattr(socket, "SO_PEERCRED"), reason="SO_PEERCRED is Linux")
def test_connection_from_another_user_is_dropped(qtbot, isolated_env, monkeypatch, tmp_path):
    name = si.server_name(isolated_env["root"])
    first = si.SingleInstance(name)
    got: list[dict] = []
    assert first.start(got.append)
    monkeypatch.setattr(si, "peer_uid", lambda fd: os.getuid() + 1)  # as seen by this (server) process
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.Popen([sys.executable, "-c", SENDER, name, "--tool", "x"], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        qtbot.waitUntil(lambda: proc.poll() is not None, timeout=20_000)
        proc.communicate()
        assert proc.returncode == 3 and got == []
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        first.stop()
