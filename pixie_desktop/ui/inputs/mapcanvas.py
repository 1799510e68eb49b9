"""The offline base map shared by the map inputs and the map outputs: the bundled low-res world
outline (`resources/world_outline.json`) drawn in an equirectangular projection with wheel
zoom, drag pan, +/−/fit buttons and a graticule.

Subclasses draw on top in `paint_overlay(painter)` using `to_screen(lat, lng)`, and may take
the left mouse button for editing through `edit_press/edit_move/edit_release` (returning True
when they used the event); otherwise a left drag pans."""

from __future__ import annotations

import json
import math
from functools import lru_cache
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPalette, QPen
from PySide6.QtWidgets import QHBoxLayout, QToolButton, QWidget

from pixie_desktop.integration.paths import resources_dir
from pixie_desktop.ui import theme
from pixie_desktop.ui.widgets.icons import set_icon_button


@lru_cache(maxsize=1)
def world_rings() -> tuple[list[list[tuple[float, float]]], list[list[tuple[float, float]]]]:
    """(land rings, water rings) as lists of (lng, lat); empty when the file is missing."""
    try:
        data = json.loads((resources_dir() / "world_outline.json").read_text())
        land = [[(float(x), float(y)) for x, y in ring] for ring in data.get("land", [])]
        water = [[(float(x), float(y)) for x, y in ring] for ring in data.get("water", [])]
        return land, water
    except (OSError, ValueError, TypeError, RuntimeError):
        return [], []


@lru_cache(maxsize=1)
def world_path() -> QPainterPath:
    """Land minus inland seas in degree space with y = -lat (so north is up)."""
    land, water = world_rings()
    path = QPainterPath()
    path.setFillRule(Qt.FillRule.WindingFill)
    for ring in land:
        if len(ring) < 3:
            continue
        path.moveTo(ring[0][0], -ring[0][1])
        for x, y in ring[1:]:
            path.lineTo(x, -y)
        path.closeSubpath()
    holes = QPainterPath()
    for ring in water:
        holes.moveTo(ring[0][0], -ring[0][1])
        for x, y in ring[1:]:
            holes.lineTo(x, -y)
        holes.closeSubpath()
    return path.subtracted(holes) if not holes.isEmpty() else path


def clamp_lat(v: float) -> float:
    return max(-90.0, min(90.0, v))


def wrap_lng(v: float) -> float:
    return ((v + 180.0) % 360.0) - 180.0 if abs(v) > 180 else v


