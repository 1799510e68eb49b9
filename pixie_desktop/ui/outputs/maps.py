"""The 5 map outputs on the same offline base map as the map inputs: points (coloured markers
with labels, and `popup` text shown on hover), heatmap (weighted radial blobs), choropleth
(GeoJSON polygons filled on a colour scale by `values[feature id]`), polygons and route (an
ordered polyline with start/end and its stops' labels).

A fitted view is fitted again when the card is resized (until the user pans or zooms), so the
first and last points are never cut off by a fit made before the card had its real size. Maps
are drawn again in the new colours when the theme changes."""

from __future__ import annotations

from typing import Any

import html

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QRadialGradient, QPolygonF
from PySide6.QtWidgets import QToolTip

from pixie_desktop.ui.inputs.mapcanvas import MapCanvas, colour_or
from pixie_desktop.ui.outputs.base import OutputRenderer, active_theme, ShapeError, kind_of, need_dict, need_list, num, register


def _latlng(p: Any, what: str = "points") -> tuple[float, float]:
    if isinstance(p, dict):
        lat, lng = p.get("lat"), p.get("lng", p.get("lon"))
    elif isinstance(p, (list, tuple)) and len(p) >= 2:
        lat, lng = p[0], p[1]
    else:
        raise ShapeError(f"expected {what} as {{lat, lng}}, got {kind_of(p)}")
    a, b = num(lat, "lat"), num(lng, "lng")
    if not (-90 <= a <= 90 and -180 <= b <= 180):
        raise ShapeError(f"lat/lng out of range: {a}, {b}")
    return a, b


def tip_html(text: str) -> str:
    """Tool text for a tooltip: escaped, so Qt never reads it as rich text (an <img> in it would
    make Qt load that file)."""
    return "<p style='white-space:pre-wrap'>" + html.escape(text[:500]) + "</p>"


class OverlayMap(MapCanvas):
    """Base map + whatever `layers` the renderer set (a list of draw callables), hover texts
    for points (`hover`: (lat, lng, text)) and a fit that follows the card's size."""

    HOVER_PX = 12

    def __init__(self, parent=None):
        super().__init__(parent)
        self.layers: list = []
        self.hover: list[tuple[float, float, str]] = []
        self.fit_pts: list[tuple[float, float]] | None = None
        self._fitted: tuple[float, float, float] | None = None
        self._tip_shown = False
        self.setMinimumHeight(300)

    def paint_overlay(self, p: QPainter) -> None:
        for layer in self.layers:
            layer(p, self)

    def fit(self, pts: list[tuple[float, float]]) -> None:
        self.fit_pts = pts
        self.fit_points(pts)
        self._fitted = (self.center_lat, self.center_lng, self.zoom)

    def unfit(self) -> None:
        self.fit_pts = None
        self._fitted = None

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if self.fit_pts and self._fitted == (self.center_lat, self.center_lng, self.zoom):
            self.fit(self.fit_pts)

    def reset_view(self) -> None:
        if self.fit_pts:
            self.fit(self.fit_pts)
        else:
            super().reset_view()

    def hover_text(self, pos: QPointF) -> str | None:
        best, best_d = None, float(self.HOVER_PX)
        for lat, lng, text in self.hover:
            q = self.to_screen(lat, lng)
            d = abs(q.x() - pos.x()) + abs(q.y() - pos.y())
            if d <= best_d:
                best, best_d = text, d
        return best

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().mouseMoveEvent(event)
        if not self.hover or self._panning:
            return
        text = self.hover_text(event.position())
        if text:
            QToolTip.showText(event.globalPosition().toPoint(), tip_html(text), self)
            self._tip_shown = True
        elif self._tip_shown:
            QToolTip.hideText()
            self._tip_shown = False


