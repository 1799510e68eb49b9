"""Map inputs on the offline base map: map_point (click to place, drag to move), map_bbox (drag
a rectangle), map_polygon (click vertices, right-click removes the last) and map_multipoint
(click to add, drag to move, right-click a point to delete). Latitude/longitude are always
editable in spin boxes or a small coordinate table under the map.

Values: point `[lat, lng]`; bbox `[[south, west], [north, east]]` (a flat `[s, w, n, e]` is
accepted too, as the validator sends); polygon and multipoint `[[lat, lng], …]`."""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import (
    QDoubleSpinBox, QHeaderView, QLabel, QPushButton, QTableWidget,
    QTableWidgetItem,
)

from pixie_desktop.ui import theme
from pixie_desktop.ui.inputs.base import InputWidget, as_float, register
from pixie_desktop.ui.inputs.mapcanvas import MapCanvas
from pixie_desktop.ui.widgets.icons import set_button_icon

HINTS = {
    "map_point": "Click to place · drag the pin to move · right-drag to pan · scroll to zoom",
    "map_bbox": "Drag to draw a box · right-drag to pan · scroll to zoom",
    "map_polygon": "Click to add corners · right-click removes the last · right-drag to pan",
    "map_multipoint": "Click to add · drag to move · right-click a point to delete",
}


def _pt(v: Any) -> tuple[float, float] | None:
    if isinstance(v, dict):
        v = [v.get("lat"), v.get("lng", v.get("lon"))]
    if isinstance(v, (list, tuple)) and len(v) == 2:
        a, b = as_float(v[0]), as_float(v[1])
        if a is not None and b is not None and -90 <= a <= 90 and -180 <= b <= 180:
            return (a, b)
    return None


def _r(v: float) -> float:
    return round(v, 6)


class EditMap(MapCanvas):
    """The canvas for one map input: holds `points` and edits them according to `mode`."""

    edited = Signal()

    def __init__(self, mode: str, parent=None, center=(20.0, 0.0), zoom=1.0):
        super().__init__(parent, center, zoom)
        self.mode = mode
        self.points: list[tuple[float, float]] = []
        self._drag_index: int | None = None
        self._box_start: tuple[float, float] | None = None
        self.setCursor(Qt.CursorShape.CrossCursor)

    def _hit(self, pos: QPointF, radius: float = 9.0) -> int | None:
        for i, (lat, lng) in enumerate(self.points):
            q = self.to_screen(lat, lng)
            if math.hypot(q.x() - pos.x(), q.y() - pos.y()) <= radius:
                return i
        return None

    def edit_press(self, geo, event) -> bool:
        pos = event.position()
        if self.mode == "map_bbox":
            self._box_start = geo
            self.points = [geo, geo]
            self.update()
            return True
        hit = self._hit(pos)
        if hit is not None:  # grab an existing point/corner to move it
            self._drag_index = hit
            return True
        if self.mode == "map_point":
            self.points = [geo]
            self._drag_index = 0
        else:
            self.points.append(geo)
            self._drag_index = len(self.points) - 1
        self.update()
        self.edited.emit()
        return True

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 - Qt override
        geo = self.to_geo(event.position())
        if self._box_start is not None:
            self.points = [self._box_start, geo]
            self.update()
            return
        if self._drag_index is not None and 0 <= self._drag_index < len(self.points):
            self.points[self._drag_index] = geo
            self.update()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        if self._box_start is not None:
            geo = self.to_geo(event.position())
            a, b = self._box_start, geo
            self._box_start = None
            if abs(a[0] - b[0]) < 1e-6 and abs(a[1] - b[1]) < 1e-6:
                self.points = []  # a plain click clears the box
            else:
                self.points = [(min(a[0], b[0]), min(a[1], b[1])), (max(a[0], b[0]), max(a[1], b[1]))]
            self.update()
            self.edited.emit()
            return
        if self._drag_index is not None:
            self._drag_index = None
            self.edited.emit()
            return
        super().mouseReleaseEvent(event)

    def edit_release(self, geo, event) -> bool:
        if event.button() != Qt.MouseButton.RightButton:
            return False
        if self.mode == "map_polygon" and self.points:
            self.points.pop()
        elif self.mode == "map_multipoint":
            hit = self._hit(event.position())
            if hit is not None:
                self.points.pop(hit)
        elif self.mode == "map_point":
            self.points = []
        self.update()
        self.edited.emit()
        return True

    def paint_overlay(self, p: QPainter) -> None:
        t = theme.current()
        acc = QColor(t.accent)
        fill = QColor(acc)
        fill.setAlpha(60)
        pts = [self.to_screen(a, b) for a, b in self.points]
        if self.mode == "map_bbox" and len(pts) == 2:
            p.setPen(QPen(acc, 2))
            p.setBrush(fill)
            p.drawRect(QRectF(pts[0], pts[1]).normalized())
            return
        if self.mode == "map_polygon" and len(pts) >= 2:
            p.setPen(QPen(acc, 2))
            p.setBrush(fill if len(pts) >= 3 else Qt.BrushStyle.NoBrush)
            if len(pts) >= 3:
                p.drawPolygon(pts)
            else:
                p.drawPolyline(pts)
        for i, q in enumerate(pts):
            p.setPen(QPen(QColor("#ffffff"), 2))
            p.setBrush(acc)
            if self.mode == "map_point":
                # a pin: circle with a stem
                p.drawLine(q, q + QPointF(0, -14))
                p.drawEllipse(q + QPointF(0, -18), 7, 7)
                p.setBrush(QColor("#ffffff"))
                p.drawEllipse(q + QPointF(0, -18), 2.5, 2.5)
            else:
                p.drawEllipse(q, 6, 6)


