"""Home: a greeting that follows the local hour, how many tools there are, a first-start "try
this" strip (views/tour.py), the latest runs across every tool (click to open), a "drop files
here" hint, and a clear empty state when no tools exist."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout,
                               QWidget)

from pixie_desktop.queries import home as home_queries
from pixie_desktop.ui.delegates.painters import status_colour
from pixie_desktop.ui.run_format import STATUS_TEXT, format_duration, format_started
from pixie_desktop.ui.plain_text import plain_tooltip


def greeting(hour: int) -> str:
    if 5 <= hour < 12:
        return "Good morning."
    if 12 <= hour < 18:
        return "Good afternoon."
    if 18 <= hour < 23:
        return "Good evening."
    if hour >= 23 or hour < 2:
        return "Late one?"
    return "Still up?"


DROP_MAX_WIDTH = 6 * 260 + 5 * 10  # px: six home cards (260 px, 10 px apart) side by side


class DropHint(QFrame):
    filesDropped = Signal(list)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("DropZone")
        self.setAcceptDrops(True)
        self.setMinimumHeight(96)
        lay = QVBoxLayout(self)
        lab = QLabel("Drop files here to open the tool that takes them")
        lab.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lab.setStyleSheet("font-weight: 600;")
        sub = QLabel("A CSV opens the tool with a CSV input, an image the one that takes images…")
        sub.setObjectName("Muted")
        sub.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addStretch(1)
        lay.addWidget(lab)
        lay.addWidget(sub)
        lay.addStretch(1)

    def dragEnterEvent(self, e: QDragEnterEvent) -> None:  # noqa: N802
        if e.mimeData().hasUrls():
            self.setProperty("dragActive", True)
            self.style().polish(self)
            e.acceptProposedAction()

    def dragLeaveEvent(self, e) -> None:  # noqa: N802
        self.setProperty("dragActive", False)
        self.style().polish(self)

    def dropEvent(self, e: QDropEvent) -> None:  # noqa: N802
        self.setProperty("dragActive", False)
        self.style().polish(self)
        paths = [Path(u.toLocalFile()) for u in e.mimeData().urls() if u.isLocalFile()]
        if paths:
            self.filesDropped.emit(paths)
            e.acceptProposedAction()


class ToolCard(QFrame):
    clicked = Signal(str)

    def __init__(self, tool_id: str, name: str, description: str, colour: str | None, parent: QWidget | None = None,
                 *, info: Any = None, readiness: Any = None):
        super().__init__(parent)
        from pixie_desktop.ui.views.tool_page import Avatar

        self.tool_id = tool_id
        self.setObjectName("ToolCard")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # keyboard: Tab reaches the card, Enter opens it
        self.setAccessibleName(f"Open {name}" + (f" ({readiness.text})" if readiness is not None
                                                 and not readiness.ready else ""))
        self.setFixedSize(260, 82)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(12, 10, 12, 10)
        lay.setSpacing(10)
        lay.addWidget(Avatar(tool_id, name, colour, 34, info), 0, Qt.AlignmentFlag.AlignTop)
        col = QVBoxLayout()
        col.setSpacing(2)
        head = QHBoxLayout()
        head.setSpacing(6)
        title = QLabel(name)
        title.setTextFormat(Qt.TextFormat.PlainText)  # tool text: never HTML (an <img> would be loaded)
        title.setStyleSheet("font-weight: 600;")
        title.setFixedHeight(title.fontMetrics().lineSpacing() + 2)
        self.badge = None
        if readiness is not None and not readiness.ready:  # "Needs setup" / "Key required": act on it
            from pixie_desktop.ui.views.tool_page import pill

            self.badge = pill(readiness.text, "#d18b1f" if readiness.key != "broken" else "#c93a4c")
            self.badge.setObjectName("ReadinessBadge")
            self.badge.setToolTip(plain_tooltip(readiness.tip))  # names the tool's secrets
            fm = title.fontMetrics()
            room = 260 - 24 - 34 - 10 - self.badge.sizeHint().width() - 6
            title.setText(fm.elidedText(name, Qt.TextElideMode.ElideRight, max(40, room)))
            if title.text() != name:
                title.setProperty("elided", True)
                title.setToolTip(plain_tooltip(name))
        head.addWidget(title, 1)
        if self.badge is not None:
            head.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignVCenter)
        col.addLayout(head)
        desc = QLabel()
        desc.setTextFormat(Qt.TextFormat.PlainText)  # tool text: never HTML (an <img> would be loaded)
        desc.setObjectName("Muted")
        desc.setWordWrap(True)
        fm = desc.fontMetrics()
        # two lines at most: elide to roughly two line-widths of the text column
        desc.setText(fm.elidedText(description or "", Qt.TextElideMode.ElideRight, 2 * 186 - 40))
        desc.setFixedHeight(fm.lineSpacing() * 2 + 2)
        col.addWidget(desc)
        col.addStretch(1)
        lay.addLayout(col, 1)
        self.setToolTip(plain_tooltip(description or name))

    def mouseReleaseEvent(self, e) -> None:  # noqa: N802
        if e.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(self.tool_id)

    def keyPressEvent(self, e) -> None:  # noqa: N802 - Qt override
        if e.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.clicked.emit(self.tool_id)
            return
        super().keyPressEvent(e)


class HomePage(QWidget):
    runActivated = Signal(str)        # run_id
    filesDropped = Signal(list)       # [Path]
    toolActivated = Signal(str)       # tool_id
    navRequested = Signal(str)        # page key ("gallery"…), like Sidebar.navRequested
    createToolRequested = Signal()    # the "no tools" card's "Create a tool…"

    def __init__(self, ctx: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.tool_names: dict[str, str] = {}
        self.tools_model: Any = None  # the window's ToolsModel (readiness and icons on the cards)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(48, 40, 48, 32)
        lay.setSpacing(14)
        self.hello = QLabel(greeting(datetime.now().hour))
        self.hello.setObjectName("Greeting")
        self.hello.setStyleSheet("font-size: 24pt; font-weight: 650;")
        lay.addWidget(self.hello)
        self.summary = QLabel("")
        self.summary.setObjectName("Muted")
        self.summary.setStyleSheet("font-size: 11pt;")
        lay.addWidget(self.summary)
        from pixie_desktop.ui.views.tour import TourStrip, dismiss_tour

        self.tour = TourStrip()
        self.tour.toolRequested.connect(self.toolActivated)
        self.tour.pageRequested.connect(self.navRequested)
        self.tour.dismissed.connect(lambda: dismiss_tour(self.ctx.conn))
        self.tour.hide()
        lay.addWidget(self.tour)

        self.empty = QFrame()
        self.empty.setObjectName("Card")
        el = QVBoxLayout(self.empty)
        el.setContentsMargins(24, 20, 24, 20)
        t = QLabel("No tools yet")
        t.setStyleSheet("font-size: 14pt; font-weight: 600;")
        el.addWidget(t)
        self.empty_text = QLabel("")
        self.empty_text.setWordWrap(True)
        self.empty_text.setTextFormat(Qt.TextFormat.RichText)
        self.empty_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        el.addWidget(self.empty_text)
        actions = QHBoxLayout()
        self.create_button = QPushButton("Create a tool…")
        self.create_button.setObjectName("Primary")
        self.create_button.clicked.connect(self.createToolRequested)
        self.folder_button = QPushButton("Open tools folder")
        self.folder_button.clicked.connect(self.open_tools_folder)
        actions.addWidget(self.create_button)
        actions.addWidget(self.folder_button)
        actions.addStretch(1)
        el.addLayout(actions)
        lay.addWidget(self.empty)

        self.cards_head = QLabel("YOUR TOOLS")
        self.cards_head.setObjectName("SectionHeading")
        lay.addWidget(self.cards_head)
        from pixie_desktop.ui.views.flow_layout import FlowLayout

        self.cards_box = QWidget()
        self.cards_flow = FlowLayout(self.cards_box, spacing=10)
        lay.addWidget(self.cards_box)

        recent_head = QLabel("RECENT RUNS")
        recent_head.setObjectName("SectionHeading")
        self.recent_head = recent_head
        lay.addWidget(recent_head)
        self.recent = QListWidget()
        self.recent.setObjectName("RecentRuns")
        self.recent.setAccessibleName("Recent runs")
        self.recent.setFrameShape(QFrame.Shape.NoFrame)
        self.recent.setMaximumHeight(220)
        self.recent.itemActivated.connect(lambda it: self.runActivated.emit(it.data(Qt.ItemDataRole.UserRole)))
        self.recent.itemClicked.connect(lambda it: self.runActivated.emit(it.data(Qt.ItemDataRole.UserRole)))
        lay.addWidget(self.recent)
        self.drop = DropHint()
        self.drop.filesDropped.connect(self.filesDropped)
        # as wide as six cards at most: on a 4K window a 3400 px dashed box read as a page border
        self.drop.setMaximumWidth(DROP_MAX_WIDTH)
        drop_row = QHBoxLayout()
        drop_row.setContentsMargins(0, 0, 0, 0)
        drop_row.addWidget(self.drop, 1)
        drop_row.addStretch(0)
        lay.addLayout(drop_row)
        tip = QLabel("Ctrl+K command palette · Ctrl+F searches tools · Ctrl+Enter runs · Esc cancels · "
                     "Ctrl+1…9 opens a favourite")
        tip.setObjectName("Muted")
        tip.setWordWrap(True)  # a half-screen window wraps the shortcuts line
        lay.addWidget(tip)
        lay.addStretch(1)

    def open_tools_folder(self) -> bool:
        folder = self.ctx.settings.tools_dir
        folder.mkdir(parents=True, exist_ok=True)
        from pixie_desktop.ui.actions import open_local

        return open_local(folder)

    def set_cards(self, cards: list[tuple[str, str, str, str | None]]) -> None:
        """Up to six tools to start from: (tool_id, name, description, colour). Each card shows
        the tool's icon and, when it cannot run yet, what it needs ("Needs setup", "Key required")."""
        model = self.tools_model if self.tools_model is not None else getattr(self.window(), "tools_model", None)
        rows = {c[0]: (model.tool_row(c[0]) if model is not None and hasattr(model, "tool_row") else None)
                for c in cards[:6]}
        sig = [(*c[:3], getattr(getattr(rows.get(c[0]), "readiness", None), "key", None)) for c in cards]
        if sig == getattr(self, "_cards_sig", None):
            return
        self._cards_sig = sig
        self.cards_flow.clear()
        for tool_id, name, desc, colour in cards[:6]:
            row = rows.get(tool_id)
            card = ToolCard(tool_id, name, desc, colour, info=getattr(row, "info", None),
                            readiness=getattr(row, "readiness", None))
            card.clicked.connect(self.toolActivated)
            self.cards_flow.addWidget(card)
        self.cards_box.setVisible(bool(cards))
        self.cards_head.setVisible(bool(cards))

    def refresh(self, tool_names: dict[str, str], broken: int = 0, archived: int = 0) -> None:
        self.tool_names = dict(tool_names)
        self.hello.setText(greeting(datetime.now().hour))
        n = len(tool_names)
        model = self.tools_model if self.tools_model is not None else getattr(self.window(), "tools_model", None)
        waiting = 0  # "Needs setup" / "Key required": listed, but not ready to run
        for row in (model.rows() if model is not None and hasattr(model, "rows") else []):
            ready = getattr(row, "readiness", None)
            if row.info.tool_id in tool_names and ready is not None and ready.key in ("needs_setup", "key_required"):
                waiting += 1
        ready_n = n - waiting
        parts = [f"{ready_n} tool{'s' if ready_n != 1 else ''} ready" if n else "No tools found"]
        if waiting:
            parts.append(f"{waiting} need{'s' if waiting == 1 else ''} a key or setup")
        if broken:
            parts.append(f"{broken} need{'s' if broken == 1 else ''} fixing")
        if archived:
            parts.append(f"{archived} archived")
        self.summary.setText(" · ".join(parts) + (" — pick one on the left." if n else ""))
        self.empty.setVisible(n == 0)
        self.empty_text.setText(
            f"Pixie lists every folder with a <code>tool.json</code> under<br><code>{self.ctx.settings.tools_dir}"
            f"</code><br><br>Create one there (or import a Pixie tool) and it appears in the sidebar at once.")
        self.recent.clear()
        try:
            runs = home_queries.recent_runs(self.ctx.conn, limit=6)
        except sqlite3.Error:
            runs = []
        for rec in runs:
            name = self.tool_names.get(rec.tool_id, rec.tool_id)
            label = f" · “{rec.label}”" if rec.label else ""
            item = QListWidgetItem(f"●  {name}{label}    —  {STATUS_TEXT.get(rec.status, rec.status)}, "
                                   f"{format_started(rec.started_at)} ({format_duration(rec.duration_s)})")
            item.setForeground(status_colour(rec.status))
            item.setData(Qt.ItemDataRole.UserRole, rec.id)
            item.setToolTip("Open this run")
            self.recent.addItem(item)
        if runs:  # as tall as its rows: one run must not leave a gap above the drop zone
            rows = self.recent.sizeHintForRow(0) * len(runs) + 2 * self.recent.frameWidth() + 4
            self.recent.setFixedHeight(min(220, rows))
        self.recent.setVisible(bool(runs))
        self.recent_head.setVisible(bool(runs))
        self.refresh_tour()

    def refresh_tour(self) -> None:
        """The first-start strip: only while nothing has run yet and it was never dismissed."""
        from pixie_desktop.ui.views.tour import tour_wanted

        self.tour.set_available_tools(set(self.tool_names))
        self.tour.setVisible(bool(self.tool_names) and tour_wanted(self.ctx.conn))
