"""Where the single-instance socket of a running Pixie Desktop lives, without Qt: the app's
QLocalServer (ui/single_instance.py) listens on this path and the command line
(integration/handover.py) connects to it with a plain unix socket, so `pixie-desktop run`
can find a running app without importing PySide6.

On POSIX the name is an absolute socket path (QLocalServer uses an absolute name as the path
itself) in $XDG_RUNTIME_DIR when that folder is private to the user, else in a per-user 0700
folder of the temp dir. Both ends check the other's uid where the platform tells it
(SO_PEERCRED) and drop a connection from another user."""

from __future__ import annotations

import getpass
import hashlib
import os
import socket
import stat
import struct
import tempfile
from pathlib import Path

from pixie_desktop import APP_ID


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


def server_name(data_dir: Path | str, app_id: str = APP_ID) -> str:
    """The instance's name for this user and data dir: a socket path on POSIX, else a bare name."""
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
