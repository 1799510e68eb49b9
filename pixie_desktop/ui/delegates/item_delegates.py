"""Table/list delegates that paint on top of the default item: a status dot (validation or run
status), a clickable star marker and a workspace colour chip. They read their value from a model
role, so they work with any model that provides it (history, gallery details, validation list)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QMouseEvent, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from pixie_desktop.ui.delegates.painters import paint_colour_chip, paint_dot, paint_star, status_colour


class StatusDotDelegate(QStyledItemDelegate):
    """A coloured dot before the cell text; `role` holds a status name ("ok", "fail", …)."""

    def __init__(self, role: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.role = role

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        dot_space = 18
        text_opt = QStyleOptionViewItem(opt)
        text_opt.rect = opt.rect.adjusted(dot_space, 0, 0, 0)
        # background/selection across the whole cell, then text shifted right of the dot
        style = opt.widget.style() if opt.widget else None
        if style is not None:
            bg = QStyleOptionViewItem(opt)
            bg.text = ""
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, bg, painter, opt.widget)
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, text_opt, painter, opt.widget)
        else:
            super().paint(painter, option, index)
        status = index.data(self.role)
        centre = QPointF(opt.rect.left() + 10, opt.rect.center().y() + 0.5)
        paint_dot(painter, centre, 4.5, status_colour(status), halo=status == "running")

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        s = super().sizeHint(option, index)
        return QSize(s.width() + 18, s.height())


class StarDelegate(QStyledItemDelegate):
    """Draws the star marker from `role` (bool) and toggles it on click via setData(role)."""

    def __init__(self, role: int, parent: QWidget | None = None, *, size: int = 14):
        super().__init__(parent)
        self.role = role
        self.size = size

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        r = QRectF(0, 0, self.size, self.size)
        r.moveCenter(QRectF(opt.rect).center())
        paint_star(painter, r, bool(index.data(self.role)), opt.palette)

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        return QSize(self.size + 14, max(self.size + 8, super().sizeHint(option, index).height()))

    def editorEvent(self, event: QEvent, model, option: QStyleOptionViewItem,
                    index: QModelIndex | QPersistentModelIndex) -> bool:
        if event.type() == QEvent.Type.MouseButtonRelease and isinstance(event, QMouseEvent) \
                and event.button() == Qt.MouseButton.LeftButton and option.rect.contains(event.position().toPoint()):
            return model.setData(index, not bool(index.data(self.role)), self.role)
        return super().editorEvent(event, model, option, index)


class ColourChipDelegate(QStyledItemDelegate):
    """A rounded colour chip (workspace or tool colour from `role`) before the cell text."""

    def __init__(self, role: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.role = role

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        colour = index.data(self.role)
        chip_w = 18 if colour else 0
        style = opt.widget.style() if opt.widget else None
        if style is None:
            super().paint(painter, option, index)
            return
        bg = QStyleOptionViewItem(opt)
        bg.text = ""
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, bg, painter, opt.widget)
        text_opt = QStyleOptionViewItem(opt)
        text_opt.rect = opt.rect.adjusted(chip_w, 0, 0, 0)
        text_opt.backgroundBrush = Qt.BrushStyle.NoBrush
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, text_opt, painter, opt.widget)
        if colour:
            chip = QRectF(opt.rect.left() + 4, opt.rect.center().y() - 5, 10, 10)
            paint_colour_chip(painter, chip, colour, radius=3)
