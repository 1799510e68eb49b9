"""Photo Resize: resize and convert a batch of photos (PNG, JPEG, GIF, WebP, BMP in; JPEG, WebP
or PNG out) with an optional colour effect. Shows the results as an image grid, the first photo
before/after, and a table of what each file saved. Qt's image I/O from the app's own PySide6 does
the work, so the tool needs no setup (and no display: QImage works without a QGuiApplication)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt  # noqa: E402
from PySide6.QtGui import QColor, QImage, QImageReader, QPainter  # noqa: E402

try:
    from pixie_desktop import sdk
except ImportError:  # running from a checkout without the package installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from pixie_desktop import sdk

tool = sdk.Tool(__file__)
FORMATS = {"jpeg": ("JPEG", "image/jpeg", "JPEG"), "webp": ("WEBP", "image/webp", "WebP"),
           "png": ("PNG", "image/png", "PNG")}
READABLE = {"png": "PNG", "jpeg": "JPEG", "jpg": "JPEG", "gif": "GIF", "webp": "WebP", "bmp": "BMP"}
TINTS = {"sepia": "#f2d7a6", "cool": "#bcd7ff"}  # multiplied over a greyscale / colour picture


def read(data: bytes, n: int) -> tuple[QImage, str]:
    buf = QBuffer()
    buf.setData(QByteArray(data))
    buf.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buf)
    reader.setAutoTransform(True)  # phone photos: honour the EXIF orientation
    fmt = bytes(reader.format().data()).decode("ascii", "replace").lower()
    img = reader.read()
    if img.isNull() or fmt not in READABLE:
        raise sdk.ToolError(f"photo {n} cannot be read ({reader.errorString() if img.isNull() else fmt.upper()}); "
                            f"PNG, JPEG, GIF, WebP and BMP are supported")
    return img.convertToFormat(QImage.Format.Format_ARGB32), READABLE[fmt]


def apply_effect(img: QImage, effect: str) -> QImage:
    if effect == "none":
        return img
    if effect in ("greyscale", "sepia"):
        img = img.convertToFormat(QImage.Format.Format_Grayscale8).convertToFormat(QImage.Format.Format_ARGB32)
    if effect in TINTS:
        p = QPainter(img)
        p.setCompositionMode(QPainter.CompositionMode.CompositionMode_Multiply)
        p.fillRect(img.rect(), QColor(TINTS[effect]))
        p.end()
    return img


def encode(img: QImage, fmt: str, quality: int) -> bytes:
    if fmt == "jpeg" and img.hasAlphaChannel():  # JPEG has no alpha: flatten onto white
        flat = QImage(img.size(), QImage.Format.Format_RGB32)
        flat.fill(Qt.GlobalColor.white)
        p = QPainter(flat)
        p.drawImage(0, 0, img)
        p.end()
        img = flat
    ba = QByteArray()
    buf = QBuffer(ba)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    if not img.save(buf, FORMATS[fmt][0], quality if fmt != "png" else -1):
        raise sdk.ToolError(f"could not write {FORMATS[fmt][2]}")
    return bytes(ba.data())


def size_text(n: int) -> str:
    return f"{n:,} bytes" if n < 1024 else f"{n / 1024:.1f} KiB" if n < 1_048_576 else f"{n / 1048576:.2f} MiB"


@tool.handler
def run(inputs: dict, ctx: sdk.RunContext) -> dict:
    photos = inputs.get("photos") or []
    if isinstance(photos, str):
        photos = [photos]
    if not photos:
        raise sdk.ToolError("add at least one photo")
    if len(photos) > 50:
        raise sdk.ToolError(f"{len(photos)} photos is more than the 50 this tool handles at once")
    edge = max(16, int(inputs.get("max_edge") or 800))
    fmt = str(inputs.get("format") or "jpeg")
    if fmt not in FORMATS:
        raise sdk.ToolError(f"unknown output format '{fmt}'")
    quality = int(inputs.get("quality") or 80)
    effect = str(inputs.get("effect") or "none")
    t0 = time.perf_counter()
    grid, rows, compare = [], [], None
    total_in = total_out = 0
    for n, url in enumerate(photos, 1):
        if ctx.cancelled:
            break
        _mime, data = sdk.decode_data_url(url)
        img, read_as = read(data, n)
        out_img = img
        if max(img.width(), img.height()) > edge:
            out_img = img.scaled(edge, edge, Qt.AspectRatioMode.KeepAspectRatio,
                                 Qt.TransformationMode.SmoothTransformation)
        out_img = apply_effect(out_img, effect)
        out = encode(out_img, fmt, quality)
        total_in, total_out = total_in + len(data), total_out + len(out)
        name = f"photo-{n}.{'jpg' if fmt == 'jpeg' else fmt}"
        grid.append({"data": sdk.data_url(out, FORMATS[fmt][1]), "alt": f"{name} · {out_img.width()} × {out_img.height()}"})
        if compare is None:
            # same size on both sides, so the slider compares the effect and the compression only
            before = img.scaled(out_img.width(), out_img.height(), Qt.AspectRatioMode.IgnoreAspectRatio,
                                Qt.TransformationMode.SmoothTransformation)
            compare = {"before": sdk.data_url(encode(before, "png", -1), "image/png"),
                       "after": sdk.data_url(out, FORMATS[fmt][1])}
        rows.append({"photo": name, "original": f"{img.width()} × {img.height()} {read_as}",
                     "resized": f"{out_img.width()} × {out_img.height()} {FORMATS[fmt][2]}",
                     "before_kib": round(len(data) / 1024, 1), "after_kib": round(len(out) / 1024, 1),
                     "saved": round(1 - len(out) / len(data), 3) if data else 0.0})
    saved = 1 - total_out / total_in if total_in else 0.0
    return {
        "grid": {"images": grid},
        "compare": compare or {"before": "", "after": ""},
        "files": {"rows": rows},
        "summary": {"pairs": {"Photos": len(rows), "Longest edge": f"{edge} px",
                              "Output": f"{FORMATS[fmt][2]}" + (f", quality {quality}" if fmt != "png" else ""),
                              "Effect": effect, "Before": size_text(total_in), "After": size_text(total_out),
                              "Saved": f"{saved:.0%}" if saved >= 0 else f"{-saved:.0%} larger",
                              "Time": f"{(time.perf_counter() - t0) * 1000:.0f} ms"}},
    }


if __name__ == "__main__":
    tool.serve()