def _ramp(t: float) -> QColor:
    """Colour scale for choropleth/heat: pale yellow → orange → deep red."""
    stops = [(0.0, (255, 237, 160)), (0.5, (253, 141, 60)), (1.0, (189, 0, 38))]
    t = max(0.0, min(1.0, t))
    for (a, ca), (b, cb) in zip(stops, stops[1:]):
        if t <= b:
            f = (t - a) / (b - a)
            return QColor(*(int(ca[i] + (cb[i] - ca[i]) * f) for i in range(3)))
    return QColor(*stops[-1][1])


def _hover_text(p: Any, label: Any) -> str | None:
    """What hovering a point shows: its label, then its popup/description (plain text)."""
    if not isinstance(p, dict):
        return None
    parts = [str(label)] if label not in (None, "") else []
    for k in ("popup", "description", "tooltip"):
        v = p.get(k)
        if isinstance(v, (str, int, float)) and not isinstance(v, bool) and str(v) not in parts:
            parts.append(str(v))
            break
    return "\n".join(parts)[:500] or None


class MapRenderer(OutputRenderer):
    min_height = 320

    def _build(self) -> None:
        self.map = OverlayMap(self.body)
        self.legend = None
        self.body_layout.addWidget(self.map)
        self.follow_theme()

    def retheme(self) -> None:
        """New colours for the overlay, keeping the user's view."""
        if self.current is None or self.error is not None:
            return
        try:
            self.map.hover = []
            self.map.layers = self.parse(self.current)[0]
            self.map.update()
        except RuntimeError:  # the card is being destroyed
            pass
        except Exception as exc:  # noqa: BLE001 - parse succeeded before; say why if not now
            self._fail(self.current, str(exc))

    def _render(self, value: Any) -> None:
        self.map.hover = []
        layers, pts, center, zoom = self.parse(value)
        self.map.layers = layers
        self.map.unfit()
        if center is not None:
            self.map.set_view(center, zoom if zoom is not None else 3)
        elif pts:
            if len(pts) == 1:
                self.map.set_view(pts[0], zoom if zoom is not None else 4)
            else:
                self.map.fit(pts)
        else:
            self.map.set_view((20, 0), 0)
        self.map.update()

    def parse(self, value: Any):
        raise NotImplementedError

    @staticmethod
    def _view(d: dict) -> tuple[tuple[float, float] | None, float | None]:
        center = None
        c = d.get("center")
        if c is not None:
            try:
                center = _latlng(c, "center")
            except ShapeError:
                center = None
        z = d.get("zoom")
        zoom = float(z) - 1 if isinstance(z, (int, float)) and not isinstance(z, bool) else None
        return center, zoom


@register("map_points")
class PointsMap(MapRenderer):
    def parse(self, value: Any):
        d = need_dict(value, "points") if not isinstance(value, list) else {"points": value}
        items = []
        for p in need_list(d["points"], "points")[:5000]:
            lat, lng = _latlng(p)
            label = p.get("label") if isinstance(p, dict) else None
            colour = p.get("colour", p.get("color")) if isinstance(p, dict) else None
            size = p.get("size") if isinstance(p, dict) else None
            items.append((lat, lng, label, colour, size))
            tip = _hover_text(p, label)
            if tip:
                self.map.hover.append((lat, lng, tip))
        acc = active_theme().accent

        def draw(p: QPainter, m: MapCanvas) -> None:
            for lat, lng, label, colour, size in items:
                q = m.to_screen(lat, lng)
                r = float(size) if isinstance(size, (int, float)) and not isinstance(size, bool) and 2 <= size <= 40 else 6.0
                p.setPen(QPen(QColor("#ffffff"), 1.5))
                p.setBrush(colour_or(colour, acc))
                p.drawEllipse(q, r, r)
                if label and len(items) <= 60:
                    p.setPen(QColor(active_theme().text))
                    p.drawText(q + QPointF(r + 3, 4), str(label)[:40])
        center, zoom = self._view(d)
        if not items and center is None and isinstance(self.spec.default_center, list):
            try:
                center = _latlng(self.spec.default_center, "default_center")
                zoom = float(self.spec.default_zoom or 3) - 1
            except ShapeError:
                center = None
        return [draw], [(a, b) for a, b, *_ in items], center, zoom


