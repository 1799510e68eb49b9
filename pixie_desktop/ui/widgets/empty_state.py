"""EmptyState: what a page shows when it has nothing to list — a title, one sentence and at most
one action, centred as one compact block (never spread over the page). Used by History, the
Gallery and Home's "no tools" card. `set_content(title, body, action)` changes all three;
`actionRequested` fires when the action button is pressed."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget


class EmptyState(QWidget):
    actionRequested = Signal()

    def __init__(self, title: str = "", body: str = "", action: str | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("EmptyStateBlock")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 24, 24, 24)
        outer.addStretch(1)
        self.title = QLabel()
        self.title.setObjectName("EmptyTitle")
        self.title.setStyleSheet("font-size: 13pt; font-weight: 600;")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title.setWordWrap(True)
        self.body = QLabel()
        self.body.setObjectName("Muted")
        self.body.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body.setWordWrap(True)
        self.button = QPushButton()
        self.button.clicked.connect(self.actionRequested)
        outer.addWidget(self.title)
        outer.addWidget(self.body)  # no alignment flag: a wrapped label then gets its full height
        outer.addSpacing(6)
        outer.addWidget(self.button, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(1)
        self.set_content(title, body, action)

    def set_content(self, title: str, body: str = "", action: str | None = None) -> None:
        self.title.setText(title)
        self.body.setText(body)
        self.body.setVisible(bool(body))
        self.button.setText(action or "")
        self.button.setAccessibleName(action or "")
        self.button.setVisible(bool(action))

    def text(self) -> str:
        """Title and sentence, for tests and accessibility."""
        return "\n".join(t for t in (self.title.text(), self.body.text()) if t)
