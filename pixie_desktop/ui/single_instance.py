"""One Pixie Desktop per user and data dir. The first instance listens on a QLocalServer; a later
launch (double-click again, `pixie-desktop some/file`) connects, hands over its arguments as one
JSON line and exits, and the first instance raises its window and acts on them. The same server
takes requests with a `kind` (`set_handler`): the command line's hand-over of a run
(integration/handover.py) keeps its connection open as a `Conversation` until the run ends.

The server name is per user and per data dir (a test or a second checkout with its own
PIXIE_ROOT gets its own instance). On POSIX it is a socket path in $XDG_RUNTIME_DIR when that is
private to the user, else in a per-user 0700 folder of the temp dir (`socket_dir`); on Linux both
ends check the other's uid (SO_PEERCRED) and drop a connection from another user. A socket file
left behind by a crash is detected (nobody answers) and replaced.

    instance = SingleInstance.for_settings(settings)
    if instance.send(args):          # another instance took them
        return 0
    instance.start(lambda msg: window.handle_args(msg["args"]))

The app itself does the first step without Qt (integration/instance.py `claim`, before the
QApplication exists) and `start(…, listener=claim.take_listener())` adopts the socket it bound.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QAbstractSocket, QLocalServer, QLocalSocket
from PySide6.QtWidgets import QWidget

# a handed-over run carries its inputs (file inputs as data URLs); the client runs larger ones itself
from pixie_desktop.integration.handover import MAX_REQUEST_BYTES
# the socket's name and the peer check are Qt-free: the command line uses them too
from pixie_desktop.integration.instance import (_private_dir, encode_message, foreign_uid, peer_uid,  # noqa: F401
                                                server_name, socket_dir)

MAX_MESSAGE_BYTES = 1 << 20  # a second launch's arguments

log = logging.getLogger(__name__)


def _foreign_peer(sock: QLocalSocket) -> bool:
    return foreign_uid(peer_uid(int(sock.socketDescriptor())))


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
        self._buffers: dict[QLocalSocket, bytearray] = {}
        self._handlers: dict[str, Callable[["Conversation", dict], None]] = {}
        self._conversations: dict[QLocalSocket, "Conversation"] = {}

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
    def start(self, on_message: Callable[[dict], None] | None = None, listener: Any = None) -> bool:
        """Listen for later launches. Recovers a stale socket left by a crashed instance. Returns
        False only when another live instance owns the name (call `send` first to avoid that).
        `listener`: the socket `integration.instance.claim` already bound and listens on; the
        server adopts it, with the connections waiting in its backlog."""
        if on_message is not None:
            self.messageReceived.connect(on_message)
        if listener is not None:
            return self._adopt(listener)
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

    def _adopt(self, listener: Any) -> bool:
        server = QLocalServer(self)
        fd = listener.detach()  # the server owns the descriptor from here (closes it, removes the file)
        if not server.listen(fd):
            os.close(fd)
            server.deleteLater()
            return False
        server.newConnection.connect(self._on_new_connection)
        self.server = server  # launches that connected already wait in the backlog: accepted next turn
        return True

    def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server.deleteLater()
            self.server = None
        for conv in list(self._conversations.values()):
            conv.close()
        self._conversations.clear()
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
            self._buffers[sock] = bytearray()
            sock.readyRead.connect(lambda s=sock: self._on_ready(s))
            sock.disconnected.connect(lambda s=sock: self._drop(s))

    def set_handler(self, kind: str, handler: Callable[["Conversation", dict], None] | None) -> None:
        """Serve requests `{"kind": kind, …}` (the command line's `run`): `handler(conversation,
        message)` is called on the UI thread and answers through the Conversation, which stays
        open for the request's later lines (a cancel) until either end closes it."""
        if handler is None:
            self._handlers.pop(kind, None)
        else:
            self._handlers[kind] = handler

    def _drop(self, sock: QLocalSocket) -> None:
        self._buffers.pop(sock, None)
        conv = self._conversations.pop(sock, None)
        if conv is not None:
            conv._closed_by_peer()
        sock.deleteLater()

    def _on_ready(self, sock: QLocalSocket) -> None:
        buf = self._buffers.get(sock)
        if buf is None:
            return
        buf += bytes(sock.readAll().data())  # a bytearray: a large request arrives in many chunks
        limit = MAX_REQUEST_BYTES if self._handlers else MAX_MESSAGE_BYTES
        while (end := buf.find(b"\n")) >= 0:
            line = bytes(buf[:end])
            del buf[:end + 1]
            self._on_line(sock, line)
            if sock not in self._buffers:  # aborted while handling the line
                return
        if len(buf) > limit:
            sock.abort()

    def _on_line(self, sock: QLocalSocket, line: bytes) -> None:
        conv = self._conversations.get(sock)
        try:
            msg = json.loads(line.decode("utf-8"))
            if not isinstance(msg, dict):
                raise ValueError("bad message")
        except (ValueError, UnicodeDecodeError):
            if conv is None:
                sock.write(b"error\n")
                sock.flush()
            return
        if conv is not None:  # a later line of a request (a cancel)
            conv.messageReceived.emit(msg)
            return
        handler = self._handlers.get(msg.get("kind")) if isinstance(msg.get("kind"), str) else None
        if handler is not None:
            conv = Conversation(sock, self)
            self._conversations[sock] = conv
            try:
                handler(conv, msg)
            except Exception as exc:  # noqa: BLE001 - a bad request must not break the server
                log.exception("single instance: %s request failed", msg.get("kind"))
                conv.send({"kind": "declined", "reason": f"{type(exc).__name__}: {exc}"})
                conv.close()
            return
        if not isinstance(msg.get("args"), list):
            sock.write(b"error\n")
            sock.flush()
            return
        msg["args"] = [str(a) for a in msg["args"]]
        sock.write(b"ok\n")
        sock.flush()
        self.messageReceived.emit(msg)


class Conversation(QObject):
    """One request connection kept open (a handed-over run): `send(obj)` writes a JSON line,
    `messageReceived` brings the client's later lines, `closed` fires once when the client goes
    (or `close()` ends it from this side)."""

    messageReceived = Signal(dict)
    closed = Signal()

    def __init__(self, sock: QLocalSocket, parent: QObject | None = None):
        super().__init__(parent)
        self.sock: QLocalSocket | None = sock
        self._ended = False

    @property
    def is_open(self) -> bool:
        return self.sock is not None and not self._ended

    def send(self, message: dict) -> bool:
        if not self.is_open:
            return False
        try:
            data = json.dumps(message, ensure_ascii=False, default=str)
        except (TypeError, ValueError) as exc:  # never raise into the run's signal handlers
            data = json.dumps({"kind": message.get("kind"), "unencodable": str(exc)})
        self.sock.write((data + "\n").encode("utf-8"))
        self.sock.flush()
        return True

    def close(self) -> None:
        """End from this side after the last line was written (it is flushed first)."""
        if self.sock is None:
            return
        sock, self.sock = self.sock, None
        sock.disconnectFromServer()  # writes what is buffered, then disconnects
        self._end()

    def _closed_by_peer(self) -> None:
        self.sock = None
        self._end()

    def _end(self) -> None:
        if not self._ended:
            self._ended = True
            self.closed.emit()
            self.deleteLater()