@register("map_heatmap")
class HeatMap(MapRenderer):
    def parse(self, value: Any):
        d = need_dict(value, "points") if not isinstance(value, list) else {"points": value}
        items = []
        for p in need_list(d["points"], "points")[:20000]:
            lat, lng = _latlng(p)
            w = p.get("weight", 1) if isinstance(p, dict) else (p[2] if isinstance(p, (list, tuple)) and len(p) > 2 else 1)
            items.append((lat, lng, num(w, "weight") if w is not None else 1.0))
        wmax = max((w for *_, w in items), default=1.0) or 1.0
        radius = d.get("radius")
        radius = float(radius) if isinstance(radius, (int, float)) and not isinstance(radius, bool) and 2 <= radius <= 80 else 22.0

        def draw(p: QPainter, m: MapCanvas) -> None:
            p.setPen(Qt.PenStyle.NoPen)
            p.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)
            for lat, lng, w in items:
                q = m.to_screen(lat, lng)
                c = _ramp(w / wmax)
                g = QRadialGradient(q, radius)
                c1 = QColor(c)
                c1.setAlpha(int(60 + 150 * min(1.0, w / wmax)))
                c2 = QColor(c)
                c2.setAlpha(0)
                g.setColorAt(0, c1)
                g.setColorAt(1, c2)
                p.setBrush(g)
                p.drawEllipse(q, radius, radius)
        center, zoom = self._view(d)
        return [draw], [(a, b) for a, b, _ in items], center, zoom


def _rings(geometry: Any) -> list[list[tuple[float, float]]]:
    """Outer rings of a GeoJSON Polygon/MultiPolygon as (lat, lng) lists."""
    if not isinstance(geometry, dict):
        return []
    t = geometry.get("type")
    coords = geometry.get("coordinates")
    polys = [coords] if t == "Polygon" else coords if t == "MultiPolygon" else []
    out = []
    for poly in polys or []:
        if isinstance(poly, list) and poly and isinstance(poly[0], list):
            ring = []
            for c in poly[0]:
                if isinstance(c, list) and len(c) >= 2 and all(isinstance(v, (int, float)) for v in c[:2]):
                    ring.append((float(c[1]), float(c[0])))
            if len(ring) >= 3:
                out.append(ring)
    return out