def _spin(lo: float, hi: float, parent) -> QDoubleSpinBox:
    s = QDoubleSpinBox(parent)
    s.setRange(lo, hi)
    s.setDecimals(5)
    s.setSingleStep(0.1)
    s.setKeyboardTracking(False)
    s.setMinimumWidth(110)
    return s


@register(*HINTS)
class MapInput(InputWidget):
    def _build(self) -> None:
        mode = self.spec.type
        center = _pt(self.spec.default_center) or (20.0, 0.0)
        zoom = float(self.spec.default_zoom) if isinstance(self.spec.default_zoom, (int, float)) else (
            1.0 if self.spec.default_center is None else 4.0)
        self.canvas = EditMap(mode, self, center, max(0.0, zoom - 1 if zoom > 3 else zoom))
        self.canvas.setMinimumSize(200, 230)  # shrinks with a narrow form column
        self.canvas.edited.connect(self._from_canvas)
        self.add_body(self.canvas)
        hint = QLabel(HINTS[mode], self)
        hint.setObjectName("HelpText")
        hint.setWordWrap(True)
        self.add_body(hint)
        self._syncing = False
        if mode == "map_point":
            self.lat = _spin(-90, 90, self)
            self.lng = _spin(-180, 180, self)
            pairs = []
            for lab, w in (("Lat", self.lat), ("Lng", self.lng)):
                pairs.append((self._muted(lab), w))
                w.setAccessibleName(f"{self.spec.label}: {'latitude' if lab == 'Lat' else 'longitude'}")
                w.valueChanged.connect(self._from_spins)
            self._set_btn = QPushButton("Clear", self)
            self._set_btn.setObjectName("Small")
            self._set_btn.clicked.connect(lambda: self._set_points([]))
            # wraps under a narrow column instead of pushing the form wider than its pane
            self.add_wrapping_row(*pairs, self._set_btn)
        elif mode == "map_bbox":
            self.south, self.north = _spin(-90, 90, self), _spin(-90, 90, self)
            self.west, self.east = _spin(-180, 180, self), _spin(-180, 180, self)
            pairs = []
            for lab, w in (("South", self.south), ("West", self.west), ("North", self.north), ("East", self.east)):
                label = self._muted(lab)
                label.setMinimumWidth(label.fontMetrics().horizontalAdvance("South") + 2)  # spins line up
                pairs.append((label, w))
                w.setAccessibleName(f"{self.spec.label}: {lab.lower()}")
                w.valueChanged.connect(self._from_spins)
            clear = QPushButton("Clear", self)
            clear.setObjectName("Small")
            clear.clicked.connect(lambda: self._set_points([]))
            self.add_wrapping_row(*pairs, clear)
        else:
            self.table = QTableWidget(0, 2, self)
            self.table.setHorizontalHeaderLabels(["Lat", "Lng"])
            self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
            self.table.verticalHeader().setDefaultSectionSize(24)
            self.table.setFixedHeight(110)
            self.table.itemChanged.connect(self._from_table)
            add = QPushButton("Add point", self)  # ＋/− are boxes in some stock fonts: the SVGs
            set_button_icon(add, "plus", edge=12)
            add.setObjectName("Small")
            add.clicked.connect(self._add_row)
            rm = QPushButton("Remove", self)
            set_button_icon(rm, "minus", edge=12)
            rm.setObjectName("Small")
            rm.clicked.connect(self._remove_row)
            clear = QPushButton("Clear", self)
            clear.setObjectName("Small")
            clear.clicked.connect(lambda: self._set_points([]))
            self.add_body(self.table)
            self.add_wrapping_row(add, rm, clear)

    def _muted(self, text: str) -> QLabel:
        label = QLabel(text, self)
        label.setObjectName("Muted")
        return label

    # -- sync between canvas, spin boxes and table ---------------------------------------
    def _set_points(self, pts: list[tuple[float, float]]) -> None:
        self.canvas.points = [(_r(a), _r(b)) for a, b in pts]
        self.canvas.update()
        self._to_editors()
        self._emit()

    def _from_canvas(self) -> None:
        self.canvas.points = [(_r(a), _r(b)) for a, b in self.canvas.points]
        self._to_editors()
        self._emit()

    def _to_editors(self) -> None:
        self._syncing = True
        try:
            pts = self.canvas.points
            mode = self.spec.type
            if mode == "map_point":
                lat, lng = pts[0] if pts else (0.0, 0.0)
                self.lat.setValue(lat)
                self.lng.setValue(lng)
            elif mode == "map_bbox":
                (s, w), (n, e) = pts if len(pts) == 2 else ((0.0, 0.0), (0.0, 0.0))
                self.south.setValue(s)
                self.west.setValue(w)
                self.north.setValue(n)
                self.east.setValue(e)
            else:
                self.table.setRowCount(0)
                for lat, lng in pts:
                    r = self.table.rowCount()
                    self.table.insertRow(r)
                    self.table.setItem(r, 0, QTableWidgetItem(f"{lat:g}"))
                    self.table.setItem(r, 1, QTableWidgetItem(f"{lng:g}"))
        finally:
            self._syncing = False

    def _from_spins(self, *_: Any) -> None:
        if self._syncing:
            return
        if self.spec.type == "map_point":
            self.canvas.points = [(_r(self.lat.value()), _r(self.lng.value()))]
        else:
            s, n = sorted((self.south.value(), self.north.value()))
            w, e = sorted((self.west.value(), self.east.value()))
            self.canvas.points = [(_r(s), _r(w)), (_r(n), _r(e))]
        self.canvas.update()
        self._emit()

    def _from_table(self, *_: Any) -> None:
        if self._syncing:
            return
        pts = []
        for r in range(self.table.rowCount()):
            a = as_float(self.table.item(r, 0).text() if self.table.item(r, 0) else None)
            b = as_float(self.table.item(r, 1).text() if self.table.item(r, 1) else None)
            if a is not None and b is not None and -90 <= a <= 90 and -180 <= b <= 180:
                pts.append((_r(a), _r(b)))
        self.canvas.points = pts
        self.canvas.update()
        self._emit()

    def _add_row(self) -> None:
        lat, lng = self.canvas.center_lat, self.canvas.center_lng
        self._set_points(self.canvas.points + [(lat, lng)])

    def _remove_row(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True)
        pts = list(self.canvas.points)
        if not rows and pts:
            rows = [len(pts) - 1]
        for r in rows:
            if 0 <= r < len(pts):
                pts.pop(r)
        self._set_points(pts)

    # -- value -------------------------------------------------------------------------
    def _read(self) -> Any:
        pts = self.canvas.points
        mode = self.spec.type
        if mode == "map_point":
            return [pts[0][0], pts[0][1]] if pts else None
        if mode == "map_bbox":
            if len(pts) != 2:
                return None
            return [[pts[0][0], pts[0][1]], [pts[1][0], pts[1][1]]]
        return [[a, b] for a, b in pts]

    def _write(self, value: Any) -> None:
        mode = self.spec.type
        if value is None:
            self._set_points([])
            return
        if mode == "map_point":
            p = _pt(value)
            if p is None:
                raise ValueError("map_point expects [lat, lng]")
            self._set_points([p])
            self.canvas.set_view((p[0], p[1]), max(self.canvas.zoom, 2.0))
            return
        if mode == "map_bbox":
            if isinstance(value, (list, tuple)) and len(value) == 4 and all(as_float(v) is not None for v in value):
                s, w, n, e = (float(v) for v in value)
                value = [[s, w], [n, e]]
            if not (isinstance(value, (list, tuple)) and len(value) == 2):
                raise ValueError("map_bbox expects [[s, w], [n, e]]")
            a, b = _pt(value[0]), _pt(value[1])
            if a is None or b is None:
                raise ValueError("map_bbox expects two corners")
            self._set_points([(min(a[0], b[0]), min(a[1], b[1])), (max(a[0], b[0]), max(a[1], b[1]))])
            self.canvas.fit_points(self.canvas.points, pad=0.3)
            return
        if not isinstance(value, (list, tuple)):
            raise ValueError("expects a list of [lat, lng]")
        pts = [_pt(v) for v in value]
        if any(p is None for p in pts):
            raise ValueError("expects a list of [lat, lng]")
        self._set_points(pts)  # type: ignore[arg-type]
        if len(pts) > 1:
            self.canvas.fit_points(pts, pad=0.3)  # type: ignore[arg-type]

    def _extra_problem(self, value: Any) -> str | None:
        if self.spec.type == "map_polygon" and len(value) < 3:
            return f"A polygon needs at least 3 corners ({len(value)} so far)."
        if self.spec.type == "map_bbox":
            (s, w), (n, e) = value
            if s == n or w == e:
                return "The box has no area — drag a rectangle."
        return None

    def focus_editor(self) -> None:
        self.canvas.setFocus()
