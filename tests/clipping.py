"""A self-check for clipped text and widgets that stick out, used by test_ui_craft.py (and handy
from a shell: `print(*find_clipping(window), sep="\\n")`).

`find_clipping(root)` walks every visible QLabel, QAbstractButton, empty QLineEdit with a
placeholder, QComboBox and spin box under `root` and reports:
- a text that does not fit its widget (plain or rich text; a word-wrapped label is compared by
  heightForWidth against its height) — unless the widget elides it on purpose: its
  `elided` property is true and its tool tip carries the full text;
- a combo box or spin box squeezed below its minimum size (its text is cut, neighbours overlap);
- a widget whose geometry sticks out of an ancestor (ultimately the window), except in a
  direction where a scroll area's viewport can scroll (its scroll bar is not AlwaysOff and has a
  range).
A finding is one line naming the widget (class, objectName, text) and what is wrong."""

from __future__ import annotations

import re

from PySide6 import QtGui
from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QFontMetrics, QTextDocument
from PySide6.QtWidgets import (QAbstractButton, QAbstractScrollArea, QAbstractSpinBox, QCheckBox, QComboBox,
                               QLabel, QLineEdit,
                               QPushButton, QRadioButton, QStyle, QStyleOptionButton,
                               QStyleOptionToolButton, QToolButton, QWidget)

TOLERANCE = 1  # px: rounding between font metrics and layout


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def _name(w: QWidget) -> str:
    text = ""
    if isinstance(w, (QLabel, QAbstractButton)):
        text = w.text()
    elif isinstance(w, QLineEdit):
        text = w.placeholderText()
    text = re.sub(r"<[^>]+>", "", text).replace("\n", " ")
    text = text if len(text) <= 40 else text[:39] + "…"
    oid = f"#{w.objectName()}" if w.objectName() else ""
    parent = w.parentWidget()
    where = ""
    while parent is not None and not where:
        if parent.objectName():
            where = f" in {type(parent).__name__}#{parent.objectName()}"
        parent = parent.parentWidget()
    return f"{type(w).__name__}{oid} {text!r}{where}"


def _elided_on_purpose(w: QWidget, full: str) -> bool:
    return bool(w.property("elided")) and bool(full) and w.toolTip() == full


def _label_problem(label: QLabel) -> str | None:
    text = label.text()
    if not text or (label.pixmap() is not None and not label.pixmap().isNull()):
        return None
    if _elided_on_purpose(label, text):
        return None
    rect = label.contentsRect()
    avail_w = rect.width() - 2 * label.margin() - max(label.indent(), 0)
    rich = label.textFormat() == Qt.TextFormat.RichText or (
        label.textFormat() == Qt.TextFormat.AutoText and QtGui.Qt.mightBeRichText(text))
    if label.wordWrap():
        need_h = label.heightForWidth(label.width())
        if need_h > label.height() + TOLERANCE:
            return f"wrapped text needs {need_h} px height, has {label.height()}"
        if not rich:  # one unbreakable word wider than the label
            fm = QFontMetrics(label.font())
            widest = max((fm.horizontalAdvance(word) for word in text.split()), default=0)
            if widest > avail_w + TOLERANCE:
                return f"a word needs {widest} px, has {avail_w}"
        return None
    if rich:
        doc = QTextDocument()
        doc.setDefaultFont(label.font())
        doc.setDocumentMargin(0)
        doc.setHtml(text)
        need = int(doc.idealWidth() + 0.999)
        need_h = int(doc.size().height())
    else:
        fm = QFontMetrics(label.font())
        lines = text.split("\n")
        need = max(fm.horizontalAdvance(line) for line in lines)
        need_h = fm.height() * len(lines)
    if need > avail_w + TOLERANCE:
        return f"text needs {need} px, has {avail_w}"
    if need_h > rect.height() + TOLERANCE + 2:
        return f"text needs {need_h} px height, has {rect.height()}"
    return None


def _button_problem(b: QAbstractButton) -> str | None:
    text = _plain(b.text())
    if not text or _elided_on_purpose(b, b.text()):
        return None
    if isinstance(b, QToolButton) and b.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly \
            and not b.icon().isNull():
        return None
    if isinstance(b, (QCheckBox, QRadioButton)):
        need = b.sizeHint().width()
    else:
        fm = b.fontMetrics()
        icon = b.icon()
        content = QSize(fm.horizontalAdvance(text), fm.height())
        if not icon.isNull():
            content += QSize(b.iconSize().width() + 4, 0)
        big = QSize(1000, content.height())  # a wide probe skips the style's minimum-width clamp
        style = b.style()
        if isinstance(b, QToolButton):
            opt = QStyleOptionToolButton()
            b.initStyleOption(opt)
            margin = style.sizeFromContents(QStyle.ContentsType.CT_ToolButton, opt, big, b).width() - 1000
            if b.popupMode() == QToolButton.ToolButtonPopupMode.MenuButtonPopup:
                margin += style.pixelMetric(QStyle.PixelMetric.PM_MenuButtonIndicator, opt, b)
        else:
            opt = QStyleOptionButton()
            if isinstance(b, QPushButton):
                b.initStyleOption(opt)
            margin = style.sizeFromContents(QStyle.ContentsType.CT_PushButton, opt, big, b).width() - 1000
        need = content.width() + margin
    if need > b.width() + TOLERANCE:
        return f"text needs {need} px, has {b.width()}"
    return None


