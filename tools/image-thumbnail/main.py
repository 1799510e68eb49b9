"""Image Thumbnail: read a PNG, JPEG, GIF, WebP or BMP with Qt's image I/O (the app's own PySide6,
so zero setup), shrink it so its longest edge fits, optionally in greyscale, and return it as an
image output (saved as an artefact by the app). QImage needs no display or QGuiApplication."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # belt and braces: nothing here opens a window

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt  # noqa: E402
from PySide6.QtGui import QImage, QImageReader  # noqa: E402

try:
    from pixie_desktop import sdk
except ImportError:  # running from a checkout without the package installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from pixie_desktop import sdk

tool = sdk.Tool(__file__)
# Qt writes every format it reads here except GIF; a GIF thumbnail is written as PNG.
WRITE = {"png": ("PNG", "image/png"), "jpeg": ("JPEG", "image/jpeg"), "webp": ("WEBP", "image/webp"),
         "bmp": ("BMP", "image/bmp")}
SHOWN = {"png": "PNG", "jpeg": "JPEG", "webp": "WebP", "bmp": "BMP"}
READ_NAMES = {"png": "PNG", "jpeg": "JPEG", "jpg": "JPEG", "gif": "GIF", "webp": "WebP", "bmp": "BMP"}


def read_image(data: bytes) -> tuple[QImage, str]:
    """(image, format name); EXIF orientation applied so phone photos stand the right way up."""
    buf = QBuffer()
    buf.setData(QByteArray(data))
    buf.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buf)
    reader.setAutoTransform(True)
    fmt = bytes(reader.format().data()).decode("ascii", "replace").lower()
    img = reader.read()
    if img.isNull() or fmt not in READ_NAMES:
        why = reader.errorString() if img.isNull() else f"{fmt.upper()} is not one of them"
        raise sdk.ToolError(f"cannot read this image ({why}); this tool reads PNG, JPEG, GIF, WebP and BMP")
    return img, READ_NAMES[fmt]


def encode(img: QImage, fmt: str, quality: int) -> bytes:
    ba = QByteArray()
    buf = QBuffer(ba)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    if not img.save(buf, WRITE[fmt][0], quality if fmt in ("jpeg", "webp") else -1):
        raise sdk.ToolError(f"could not write {fmt.upper()}")
    return bytes(ba.data())


def kib(n: int) -> str:
    if n < 1024:
        return f"{n} bytes"
    return f"{n / 1024:.1f} KiB" if n < 1_048_576 else f"{n / 1048576:.2f} MiB"


@tool.handler
def run(inputs: dict, ctx: sdk.RunContext) -> dict:
    _mime, data = sdk.decode_data_url(inputs.get("image") or "")
    t0 = time.perf_counter()
    img, read_as = read_image(data)
    edge = max(1, int(inputs.get("max_edge") or 256))
    thumb = img
    if max(img.width(), img.height()) > edge:
        thumb = img.scaled(edge, edge, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
    if inputs.get("greyscale"):
        thumb = thumb.convertToFormat(QImage.Format.Format_Grayscale8)
    fmt = str(inputs.get("format") or "same")
    if fmt == "same":
        fmt = {"JPEG": "jpeg", "WebP": "webp", "BMP": "bmp"}.get(read_as, "png")
    if fmt == "jpeg" and thumb.hasAlphaChannel():
        flat = QImage(thumb.size(), QImage.Format.Format_RGB32)  # JPEG has no alpha: flatten on white
        flat.fill(Qt.GlobalColor.white)
        from PySide6.QtGui import QPainter

        p = QPainter(flat)
        p.drawImage(0, 0, thumb)
        p.end()
        thumb = flat
    quality = int(inputs.get("quality") or 85)
    out = encode(thumb, fmt, quality)
    elapsed = time.perf_counter() - t0
    return {
        "thumbnail": sdk.data_url(out, WRITE[fmt][1]),
        "info": {"pairs": {
            "Original": f"{img.width()} × {img.height()} px {read_as}",
            "Original size": kib(len(data)),
            "Thumbnail": f"{thumb.width()} × {thumb.height()} px {SHOWN[fmt]}",
            "Thumbnail size": kib(len(out)),
            "Colours": "greyscale" if thumb.isGrayscale() else ("with transparency" if thumb.hasAlphaChannel()
                                                                 else "full colour"),
            "Processing time": f"{elapsed * 1000:.0f} ms",
        }},
    }


if __name__ == "__main__":
    tool.serve()
