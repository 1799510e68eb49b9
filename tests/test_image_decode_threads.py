"""Decoding images off the UI thread never freezes the app (safe_media.decode_image).

Found with the provenance screenshots: a run's input thumbnails (one worker) and an image output
(another) decoding at once froze the whole window for good. Qt holds its image-format lock while
it reads the device; the output's device was a QBuffer made in Python, whose every read needs the
interpreter, which the thumbnail worker held (QImage.loadFromData keeps it) while it waited for
that lock. Now every decode reads an in-memory file Qt opens itself. The deadlock case runs in a
child process (`run_in_child`), so a regression fails on a timeout instead of hanging the suite."""

from __future__ import annotations

import base64
import os
import threading

import pytest

from child_process import child_only, run_in_child


def _png(w: int = 400, h: int = 300) -> bytes:
    from PySide6.QtGui import QColor, QImage

    img = QImage(w, h, QImage.Format.Format_RGB32)
    img.fill(QColor("teal"))
    return _encode(img)


@child_only
def test_child_decoding_on_two_threads_with_the_interpreter_held_by_one(qapp):
    from PySide6.QtGui import QImage

    from pixie_desktop.artefacts.provenance import InputFile
    from pixie_desktop.ui.outputs.safe_media import decode_image
    from pixie_desktop.ui.views import run_inputs

    data = _png()
    errors: list[BaseException] = []

    def ours() -> None:  # what image outputs and markdown images use
        try:
            for _ in range(150):
                assert decode_image("image/png", data).width() == 400
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    def holding() -> None:  # a decode that keeps the interpreter (as QImage.loadFromData does)
        try:
            for _ in range(150):
                img = QImage()
                assert img.loadFromData(data)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    def thumbnails() -> None:  # a run's input chips (run_inputs.load_thumbnails)
        try:
            f = InputFile(key="image", name="p.png", mime="image/png", size=len(data), sha256="",
                          inline="data:image/png;base64," + base64.b64encode(data).decode())
            for _ in range(50):
                assert run_inputs.load_thumbnails([f], "/nonexistent", edge=64)[0].width() == 64
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=t) for t in (ours, holding, thumbnails, ours)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_decoding_on_several_threads_at_once_never_freezes():
    run_in_child(__file__, "test_child_decoding_on_two_threads_with_the_interpreter_held_by_one", timeout=120)


def test_decode_scales_refuses_and_keeps_no_descriptor(qapp):
    from pixie_desktop.ui.outputs.safe_media import ResourceRefused, decode_image

    data = _png(400, 300)
    before = len(os.listdir("/proc/self/fd"))
    assert decode_image("image/png", data).size().toTuple() == (400, 300)
    assert decode_image("image/png", data, max_edge=100).size().toTuple() == (100, 75)  # decoded small
    assert decode_image("image/png", data, max_edge=1000).size().toTuple() == (400, 300)  # never enlarged
    for bad in (b"", b"not an image at all", data[:40]):
        with pytest.raises(ResourceRefused, match="not a readable image"):
            decode_image("image/png", bad)
    for _ in range(20):
        decode_image("image/png", data)
    assert len(os.listdir("/proc/self/fd")) == before  # each in-memory file is closed


def test_an_image_claiming_billions_of_pixels_is_refused_before_it_is_allocated(qapp):
    """A 235-byte PNG that says it is 40000×40000 RGBA (6.4 GB decoded), whole or asked for small."""
    import resource
    import struct
    import zlib

    from pixie_desktop.ui.outputs.safe_media import ResourceRefused, decode_image

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    side = 40_000
    bomb = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * (side * 4 + 1), 9)) + chunk(b"IEND", b""))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for edge in (None, 64):
        with pytest.raises(ResourceRefused):
            decode_image("image/png", bomb, max_edge=edge)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200 * 1024  # kB: nothing big was made


def test_a_dropped_photo_is_measured_in_full_and_decoded_small(qapp):
    """An image file given to a file input: its full size is reported, its chip picture is decoded
    at chip size (not the whole photo, scaled down while holding the interpreter)."""
    from pixie_desktop.ui.inputs.files import THUMB, _describe

    entry = _describe("big.png", "image/png", _png(1600, 1200), "data:…")
    assert entry.pixels == (1600, 1200)
    assert max(entry.thumb.width(), entry.thumb.height()) == THUMB
    assert _describe("bad.png", "image/png", b"not a png", "data:…").thumb is None


def test_decode_without_memfd_still_works(qapp, monkeypatch):
    """Where the platform has no memfd, Qt's own buffer decodes (no Python-made device either)."""
    from pixie_desktop.ui.outputs import safe_media

    monkeypatch.delattr(os, "memfd_create", raising=False)
    assert safe_media._memory_file(b"x") is None  # noqa: SLF001
    w, h = safe_media.decode_image("image/png", _png(), max_edge=50).size().toTuple()
    assert w == 50 and h in (37, 38)  # 400×300 scaled to fit 50 (rounding is Qt's)
    with pytest.raises(safe_media.ResourceRefused):
        safe_media.decode_image("image/png", b"junk")


