"""Gallery thumbnails on the QThreadPool: generation (QImageReader scaled decode, QtPdf first
page, QSvgRenderer, first lines of text, ffmpeg poster frame), the content-addressed disk cache
and an in-memory LRU of small QPixmaps.

Only what the view paints is requested (`ThumbnailService.request` is called from the
delegate's paint), newest requests are served first, and `retain(visible_ids)` drops queued
jobs for items scrolled away. Workers only produce QImages; the UI thread does nothing but
`QPixmap.fromImage` of the small result. Decisions that need no Qt (kinds, cache paths) live
in `pixie_desktop.artefacts.thumbnails`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QImage, QImageReader, QPainter, QPixmap

from pixie_desktop.artefacts import thumbnails as core
from pixie_desktop.artefacts.queries import GalleryRow, thread_connection
from pixie_desktop.artefacts.storage import safe_join
from pixie_desktop.ui import workers


@dataclass
class ThumbOutcome:
    """What a worker hands back: the small image (or None when no thumbnail can be made)."""

    sha256: str
    edge: int
    image: QImage | None
    rel_path: str | None
    generated: bool  # False when it came from the disk cache
    thread_id: int


# ---------------------------------------------------------------- generators (worker thread)

def _read_scaled(path: Path, edge: int) -> QImage | None:
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)  # EXIF rotation
    size = reader.size()
    if size.isValid() and size.width() > 0 and size.height() > 0:
        # decode at the reduced size: a 4000×3000 JPEG never exists full-size in memory
        reader.setScaledSize(size.scaled(QSize(edge, edge), Qt.AspectRatioMode.KeepAspectRatio)
                             if max(size.width(), size.height()) > edge else size)
    image = reader.read()
    if image.isNull():
        return None
    if max(image.width(), image.height()) > edge:
        image = image.scaled(edge, edge, Qt.AspectRatioMode.KeepAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)
    return image


def _render_pdf(path: Path, edge: int) -> QImage | None:
    from PySide6.QtPdf import QPdfDocument

    doc = QPdfDocument(None)
    try:
        if doc.load(str(path)) != QPdfDocument.Error.None_ or doc.pageCount() < 1:
            return None
        page = doc.pagePointSize(0)
        if page.width() <= 0 or page.height() <= 0:
            return None
        target = page.toSize().scaled(QSize(edge, edge), Qt.AspectRatioMode.KeepAspectRatio)
        image = doc.render(0, target)
        if image.isNull():
            return None
        # PDFs render with a transparent background; put the page on white paper
        out = QImage(image.size(), QImage.Format.Format_RGB32)
        out.fill(QColor("white"))
        p = QPainter(out)
        p.drawImage(0, 0, image)
        p.end()
        return out
    finally:
        doc.close()


def _render_svg(path: Path, edge: int) -> QImage | None:
    # from the file's own bytes with external hrefs stripped: QtSvg would open whatever an
    # <image href> names (a FIFO hangs the worker, /dev/zero exhausts memory) - issue 11
    from pixie_desktop.ui.outputs.safe_media import render_svg_file

    return render_svg_file(path, edge)


def _render_text(path: Path, edge: int) -> QImage | None:
    lines = core.text_excerpt(path, max_lines=12, max_chars=40)
    if not lines:
        return None
    width, height = int(edge * 0.8), edge  # a portrait "page" that fits the edge box
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("#fbfbfd"))
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    font = QFont("DejaVu Sans Mono")
    font.setStyleHint(QFont.StyleHint.Monospace)
    font.setPixelSize(max(7, edge // 15))  # readable once the tile is scaled down
    p.setFont(font)
    p.setPen(QColor("#3b4252"))
    line_h = int(font.pixelSize() * 1.35)
    margin = max(4, edge // 20)
    y = margin + font.pixelSize()
    for line in lines:
        if y > height - margin:
            break
        p.drawText(margin, y, line)
        y += line_h
    p.end()
    return image


def _render_video(path: Path, edge: int) -> QImage | None:
    ffmpeg = shutil.which("ffmpeg")
    if not ffmpeg:
        return None
    with tempfile.TemporaryDirectory(prefix="pixie-poster-") as tmp:
        out = Path(tmp) / "poster.png"
        cmd = [ffmpeg, "-nostdin", "-loglevel", "error", "-ss", "1", "-i", str(path), "-frames:v", "1",
               "-vf", f"scale='min({edge},iw)':-2", "-y", str(out)]
        try:
            subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           timeout=20, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return _read_scaled(out, edge) if out.is_file() else None


_GENERATORS = {"image": _read_scaled, "pdf": _render_pdf, "svg": _render_svg, "text": _render_text,
               "video": _render_video}


def generate_image(path: Path, kind: str, edge: int) -> QImage | None:
    """Render a thumbnail for one file (any thread). None when the kind has no generator or
    the file cannot be decoded; never raises for bad input."""
    gen = core.generator_for(kind)
    if gen is None or not path.is_file():
        return None
    try:
        return _GENERATORS[gen](path, edge)
    except Exception:  # noqa: BLE001 - a corrupt file must only cost its thumbnail
        return None


def _save_atomic(image: QImage, dest: Path) -> bool:
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".thumb-", suffix=".png.partial", dir=dest.parent)
    os.close(fd)
    try:
        if not image.save(tmp, "PNG"):
            return False
        os.replace(tmp, dest)
        return True
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def load_or_make(artefacts_root: Path, rel_path: str, kind: str, sha256: str, edge: int) -> ThumbOutcome:
    """Worker body: reuse the cached PNG for this content+size, else generate and cache it.
    The source path is resolved here (filesystem calls stay off the UI thread); a rel_path
    that would escape artefacts_root yields no thumbnail."""
    tid = threading.get_ident()
    try:
        src = safe_join(Path(artefacts_root), rel_path)
    except (ValueError, OSError):
        return ThumbOutcome(sha256, edge, None, None, True, tid)
    if not core.can_generate_from(src):  # a device/FIFO/socket would block or never end
        return ThumbOutcome(sha256, edge, None, None, True, tid)
    try:
        rel = core.thumb_rel_path(sha256, edge)
    except ValueError:
        return ThumbOutcome(sha256, edge, generate_image(src, kind, edge), None, True, tid)
    cached = core.cached_thumb(artefacts_root, sha256, edge)
    if cached is not None:
        image = QImage(str(cached))
        if not image.isNull():
            return ThumbOutcome(sha256, edge, image, rel, False, tid)
    image = generate_image(src, kind, edge)
    if image is None:
        return ThumbOutcome(sha256, edge, None, None, True, tid)
    saved = False
    try:
        saved = _save_atomic(image, Path(artefacts_root) / rel)
    except OSError:
        saved = False  # read-only disk: still show the thumbnail, just don't cache it
    return ThumbOutcome(sha256, edge, image, rel if saved else None, True, tid)


def write_thumb_paths(db_path: str, pairs: list[tuple[int, str]]) -> int:
    """Record thumb_path for rows (one small transaction, on a pool thread). A cache column:
    nothing is published (the pixmaps are already on screen)."""
    from pixie_desktop.ops import artefacts as artefact_ops

    artefact_ops.set_thumb_paths(thread_connection(db_path), pairs)
    return len(pairs)


# ---------------------------------------------------------------- service (UI thread)

class ThumbnailService(QObject):
    """Queues thumbnail jobs for painted items, runs at most `workers` at a time on the app
    pool, and keeps finished QPixmaps in an LRU. Emits `ready(artefact_id)` per waiting row."""

    ready = Signal(int)
    thumbPathStored = Signal(int, str)

    def __init__(self, artefacts_root: Path, db_path: Path | str, *, edge: int = 256, workers: int = 2,
                 memory_items: int = 1500, parent: QObject | None = None):
        super().__init__(parent)
        self.artefacts_root = Path(artefacts_root)
        self.db_path = str(db_path)
        self.edge = int(edge)
        self.max_workers = max(1, int(workers))
        self.memory_items = memory_items
        self._pixmaps: OrderedDict[tuple[str, int], QPixmap] = OrderedDict()
        self._queue: OrderedDict[tuple[str, int], tuple[str, str]] = OrderedDict()  # rel_path, kind; newest last
        self._waiting: dict[tuple[str, int], set[int]] = {}  # key -> artefact ids to notify
        self._thumb_known: dict[int, str | None] = {}  # id -> thumb_path the DB holds
        self._running: set[tuple[str, int]] = set()
        self._failed: set[tuple[str, int]] = set()
        self._tasks: dict[QObject, tuple[workers.Task, tuple[str, int]]] = {}  # signal holder -> job
        self._pending_paths: dict[int, str] = {}
        self._flush = QTimer(self, singleShot=True, interval=400)
        self._flush.timeout.connect(self._flush_paths)
        self._closed = False
        # observable counters (tests and the benchmark read them)
        self.generated = 0
        self.loaded_from_disk = 0
        self.worker_threads: set[int] = set()

    # -- lookups
    def key(self, row: GalleryRow) -> tuple[str, int]:
        return (row.record.sha256, self.edge)

    def pixmap(self, row: GalleryRow) -> QPixmap | None:
        pm = self._pixmaps.get(self.key(row))
        if pm is not None:
            self._pixmaps.move_to_end(self.key(row))
        return pm

    def has_failed(self, row: GalleryRow) -> bool:
        return self.key(row) in self._failed

    def is_pending(self, row: GalleryRow) -> bool:
        k = self.key(row)
        return k in self._queue or k in self._running

    # -- requests
    def request(self, row: GalleryRow) -> None:
        """Ask for a thumbnail of a row being painted. Cheap when already cached/queued."""
        if self._closed:
            return
        k = self.key(row)
        if k in self._pixmaps or k in self._failed:
            return
        if core.generator_for(row.kind) is None:
            self._failed.add(k)  # placeholder-only kind (audio, archives…): never queue it
            return
        self._waiting.setdefault(k, set()).add(row.record.id)
        self._thumb_known[row.record.id] = row.record.thumb_path
        if k in self._running:
            return
        self._queue[k] = (row.record.rel_path, row.kind)
        self._queue.move_to_end(k)  # most recently painted first
        self._pump()

    def retain(self, visible_ids: set[int]) -> int:
        """Drop queued (not yet started) jobs whose rows are no longer visible."""
        dropped = 0
        for k in list(self._queue):
            ids = self._waiting.get(k, set())
            if not (ids & visible_ids):
                del self._queue[k]
                self._waiting.pop(k, None)
                dropped += 1
        return dropped

    def set_edge(self, edge: int) -> None:
        if int(edge) != self.edge:
            self.edge = int(edge)
            self._queue.clear()
            self._failed.clear()

    def clear_memory(self) -> None:
        self._pixmaps.clear()
        self._failed.clear()

    def busy(self) -> bool:
        return bool(self._queue or self._running or self._pending_paths)

    def shutdown(self, timeout_ms: int = 5000) -> None:
        """Stop queuing, wait for running jobs, flush pending thumb_path writes."""
        self._closed = True
        self._queue.clear()
        for task, _k in list(self._tasks.values()):
            task.cancel()
        workers.app_pool().waitForDone(timeout_ms)
        if self._pending_paths:
            pairs = list(self._pending_paths.items())
            self._pending_paths.clear()
            try:
                write_thumb_paths(self.db_path, pairs)
            except Exception:  # noqa: BLE001 - a locked DB at exit only costs a cached path
                pass

    # -- internals
    def _pump(self) -> None:
        while self._queue and len(self._running) < self.max_workers and not self._closed:
            k, (rel_path, kind) = self._queue.popitem(last=True)
            self._running.add(k)
            task = workers.submit(load_or_make, self.artefacts_root, rel_path, kind, k[0], k[1],
                                  on_result=self._on_result)
            task.signals.done.connect(self._on_done)
            self._tasks[task.signals] = (task, k)

    def _on_done(self) -> None:
        job = self._tasks.pop(self.sender(), None)
        if job is not None and job[1] in self._running:
            # finished without a result (raised): keep the placeholder, never retry in a loop
            self._running.discard(job[1])
            self._failed.add(job[1])
            self._waiting.pop(job[1], None)
        self._pump()

    def _on_result(self, out: ThumbOutcome) -> None:
        k = (out.sha256, out.edge)
        self._running.discard(k)
        self.worker_threads.add(out.thread_id)
        ids = self._waiting.pop(k, set())
        if out.image is None:
            self._failed.add(k)
        else:
            if out.generated:
                self.generated += 1
            else:
                self.loaded_from_disk += 1
            if out.edge == self.edge:
                self._pixmaps[k] = QPixmap.fromImage(out.image)
                while len(self._pixmaps) > self.memory_items:
                    self._pixmaps.popitem(last=False)
            if out.rel_path:
                for artefact_id in ids:
                    if self._thumb_known.get(artefact_id) != out.rel_path:
                        self._pending_paths[artefact_id] = out.rel_path
                        self._thumb_known[artefact_id] = out.rel_path
                if self._pending_paths and not self._closed:
                    self._flush.start()
        for artefact_id in ids:
            self.ready.emit(artefact_id)

    def _flush_paths(self) -> None:
        if not self._pending_paths:
            return
        pairs = list(self._pending_paths.items())
        self._pending_paths.clear()
        workers.submit(write_thumb_paths, self.db_path, pairs)
        for artefact_id, rel in pairs:
            self.thumbPathStored.emit(artefact_id, rel)
