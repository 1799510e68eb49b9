"""`SafeTextBrowser`: the QTextBrowser every tool-supplied markdown/rich text is shown in.

Qt resolves `![x](path)`, `<img src>` and similar references *synchronously* while laying the
text out, reading whatever file the URL names (a FIFO blocks the UI thread forever, /dev/zero
grows until the process aborts). Here `loadResource` is the single gate: data URLs are decoded
(size-capped), files of this run are read on a worker and swapped in when ready, remote images
show a placeholder saying they were not loaded (the app is offline), and everything else is a
placeholder too — Qt's own file loading is never reached. Links open only when they are
http(s)/mailto, and only on the user's click; a link never navigates the browser itself."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QByteArray, QRectF, Qt, QUrl
from PySide6.QtGui import QColor, QDesktopServices, QFont, QImage, QPainter, QTextDocument
from PySide6.QtWidgets import QTextBrowser, QWidget

from pixie_desktop.ui.outputs import safe_media as sm

IMAGE = int(QTextDocument.ResourceType.ImageResource.value)
LOCAL_REFUSED = "local file not shown (only files of this run are)"


def placeholder_image(text: str) -> QImage:
    """A small framed image carrying `text`, shown where a refused/remote image would be."""
    font = QFont()
    font.setPointSize(9)
    width = max(120, min(420, 7 * len(text) + 20))
    img = QImage(width, 28, QImage.Format.Format_ARGB32_Premultiplied)
    img.fill(QColor(127, 127, 127, 30))
    p = QPainter(img)
    p.setPen(QColor(127, 127, 127, 200))
    p.drawRect(0, 0, width - 1, 27)
    p.setFont(font)
    p.drawText(QRectF(6, 0, width - 12, 28), int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), text)
    p.end()
    return img


class SafeTextBrowser(QTextBrowser):
    """A read-only QTextBrowser whose resources obey `safe_media` rules (see module doc)."""

    def __init__(self, parent: QWidget | None = None, scope: sm.ResourceScope | None = None):
        super().__init__(parent)
        self.scope = scope or sm.DENY_ALL
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.anchorClicked.connect(self._open_link)
        self._images: dict[str, QImage] = {}
        self._pending: set[str] = set()
        #: url → why it is shown as a placeholder (for tooltips and tests)
        self.placeholders: dict[str, str] = {}
        self.resource_requests = 0

    # -- the gate ---------------------------------------------------------------------
    def loadResource(self, type_: int, url: QUrl) -> Any:  # noqa: N802 - Qt override
        self.resource_requests += 1
        try:
            kind = int(type_.value) if hasattr(type_, "value") else int(type_)
        except (TypeError, ValueError):
            kind = -1
        if kind != IMAGE:
            return QByteArray(b" ")  # style sheets, linked documents: nothing is loaded
        key = url.toString()
        if key in self._images:
            return self._images[key]
        return self._image_for(key)

    def _image_for(self, src: str) -> QImage:
        kind = sm.classify(src)
        if kind == "remote":
            return self._placeholder(src, sm.REMOTE_PLACEHOLDER)
        if kind == "data":
            try:
                img = sm.decode_now(src)  # few bytes and few pixels; else None: a worker decodes it
            except sm.ResourceRefused as exc:
                return self._placeholder(src, str(exc))
            if img is None:
                return self._load_later(src)
            self._images[src] = img
            return img
        if kind == "local" and self.scope.run_folder is not None:
            return self._load_later(src)
        return self._placeholder(src, LOCAL_REFUSED)

    def _placeholder(self, src: str, why: str) -> QImage:
        self.placeholders[src] = why
        img = placeholder_image(why)
        self._images[src] = img
        return img

    def _load_later(self, src: str) -> QImage:
        if src not in self._pending:
            self._pending.add(src)
            sm.run_async(self, sm.load_image_job, src, self.scope,
                         on_ready=lambda img, s=src: self._loaded(s, img),
                         on_error=lambda why, s=src: self._loaded(s, placeholder_image(why), why))
        return placeholder_image("loading image…")

    def _loaded(self, src: str, img: QImage, why: str | None = None) -> None:
        self._pending.discard(src)
        self._images[src] = img
        if why is not None:
            self.placeholders[src] = why
        self.document().addResource(IMAGE, QUrl(src), img)
        doc = self.document()
        doc.markContentsDirty(0, doc.characterCount())
        self.resourcesChanged()

    def resourcesChanged(self) -> None:
        """Hook: an image arrived after layout (subclasses refit their height)."""

    def forget_resources(self) -> None:
        self._images.clear()
        self.placeholders.clear()

    # -- links --------------------------------------------------------------------------
    def _open_link(self, url: QUrl) -> None:
        if url.scheme().lower() in ("http", "https", "mailto"):
            QDesktopServices.openUrl(url)
