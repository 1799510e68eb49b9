"""The vertically scrolling column the form, the output panel and the chat view are built on:
a frameless, resizable QScrollArea filling its owner, holding one body widget with a
QVBoxLayout. Object names let the stylesheet make the scroll area transparent."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QVBoxLayout, QWidget


def scrolling_column(owner: QWidget, scroll_name: str, body_name: str, *, spacing: int,
                     margins: tuple[int, int, int, int] = (16, 12, 16, 16),
                     horizontal: bool = False) -> tuple[QScrollArea, QWidget, QVBoxLayout]:
    """Fill `owner` with a scroll area; returns (scroll area, body widget, body layout)."""
    outer = QVBoxLayout(owner)
    outer.setContentsMargins(0, 0, 0, 0)
    scroll = QScrollArea(owner)
    scroll.setObjectName(scroll_name)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    if not horizontal:
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    body = QWidget()
    body.setObjectName(body_name)
    layout = QVBoxLayout(body)
    layout.setContentsMargins(*margins)
    layout.setSpacing(spacing)
    scroll.setWidget(body)
    outer.addWidget(scroll)
    return scroll, body, layout