@register("map_choropleth")
class ChoroplethMap(MapRenderer):
    def _build(self) -> None:
        super()._build()
        from PySide6.QtWidgets import QLabel

        self.scale = QLabel(self.body)
        self.scale.setObjectName("Muted")
        self.body_layout.addWidget(self.scale)

    def parse(self, value: Any):
        d = need_dict(value, "geojson", "values")
        gj = d["geojson"]
        feats = gj.get("features") if isinstance(gj, dict) else None
        if not isinstance(feats, list):
            raise ShapeError("expected geojson to be a FeatureCollection with features")
        vals = d["values"]
        if not isinstance(vals, dict):
            raise ShapeError(f"expected values to be an object {{feature_id: number}}, got {kind_of(vals)}")
        nums = {str(k): float(v) for k, v in vals.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
        lo = d.get("min") if isinstance(d.get("min"), (int, float)) else min(nums.values(), default=0.0)
        hi = d.get("max") if isinstance(d.get("max"), (int, float)) else max(nums.values(), default=1.0)
        span = (hi - lo) or 1.0
        shapes = []
        pts = []
        for f in feats[:5000]:
            if not isinstance(f, dict):
                continue
            fid = f.get("id", (f.get("properties") or {}).get("id") if isinstance(f.get("properties"), dict) else None)
            name = (f.get("properties") or {}).get("name") if isinstance(f.get("properties"), dict) else None
            v = nums.get(str(fid))
            for ring in _rings(f.get("geometry")):
                shapes.append((ring, v, name or fid))
                pts.extend(ring)
        t = active_theme()

        def draw(p: QPainter, m: MapCanvas) -> None:
            for ring, v, name in shapes:
                poly = QPolygonF([m.to_screen(a, b) for a, b in ring])
                fill = _ramp((v - lo) / span) if v is not None else QColor(t.muted)
                fill.setAlpha(200 if v is not None else 70)
                p.setPen(QPen(QColor(t.surface), 1))
                p.setBrush(fill)
                p.drawPolygon(poly)
                if name is not None and v is not None and len(shapes) <= 40:
                    c = poly.boundingRect().center()
                    p.setPen(QColor("#222222"))
                    p.drawText(c - QPointF(20, -4), f"{v:g}")
        self.scale.setText(f"Scale: {lo:g} (pale) → {hi:g} (dark red) · {len(nums)} values")
        center, zoom = self._view(d)
        return [draw], pts, center, zoom


@register("map_polygons")
class PolygonsMap(MapRenderer):
    def parse(self, value: Any):
        d = need_dict(value, "polygons") if not isinstance(value, list) else {"polygons": value}
        items = []
        pts = []
        for i, poly in enumerate(need_list(d["polygons"], "polygons")[:2000]):
            coords = poly.get("coords", poly.get("coordinates")) if isinstance(poly, dict) else poly
            ring = [_latlng(c, "coords") for c in need_list(coords, "coords")]
            if len(ring) < 2:
                continue
            colour = poly.get("colour", poly.get("color")) if isinstance(poly, dict) else None
            label = poly.get("label") if isinstance(poly, dict) else None
            items.append((ring, colour_or(colour, active_theme().series_colour(i)), label))
            pts.extend(ring)

        def draw(p: QPainter, m: MapCanvas) -> None:
            for ring, col, label in items:
                poly = QPolygonF([m.to_screen(a, b) for a, b in ring])
                fill = QColor(col)
                fill.setAlpha(90)
                p.setPen(QPen(col, 2))
                p.setBrush(fill)
                p.drawPolygon(poly)
                if label:
                    p.setPen(QColor(active_theme().text))
                    p.drawText(poly.boundingRect().center() - QPointF(16, -4), str(label)[:30])
        center, zoom = self._view(d)
        return [draw], pts, center, zoom


@register("map_route")
class RouteMap(MapRenderer):
    def parse(self, value: Any):
        d = need_dict(value, "points") if not isinstance(value, list) else {"points": value}
        raw = need_list(d["points"], "points")[:20000]
        pts = [_latlng(p) for p in raw]
        labels = [str(p["label"])[:40] if isinstance(p, dict) and p.get("label") not in (None, "") else None
                  for p in raw]
        for i, ((lat, lng), p) in enumerate(zip(pts, raw)):
            tip = _hover_text(p, labels[i])
            if tip and len(pts) <= 2000:
                self.map.hover.append((lat, lng, f"{i + 1}. {tip}"))
        t = active_theme()

        def draw(p: QPainter, m: MapCanvas) -> None:
            if not pts:
                return
            screen = [m.to_screen(a, b) for a, b in pts]
            pen = QPen(QColor(t.accent), 3)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            p.setPen(pen)
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawPolyline(screen)
            if len(pts) <= 60:
                for q, lab in zip(screen, labels):
                    if lab:
                        p.setPen(QColor(t.text))
                        p.drawText(q + QPointF(8, -6), lab)
            for q, col in ((screen[0], t.success), (screen[-1], t.danger)):
                p.setPen(QPen(QColor("#ffffff"), 2))
                p.setBrush(QColor(col))
                p.drawEllipse(q, 6, 6)
        center, zoom = self._view(d)
        return [draw], pts, center, zoom
