"""The first-start tour on Home: a short, dismissible "try this" strip (run the calculator, drop a
CSV on CSV Summary, open the gallery), shown while the database has no runs and the user has not
dismissed it; once dismissed it never comes back (a key in the settings table).

Reads go through pixie_desktop.queries and the dismissal through pixie_desktop.ops, in
`tour_wanted` / `dismiss_tour` only."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

TOUR_DISMISSED_KEY = "ui.tour_dismissed"


def tour_wanted(conn: sqlite3.Connection) -> bool:
    """True while the tour should show: never dismissed and no run recorded yet."""
    from pixie_desktop.queries import runs as runs_queries, settings as settings_queries

    try:
        if settings_queries.get_setting(conn, TOUR_DISMISSED_KEY) == "1":
            return False
        return runs_queries.count_runs(conn) == 0
    except sqlite3.Error:
        return False  # a tour is a nicety: an unreadable database simply shows none


def dismiss_tour(conn: sqlite3.Connection) -> None:
    from pixie_desktop.ops import settings as settings_ops

    try:
        settings_ops.set_setting(conn, TOUR_DISMISSED_KEY, "1")  # a UI-state key: nothing else listens
    except sqlite3.Error:
        pass  # hidden for this session anyway


@dataclass(frozen=True)
class TourStep:
    key: str          # "tool:<id>" or "page:<key>"
    label: str
    hint: str


STEPS = (
    TourStep("tool:calculator", "Run the calculator", "A form, a result, a table and two charts."),
    TourStep("tool:csv-summary", "Drop a CSV on CSV Summary", "Any spreadsheet export: instant overview and charts."),
    TourStep("page:gallery", "Open the gallery", "Every file your runs produce, with thumbnails."),
)


class TourStrip(QFrame):
    """Emits toolRequested(tool_id) / pageRequested(page_key) for its buttons and dismissed()
    when closed (the caller stores the dismissal)."""

    toolRequested = Signal(str)
    pageRequested = Signal(str)
    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("Card")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(18, 12, 12, 14)
        outer.setSpacing(8)
        head = QHBoxLayout()
        title = QLabel("New here? Try this")
        title.setObjectName("CardTitle")
        head.addWidget(title)
        head.addStretch(1)
        self.close_button = QPushButton("Don't show again")
        self.close_button.setObjectName("Link")
        self.close_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.close_button.setToolTip("Hide these suggestions for good")
        self.close_button.clicked.connect(self._dismiss)
        head.addWidget(self.close_button)
        outer.addLayout(head)
        row = QHBoxLayout()
        row.setSpacing(10)
        self.buttons: dict[str, QPushButton] = {}
        for n, step in enumerate(STEPS, 1):
            b = QPushButton(f"{n}.  {step.label}")
            b.setObjectName("Primary" if n == 1 else "Small")
            b.setToolTip(step.hint)
            b.setCursor(Qt.CursorShape.PointingHandCursor)
            b.clicked.connect(lambda _=False, k=step.key: self._activate(k))
            self.buttons[step.key] = b
            row.addWidget(b)
        row.addStretch(1)
        outer.addLayout(row)

    def set_available_tools(self, tool_ids: set[str]) -> None:
        """Hide the steps whose tool is not installed (a tools folder without the bundled ones)."""
        for key, b in self.buttons.items():
            if key.startswith("tool:"):
                b.setVisible(key[5:] in tool_ids)

    def _activate(self, key: str) -> None:
        kind, _, target = key.partition(":")
        (self.toolRequested if kind == "tool" else self.pageRequested).emit(target)

    def _dismiss(self) -> None:
        self.hide()
        self.dismissed.emit()
