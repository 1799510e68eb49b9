"""File, image and audio inputs: a drag-and-drop zone with a "browse" link, the accepted types
and size limit, and a list of chosen files (image thumbnail + pixel size, audio duration, a
remove button). The wire value is a data URL `data:<mime>;base64,…` (a list when `multiple`).

Reading and base64-encoding a big file is done on the app's thread pool so a drop never
freezes the window; small files are encoded inline so the value is ready at once."""

from __future__ import annotations

import base64
import mimetypes
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QImage, QPalette, QPixmap
from PySide6.QtWidgets import (
    QFileDialog, QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QVBoxLayout, QWidget,
)

from pixie_desktop.units import human_bytes as human_size
from pixie_desktop.artefacts.input_blobs import data_url_name, with_name
from pixie_desktop.manifest import accept as accept_rules
from pixie_desktop.ui.inputs.base import InputWidget, register
from pixie_desktop.ui.widgets.icons import named_pixmap, set_icon_button

INLINE_ENCODE_BYTES = 512 * 1024
HARD_CAP_MB = 200  # a data URL lives in memory and in the run request; refuse absurd files
THUMB = 56


@dataclass
class FileEntry:
    name: str
    mime: str
    size: int
    data_url: str
    thumb: QImage | None = None
    pixels: tuple[int, int] | None = None
    duration: float | None = None


def guess_mime(path: Path) -> str:
    mime, _ = mimetypes.guess_type(path.name)
    if mime:
        return mime
    try:
        from PySide6.QtCore import QMimeDatabase

        return QMimeDatabase().mimeTypeForFile(str(path)).name() or "application/octet-stream"
    except Exception:  # noqa: BLE001
        return "application/octet-stream"


def split_data_url(url: str) -> tuple[str, bytes]:
    """(mime, bytes) from a data URL; raises ValueError when it is not one."""
    if not isinstance(url, str) or not url.startswith("data:") or "," not in url:
        raise ValueError("not a data URL")
    head, payload = url.split(",", 1)
    mime = head[5:].split(";")[0] or "application/octet-stream"
    if ";base64" in head:
        return mime, base64.b64decode(payload, validate=False)
    from urllib.parse import unquote_to_bytes

    return mime, unquote_to_bytes(payload)


def _describe(name: str, mime: str, data: bytes, data_url: str) -> FileEntry:
    entry = FileEntry(name=name, mime=mime, size=len(data), data_url=data_url)
    if mime.startswith("image/"):
        from pixie_desktop.ui.outputs.safe_media import ResourceRefused, decode_image_sized

        try:  # decoded small, without holding the interpreter (a big photo must not stall the window)
            entry.thumb, entry.pixels = decode_image_sized(mime, data, max_edge=THUMB)
        except ResourceRefused:  # not a readable image: listed without a thumbnail
            pass
    elif mime in ("audio/wav", "audio/x-wav", "audio/wave"):
        try:
            import io

            with wave.open(io.BytesIO(data)) as w:
                entry.duration = w.getnframes() / float(w.getframerate() or 1)
        except (wave.Error, EOFError, ValueError):  # not a readable WAV: shown without a duration
            pass
    return entry


def encode_file(path: Path) -> FileEntry:
    """Read `path` and build its entry (thread-safe: QImage may be used off the UI thread)."""
    data = Path(path).read_bytes()
    mime = guess_mime(Path(path))
    # the name rides in the data URL (recorded for search and reports; stripped before the tool sees it)
    url = with_name(f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}", Path(path).name)
    return _describe(Path(path).name, mime, data, url)


def entry_from_data_url(url: str, index: int = 0) -> FileEntry:
    mime, data = split_data_url(url)
    ext = mimetypes.guess_extension(mime) or ""
    return _describe(data_url_name(url) or f"file-{index + 1}{ext}", mime, data, url)


