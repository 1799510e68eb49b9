"""Stylesheet rules for density, visible keyboard focus and the Run button's looks (issue 13,
items 4, 6 and 8), appended after the shared and shell stylesheets by ui/shell_style.py.

- `density` (compact / comfortable / airy): paddings of fields, buttons and list rows; the
  sidebar's row height follows `row_height()`. "comfortable" is the look the app always had.
- Focus ring: every focusable control shows where the keyboard is (a 2 px ring in the accent,
  or the text colour on the accent-filled Run button). Buttons that are filled keep a transparent
  border of the same width when not focused, so focusing never moves anything.
- The Run button: `runState` "running" (soft accent, spinner icon set by the page), "invalid"
  (muted: a field needs filling in) and disabled (greyed, dashed)."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QColor

DENSITIES = ("compact", "comfortable", "airy")
_ROW_HEIGHTS = {"compact": 26, "comfortable": 32, "airy": 38}
_density = "comfortable"


def set_density(value: str) -> None:
    global _density
    _density = value if value in DENSITIES else "comfortable"


def density() -> str:
    return _density


def row_height(base: int = 32) -> int:
    """A list row's height at the current density (`base` is the comfortable height)."""
    return base + _ROW_HEIGHTS[_density] - _ROW_HEIGHTS["comfortable"]


def density_rules(t: Any, value: str) -> str:
    if value == "compact":
        return f"""
QLineEdit, QPlainTextEdit, QTextEdit, QSpinBox, QDoubleSpinBox, QDateTimeEdit, QComboBox {{ padding: 2px 5px; }}
QAbstractSpinBox {{ padding-right: 22px; }}
QComboBox {{ padding-right: 24px; }}
QPushButton#Small, QToolButton#Small {{ padding: 1px 6px; }}
QTableView::item, QListView::item, QTreeView::item {{ padding: 0px 3px; }}
QHeaderView::section {{ padding: 2px 5px; }}
QTabBar::tab {{ padding: 3px 9px; }}
QListWidget#RecentRuns::item {{ padding: 2px 4px; }}
"""
    if value == "airy":
        return f"""
QLineEdit, QPlainTextEdit, QTextEdit, QSpinBox, QDoubleSpinBox, QDateTimeEdit, QComboBox {{ padding: 7px 9px; }}
QAbstractSpinBox {{ padding-right: 24px; }}
QComboBox {{ padding-right: 26px; }}
QPushButton#Small, QToolButton#Small {{ padding: 5px 11px; }}
QTableView::item, QListView::item, QTreeView::item {{ padding: 5px 6px; }}
QHeaderView::section {{ padding: 7px 8px; }}
QTabBar::tab {{ padding: 8px 15px; }}
QListWidget#RecentRuns::item {{ padding: 9px 6px; }}
"""
    return ""


def focus_rules(t: Any) -> str:
    ring = t.accent
    acc = QColor(t.accent)
    soft = f"rgba({acc.red()},{acc.green()},{acc.blue()},{70 if t.dark else 45})"
    pad = {"compact": "2px 10px", "airy": "8px 18px"}.get(_density, "4px 12px")
    return f"""
QPushButton#Primary {{ border: 2px solid transparent; padding: {pad}; }}
QPushButton#Primary:focus {{ border: 2px solid {t.text}; }}
QPushButton#Primary:disabled {{ background: {t.surface_alt}; color: {t.muted}; border: 2px dashed {t.border}; }}
QPushButton#Primary[runState="invalid"] {{ background: {t.surface_alt}; color: {t.muted}; border: 2px solid {t.border}; }}
QPushButton#Primary[runState="invalid"]:focus {{ border: 2px solid {ring}; }}
QPushButton#Primary[runState="running"], QPushButton#Primary[runState="running"]:disabled {{
    background: {soft}; color: {t.text}; border: 2px solid {ring}; }}
QPushButton#Small[runState="running"]:enabled {{ border: 1px solid {t.danger}; color: {t.danger}; }}
QPushButton#Small:focus, QToolButton#Small:focus {{ border: 1px solid {ring}; background: {soft}; }}
QPushButton#NavButton {{ border: 1px solid transparent; }}
QPushButton#NavButton:focus {{ border: 1px solid {ring}; }}
QToolButton#TagChip:focus {{ border: 1px solid {ring}; }}
QAbstractItemView:focus {{ border: 1px solid {ring}; }}
QAbstractItemView#SidebarTree:focus, QWidget#Sidebar QTreeView:focus {{ border: 1px solid {ring}; border-radius: 6px; }}
QTabBar::tab:focus {{ color: {t.text}; border: 1px solid {ring}; border-radius: 4px; }}
QCheckBox:focus, QRadioButton:focus {{ color: {t.text}; background: {soft}; border-radius: 4px; }}
QSlider:focus {{ background: {soft}; border-radius: 4px; }}
QFrame#ToolCard:focus {{ border: 2px solid {ring}; }}
QLabel#Pill:focus {{ border: 1px solid {ring}; }}
"""


def craft_stylesheet(t: Any, settings: Any = None) -> str:
    """All of the above for theme `t`, density from `settings` (or the last one set)."""
    if settings is not None:
        set_density(getattr(settings, "values", {}).get("density", "comfortable"))
    return density_rules(t, _density) + focus_rules(t)


def watch_platform_contrast(callback: Any) -> Any:
    """Call `callback()` when the platform's contrast preference changes (Qt 6.10+); returns an
    undo function."""
    from PySide6.QtGui import QGuiApplication

    try:
        hints = QGuiApplication.styleHints().accessibility()
        hints.contrastPreferenceChanged.connect(callback)
    except (AttributeError, RuntimeError):
        return lambda: None

    def undo() -> None:
        try:
            hints.contrastPreferenceChanged.disconnect(callback)
        except (RuntimeError, TypeError):
            pass
    return undo
