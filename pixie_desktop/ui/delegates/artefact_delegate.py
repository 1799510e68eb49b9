"""Paints one artefact: as a gallery tile (thumbnail, starred marker, workspace colour chip,
elided filename, the input it came from, size) or, with `compact=True`, as the Name cell of the
details list. Grouped by run, each tile has a band on top: the run's header on the first tile of
a run, a thin rule joining the rest to it.

Painting only reads model roles; asking for `ThumbnailRole` is what queues a thumbnail, so
only visible items ever get one. Placeholders (drawn once per kind/extension/size and cached)
stand in while a thumbnail is pending or when a kind has none (audio, archives…).
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import PurePosixPath

from PySide6.QtCore import QModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPalette, QPixmap
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from pixie_desktop.ui.delegates.painters import paint_colour_chip, paint_star
from pixie_desktop.ui.models.artefacts_model import (ArtefactRole, GroupRole, MimeKindRole, SourceRole, StarredRole,
                                                     ThumbnailRole, ToolColourRole, WorkspaceColourRole, human_size)

KIND_COLOURS = {"image": "#4f7fe0", "svg": "#8a5cd1", "pdf": "#d1495b", "video": "#e07a2f", "audio": "#2a9d8f",
                "table": "#3c9a4a", "text": "#5f6b7a", "other": "#8b95a1"}


class ArtefactDelegate(QStyledItemDelegate):
    """Tile painter for the icon grid; `compact=True` paints a details-list Name cell."""

    TEXT_H = 38
    GROUP_H = 24  # the run band on top of each tile when grouped by run

    def __init__(self, parent=None, *, tile: int = 168, compact: bool = False):
        super().__init__(parent)
        self.tile = tile
        self.compact = compact
        self.grouped = False
        self._placeholders: dict[tuple[str, str, int], QPixmap] = {}
        # thumbnails pre-scaled to the tile size: smooth-scaling 256 px images on every paint
        # of every visible tile is what made fast scrolling stutter
        self._scaled: OrderedDict[tuple[int, int, int], QPixmap] = OrderedDict()

    def set_tile(self, tile: int) -> None:
        self.tile = int(tile)
        self._scaled.clear()

    def scaled(self, pm: QPixmap, width: int, height: int, radius: float = 0) -> QPixmap:
        """`pm` fitted into width×height (never upscaled) with rounded corners, made once per
        pixmap and box: painting is then a plain blit (no smooth scaling, no clip path)."""
        key = (pm.cacheKey(), width, height)
        out = self._scaled.get(key)
        if out is None:
            fit = pm if pm.width() <= width and pm.height() <= height else pm.scaled(
                width, height, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
            if radius > 0:
                rounded = QPixmap(fit.size())
                rounded.fill(Qt.GlobalColor.transparent)
                rp = QPainter(rounded)
                rp.setRenderHint(QPainter.RenderHint.Antialiasing)
                clip = QPainterPath()
                clip.addRoundedRect(QRectF(rounded.rect()), radius, radius)
                rp.setClipPath(clip)
                rp.drawPixmap(0, 0, fit)
                rp.end()
                fit = rounded
            out = self._scaled[key] = fit
            if len(self._scaled) > 800:
                self._scaled.popitem(last=False)
        else:
            self._scaled.move_to_end(key)
        return out

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        if self.compact:
            return QSize(220, 34)
        return QSize(self.tile, self.tile + self.TEXT_H + (self.GROUP_H if self.grouped else 0))

    # -- placeholders
    def placeholder(self, kind: str, filename: str, edge: int) -> QPixmap:
        ext = PurePosixPath(filename or "").suffix.lstrip(".").upper()[:5] or kind.upper()[:5]
        key = (kind, ext, edge)
        pm = self._placeholders.get(key)
        if pm is None:
            pm = self._placeholders[key] = file_badge(kind, filename, edge)
        return pm

    # -- painting
    def paint(self, p: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        if self.compact:
            self._paint_compact(p, option, index)
        else:
            self._paint_tile(p, option, index)

    def _thumb_or_placeholder(self, index: QModelIndex, edge: int) -> tuple[QPixmap, bool]:
        pm = index.data(ThumbnailRole)
        if isinstance(pm, QPixmap) and not pm.isNull():
            return pm, True
        rec = index.data(ArtefactRole)
        return self.placeholder(index.data(MimeKindRole) or "other", rec.filename if rec else "", edge), False

    def _paint_tile(self, p: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        rec = index.data(ArtefactRole)
        if rec is None:
            return
        p.save()
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        pal = option.palette
        cell = QRectF(option.rect)
        header = index.data(GroupRole)
        if header is not None:
            band = QRectF(cell.left(), cell.top(), cell.width(), self.GROUP_H)
            paint_run_band(p, band, header, pal, option.font)
            cell = cell.adjusted(0, self.GROUP_H, 0, 0)
        width = min(cell.width(), float(self.tile))
        r = QRectF(cell.left() + (cell.width() - width) / 2, cell.top(), width, cell.height()).adjusted(4, 4, -4, -4)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hover = bool(option.state & QStyle.StateFlag.State_MouseOver)
        card = QColor(pal.color(QPalette.ColorRole.Base))
        border = QColor(pal.color(QPalette.ColorRole.Mid))
        border.setAlpha(90)
        if selected:
            hl = QColor(pal.color(QPalette.ColorRole.Highlight))
            fill = QColor(hl)
            fill.setAlpha(40)
            p.setPen(hl)
            p.setBrush(fill)
        else:
            if hover:
                border.setAlpha(170)
            p.setPen(border)
            p.setBrush(card)
        p.drawRoundedRect(r, 8, 8)

        thumb_box = QRectF(r.left() + 8, r.top() + 8, r.width() - 16, r.height() - self.TEXT_H - 12)
        edge = int(min(thumb_box.width(), thumb_box.height()))
        pm, real = self._thumb_or_placeholder(index, max(16, edge))
        if real:
            inset = QColor(pal.color(QPalette.ColorRole.AlternateBase))
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(inset)
            p.drawRoundedRect(thumb_box, 5, 5)
        if real:
            pm = self.scaled(pm, int(thumb_box.width()), int(thumb_box.height()), radius=4)
        target = QRectF(0, 0, pm.width(), pm.height())
        target.moveCenter(thumb_box.center())
        p.drawPixmap(target.topLeft(), pm)

        # markers: colour chip top-left, star top-right
        chip = index.data(WorkspaceColourRole) or index.data(ToolColourRole)
        paint_colour_chip(p, QRectF(thumb_box.left() + 4, thumb_box.top() + 4, 12, 12), chip, radius=6)
        if index.data(StarredRole):
            paint_star(p, QRectF(thumb_box.right() - 20, thumb_box.top() + 3, 17, 17), True)

        text_rect = QRectF(r.left() + 8, r.bottom() - self.TEXT_H, r.width() - 16, self.TEXT_H - 4)
        name_font = QFont(option.font)
        name_font.setWeight(QFont.Weight.DemiBold)
        fm = QFontMetrics(name_font)
        name = fm.elidedText(rec.label or rec.filename, Qt.TextElideMode.ElideMiddle, int(text_rect.width()))
        p.setFont(name_font)
        p.setPen(pal.color(QPalette.ColorRole.Text))
        p.drawText(QRectF(text_rect.left(), text_rect.top(), text_rect.width(), fm.height()),
                   Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, name)
        small = QFont(option.font)
        small.setPointSizeF(max(6.5, option.font.pointSizeF() * 0.86))
        sfm = QFontMetrics(small)
        p.setFont(small)
        muted = QColor(pal.color(QPalette.ColorRole.PlaceholderText))
        p.setPen(muted)
        source = index.data(SourceRole)  # "from sunset.jpg": which input made it
        meta_text = f"{source} · {human_size(rec.size_bytes)}" if source else f"{human_size(rec.size_bytes)} · {rec.tool_id}"
        meta = sfm.elidedText(meta_text, Qt.TextElideMode.ElideRight, int(text_rect.width()))
        p.drawText(QRectF(text_rect.left(), text_rect.top() + fm.height() + 1, text_rect.width(), sfm.height()),
                   Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, meta)
        p.restore()

    def _paint_compact(self, p: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        rec = index.data(ArtefactRole)
        if rec is None:
            return
        if index.data(GroupRole):  # a run's first row in the grouped list: its band is on top
            option = QStyleOptionViewItem(option)
            option.rect = option.rect.adjusted(0, self.GROUP_H, 0, 0)
        style_opt = QStyleOptionViewItem(option)
        self.initStyleOption(style_opt, index)
        style_opt.text = ""
        style = option.widget.style() if option.widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, style_opt, p, option.widget)
        p.save()
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        r = option.rect
        edge = r.height() - 6
        box = QRectF(r.left() + 18, r.top() + 3, edge, edge)
        pm, _real = self._thumb_or_placeholder(index, edge)
        pm = self.scaled(pm, edge, edge)
        target = QRectF(0, 0, pm.width(), pm.height())
        target.moveCenter(box.center())
        p.drawPixmap(target, pm, QRectF(pm.rect()))
        chip = index.data(WorkspaceColourRole) or index.data(ToolColourRole)
        paint_colour_chip(p, QRectF(r.left() + 4, r.center().y() - 4, 9, 9), chip, radius=4.5)
        x = int(box.right()) + 8
        if index.data(StarredRole):
            paint_star(p, QRectF(x, r.center().y() - 7, 14, 14), True)
            x += 18
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        p.setPen(option.palette.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text))
        fm = QFontMetrics(option.font)
        text = fm.elidedText(index.data(Qt.ItemDataRole.DisplayRole) or "", Qt.TextElideMode.ElideMiddle,
                             max(10, r.right() - x - 4))
        p.drawText(QRect(x, r.top(), r.right() - x, r.height()), Qt.AlignmentFlag.AlignVCenter, text)
        p.restore()


def paint_run_band(p: QPainter, band: QRectF, header: str, pal: QPalette, font: QFont) -> None:
    """A run's band when the gallery is grouped by run: on its first item the run's header text
    after a dot; on the others (grid tiles) a rule at mid height."""
    accent = QColor(pal.color(QPalette.ColorRole.Highlight))
    mid_y = band.center().y() + 2
    if not header:
        rule = QColor(pal.color(QPalette.ColorRole.Mid))
        rule.setAlpha(120)
        p.setPen(rule)
        p.drawLine(int(band.left()), int(mid_y), int(band.right()), int(mid_y))
        return
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(accent)
    p.drawEllipse(QRectF(band.left() + 6, mid_y - 4, 8, 8))
    bold = QFont(font)
    bold.setWeight(QFont.Weight.DemiBold)
    bold.setPointSizeF(max(6.5, font.pointSizeF() * 0.9))
    fm = QFontMetrics(bold)
    text_rect = QRectF(band.left() + 20, band.top() + 2, band.width() - 24, band.height() - 2)
    p.setFont(bold)
    p.setPen(pal.color(QPalette.ColorRole.Text))
    p.drawText(text_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
               fm.elidedText(header, Qt.TextElideMode.ElideRight, int(text_rect.width())))


def file_badge(kind: str, filename: str, edge: int) -> QPixmap:
    """A "page with a folded corner" tinted by the file's kind, with its extension on a badge:
    the stand-in for a file without a thumbnail (gallery tiles, file inputs, file outputs)."""
    ext = PurePosixPath(filename or "").suffix.lstrip(".").upper()[:5] or kind.upper()[:5]
    pm = QPixmap(edge, edge)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    colour = QColor(KIND_COLOURS.get(kind, KIND_COLOURS["other"]))
    bg = QColor(colour)
    bg.setAlpha(30)
    w, h = edge * 0.62, edge * 0.78
    x, y = (edge - w) / 2, (edge - h) / 2
    fold = w * 0.28
    path = QPainterPath()
    path.moveTo(x, y)
    path.lineTo(x + w - fold, y)
    path.lineTo(x + w, y + fold)
    path.lineTo(x + w, y + h)
    path.lineTo(x, y + h)
    path.closeSubpath()
    p.setPen(QColor(colour.red(), colour.green(), colour.blue(), 150))
    p.setBrush(bg)
    p.drawPath(path)
    corner = QPainterPath()
    corner.moveTo(x + w - fold, y)
    corner.lineTo(x + w - fold, y + fold)
    corner.lineTo(x + w, y + fold)
    p.drawPath(corner)
    badge_h = max(12.0, edge * 0.17)
    badge = QRectF(x - edge * 0.04, y + h * 0.55, w * 0.8, badge_h)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(colour)
    p.drawRoundedRect(badge, 3, 3)
    f = QFont()
    f.setBold(True)
    f.setPixelSize(max(8, int(badge_h * 0.62)))
    p.setFont(f)
    p.setPen(QColor("white"))
    p.drawText(badge, Qt.AlignmentFlag.AlignCenter, ext)
    p.end()
    return pm
