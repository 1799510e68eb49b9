"""What a renderer may show when a tool names a resource: the one gate between untrusted output
values (image/audio/video/file sources, markdown image links, SVG hrefs) and the file system.

Rule: data URLs; files of *this run* — regular files under the run folder
`artefacts_root/<tool_id>/<run_id>/` (symlinks resolved first, so a link cannot point out of it);
nothing else. Never a device, FIFO or socket (checked on an O_NONBLOCK descriptor, so opening a
FIFO cannot block), never a path outside the run folder, never more than a size cap. Remote
http(s) resources are never fetched: the app is offline, and a placeholder says so.

File reads go through `read_local`, which touches the disk and therefore only runs on a worker
(`load_bytes_async`); the UI thread only classifies strings. SVG bytes are passed through
`sanitize_svg` before any Qt SVG code sees them, because QtSvg would otherwise open the files
an `<image href>` names — synchronously, whatever they are."""

from __future__ import annotations

import base64
import binascii
import gzip
import io
import mimetypes
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable
from urllib.parse import unquote, urlparse

from pixie_desktop.artefacts.reading import read_whole

if TYPE_CHECKING:
    from PySide6.QtGui import QImage

#: largest local file / decoded data URL a renderer will hold (bytes)
MAX_MEDIA_BYTES = 64 * 1024 * 1024
#: data URLs up to this size are decoded on the UI thread; bigger ones on a worker
SYNC_DATA_BYTES = 512 * 1024
#: largest decompressed .svgz
MAX_SVG_BYTES = 16 * 1024 * 1024

REMOTE_PLACEHOLDER = "remote image not loaded (offline)"
#: the largest side an output image is decoded at for drawing (a 4K screen's width): what the UI
#: thread converts, scales and paints never grows with the picture a tool returns. The full size
#: stays readable (`full_size`).
DISPLAY_EDGE = 2560
#: a data URL small enough to decode on the UI thread must also say (in its header) it is at most
#: this many pixels: a few hundred bytes of PNG can claim 8000×8000
SYNC_MAX_PIXELS = 1024 * 1024
FULL_SIZE_KEY = "pixie-full-size"
REMOTE_MEDIA = "remote media not loaded (offline)"


class ResourceRefused(ValueError):
    """A source the rules do not allow, or one that cannot be read; the text is for people."""


@dataclass
class ResourceScope:
    """Where local files may come from for the outputs currently shown: the run folder of one
    run (None before a run is known: then only data URLs are shown)."""

    artefacts_root: Path | None = None
    tool_id: str | None = None
    run_id: str | None = None

    def set_run(self, tool_id: str | None, run_id: str | None) -> None:
        self.tool_id, self.run_id = tool_id, run_id

    @property
    def run_folder(self) -> Path | None:
        if self.artefacts_root is None or not self.tool_id or not self.run_id:
            return None
        for part in (self.tool_id, self.run_id):
            if part in (".", "..") or "/" in part or "\\" in part or "\x00" in part or part.startswith("."):
                return None
        return Path(self.artefacts_root) / self.tool_id / self.run_id


DENY_ALL = ResourceScope()


def classify(src: str) -> str:
    """'data', 'remote', 'local' or 'other' for a source string (no disk access)."""
    s = src.strip()
    low = s[:12].lower()
    if low.startswith("data:"):
        return "data"
    if low.startswith(("http://", "https://", "ftp://", "//")):
        return "remote"
    if low.startswith("file:") or s.startswith("/") or re.match(r"^[A-Za-z]:[\\/]", s):
        return "local"
    return "other"


def local_path(src: str) -> Path:
    s = src.strip()
    if s[:5].lower() == "file:":
        return Path(unquote(urlparse(s).path))
    return Path(s)


def decode_data_url(src: str, limit: int = MAX_MEDIA_BYTES) -> tuple[str, bytes]:
    """(mime, bytes) of a data URL; refuses malformed or oversized payloads before decoding."""
    if "," not in src:
        raise ResourceRefused("malformed data URL")
    head, payload = src.split(",", 1)
    mime = head[5:].split(";")[0].strip() or "application/octet-stream"
    if len(payload) * 3 // 4 > limit:
        raise ResourceRefused(f"the data URL is too large to show ({len(payload) * 3 // 4 // (1024 * 1024)} MB)")
    try:
        if ";base64" in head.lower():
            data = base64.b64decode(payload, validate=False)
        else:
            data = unquote(payload).encode("utf-8", "surrogatepass")
    except (ValueError, TypeError, binascii.Error, UnicodeError) as exc:
        raise ResourceRefused(f"data URL is not valid base64 ({exc})") from exc
    return mime, data


def _within(child: str, parent: str) -> bool:
    try:
        return os.path.commonpath([child, parent]) == parent
    except ValueError:
        return False