class MapCanvas(QWidget):
    """Equirectangular world map with zoom/pan; overlays drawn by subclasses."""

    view_changed = Signal()
    MIN_ZOOM, MAX_ZOOM = 0.0, 12.0

    def __init__(self, parent: QWidget | None = None, center: tuple[float, float] = (20.0, 0.0),
                 zoom: float = 1.0):
        super().__init__(parent)
        self.setMinimumSize(280, 200)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.center_lat, self.center_lng = center
        self.zoom = float(zoom)
        self._drag_from: QPointF | None = None
        self._drag_center: tuple[float, float] | None = None
        self._panning = False
        self._home: tuple[tuple[float, float], float] = ((self.center_lat, self.center_lng), self.zoom)
        bar = QHBoxLayout()
        self._buttons = QWidget(self)
        bar = QHBoxLayout(self._buttons)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.setSpacing(2)
        # − and ⤢ are missing-glyph boxes in some stock fonts: the bundled SVGs
        for name, tip, fn in (("plus", "Zoom in", lambda: self.zoom_by(1)), ("minus", "Zoom out", lambda: self.zoom_by(-1)),
                              ("maximize", "Fit", self.reset_view)):
            b = QToolButton(self._buttons)
            set_icon_button(b, name, tip, edge=14)
            b.setFixedSize(24, 24)
            b.clicked.connect(fn)
            bar.addWidget(b)
        self._buttons.move(8, 8)

    # -- projection --------------------------------------------------------------------
    def px_per_degree(self) -> float:
        base = max(1.0, min(self.width() / 360.0, self.height() / 180.0))
        return base * (2 ** self.zoom)

    def to_screen(self, lat: float, lng: float) -> QPointF:
        s = self.px_per_degree()
        return QPointF(self.width() / 2 + (lng - self.center_lng) * s,
                       self.height() / 2 - (lat - self.center_lat) * s)

    def to_geo(self, p: QPointF) -> tuple[float, float]:
        s = self.px_per_degree()
        lng = self.center_lng + (p.x() - self.width() / 2) / s
        lat = self.center_lat - (p.y() - self.height() / 2) / s
        return clamp_lat(lat), max(-180.0, min(180.0, lng))

    # -- view control ------------------------------------------------------------------
    def set_view(self, center: tuple[float, float] | None = None, zoom: float | None = None,
                 remember: bool = True) -> None:
        if center is not None:
            self.center_lat, self.center_lng = clamp_lat(float(center[0])), max(-180.0, min(180.0, float(center[1])))
        if zoom is not None:
            self.zoom = max(self.MIN_ZOOM, min(self.MAX_ZOOM, float(zoom)))
        if remember:
            self._home = ((self.center_lat, self.center_lng), self.zoom)
        self.update()
        self.view_changed.emit()

    def fit_points(self, pts: list[tuple[float, float]], pad: float = 0.2, remember: bool = True) -> None:
        """Centre and zoom so all (lat, lng) points are visible."""
        pts = [(a, b) for a, b in pts if math.isfinite(a) and math.isfinite(b)]
        if not pts:
            return
        lats = [p[0] for p in pts]
        lngs = [p[1] for p in pts]
        span_lat = max(lats) - min(lats)
        span_lng = max(lngs) - min(lngs)
        center = ((max(lats) + min(lats)) / 2, (max(lngs) + min(lngs)) / 2)
        w, h = max(self.width(), 280), max(self.height(), 200)
        base = max(1.0, min(w / 360.0, h / 180.0))
        need = max(span_lng / (w * (1 - 2 * pad)), span_lat / (h * (1 - 2 * pad)), 1e-9)
        zoom = math.log2(1 / (need * base)) if need > 0 else 6
        self.set_view(center, max(0.0, min(zoom, 6.0)), remember)

    def reset_view(self) -> None:
        (c, z) = self._home
        self.set_view(c, z, remember=False)

    def zoom_by(self, dz: float, anchor: QPointF | None = None) -> None:
        anchor = anchor or QPointF(self.width() / 2, self.height() / 2)
        before = self.to_geo(anchor)
        self.zoom = max(self.MIN_ZOOM, min(self.MAX_ZOOM, self.zoom + dz))
        after = self.to_geo(anchor)
        self.center_lat = clamp_lat(self.center_lat + before[0] - after[0])
        self.center_lng = max(-180.0, min(180.0, self.center_lng + before[1] - after[1]))
        self.update()
        self.view_changed.emit()

    # -- editing hooks (subclasses) ----------------------------------------------------
    def edit_press(self, geo: tuple[float, float], event) -> bool:
        return False

    def edit_move(self, geo: tuple[float, float], event) -> bool:
        return False

    def edit_release(self, geo: tuple[float, float], event) -> bool:
        return False

    def paint_overlay(self, p: QPainter) -> None:
        pass

    # -- events ------------------------------------------------------------------------
    def wheelEvent(self, event) -> None:  # noqa: N802 - Qt override
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom_by(steps * 0.5, event.position())
        event.accept()

    def mousePressEvent(self, event) -> None:  # noqa: N802
        geo = self.to_geo(event.position())
        if event.button() == Qt.MouseButton.LeftButton and self.edit_press(geo, event):
            return
        if event.button() in (Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton, Qt.MouseButton.MiddleButton):
            self._drag_from = event.position()
            self._drag_center = (self.center_lat, self.center_lng)
            self._panning = False

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        if self._drag_from is not None and self._drag_center is not None:
            d = event.position() - self._drag_from
            if self._panning or abs(d.x()) + abs(d.y()) > 4:
                self._panning = True
                self.setCursor(Qt.CursorShape.ClosedHandCursor)
                s = self.px_per_degree()
                self.center_lat = clamp_lat(self._drag_center[0] + d.y() / s)
                self.center_lng = max(-180.0, min(180.0, self._drag_center[1] - d.x() / s))
                self.update()
            return
        self.edit_move(self.to_geo(event.position()), event)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        was_panning = self._panning
        self._drag_from = None
        self._drag_center = None
        self._panning = False
        self.unsetCursor()
        if was_panning:
            self.view_changed.emit()
            return
        self.edit_release(self.to_geo(event.position()), event)

    # -- painting ----------------------------------------------------------------------
    def paintEvent(self, event) -> None:  # noqa: N802
        # the applied theme (the palette apply_theme set), not only the OS scheme: a user who
        # chose dark gets a dark map even on a light desktop
        t = theme.current(dark=self.palette().color(QPalette.ColorRole.Window).lightness() < 128)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor(t.water))
        s = self.px_per_degree()
        # graticule every 30° (10° when zoomed in)
        step = 30 if self.zoom < 2.5 else 10 if self.zoom < 5 else 2
        grid = QColor(t.coast)
        grid.setAlpha(55)
        p.setPen(QPen(grid, 1, Qt.PenStyle.DotLine))
        for lng in range(-180, 181, step):
            x = self.to_screen(0, lng).x()
            if 0 <= x <= self.width():
                p.drawLine(QPointF(x, self.to_screen(90, 0).y()), QPointF(x, self.to_screen(-90, 0).y()))
        for lat in range(-90, 91, step):
            y = self.to_screen(lat, 0).y()
            if 0 <= y <= self.height():
                p.drawLine(QPointF(self.to_screen(0, -180).x(), y), QPointF(self.to_screen(0, 180).x(), y))
        p.save()
        p.translate(self.width() / 2 - self.center_lng * s, self.height() / 2 + self.center_lat * s)
        p.scale(s, s)
        pen = QPen(QColor(t.coast), 1.0 / s)
        pen.setCosmetic(False)
        p.setPen(QPen(QColor(t.coast), 0))  # width 0 = cosmetic hairline
        p.setBrush(QColor(t.land))
        p.drawPath(world_path())
        p.restore()
        # world frame
        frame = QRectF(self.to_screen(90, -180), self.to_screen(-90, 180))
        p.setPen(QPen(QColor(t.coast), 1))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(frame)
        self.paint_overlay(p)
        f = QFont(self.font())
        f.setPointSizeF(7.5)
        p.setFont(f)
        p.setPen(QColor(t.muted))
        p.drawText(self.rect().adjusted(0, 0, -6, -4), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom,
                   "offline outline map")
        p.end()


def colour_or(value: Any, fallback: str) -> QColor:
    c = QColor(str(value)) if isinstance(value, str) else QColor()
    return c if c.isValid() else QColor(fallback)
