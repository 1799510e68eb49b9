"""One Pixie Desktop per user and data dir. The first instance listens on a QLocalServer; a later
launch (double-click again, `pixie-desktop some/file`) connects, hands over its arguments as one
JSON line and exits, and the first instance raises its window and acts on them.

The server name is per user and per data dir (a test or a second checkout with its own
PIXIE_ROOT gets its own instance). On Linux it is a socket path in $XDG_RUNTIME_DIR when set.
A socket file left behind by a crash is detected (nobody answers) and replaced.

    instance = SingleInstance.for_settings(settings)
    if instance.send(args):          # another instance took them
        return 0
    instance.start(lambda msg: window.handle_args(msg["args"]))
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QAbstractSocket, QLocalServer, QLocalSocket
from PySide6.QtWidgets import QWidget

from pixie_desktop import APP_ID

MAX_MESSAGE_BYTES = 1 << 20


def server_name(data_dir: Path | str, app_id: str = APP_ID) -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        user = str(os.getuid()) if hasattr(os, "getuid") else "user"
    digest = hashlib.sha1(f"{user}\0{Path(data_dir).resolve()}".encode()).hexdigest()[:12]
    name = f"{app_id}-{user}-{digest}"
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if sys.platform.startswith("linux") and runtime and os.path.isdir(runtime):
        return os.path.join(runtime, name + ".sock")
    return name


def encode_message(args: list[str], cwd: str | None = None) -> bytes:
    """Paths that exist relative to the sender's cwd are made absolute: the receiver has another cwd."""
    cwd = cwd or os.getcwd()
    out = []
    for a in args:
        candidate = Path(cwd, a)
        out.append(str(candidate.resolve()) if not a.startswith("-") and candidate.exists() else a)
    return (json.dumps({"args": out, "cwd": cwd}) + "\n").encode("utf-8")


def activate_window(window: QWidget) -> None:
    """Bring a (possibly minimised or hidden) window to the front."""
    if window.isMinimized():
        window.showNormal()
    window.show()
    window.raise_()
    window.activateWindow()


class SingleInstance(QObject):
    """`send(args) -> bool` (True: another instance has them) and `start(on_message) -> bool`."""

    messageReceived = Signal(dict)

    def __init__(self, name: str, parent: QObject | None = None):
        super().__init__(parent)
        self.name = name
        self.server: QLocalServer | None = None
        self._buffers: dict[QLocalSocket, bytes] = {}

    @classmethod
    def for_settings(cls, settings: Any, parent: QObject | None = None) -> "SingleInstance":
        return cls(server_name(settings.root), parent)

    # -- second instance -------------------------------------------------------------------
    def send(self, args: list[str], timeout_ms: int = 1500) -> bool:
        """Deliver `args` to a running instance. False if none answers (we should become it)."""
        sock = QLocalSocket()
        sock.connectToServer(self.name)
        if not sock.waitForConnected(timeout_ms):
            return False
        sock.write(encode_message(args))
        ok = sock.waitForBytesWritten(timeout_ms)
        # Wait for the one-byte ack so the sender does not exit before the message is read.
        ok = ok and sock.waitForReadyRead(timeout_ms) and bytes(sock.readAll().data()).startswith(b"ok")
        sock.disconnectFromServer()
        if sock.state() != QLocalSocket.LocalSocketState.UnconnectedState:
            sock.waitForDisconnected(500)
        return bool(ok)

    # -- first instance --------------------------------------------------------------------
    def start(self, on_message: Callable[[dict], None] | None = None) -> bool:
        """Listen for later launches. Recovers a stale socket left by a crashed instance. Returns
        False only when another live instance owns the name (call `send` first to avoid that)."""
        if on_message is not None:
            self.messageReceived.connect(on_message)
        # Ask first: with socket options set, Qt binds in a temp dir and renames over the path,
        # so listen() alone would silently steal the name from a live instance.
        if self._someone_answers():
            return False
        # Nobody answers: any socket file left is stale (the last instance crashed).
        QLocalServer.removeServer(self.name)
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.name):
            if server.serverError() != QAbstractSocket.SocketError.AddressInUseError or self._someone_answers():
                return False
            QLocalServer.removeServer(self.name)
            if not server.listen(self.name):
                return False
        server.newConnection.connect(self._on_new_connection)
        self.server = server
        return True

    def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server.deleteLater()
            self.server = None
        for sock in list(self._buffers):
            sock.abort()
        self._buffers.clear()

    def _someone_answers(self) -> bool:
        probe = QLocalSocket()
        probe.connectToServer(self.name)
        alive = probe.waitForConnected(300)
        probe.abort()
        return alive

    def _on_new_connection(self) -> None:
        assert self.server is not None
        while self.server.hasPendingConnections():
            sock = self.server.nextPendingConnection()
            self._buffers[sock] = b""
            sock.readyRead.connect(lambda s=sock: self._on_ready(s))
            sock.disconnected.connect(lambda s=sock: self._drop(s))

    def _drop(self, sock: QLocalSocket) -> None:
        self._buffers.pop(sock, None)
        sock.deleteLater()

    def _on_ready(self, sock: QLocalSocket) -> None:
        if sock not in self._buffers:
            return
        buf = self._buffers[sock] + bytes(sock.readAll().data())
        if len(buf) > MAX_MESSAGE_BYTES:
            sock.abort()
            return
        if b"\n" not in buf:
            self._buffers[sock] = buf
            return
        line, _, rest = buf.partition(b"\n")
        self._buffers[sock] = rest
        try:
            msg = json.loads(line.decode("utf-8"))
            if not isinstance(msg, dict) or not isinstance(msg.get("args"), list):
                raise ValueError("bad message")
            msg["args"] = [str(a) for a in msg["args"]]
        except (ValueError, UnicodeDecodeError):
            sock.write(b"error\n")
            sock.flush()
            return
        sock.write(b"ok\n")
        sock.flush()
        self.messageReceived.emit(msg)