class DropZone(QFrame):
    """The dashed area: accepts local file URLs and hands the paths to its owner."""

    dropped = Signal(list)
    browse = Signal()

    def __init__(self, text: str, hint: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("DropZone")
        self.setAcceptDrops(True)
        self.setProperty("dragActive", False)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 14, 12, 14)
        lay.setSpacing(2)
        row = QHBoxLayout()
        row.addStretch(1)
        self.icon = QLabel(self)  # ⇪ is a missing-glyph box in some stock fonts: the bundled SVG
        self._paint_icon()
        row.addWidget(self.icon)
        self.prompt = lab = QLabel(text, self)
        lab.setWordWrap(True)  # a narrow column wraps the prompt rather than widening the form
        lab.setMinimumWidth(60)  # unwrapped (see resizeEvent) it must still never widen the form
        row.addWidget(lab)
        self.link = link = QPushButton("browse", self)
        link.setObjectName("Link")
        link.setCursor(Qt.CursorShape.PointingHandCursor)
        link.clicked.connect(self.browse.emit)
        row.addWidget(link)
        row.addStretch(1)
        lay.addLayout(row)
        h = QLabel(hint, self)
        h.setTextFormat(Qt.TextFormat.PlainText)  # the accepted types come from tool.json
        h.setObjectName("HelpText")
        h.setAlignment(Qt.AlignmentFlag.AlignCenter)
        h.setWordWrap(True)
        lay.addWidget(h)

    def _paint_icon(self) -> None:
        self.icon.setPixmap(named_pixmap("upload", 22, self.palette().color(QPalette.ColorRole.WindowText).name()))

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange,
                            QEvent.Type.StyleChange) and hasattr(self, "icon"):  # light ↔ dark: recolour
            self._paint_icon()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if not hasattr(self, "prompt"):
            return
        # a word-wrapped label picks a "pleasant" width and breaks "Drop an image here or" even in
        # a wide zone: wrap only when the one-line prompt really does not fit
        one_line = (self.icon.sizeHint().width() + self.prompt.fontMetrics().horizontalAdvance(self.prompt.text())
                    + self.link.sizeHint().width() + 2 * 6 + 24 + 8)
        wrap = self.width() < one_line
        if wrap != self.prompt.wordWrap():
            self.prompt.setWordWrap(wrap)

    def _set_active(self, on: bool) -> None:
        self.setProperty("dragActive", on)
        self.style().unpolish(self)
        self.style().polish(self)

    @staticmethod
    def paths_of(mime) -> list[Path]:
        return [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()] if mime.hasUrls() else []

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self.paths_of(event.mimeData()):
            self._set_active(True)
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:  # noqa: N802
        if self.paths_of(event.mimeData()):
            event.acceptProposedAction()

    def dragLeaveEvent(self, event) -> None:  # noqa: N802
        self._set_active(False)

    def dropEvent(self, event) -> None:  # noqa: N802
        self._set_active(False)
        paths = self.paths_of(event.mimeData())
        if paths:
            event.acceptProposedAction()
            self.dropped.emit(paths)


class _EntryRow(QFrame):
    remove = Signal(object)

    def __init__(self, entry: FileEntry, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("FileEntry")
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 6, 6, 6)
        if entry.thumb is not None and not entry.thumb.isNull():
            pic = QLabel(self)
            pic.setPixmap(QPixmap.fromImage(entry.thumb))
            pic.setFixedSize(THUMB, THUMB)
            pic.setAlignment(Qt.AlignmentFlag.AlignCenter)
            row.addWidget(pic)
        else:
            from pixie_desktop.artefacts.thumbnails import mime_kind
            from pixie_desktop.ui.delegates.artefact_delegate import file_badge

            icon = QLabel(self)
            icon.setPixmap(file_badge(mime_kind(entry.mime, entry.name), entry.name, 36))
            icon.setFixedWidth(38)
            row.addWidget(icon)
        text = QVBoxLayout()
        text.setSpacing(0)
        name = QLabel(entry.name, self)
        name.setTextFormat(Qt.TextFormat.PlainText)  # a file may be called "<img src=…>"
        name.setStyleSheet("font-weight: 600;")
        bits = [entry.mime, human_size(entry.size)]
        if entry.pixels:
            bits.append(f"{entry.pixels[0]}×{entry.pixels[1]} px")
        if entry.duration is not None:
            m, s = divmod(int(round(entry.duration)), 60)
            bits.append(f"{m}:{s:02d}")
        meta = QLabel(" · ".join(bits), self)
        meta.setObjectName("Muted")
        text.addWidget(name)
        text.addWidget(meta)
        row.addLayout(text, 1)
        x = QToolButton(self)
        x.setAutoRaise(True)
        x.setToolTip("Remove")
        set_icon_button(x, "x", f"Remove {entry.name}", edge=12)
        x.clicked.connect(lambda: self.remove.emit(entry))
        row.addWidget(x)


