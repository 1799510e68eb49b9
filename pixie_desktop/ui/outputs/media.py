"""Media renderers: image (scaled, click to enlarge), audio and video (a media card; the
QtMultimedia player is created only when the user presses Play, so a missing backend never
breaks rendering), image_grid and image_compare (a before/after wipe with a slider).

Sources may be data URLs or files of the run (file:// URLs or absolute paths inside the run
folder, read on a worker with a size cap — see `safe_media`). Remote http(s) URLs are never
fetched (the app is offline): the card says so."""

from __future__ import annotations

import logging

import tempfile

import shiboken6
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QRectF, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QImage, QPainter, QPen, QPixmap, QColor
from PySide6.QtWidgets import (
    QDialog, QGridLayout, QHBoxLayout, QLabel, QPushButton, QScrollArea, QSlider, QVBoxLayout, QWidget,
)

from pixie_desktop.ui import theme
from pixie_desktop.ui.outputs import safe_media
from pixie_desktop.ui.outputs.base import (
    OutputRenderer, ShapeError, kind_of, load_media, media_source, need_dict, register,
)
from pixie_desktop.ui.plain_text import plain_tooltip
from pixie_desktop.ui.widgets.icons import named_pixmap

log = logging.getLogger(__name__)


def load_image(src: str, on_ready: Callable[[QImage], None], owner: "OutputRenderer",
               on_error: Callable[[str], None] | None = None,
               max_edge: int = safe_media.DISPLAY_EDGE) -> QImage | None:
    """The image now for a small data URL; otherwise None and `on_ready` (or `on_error` with the
    reason: a refused path, a remote URL, an unreadable file) is called later on the UI thread.
    Only sources `safe_media` allows are ever read (owner.scope says which run's files). The image
    is at most `max_edge` pixels on its long side (safe_media.full_size gives the picture's)."""
    def refused(why: str) -> None:
        if on_error is not None:
            on_error(why)

    return safe_media.load_image(src, getattr(owner, "scope", safe_media.DENY_ALL), owner, on_ready, refused,
                                 max_edge=max_edge)


class ClickableImage(QLabel):
    clicked = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()


def show_large(image: QImage, title: str, parent: QWidget) -> None:
    dlg = QDialog(parent)
    dlg.setWindowTitle(title)
    lay = QVBoxLayout(dlg)
    area = QScrollArea(dlg)
    lab = QLabel()
    screen = parent.screen().availableGeometry() if parent.screen() else None
    pm = QPixmap.fromImage(image)
    if screen is not None and (pm.width() > screen.width() * 0.9 or pm.height() > screen.height() * 0.85):
        pm = pm.scaled(int(screen.width() * 0.9), int(screen.height() * 0.85), Qt.AspectRatioMode.KeepAspectRatio,
                       Qt.TransformationMode.SmoothTransformation)
    lab.setPixmap(pm)
    area.setWidget(lab)
    lay.addWidget(area)
    dlg.resize(min(pm.width() + 40, 1600), min(pm.height() + 40, 1000))
    dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dlg.show()


