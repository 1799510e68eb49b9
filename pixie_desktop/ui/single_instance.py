"""One Pixie Desktop per user and data dir. The first instance listens on a QLocalServer; a later
launch (double-click again, `pixie-desktop some/file`) connects, hands over its arguments as one
JSON line and exits, and the first instance raises its window and acts on them.

The server name is per user and per data dir (a test or a second checkout with its own
PIXIE_ROOT gets its own instance). On POSIX it is a socket path in $XDG_RUNTIME_DIR when that is
private to the user, else in a per-user 0700 folder of the temp dir (`socket_dir`); on Linux both
ends check the other's uid (SO_PEERCRED) and drop a connection from another user. A socket file
left behind by a crash is detected (nobody answers) and replaced.

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
import socket
import stat
import struct
import tempfile
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QAbstractSocket, QLocalServer, QLocalSocket
from PySide6.QtWidgets import QWidget

from pixie_desktop import APP_ID

MAX_MESSAGE_BYTES = 1 << 20


def _private_dir(path: str, *, create: bool) -> bool:
    """True when `path` is a real directory (not a link) owned by this user that no one else can
    enter; `create` makes it 0700 first, and a loose mode on our own folder is tightened."""
    if create:
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:  # ours from an earlier start: its owner and mode are checked next
            pass
        except OSError:
            return False
    try:
        st = os.lstat(path)
        if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid():
            return False
        if st.st_mode & 0o077:
            if not create:
                return False
            os.chmod(path, 0o700)
        return True
    except OSError:
        return False


def socket_dir() -> str | None:
    """Where the socket lives (POSIX): $XDG_RUNTIME_DIR when it is private to this user, else a
    per-user 0700 folder in the temp dir (`pixie-desktop-<uid>`; another user squatting that
    name is skipped for `-<uid>-2`…). Never a bare name: Qt would put it in the shared /tmp,
    where another user could take the name first and receive our arguments."""
    if os.name != "posix":
        return None
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if runtime and _private_dir(runtime, create=False):
        return runtime
    base = os.path.join(tempfile.gettempdir(), f"pixie-desktop-{os.getuid()}")
    for candidate in (base, *(f"{base}-{n}" for n in range(2, 6))):
        if _private_dir(candidate, create=True):
            return candidate
    return None


def peer_uid(fd: int) -> int | None:
    """The uid of the process at the other end of a connected unix socket (Linux SO_PEERCRED),
    or None when the platform cannot tell."""
    if fd is None or int(fd) < 0 or not hasattr(socket, "SO_PEERCRED"):
        return None
    try:
        with socket.fromfd(int(fd), socket.AF_UNIX, socket.SOCK_STREAM) as s:  # a dup: closing it is safe
            raw = s.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
        return struct.unpack("3i", raw)[1]
    except OSError:
        return None


def _foreign_peer(sock: QLocalSocket) -> bool:
    uid = peer_uid(int(sock.socketDescriptor()))
    return uid is not None and hasattr(os, "getuid") and uid != os.getuid()


def server_name(data_dir: Path | str, app_id: str = APP_ID) -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        user = str(os.getuid()) if hasattr(os, "getuid") else "user"
    digest = hashlib.sha1(f"{user}\0{Path(data_dir).resolve()}".encode()).hexdigest()[:12]
    name = f"{app_id}-{user}-{digest}"
    folder = socket_dir()
    if folder is not None:
        return os.path.join(folder, name + ".sock")
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
        if _foreign_peer(sock):  # another user's server must never get our arguments
            sock.abort()
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
            if _foreign_peer(sock):  # only this user's own launches may drive the window
                sock.abort()
                sock.deleteLater()
                continue
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