def _open_checked(path: Path | str, scope: ResourceScope) -> tuple[int, str, int]:
    """(fd, real path, size) of a regular file inside the scope's run folder, opened without
    blocking and without following a final symlink. Raises ResourceRefused."""
    folder = scope.run_folder
    name = Path(path).name or str(path)
    if folder is None:
        raise ResourceRefused(f"{name}: local files are not shown (only files of this run are)")
    try:
        real = os.path.realpath(os.fspath(path))
        root = os.path.realpath(os.fspath(folder))
    except (OSError, ValueError) as exc:
        raise ResourceRefused(f"{name}: {exc}") from exc
    if real == root or not _within(real, root):
        raise ResourceRefused(f"{name}: not a file of this run, not shown")
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0) \
        | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(real, flags)
    except OSError as exc:
        raise ResourceRefused(f"{name}: {exc.strerror or exc}") from exc
    try:
        st = os.fstat(fd)
    except OSError as exc:
        os.close(fd)
        raise ResourceRefused(f"{name}: {exc.strerror or exc}") from exc
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise ResourceRefused(f"{name}: not a regular file, not shown")
    return fd, real, st.st_size


def check_local(path: Path | str, scope: ResourceScope) -> str:
    """The resolved path of an allowed local file (regular, inside the run folder), for handing
    to a player or the desktop. Touches the disk: call from a worker."""
    fd, real, _ = _open_checked(path, scope)
    os.close(fd)
    return real


def read_local(path: Path | str, scope: ResourceScope, limit: int = MAX_MEDIA_BYTES) -> bytes:
    """The bytes of a regular file inside the scope's run folder, at most `limit` bytes.
    Touches the disk: call from a worker. Raises ResourceRefused with a readable reason."""
    name = Path(path).name or str(path)
    fd, _real, size = _open_checked(path, scope)
    try:
        if size > limit:
            raise ResourceRefused(f"{name} is too large to show ({size // (1024 * 1024)} MB)")
        chunks, total = [], 0
        while total <= limit:
            block = os.read(fd, min(1 << 20, limit + 1 - total))
            if not block:
                break
            chunks.append(block)
            total += len(block)
        if total > limit:  # grew while we read it
            raise ResourceRefused(f"{name} is too large to show")
        return b"".join(chunks)
    except OSError as exc:
        raise ResourceRefused(f"{name}: {exc.strerror or exc}") from exc
    finally:
        os.close(fd)


def fetch(src: str, scope: ResourceScope, limit: int = MAX_MEDIA_BYTES) -> tuple[str, bytes]:
    """(mime, bytes) for a data URL or an allowed local file. Worker-side (reads the disk)."""
    kind = classify(src)
    if kind == "data":
        return decode_data_url(src, limit)
    if kind == "remote":
        raise ResourceRefused(REMOTE_PLACEHOLDER)
    if kind != "local":
        raise ResourceRefused(f"not a data URL or a file of this run: {src[:80]}")
    path = local_path(src)
    if not path.is_absolute():
        raise ResourceRefused(f"not a URL or absolute path: {src[:80]}")
    data = read_local(path, scope, limit)
    return mimetypes.guess_type(path.name)[0] or "application/octet-stream", data


# -- SVG --------------------------------------------------------------------------------------
_HREF = re.compile(r"""(?P<attr>(?:[\w.-]+:)?href|src)\s*=\s*(?P<q>["'])(?P<v>.*?)(?P=q)""", re.I | re.S)
_CSS_URL = re.compile(r"""url\(\s*(?P<q>["']?)(?P<v>[^)]*?)(?P=q)\s*\)""", re.I)
_DOCTYPE = re.compile(rb"<!DOCTYPE(?:[^\[>]*\[.*?\]\s*>|[^>]*>)", re.I | re.S)
_ENTITY = re.compile(rb"<!ENTITY[^>]*>", re.I | re.S)
_XINCLUDE = re.compile(r"<\s*(?:[\w-]+:)?include\b[^>]*>", re.I)


def _internal(value: str) -> bool:
    v = value.strip()
    return v.startswith("#") or v[:5].lower() == "data:"


def looks_like_svg(data: bytes, mime: str = "") -> bool:
    if "svg" in mime.lower():
        return True
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:2] == b"\x1f\x8b":  # svgz
        return True
    return head[:1] == b"<" and (b"<svg" in data[:4096].lower() or head[:5].lower() == b"<?xml")


