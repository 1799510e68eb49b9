"""Bounded, safe reads of artefact files for previews and thumbnails (Qt-free).

A tool decides what an artefact file is: it may be huge, or be (or become, via a symlink) a
device such as /dev/zero, a FIFO that blocks any reader forever, or a socket. Previews must
never read a whole file nor wait on one, so every preview/thumbnail read goes through here:

- `read_prefix(path, limit)`: at most `limit` bytes from the start of a REGULAR file;
- `read_whole(path, limit)`: the whole regular file, or None when it holds more than `limit`;
- `regular_file_size(path)`: the size of a regular file, or None — call it before handing a
  path to a decoder that opens the file itself (QImageReader, QPdfDocument, QSvgRenderer).

The file is opened with O_NONBLOCK (opening a FIFO for reading would otherwise block until a
writer appears) and checked with fstat on the opened descriptor (no race between a check and
the open); anything but S_ISREG raises `NotARegularFile`."""

from __future__ import annotations

import os
import stat
from pathlib import Path

_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0) \
    | getattr(os, "O_BINARY", 0)


class NotARegularFile(OSError):
    """The path is a device, FIFO, socket or folder: previews never read it."""


def _open_regular(path: Path | str, follow_links: bool = True) -> tuple[int, os.stat_result]:
    fd = os.open(str(path), _FLAGS if follow_links else _FLAGS | getattr(os, "O_NOFOLLOW", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotARegularFile(f"{path} is not a regular file (device, FIFO, socket or folder); not read")
    except BaseException:
        os.close(fd)
        raise
    return fd, st


def read_prefix(path: Path | str, limit: int, *, follow_links: bool = True) -> bytes:
    """At most `limit` bytes from the start of the regular file `path`. Raises
    NotARegularFile for anything else, OSError when it cannot be opened (with
    `follow_links=False`, also when `path` itself is a symlink)."""
    limit = max(0, int(limit))
    fd, _st = _open_regular(path, follow_links)
    try:
        chunks: list[bytes] = []
        left = limit
        while left > 0:
            data = os.read(fd, min(left, 1 << 20))
            if not data:
                break
            chunks.append(data)
            left -= len(data)
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_whole(path: Path | str, limit: int, *, follow_links: bool = True) -> bytes | None:
    """The whole regular file `path` when it holds at most `limit` bytes, else None (only
    `limit + 1` bytes are read to know). Raises as read_prefix."""
    data = read_prefix(path, limit + 1, follow_links=follow_links)
    return None if len(data) > limit else data


def regular_file_size(path: Path | str) -> int | None:
    """Size in bytes when `path` is a regular file that can be opened, else None."""
    try:
        fd, st = _open_regular(path)
    except OSError:
        return None
    os.close(fd)
    return int(st.st_size)