@register("image")
class ImageRenderer(OutputRenderer):
    MAX_H = 380

    def _build(self) -> None:
        self.label = ClickableImage(self.body)
        self.label.clicked.connect(self._enlarge)
        self.meta = QLabel(self.body)
        self.meta.setObjectName("Muted")
        self.body_layout.addWidget(self.label)
        self.body_layout.addWidget(self.meta)
        self.image: QImage | None = None
        self.notice: str | None = None

    def _render(self, value: Any) -> None:
        src = media_source(value)
        alt = value.get("alt") if isinstance(value, dict) else None
        self.image = None
        self.label.setToolTip(plain_tooltip(str(alt)) if alt else "Click to enlarge")
        self.label.setPixmap(QPixmap())
        self.label.setText("Loading image…")
        self.meta.setText(src[:120])
        self.notice = None
        self._src = src
        img = load_image(src, lambda im, s=src: self._src == s and self._set_image(im), self,
                         lambda why, s=src: self._src == s and self._refused(why))
        if img is not None:
            self._set_image(img)

    def _refused(self, why: str) -> None:
        """A source the rules do not allow (or cannot read): say why in place of the image."""
        self.image = None
        self.notice = why
        self.label.setPixmap(QPixmap())
        self.label.setText(why)

    def _set_image(self, img: QImage) -> None:
        self.image = img  # at most DISPLAY_EDGE on its long side: the work below stays bounded
        self._pixmap = QPixmap.fromImage(img)  # once, not on every resize
        width, height = safe_media.full_size(img)
        self.meta.setText(f"{width} × {height} px · click to enlarge")
        self._scale()

    def _scale(self) -> None:
        if self.image is None or self.image.isNull():
            return
        w = max(120, (self.body.width() or 600) - 4)
        pm = self._pixmap
        if pm.width() > w or pm.height() > self.MAX_H:
            pm = pm.scaled(w, self.MAX_H, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
        self.label.setPixmap(pm)

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        if self._built:
            self._scale()

    def _enlarge(self) -> None:
        if self.image is not None:
            show_large(self.image, self.spec.label, self)


@register("audio", "video")
class MediaRenderer(OutputRenderer):
    def _build(self) -> None:
        row = QHBoxLayout()
        # ♪ and ▶ are missing-glyph boxes in some stock fonts: the bundled SVGs, redrawn per theme
        self.icon = QLabel(self.body)
        self.icon.setAccessibleName("Audio" if self.spec.type == "audio" else "Video")
        self.retheme()
        self.follow_theme()
        row.addWidget(self.icon)
        info = QVBoxLayout()
        self.name = QLabel(self.body)
        self.name.setStyleSheet("font-weight: 600;")
        self.meta = QLabel(self.body)
        self.meta.setObjectName("Muted")
        info.addWidget(self.name)
        info.addWidget(self.meta)
        row.addLayout(info, 1)
        self.play_btn = QPushButton("Play", self.body)
        self.play_btn.setObjectName("Primary")
        self.play_btn.clicked.connect(self.toggle_play)
        self.open_btn = QPushButton("Open", self.body)
        self.open_btn.setObjectName("Small")
        self.open_btn.clicked.connect(self.open_external)
        row.addWidget(self.open_btn)
        row.addWidget(self.play_btn)
        self.body_layout.addLayout(row)
        self.player = None
        self.video_widget = None
        self.src = ""
        self._local: Path | None = None
        self._checked: str | None = None

    def _render(self, value: Any) -> None:
        self.src = media_source(value)
        self._local = None
        self._checked = None
        self._stop()
        self.play_btn.setEnabled(True)
        self.open_btn.setEnabled(True)
        kind = safe_media.classify(self.src)
        if kind == "data":
            loaded = load_media(self.src)
            mime, data = loaded if loaded else ("", b"")
            self.name.setText(f"{self.spec.label}")
            self.meta.setText(f"{mime or 'media'} · {len(data) / 1024:.1f} KB")
        elif kind == "remote":
            self.name.setText(self.src.rsplit("/", 1)[-1][:80] or self.src[:80])
            self.meta.setText(f"{safe_media.REMOTE_MEDIA} · Open link uses your browser")
            self.play_btn.setEnabled(False)
            self.open_btn.setText("Open link")
        else:
            p = safe_media.local_path(self.src)
            if not p.is_absolute():
                raise ShapeError(f"not a URL or absolute path: {self.src[:80]}")
            self.name.setText(p.name)
            self.meta.setText(f"{p.suffix.lstrip('.').upper() or 'media'} file · checking…")
            self.play_btn.setEnabled(False)
            self.open_btn.setEnabled(False)
            src = self.src
            # is it a regular file of this run? (a worker looks: a FIFO or a hung mount must
            # not block the UI thread, and nothing outside the run folder is ever handed on)
            safe_media.run_async(self, safe_media.check_local, p, self.scope,
                                 on_ready=lambda real, s=src: self._checked_ok(s, real),
                                 on_error=lambda why, s=src: self._checked_bad(s, why))

    def _checked_ok(self, src: str, real: str) -> None:
        if src != self.src:
            return
        self._checked = real
        self.meta.setText(f"{Path(real).suffix.lstrip('.').upper() or 'media'} file")
        self.play_btn.setEnabled(True)
        self.open_btn.setEnabled(True)

    def _checked_bad(self, src: str, why: str) -> None:
        if src != self.src:
            return
        self._checked = None
        self.meta.setText(why)

    def _playable_url(self) -> QUrl | None:
        kind = safe_media.classify(self.src)
        if kind == "data":
            if self._local is None:
                loaded = load_media(self.src)
                import mimetypes

                ext = mimetypes.guess_extension(loaded[0]) if loaded else ""
                self._local = Path(tempfile.mkdtemp(prefix="pixie-media-")) / f"{self.spec.key}{ext or ''}"
                self._local.write_bytes(loaded[1] if loaded else b"")
            return QUrl.fromLocalFile(str(self._local))
        if kind == "remote":
            return QUrl(self.src)  # only ever handed to the desktop on the user's click
        if self._checked is not None:
            return QUrl.fromLocalFile(self._checked)
        return None

    def retheme(self) -> None:
        name = "music" if self.spec.type == "audio" else "play"
        self.icon.setPixmap(named_pixmap(name, 26, theme.current().text))
        self.icon.setProperty("iconName", name)

    def toggle_play(self) -> None:
        try:
            if self.player is None:
                from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer

                self.player = QMediaPlayer(self)
                self.audio_out = QAudioOutput(self)
                self.player.setAudioOutput(self.audio_out)
                if self.spec.type == "video":
                    from PySide6.QtMultimediaWidgets import QVideoWidget

                    self.video_widget = QVideoWidget(self.body)
                    self.video_widget.setMinimumHeight(240)
                    self.body_layout.addWidget(self.video_widget)
                    self.player.setVideoOutput(self.video_widget)
                url = self._playable_url()
                if url is None or safe_media.classify(self.src) == "remote":
                    raise ShapeError("not playable here")
                self.player.setSource(url)
                self.player.errorOccurred.connect(lambda *_: self.meta.setText(
                    f"Cannot play here: {self.player.errorString()} — use Open."))
            if self.player.playbackState() == self.player.PlaybackState.PlayingState:
                self.player.pause()
                self.play_btn.setText("Play")
            else:
                self.player.play()
                self.play_btn.setText("Pause")
        except Exception as exc:  # noqa: BLE001 - no multimedia backend: keep the card, offer Open
            self.meta.setText(f"Playback unavailable ({type(exc).__name__}) — use Open.")
            self.play_btn.setEnabled(False)

    def _stop(self) -> None:
        if self.player is not None:
            try:
                self.player.stop()
            except Exception:  # noqa: BLE001 - a backend that fails to stop is stopped anyway by deletion
                log.exception("media player stop failed")
        self.play_btn.setText("Play")

    def _reset(self) -> None:
        self._stop()

    def open_external(self) -> None:
        try:
            url = self._playable_url()
            if url is not None:
                QDesktopServices.openUrl(url)
        except Exception as exc:  # noqa: BLE001
            self.meta.setText(f"Cannot open: {exc}")


def grid_items(value: Any) -> list[tuple[str, str]]:
    images = value if isinstance(value, list) else need_dict(value, "images")["images"]
    if not isinstance(images, list):
        raise ShapeError(f"expected images to be a list, got {kind_of(images)}")
    out = []
    for item in images:
        if isinstance(item, str):
            out.append((item, ""))
        elif isinstance(item, dict):
            out.append((media_source(item), str(item.get("alt") or item.get("label") or item.get("caption") or "")))
        else:
            raise ShapeError(f"expected image items as URL strings or {{url|data, alt}}, got {kind_of(item)}")
    return out


@register("image_grid")
class ImageGridRenderer(OutputRenderer):
    CELL = 150

    ENLARGED = 1024  # px: cells show a picture this big when clicked (decoded no bigger)

    def _build(self) -> None:
        self.holder = QWidget(self.body)
        self.grid = QGridLayout(self.holder)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(8)
        self.body_layout.addWidget(self.holder)
        self.images: list[QImage | None] = []

    def _reset(self) -> None:
        while self.grid.count():
            w = self.grid.takeAt(0).widget()
            if w is not None:
                w.deleteLater()
        self.images = []

    def _render(self, value: Any) -> None:
        items = grid_items(value)
        self._reset()
        cols = max(2, min(5, ((self.body.width() or 640) + 8) // (self.CELL + 8)))
        for i, (src, alt) in enumerate(items[:200]):
            cell = QWidget(self.holder)
            cl = QVBoxLayout(cell)
            cl.setContentsMargins(0, 0, 0, 0)
            cl.setSpacing(2)
            pic = ClickableImage(cell)
            pic.setFixedSize(self.CELL, self.CELL)
            pic.setStyleSheet("background: rgba(127,127,127,0.08); border-radius: 6px;")
            cl.addWidget(pic)
            if alt:
                cap = QLabel(cell)
                cap.setTextFormat(Qt.TextFormat.PlainText)  # the tool's alt text, never rich text
                cap.setText(alt)
                cap.setObjectName("Muted")
                cap.setAlignment(Qt.AlignmentFlag.AlignCenter)
                cap.setMaximumWidth(self.CELL)
                cl.addWidget(cap)
            self.images.append(None)
            idx = i

            def setter(img: QImage, pic=pic, idx=idx, images=self.images) -> None:
                if images is not self.images or not shiboken6.isValid(pic):
                    return  # a newer value replaced this grid while the image loaded
                self.images[idx] = img
                pic.setPixmap(QPixmap.fromImage(img).scaled(self.CELL, self.CELL, Qt.AspectRatioMode.KeepAspectRatio,
                                                            Qt.TransformationMode.SmoothTransformation))
            def refused(why: str, pic=pic) -> None:
                if not shiboken6.isValid(pic):
                    return
                pic.setText("remote image\nnot loaded\n(offline)" if why == safe_media.REMOTE_PLACEHOLDER
                            else "not shown")
                pic.setToolTip(why)
            img = load_image(src, setter, self, refused, max_edge=self.ENLARGED)
            if img is not None:
                setter(img)
            pic.clicked.connect(lambda idx=idx, alt=alt: self.images[idx] is not None and show_large(
                self.images[idx], alt or self.spec.label, self))
            self.grid.addWidget(cell, i // cols, i % cols)
        self.grid.setColumnStretch(cols, 1)  # keep thumbnails packed to the left


class WipeView(QWidget):
    """Draws `after` over `before`, clipped at a movable vertical line."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.before: QImage | None = None
        self.after: QImage | None = None
        self._drawn: dict[int, tuple[Any, QPixmap]] = {}  # image.cacheKey() → (size, pixmap) drawn
        self.split = 0.5
        self.setMinimumHeight(200)
        self.setCursor(Qt.CursorShape.SplitHCursor)

    def _target(self) -> QRectF:
        img = self.before or self.after
        if img is None or img.isNull():
            return QRectF(self.rect())
        s = min(self.width() / img.width(), self.height() / img.height())
        w, h = img.width() * s, img.height() * s
        return QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)

    def _scaled(self, img: QImage, r: QRectF) -> QPixmap:
        """`img` at the size it is drawn, made once per size: dragging the line only blits."""
        size, key = r.size().toSize(), img.cacheKey()
        kept = self._drawn.get(key)
        if kept is None or kept[0] != size:
            kept = (size, QPixmap.fromImage(img.scaled(size, Qt.AspectRatioMode.IgnoreAspectRatio,
                                                       Qt.TransformationMode.SmoothTransformation)))
            shown = {i.cacheKey() for i in (self.before, self.after) if i is not None}
            self._drawn = {k: v for k, v in self._drawn.items() if k in shown}
            self._drawn[key] = kept
        return kept[1]

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        r = self._target()
        if self.before is not None and r.width() >= 1 and r.height() >= 1:
            p.drawPixmap(r.topLeft(), self._scaled(self.before, r))
        x = r.left() + r.width() * self.split
        if self.after is not None and r.width() >= 1 and r.height() >= 1:
            p.save()
            p.setClipRect(QRectF(x, r.top(), r.right() - x, r.height()))
            p.drawPixmap(r.topLeft(), self._scaled(self.after, r))
            p.restore()
        p.setPen(QPen(QColor("#ffffff"), 2))
        p.drawLine(int(x), int(r.top()), int(x), int(r.bottom()))
        t = theme.current()
        p.setBrush(QColor(t.accent))
        p.drawEllipse(QRectF(x - 8, r.center().y() - 8, 16, 16))
        p.setPen(QColor("#ffffff"))
        p.drawText(QRectF(r.left() + 6, r.top() + 4, 80, 18), "Before")
        p.drawText(QRectF(r.right() - 86, r.top() + 4, 80, 18), Qt.AlignmentFlag.AlignRight, "After")
        p.end()

    def _drag(self, event) -> None:
        r = self._target()
        if r.width() > 0:
            self.split = max(0.0, min(1.0, (event.position().x() - r.left()) / r.width()))
            self.update()

    def mousePressEvent(self, event) -> None:  # noqa: N802
        self._drag(event)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        if event.buttons():
            self._drag(event)


@register("image_compare")
class ImageCompareRenderer(OutputRenderer):
    def _build(self) -> None:
        self.view = WipeView(self.body)
        self.view.setMinimumHeight(260)
        self.slider = QSlider(Qt.Orientation.Horizontal, self.body)
        self.slider.setRange(0, 1000)
        self.slider.setValue(500)
        self.slider.valueChanged.connect(self._slide)
        self.body_layout.addWidget(self.view)
        self.body_layout.addWidget(self.slider)

    def _slide(self, v: int) -> None:
        self.view.split = v / 1000
        self.view.update()

    def _render(self, value: Any) -> None:
        d = need_dict(value, "before", "after")
        before, after = media_source(d["before"]), media_source(d["after"])

        def set_before(img: QImage) -> None:
            self.view.before = img
            self.view.update()

        def set_after(img: QImage) -> None:
            self.view.after = img
            self.view.update()
        self.view.before = self.view.after = None
        self.notes: list[str] = []
        b = load_image(before, set_before, self, self.notes.append)
        a = load_image(after, set_after, self, self.notes.append)
        if b is not None:
            set_before(b)
        if a is not None:
            set_after(a)
        img = b or a
        if img is not None and img.width() > 0:
            w = max(300, (self.body.width() or 600))
            self.view.setFixedHeight(int(min(420, max(180, w * img.height() / img.width()))))