def _placeholder_problem(e: QLineEdit) -> str | None:
    text = e.placeholderText()
    if not text or e.text() or not e.isEnabled() or e.isReadOnly():
        return None
    if _elided_on_purpose(e, text):
        return None
    # QLineEdit draws its placeholder elided: a cut placeholder hides what the field wants
    fm = e.fontMetrics()
    avail = e.contentsRect().width() - e.textMargins().left() - e.textMargins().right() - 4
    for action in e.actions():  # trailing/leading icons (clear button, search glass)
        if action.isVisible():
            avail -= 20
    if e.isClearButtonEnabled():
        avail -= 20
    need = fm.horizontalAdvance(text)
    if need > avail + TOLERANCE:
        return f"placeholder needs {need} px, has {avail}"
    return None


def _scroll_axes(viewport: QWidget) -> tuple[bool, bool] | None:
    """(can scroll sideways, can scroll down) when `viewport` is a scroll area's viewport."""
    area = viewport.parentWidget()
    if not isinstance(area, QAbstractScrollArea) or area.viewport() is not viewport:
        return None
    h, v = area.horizontalScrollBar(), area.verticalScrollBar()
    off = Qt.ScrollBarPolicy.ScrollBarAlwaysOff
    return (area.horizontalScrollBarPolicy() != off and h.maximum() > 0,
            area.verticalScrollBarPolicy() != off)


def _geometry_problem(w: QWidget, root: QWidget) -> str | None:
    r = QRect(w.mapTo(root, QPoint(0, 0)), w.size())
    p = w.parentWidget()
    while p is not None:
        pr = QRect(p.mapTo(root, QPoint(0, 0)), p.size()) if p is not root else QRect(QPoint(0, 0), p.size())
        axes = _scroll_axes(p)
        can_h, can_v = axes if axes is not None else (False, False)
        if not can_h:
            over = max(pr.left() - r.left(), r.right() - pr.right())
            if over > TOLERANCE:
                return f"sticks out {over} px sideways past {type(p).__name__}" + (
                    f"#{p.objectName()}" if p.objectName() else "")
        else:
            r = QRect(max(r.left(), pr.left()), r.top(), max(0, min(r.right(), pr.right()) - max(r.left(), pr.left()) + 1), r.height())
        if not can_v:
            over = max(pr.top() - r.top(), r.bottom() - pr.bottom())
            if over > TOLERANCE and r.width() > 0:
                return f"sticks out {over} px vertically past {type(p).__name__}" + (
                    f"#{p.objectName()}" if p.objectName() else "")
        else:
            top, bottom = max(r.top(), pr.top()), min(r.bottom(), pr.bottom())
            r = QRect(r.left(), top, r.width(), max(0, bottom - top + 1))
        if r.isEmpty():
            return None  # scrolled out of view entirely: not clipped, just elsewhere
        if p is root:
            break
        p = p.parentWidget()
    return None


def _in_item_view_internals(w: QWidget) -> bool:
    """Editors and buttons owned by item views / combo popups are managed by Qt."""
    from PySide6.QtWidgets import QAbstractItemView, QComboBox, QAbstractSpinBox, QTabBar

    p = w.parentWidget()
    while p is not None:
        if isinstance(p, (QAbstractItemView, QComboBox, QAbstractSpinBox, QTabBar)):
            return True
        p = p.parentWidget()
    return False


def find_clipping(root: QWidget) -> list[str]:
    """Findings for every visible label/button/line edit under root (see the module docstring)."""
    found: list[str] = []
    for w in root.findChildren(QWidget):
        if not w.isVisible() or not w.isVisibleTo(root) or w.window() is not root.window():
            continue
        if isinstance(w, QLabel):
            problem = _label_problem(w)
        elif isinstance(w, QAbstractButton):
            if _in_item_view_internals(w):
                continue
            problem = _button_problem(w)
        elif isinstance(w, (QComboBox, QAbstractSpinBox)):
            if _in_item_view_internals(w):
                continue
            need = w.minimumSizeHint().width()
            problem = f"squeezed to {w.width()} px, needs {need}" if w.width() + TOLERANCE < need else None
        elif isinstance(w, QLineEdit):
            if _in_item_view_internals(w):
                continue
            problem = _placeholder_problem(w)
        else:
            continue
        if problem is None and w.width() > 0 and w.height() > 0:
            problem = _geometry_problem(w, root)
        if problem is not None:
            found.append(f"{_name(w)}: {problem}")
    return found
