"""Issue 11 class 13: previews and thumbnails read a bounded prefix of a file, never the whole
file, and never a device, FIFO or socket (Qt-free side: artefacts.reading, artefacts.thumbnails)."""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

import pytest

from pixie_desktop.artefacts import thumbnails

posix_only = pytest.mark.skipif(os.name != "posix", reason="FIFOs/devices/unix sockets")


def _in_thread(fn, *args):
    """Run fn in a daemon thread; (finished, result). A read that blocks never finishes."""
    box: dict = {}

    def go():
        try:
            box["value"] = fn(*args)
        except BaseException as exc:  # noqa: BLE001
            box["value"] = exc

    t = threading.Thread(target=go, daemon=True)
    t.start()
    t.join(10)
    return not t.is_alive(), box.get("value")


def test_read_prefix_reads_at_most_limit_of_a_huge_file(tmp_path, monkeypatch):
    from pixie_desktop.artefacts import reading

    big = tmp_path / "huge.log"
    with open(big, "wb") as fh:
        fh.truncate(64 * 1024 * 1024)  # 64 MiB, sparse
    read_total = []
    real_read = os.read
    monkeypatch.setattr(reading.os, "read", lambda fd, n: (read_total.append(n), real_read(fd, n))[1])
    data = reading.read_prefix(big, 5000)
    assert len(data) == 5000 and sum(read_total) <= 5000
    assert reading.regular_file_size(big) == 64 * 1024 * 1024


def test_read_whole_gives_the_file_up_to_its_cap_and_none_past_it(tmp_path, monkeypatch):
    from pixie_desktop.artefacts import reading

    f = tmp_path / "cache.bin"
    f.write_bytes(b"x" * 1000)
    assert reading.read_whole(f, 1000) == b"x" * 1000
    assert reading.read_whole(f, 999) is None
    big = tmp_path / "huge.bin"
    with open(big, "wb") as fh:
        fh.truncate(64 * 1024 * 1024)  # 64 MiB, sparse: only cap + 1 bytes are read to know
    read_total = []
    real_read = os.read
    monkeypatch.setattr(reading.os, "read", lambda fd, n: (read_total.append(n), real_read(fd, n))[1])
    assert reading.read_whole(big, 5000) is None and sum(read_total) <= 5001


@posix_only
def test_read_prefix_refuses_fifo_device_socket_and_folder(tmp_path):
    from pixie_desktop.artefacts.reading import NotARegularFile, read_prefix, read_whole, regular_file_size

    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    sock_path = tmp_path / "s.txt"
    srv = socket.socket(socket.AF_UNIX)
    srv.bind(str(sock_path))
    link_to_zero = tmp_path / "zero.txt"
    link_to_zero.symlink_to("/dev/zero")
    try:
        for bad in (fifo, Path("/dev/zero"), link_to_zero, tmp_path):
            done, result = _in_thread(read_prefix, bad, 100)
            assert done, f"read_prefix blocked on {bad}"
            assert isinstance(result, NotARegularFile), (bad, result)
            done, result = _in_thread(read_whole, bad, 100)
            assert done and isinstance(result, NotARegularFile), (bad, result)
            assert regular_file_size(bad) is None
        done, result = _in_thread(read_prefix, sock_path, 100)
        assert done and isinstance(result, OSError)  # ENXIO on open, or NotARegularFile
    finally:
        srv.close()


@posix_only
def test_text_thumbnail_never_blocks_on_a_fifo_or_reads_a_device(tmp_path):
    fifo = tmp_path / "out.txt"
    os.mkfifo(fifo)
    done, lines = _in_thread(thumbnails.text_excerpt, fifo)
    assert done and lines == [], "a FIFO artefact must not hang the thumbnail worker"
    done, lines = _in_thread(thumbnails.text_excerpt, Path("/dev/zero"))
    assert done and lines == []
    assert not thumbnails.can_generate_from(fifo) and not thumbnails.can_generate_from(Path("/dev/zero"))


def test_text_thumbnail_reads_a_bounded_prefix(tmp_path, monkeypatch):
    from pixie_desktop.artefacts import reading

    one_line = tmp_path / "one-line.txt"
    one_line.write_bytes(b"a" * (3 * 1024 * 1024))
    asked = []
    real_read = os.read
    monkeypatch.setattr(reading.os, "read", lambda fd, n: (asked.append(n), real_read(fd, n))[1])
    lines = thumbnails.text_excerpt(one_line, max_bytes=16_384)
    assert lines == ["a" * 80] and 0 < sum(asked) <= 16_384
    small = tmp_path / "ok.txt"
    small.write_text("hello\nworld\n")
    assert thumbnails.text_excerpt(small)[:2] == ["hello", "world"]
    assert thumbnails.can_generate_from(small) and not thumbnails.can_generate_from(small, max_bytes=3)
