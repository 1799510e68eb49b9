"""Small QPainter helpers shared by every delegate (sidebar, history, gallery): the status dot,
the star marker and the workspace colour chip. Colours come from the palette where they can so
light and dark themes both read well; status colours are fixed hues tuned for both."""

from __future__ import annotations

from math import cos, pi, sin

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPainterPath, QPalette, QPen, QPolygonF

STATUS_COLOURS = {
    # validation
    "pass": "#2f9e5b",
    "warn": "#d99a0b",
    "fail": "#d64545",
    "skip": "#9aa0a6",
    "unchecked": "#9aa0a6",
    "broken": "#d64545",
    # runs
    "ok": "#2f9e5b",
    "error": "#d64545",
    "cancelled": "#d99a0b",
    "running": "#3b82f6",
}
STATUS_LABELS = {"pass": "Validation passed", "warn": "Validation passed with warnings",
                 "fail": "Validation failed", "skip": "Validation skipped", "unchecked": "Not validated yet",
                 "broken": "tool.json does not parse"}
STAR_COLOUR = "#f4b400"


def status_colour(status: str | None) -> QColor:
    return QColor(STATUS_COLOURS.get(status or "unchecked", STATUS_COLOURS["unchecked"]))


def contrast_text(colour: QColor) -> QColor:
    """Black or white, whichever reads better on `colour` (WCAG relative luminance)."""
    def chan(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    lum = 0.2126 * chan(colour.redF()) + 0.7152 * chan(colour.greenF()) + 0.0722 * chan(colour.blueF())
    return QColor("#111111") if lum > 0.4 else QColor("#ffffff")


def paint_dot(painter: QPainter, center: QPointF, radius: float, colour: QColor, *, hollow: bool = False,
              halo: bool = False) -> None:
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    if halo:
        glow = QColor(colour)
        glow.setAlphaF(0.25)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(glow)
        painter.drawEllipse(center, radius * 1.9, radius * 1.9)
    if hollow:
        painter.setPen(QPen(colour, max(1.2, radius * 0.45)))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(center, radius * 0.8, radius * 0.8)
    else:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawEllipse(center, radius, radius)
    painter.restore()


def star_path(rect: QRectF) -> QPainterPath:
    cx, cy = rect.center().x(), rect.center().y() + rect.height() * 0.04
    outer = min(rect.width(), rect.height()) / 2
    inner = outer * 0.45
    pts = []
    for i in range(10):
        r = outer if i % 2 == 0 else inner
        a = -pi / 2 + i * pi / 5
        pts.append(QPointF(cx + r * cos(a), cy + r * sin(a)))
    path = QPainterPath()
    path.addPolygon(QPolygonF(pts))
    path.closeSubpath()
    return path


def paint_star(painter: QPainter, rect: QRectF, on: bool, palette: QPalette | None = None) -> None:
    """A filled gold star when on, a faint outline when off (so the column invites a click)."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    path = star_path(rect)
    if on:
        painter.setPen(QPen(QColor("#d69e00"), 1.0))
        painter.setBrush(QColor(STAR_COLOUR))
    else:
        outline = (palette.color(QPalette.ColorRole.PlaceholderText) if palette is not None
                   else QColor("#9aa0a6"))
        outline.setAlphaF(0.6)
        painter.setPen(QPen(outline, 1.1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPath(path)
    painter.restore()


def paint_colour_chip(painter: QPainter, rect: QRectF, colour: str | QColor | None, *,
                      radius: float | None = None, palette: QPalette | None = None) -> bool:
    """A rounded chip in the workspace/tool colour with a hairline border that keeps pale colours
    visible on light backgrounds. Returns False (paints nothing) for a missing/invalid colour."""
    c = QColor(colour) if colour is not None else QColor()
    if not c.isValid():
        return False
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    border = QColor(c).darker(135)
    border.setAlphaF(0.8)
    painter.setPen(QPen(border, 1.0))
    painter.setBrush(QBrush(c))
    r = radius if radius is not None else min(rect.width(), rect.height()) / 3
    painter.drawRoundedRect(rect.adjusted(0.5, 0.5, -0.5, -0.5), r, r)
    painter.restore()
    return True


def paint_spinner(painter: QPainter, center: QPointF, radius: float, colour: QColor, phase: float) -> None:
    """A running indicator: an arc whose start angle follows `phase` (0..1)."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    track = QColor(colour)
    track.setAlphaF(0.25)
    rect = QRectF(center.x() - radius, center.y() - radius, radius * 2, radius * 2)
    painter.setPen(QPen(track, 2.0))
    painter.drawEllipse(rect)
    pen = QPen(colour, 2.0)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    painter.drawArc(rect, int(-phase * 360 * 16), 100 * 16)
    painter.restore()
