"""Accessible names for the keyboard and screen-reader pass (issue 13, item 8):
`unnamed_interactive(root)` lists every visible interactive widget under `root` whose
accessibility interface has no name (what a screen reader would announce as "button" or
"edit" and nothing more). Qt derives names from button text, a buddy label or a tool tip;
widgets with none of these need `setAccessibleName`."""

from __future__ import annotations

from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QAbstractSlider, QAbstractSpinBox,
                               QComboBox, QLineEdit, QPlainTextEdit, QTabBar, QTextEdit, QWidget)

INTERACTIVE = (QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox, QAbstractSlider, QAbstractItemView,
               QPlainTextEdit, QTextEdit, QTabBar)


def _inside_composite(w: QWidget) -> bool:
    """Parts of a composite widget (the line edit in a spin box or combo, a view's viewport
    editors) are named through their owner."""
    p = w.parentWidget()
    while p is not None:
        if isinstance(p, (QAbstractSpinBox, QComboBox, QAbstractItemView)):
            return True
        p = p.parentWidget()
    return False


def accessible_name(w: QWidget) -> str:
    iface = QAccessible.queryAccessibleInterface(w)
    name = iface.text(QAccessible.Text.Name) if iface is not None else ""
    return (name or w.accessibleName() or "").strip()


def unnamed_interactive(root: QWidget) -> list[str]:
    found = []
    for w in root.findChildren(QWidget):
        if not isinstance(w, INTERACTIVE) or not w.isVisible() or w.focusPolicy() == 0 and not isinstance(w, QAbstractButton):
            continue
        if w.window() is not root.window() or _inside_composite(w):
            continue
        if not accessible_name(w):
            parent = w.parentWidget()
            where = ""
            while parent is not None and not where:
                where = parent.objectName() and f" in {type(parent).__name__}#{parent.objectName()}"
                parent = parent.parentWidget()
            found.append(f"{type(w).__name__}{'#' + w.objectName() if w.objectName() else ''}{where}")
    return found
