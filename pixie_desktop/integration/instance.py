"""Where the single-instance socket of a running Pixie Desktop lives, without Qt: the app's
QLocalServer (ui/single_instance.py) listens on this path and the command line
(integration/handover.py) connects to it with a plain unix socket, so `pixie-desktop run`
can find a running app without importing PySide6.

`claim(name, args)` is the app's first step, before Qt starts: hand the arguments to the running
instance (the second launch then exits without ever starting Qt), or become the instance by
binding and listening on the socket at once. The app's QLocalServer adopts that socket after the
window's first paint (QtNetwork is not on the start path); a launch or a hand-over that connects
meanwhile waits in the socket's backlog and is answered then. A lock file next to the socket
makes "is anyone there? then bind" atomic between launches started at the same moment.

On POSIX the name is an absolute socket path (QLocalServer uses an absolute name as the path
itself) in $XDG_RUNTIME_DIR when that folder is private to the user, else in a per-user 0700
folder of the temp dir. Both ends check the other's uid where the platform tells it
(SO_PEERCRED) and drop a connection from another user."""

from __future__ import annotations

import getpass
import json
import os
import socket
import stat
import struct
import tempfile
from pathlib import Path

from pixie_desktop import APP_ID
from pixie_desktop.hashing import sha1  # not hashlib: this runs before the window, OpenSSL is ~3 ms


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


def foreign_uid(uid: int | None) -> bool:
    """Whether a peer's uid (peer_uid) is another user's: such a peer never gets our arguments
    or runs, and never drives us (False when the platform cannot tell)."""
    return uid is not None and hasattr(os, "getuid") and uid != os.getuid()


def foreign_peer(fd: int) -> bool:
    """foreign_uid of the process at the other end of a connected unix socket."""
    return foreign_uid(peer_uid(fd))


def server_name(data_dir: Path | str, app_id: str = APP_ID) -> str:
    """The instance's name for this user and data dir: a socket path on POSIX, else a bare name."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        user = str(os.getuid()) if hasattr(os, "getuid") else "user"
    digest = sha1(f"{user}\0{Path(data_dir).resolve()}".encode()).hexdigest()[:12]
    name = f"{app_id}-{user}-{digest}"
    folder = socket_dir()
    if folder is not None:
        return os.path.join(folder, name + ".sock")
    return name


def encode_message(args: list[str], cwd: str | None = None) -> bytes:
    """A second launch's arguments as one JSON line. Paths that exist relative to the sender's
    cwd are made absolute: the receiver has another cwd."""
    cwd = cwd or os.getcwd()
    out = []
    for a in args:
        candidate = Path(cwd, a)
        out.append(str(candidate.resolve()) if not a.startswith("-") and candidate.exists() else a)
    return (json.dumps({"args": out, "cwd": cwd}) + "\n").encode("utf-8")


class Claim:
    """What `claim` found. `handed_over`: the running instance took the arguments (exit now).
    `listener`: this process is the instance; the bound, listening socket for the app's
    QLocalServer to adopt (`take_listener`). Neither: another instance is there but did not
    answer (or is another user's): run on its own, without a single-instance server."""

    def __init__(self, name: str, listener: socket.socket | None = None, handed_over: bool = False):
        self.name = name
        self.listener = listener
        self.handed_over = handed_over

    def take_listener(self) -> socket.socket | None:
        """The listening socket, handed to its new owner (release() no longer closes it)."""
        listener, self.listener = self.listener, None
        return listener

    def release(self) -> None:
        """Stop being the instance before the socket was adopted: close it, remove its file."""
        listener = self.take_listener()
        if listener is not None:
            listener.close()
            try:
                os.unlink(self.name)
            except OSError:
                pass


def connect(name: str, timeout_s: float) -> socket.socket | None:
    """A connection to a live instance's socket; None when nobody listens there."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout_s)
        sock.connect(name)
        return sock
    except OSError:  # no file, or a stale one (refused): nobody is there
        sock.close()
        return None


def _hand_over(sock: socket.socket, args: list[str], timeout_s: float, cwd: str | None) -> bool:
    """Send the arguments and wait for the instance's "ok" (it reads them before we exit)."""
    try:
        if foreign_peer(sock.fileno()):
            return False  # another user's socket must never get our arguments
        sock.sendall(encode_message(args, cwd))
        answer = b""
        while b"\n" not in answer and len(answer) < 64:
            chunk = sock.recv(64)
            if not chunk:
                break
            answer += chunk
        return answer.startswith(b"ok")
    except OSError:  # includes the timeout: the instance did not answer in time
        return False
    finally:
        sock.close()


def claim(name: str, args: list[str], timeout_s: float = 5.0, cwd: str | None = None) -> Claim | None:
    """Hand `args` to the instance listening on `name`, or become it (see the module doc).
    `timeout_s` bounds the wait for its "ok": an instance that is still starting answers once it
    has painted its window, so this is generous; one that never answers leaves this launch to
    run on its own. None where a plain unix socket cannot do it (no AF_UNIX, `name` is not a
    path): the app then uses the Qt path (SingleInstance.send/start)."""
    if not hasattr(socket, "AF_UNIX") or not os.path.isabs(name):
        return None
    import fcntl

    lock_fd = os.open(name + ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock_fd, fcntl.LOCK_EX)  # one launch at a time between the check and the bind
        sock = connect(name, timeout_s)
        if sock is None:
            try:  # nobody answers: a socket file left here is stale (the last instance crashed)
                os.unlink(name)
            except FileNotFoundError:
                pass
            listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                listener.bind(name)
                os.chmod(name, 0o600)  # as QLocalServer's UserAccessOption (the folder is private too)
                listener.listen(50)
            except OSError:
                listener.close()
                raise
            return Claim(name, listener=listener)
    finally:
        os.close(lock_fd)  # unlocks
    return Claim(name, handed_over=_hand_over(sock, args, timeout_s, cwd))