def sanitize_svg(data: bytes) -> bytes:
    """SVG (or gzip'd SVG) bytes with every reference to anything outside the document removed:
    hrefs/src that are not `#fragment` or `data:`, CSS `url()` likewise, DOCTYPE/ENTITY
    declarations and XInclude. What is left can only draw itself."""
    if data[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as gz:
                data = gz.read(MAX_SVG_BYTES + 1)
        except (OSError, EOFError) as exc:
            raise ResourceRefused(f"the compressed SVG cannot be read ({exc})") from exc
        if len(data) > MAX_SVG_BYTES:
            raise ResourceRefused("the compressed SVG is too large to show")
    data = _ENTITY.sub(b"", _DOCTYPE.sub(b"", data))
    text = data.decode("utf-8", "replace")
    text = _HREF.sub(lambda m: m.group(0) if _internal(m.group("v")) else f'{m.group("attr")}=""', text)
    text = _CSS_URL.sub(lambda m: m.group(0) if _internal(m.group("v")) else "none", text)
    text = _XINCLUDE.sub("", text)
    return text.encode("utf-8")


def render_svg_file(path: Path, edge: int) -> QImage | None:
    """An SVG rendered from its own bytes with every external reference stripped first: QtSvg
    would otherwise open whatever an `<image href>` names (a FIFO blocks this worker forever,
    /dev/zero exhausts memory, a picture outside the artefacts folder would be shown)."""
    from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    data = read_whole(path, MAX_SVG_BYTES)
    if data is None:
        raise ValueError("the SVG is too large to preview")
    renderer = QSvgRenderer(QByteArray(sanitize_svg(data)))
    if not renderer.isValid():
        return None
    size = renderer.defaultSize()
    if size.width() <= 0 or size.height() <= 0:
        size = QSize(edge, edge)
    target = size.scaled(QSize(edge, edge), Qt.AspectRatioMode.KeepAspectRatio)
    image = QImage(target, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    renderer.render(p, QRectF(0, 0, target.width(), target.height()))
    p.end()
    return image


def safe_image_bytes(mime: str, data: bytes) -> bytes:
    """Image bytes ready for QImage.loadFromData: SVG content is sanitised first."""
    return sanitize_svg(data) if looks_like_svg(data, mime) else data


def full_size(img: Any) -> tuple[int, int]:
    """The picture's size before decode_image scaled it down to draw (else the image's own)."""
    w, _, h = (img.text(FULL_SIZE_KEY) or "").partition("x")
    return (int(w), int(h)) if w.isdigit() and h.isdigit() else (img.width(), img.height())


def decode_image(mime: str, data: bytes, max_edge: int | None = None) -> Any:
    """A QImage from bytes (safe to call on a worker: QImage is not a GUI-thread object), decoded
    at most `max_edge` pixels on its long side when given (the decode itself is scaled down).

    Qt decodes from a file it opens itself: an in-memory file (memfd) named by its /proc path.
    Never a QBuffer made in Python: Qt holds its image-format lock while it reads the device, and
    each read of a Python-made device needs the interpreter, so two threads decoding at once
    (one holding the interpreter and waiting for that lock) froze the whole app for good. Read
    this way, the decode also runs without the interpreter, so the window keeps painting."""
    return decode_image_sized(mime, data, max_edge)[0]


def decode_image_sized(mime: str, data: bytes, max_edge: int | None = None) -> tuple[Any, tuple[int, int]]:
    """decode_image, and the picture's full size in pixels (before any scaling down)."""
    decoded = _decode(mime, data, max_edge)
    assert decoded is not None  # only a pixel limit makes it None
    return decoded


def _decode(mime: str, data: bytes, max_edge: int | None,
            max_pixels: int | None = None) -> tuple[Any, tuple[int, int]] | None:
    """decode_image_sized; with `max_pixels`, None (nothing decoded) when the image's header says
    it has more pixels than that, or when the header cannot be read before decoding (no memfd)."""
    from PySide6.QtCore import QSize, Qt
    from PySide6.QtGui import QImage, QImageReader

    payload = safe_image_bytes(mime, data)
    fd = _memory_file(payload)
    try:
        if fd is None:  # no memfd here: Qt's own buffer (holds the interpreter while it decodes)
            if max_pixels is not None:
                return None
            img = QImage.fromData(payload)
            full, error = img.size(), "unknown format or damaged data"
        else:
            reader = QImageReader(f"/proc/self/fd/{fd}")
            reader.setAllocationLimit(256)  # MB: a decompression bomb is refused, not allocated
            full = reader.size()
            if max_pixels is not None and full.isValid() and full.width() * full.height() > max_pixels:
                return None
            if max_edge and full.isValid() and max(full.width(), full.height()) > max_edge:
                reader.setScaledSize(full.scaled(QSize(max_edge, max_edge), Qt.AspectRatioMode.KeepAspectRatio))
            img = reader.read()
            error = reader.errorString()
    finally:
        if fd is not None:
            os.close(fd)
    if img.isNull():
        raise ResourceRefused(f"the {mime or 'image'} data is not a readable image ({error})")
    if not full.isValid():  # a format that does not tell its size before decoding
        full = img.size()
    if max_edge and max(img.width(), img.height()) > max_edge:  # a format that cannot decode scaled
        img = img.scaled(max_edge, max_edge, Qt.AspectRatioMode.KeepAspectRatio,
                         Qt.TransformationMode.SmoothTransformation)
    if img.size() != full:
        img.setText(FULL_SIZE_KEY, f"{full.width()}x{full.height()}")
    return img, (full.width(), full.height())


def _memory_file(data: bytes) -> int | None:
    """A descriptor of an anonymous in-memory file holding `data` (Linux memfd), or None where
    there is none (or it cannot be filled)."""
    make = getattr(os, "memfd_create", None)
    if make is None or not os.path.isdir("/proc/self/fd"):
        return None
    try:
        fd = make("pixie-image", os.MFD_CLOEXEC)
    except OSError:
        return None
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    except OSError:
        os.close(fd)
        return None
    return fd


def load_image_job(src: str, scope: ResourceScope, max_edge: int = DISPLAY_EDGE) -> Any:
    """Worker body: source → QImage at most `max_edge` on its long side (raises ResourceRefused)."""
    mime, data = fetch(src, scope)
    return decode_image(mime, data, max_edge=max_edge)


def decode_now(src: str, max_edge: int = DISPLAY_EDGE) -> Any:
    """The QImage of a data URL that may be decoded on the UI thread (few bytes, few pixels), or
    None when it must go to a worker. Raises ResourceRefused for one that is not an image."""
    if classify(src) != "data" or len(src) > SYNC_DATA_BYTES * 4 // 3:
        return None
    # many pixels in few bytes (or no header to tell): None, a worker decodes it; small, or not
    # an image at all (refused at once): decoded here
    decoded = _decode(*decode_data_url(src), max_edge, max_pixels=SYNC_MAX_PIXELS)
    return None if decoded is None else decoded[0]


# -- async helpers ------------------------------------------------------------------------------
_relays: set[Any] = set()


def run_async(owner: Any, job: Callable[..., Any], *args: Any, on_ready: Callable[[Any], None],
              on_error: Callable[[str], None]) -> None:
    """Run `job(*args)` on the app pool; deliver the result on the UI thread unless `owner` (a
    QObject) was deleted meanwhile. Errors arrive as readable text.

    The relay that carries the answer back has no parent and is kept alive here until it has
    delivered, so a worker never emits on an object the UI thread is destroying."""
    import shiboken6
    from PySide6.QtCore import QObject, Signal

    from pixie_desktop.ui import workers

    class _Relay(QObject):
        ok = Signal(object)
        bad = Signal(str)

        def deliver_ok(self, value: Any) -> None:
            _relays.discard(self)
            if shiboken6.isValid(owner):
                on_ready(value)

        def deliver_bad(self, text: str) -> None:
            _relays.discard(self)
            if shiboken6.isValid(owner):
                on_error(text)

    relay = _Relay()  # created on (and owned by) the UI thread: its slots run there
    relay.ok.connect(relay.deliver_ok)
    relay.bad.connect(relay.deliver_bad)
    _relays.add(relay)

    def body() -> None:
        try:
            value = job(*args)
        except ResourceRefused as exc:
            relay.bad.emit(str(exc))
        except Exception as exc:  # noqa: BLE001 - reported in the card, never raised into Qt
            relay.bad.emit(f"could not load ({type(exc).__name__}: {exc})")
        else:
            relay.ok.emit(value)

    workers.submit(body)


def _emit(signal: Any, value: Any) -> None:
    try:
        signal.emit(value)
    except RuntimeError:  # the owner (and relay) went away while we worked
        pass


def load_image(src: str, scope: ResourceScope, owner: Any, on_ready: Callable[[Any], None],
               on_error: Callable[[str], None], max_edge: int = DISPLAY_EDGE) -> Any:
    """The QImage now for a small data URL (decode_now); otherwise None and the result (or the
    refusal) is delivered later through the callbacks. Either way at most `max_edge` pixels on its
    long side. Remote sources are refused with REMOTE_PLACEHOLDER."""
    kind = classify(src)
    if kind == "remote":
        on_error(REMOTE_PLACEHOLDER)
        return None
    if kind not in ("data", "local"):
        on_error(f"not a data URL or a file of this run: {src[:80]}")
        return None
    try:
        now = decode_now(src, max_edge)
    except ResourceRefused as exc:
        on_error(str(exc))
        return None
    if now is not None:
        return now
    run_async(owner, load_image_job, src, scope, max_edge, on_ready=on_ready, on_error=on_error)
    return None