@register("file", "image", "audio")
class FileInput(InputWidget):
    def _build(self) -> None:
        self.entries: list[FileEntry] = []
        self.pending = 0
        self.multiple = bool(self.spec.multiple) and self.spec.type != "audio"
        kind = {"image": "an image", "audio": "an audio file"}.get(self.spec.type, "a file")
        kinds = {"image": "images", "audio": "audio files"}.get(self.spec.type, "files")
        text = f"Drop {kinds} here or" if self.multiple else f"Drop {kind} here or"
        hint_bits = []
        acc = self.accept_patterns()
        if acc and acc != ["audio/*"] and tuple(acc) != accept_rules.DEFAULT_IMAGE:
            hint_bits.append("Accepts " + ", ".join(acc))
        elif self.spec.type == "image":
            hint_bits.append("PNG, JPEG, GIF, BMP, WebP")
        elif self.spec.type == "audio":
            hint_bits.append("WAV, MP3, OGG, FLAC…")
        hint_bits.append(f"up to {self._limit_mb():g} MB" + (" each" if self.multiple else ""))
        self.zone = DropZone(text, " · ".join(hint_bits), self)
        self.zone.dropped.connect(self._on_drop)
        self.zone.browse.connect(self._browse)
        self.list_box = QVBoxLayout()
        self.list_box.setSpacing(4)
        self.add_body(self.zone)
        self._outer.addLayout(self.list_box)
        self.busy = QLabel("Reading file…", self)
        self.busy.setObjectName("Muted")
        self.busy.hide()
        self.add_body(self.busy)

    # -- rules -------------------------------------------------------------------------
    def accept_patterns(self) -> list[str]:
        """manifest/accept.py: the declared `accept` on every type, else the type's default."""
        return accept_rules.accept_patterns(self.spec)

    def _limit_mb(self) -> float:
        mb = self.spec.max_size_mb
        return float(mb) if mb and mb > 0 else float(HARD_CAP_MB)

    def problem_with(self, path: Path) -> str | None:
        if not path.is_file():
            return f"{path.name}: not a readable file."
        mime = guess_mime(path)
        if accept_rules.file_problem(self.spec, path.name) is not None:  # one rule with drops and run
            return f"{path.name}: {mime} is not accepted here (accepts {', '.join(self.accept_patterns())})."
        size = path.stat().st_size
        if size > self._limit_mb() * 1024 * 1024:
            return f"{path.name}: {human_size(size)} is over the {self._limit_mb():g} MB limit."
        return None

    def accepts_files(self, paths: list[Path]) -> bool:
        paths = [Path(p) for p in paths]
        return bool(paths) and any(self.problem_with(p) is None for p in paths)

    def drop_files(self, paths: list[Path]) -> list[str]:
        errors: list[str] = []
        good: list[Path] = []
        for p in [Path(x) for x in paths]:
            err = self.problem_with(p)
            if err:
                errors.append(err)
            else:
                good.append(p)
        if good and not self.multiple:
            if len(good) > 1:
                errors.append(f"Only one file is taken here; used {good[0].name}.")
            good = good[:1]
            self._set_entries([])
        for p in good:
            self._encode(p)
        self.set_error(" ".join(errors) if errors else None)
        return errors

    def _on_drop(self, paths: list) -> None:
        self.drop_files(paths)

    # -- encoding ----------------------------------------------------------------------
    def _encode(self, path: Path) -> None:
        if path.stat().st_size <= INLINE_ENCODE_BYTES:
            try:
                self._add_entry(encode_file(path))
            except OSError as exc:
                self.set_error(f"{path.name}: {exc.strerror or exc}")
            return
        from pixie_desktop.ui import workers
        from pixie_desktop.ui.inputs.structured import _guarded

        self.pending += 1
        self.busy.show()

        def done(entry: FileEntry) -> None:
            self.pending -= 1
            self.busy.setVisible(self.pending > 0)
            if not self.multiple:
                self._set_entries([])
            self._add_entry(entry)

        def failed(exc: BaseException) -> None:
            self.pending -= 1
            self.busy.setVisible(self.pending > 0)
            self.set_error(f"{path.name}: {exc}")

        workers.submit(encode_file, path, on_result=_guarded(self, done), on_error=_guarded(self, failed))

    def _add_entry(self, entry: FileEntry) -> None:
        self._set_entries(self.entries + [entry])

    def _set_entries(self, entries: list[FileEntry]) -> None:
        self.entries = list(entries)
        while self.list_box.count():
            w = self.list_box.takeAt(0).widget()
            if w is not None:
                w.deleteLater()
        for e in self.entries:
            row = _EntryRow(e, self)
            row.remove.connect(self._remove)
            self.list_box.addWidget(row)
        self.zone.setVisible(self.multiple or not self.entries)
        self._emit()

    def _remove(self, entry: FileEntry) -> None:
        self._set_entries([e for e in self.entries if e is not entry])

    def _browse(self) -> None:
        pats = self.accept_patterns()
        globs = []
        for p in pats:
            if p.startswith("."):
                globs.append("*" + p)
            elif p.endswith("/*"):
                ext = {"image/*": "*.png *.jpg *.jpeg *.gif *.webp *.bmp *.svg",
                       "audio/*": "*.wav *.mp3 *.ogg *.flac *.m4a *.aac"}.get(p)
                if ext:
                    globs.append(ext)
            elif "/" in p:
                globs.extend("*" + e for e in sorted(set(mimetypes.guess_all_extensions(p, strict=False))))
            else:
                globs.append("*." + p.lstrip("."))
        filt = (f"Accepted ({' '.join(globs)});;All files (*)" if globs else "All files (*)")
        if self.multiple:
            names, _ = QFileDialog.getOpenFileNames(self, f"Choose {self.spec.label}", "", filt)
        else:
            name, _ = QFileDialog.getOpenFileName(self, f"Choose {self.spec.label}", "", filt)
            names = [name] if name else []
        if names:
            self.drop_files([Path(n) for n in names])

    # -- value -------------------------------------------------------------------------
    def _read(self) -> Any:
        urls = [e.data_url for e in self.entries]
        if self.multiple:
            return urls
        return urls[0] if urls else None

    def _write(self, value: Any) -> None:
        if value is None:
            self._set_entries([])
            return
        items = value if isinstance(value, list) else [value]
        entries = [entry_from_data_url(u, i) for i, u in enumerate(items)]
        if not self.multiple:
            entries = entries[:1]
        self._set_entries(entries)

    def validate(self) -> str | None:
        if self.pending:
            return "Still reading the file — try again in a moment."
        return super().validate()