def _scope(tmp_path):
    from pixie_desktop.ui.outputs.safe_media import ResourceScope

    root = tmp_path / "artefacts"
    (root / "tool" / "run1").mkdir(parents=True)
    return ResourceScope(root, "tool", "run1")


def test_a_huge_output_image_is_drawn_from_a_bounded_copy(qtbot, tmp_path):
    """A tool returns a 6000×4000 picture: the card decodes it on a worker at most DISPLAY_EDGE
    wide, says its real size, and a resize converts nothing bigger. (Before, each resize of the
    card converted and scaled the whole picture on the UI thread: ~65 ms at 24 MP.)"""
    from PySide6.QtGui import QColor, QImage

    from pixie_desktop.manifest.model import OutputSpec
    from pixie_desktop.ui.outputs import create_renderer
    from pixie_desktop.ui.outputs.safe_media import DISPLAY_EDGE, full_size

    scope = _scope(tmp_path)
    big = QImage(6000, 4000, QImage.Format.Format_RGB32)
    big.fill(QColor("navy"))
    path = scope.run_folder / "big.png"
    assert big.save(str(path), "PNG")
    r = create_renderer(OutputSpec(key="i", type="image", label="I"))
    qtbot.addWidget(r)
    r.scope = scope
    r.resize(700, 500)
    r.set_value(str(path))
    qtbot.waitUntil(lambda: r.image is not None, timeout=30_000)
    assert max(r.image.width(), r.image.height()) == DISPLAY_EDGE
    assert full_size(r.image) == (6000, 4000) and r.meta.text().startswith("6000 × 4000 px")
    r.resize(900, 600)
    assert r.label.pixmap().width() <= 900 and r._pixmap.width() == DISPLAY_EDGE  # noqa: SLF001


def test_a_few_bytes_claiming_many_pixels_are_not_decoded_on_the_ui_thread(qtbot, tmp_path):
    """A small data URL is decoded at once only when its header says it is small too: a PNG of a
    few kB can claim 4000×4000. That one is decoded on a worker, and no bigger than drawn."""
    from PySide6.QtGui import QColor, QImage

    from pixie_desktop.ui.outputs import safe_media

    plain = QImage(4000, 4000, QImage.Format.Format_RGB32)
    plain.fill(QColor("white"))
    raw = _encode(plain)
    assert len(raw) < safe_media.SYNC_DATA_BYTES  # few bytes…
    url = "data:image/png;base64," + base64.b64encode(raw).decode()
    assert safe_media.decode_now(url) is None  # …many pixels: not on the UI thread
    small = "data:image/png;base64," + base64.b64encode(_png(40, 30)).decode()
    assert safe_media.decode_now(small).size().toTuple() == (40, 30)
    with pytest.raises(safe_media.ResourceRefused):
        safe_media.decode_now("data:image/png;base64," + base64.b64encode(b"not a png").decode())

    from PySide6.QtCore import QObject

    owner = QObject()
    got: list = []
    assert safe_media.load_image(url, safe_media.DENY_ALL, owner, got.append, got.append) is None
    qtbot.waitUntil(lambda: bool(got), timeout=30_000)
    assert safe_media.full_size(got[0]) == (4000, 4000) and got[0].width() == safe_media.DISPLAY_EDGE


def _encode(img) -> bytes:
    from PySide6.QtCore import QByteArray, QBuffer, QIODevice

    raw = QByteArray()
    buf = QBuffer(raw)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    img.save(buf, "PNG")
    buf.close()
    return bytes(raw.data())


def test_the_wipe_compare_scales_each_picture_once_per_size(qtbot):
    """Dragging the compare line repaints often: each picture is scaled to the view once per
    size and then only blitted, before on the left of the line and after on the right."""
    from PySide6.QtGui import QColor, QImage

    from pixie_desktop.manifest.model import OutputSpec
    from pixie_desktop.ui.outputs import create_renderer

    def url(colour: str) -> str:
        img = QImage(400, 300, QImage.Format.Format_RGB32)
        img.fill(QColor(colour))
        return "data:image/png;base64," + base64.b64encode(_encode(img)).decode()

    r = create_renderer(OutputSpec(key="c", type="image_compare", label="C"))
    qtbot.addWidget(r)
    r.resize(640, 480)
    r.set_value({"before": url("red"), "after": url("blue")})
    r.show()
    qtbot.waitExposed(r)
    view = r.view
    qtbot.waitUntil(lambda: view.before is not None and view.after is not None, timeout=10_000)
    shot = view.grab().toImage()
    first = {k: v[1].cacheKey() for k, v in view._drawn.items()}  # noqa: SLF001
    assert len(first) == 2
    for split in (0.2, 0.8):
        view.split = split
        view.repaint()
    assert {k: v[1].cacheKey() for k, v in view._drawn.items()} == first  # noqa: SLF001 - nothing rescaled
    target = view._target()  # noqa: SLF001
    y = int(target.center().y())
    left, right = shot.pixelColor(int(target.left()) + 5, y), shot.pixelColor(int(target.right()) - 5, y)
    assert left.red() > 200 and left.blue() < 60 and right.blue() > 200 and right.red() < 60
