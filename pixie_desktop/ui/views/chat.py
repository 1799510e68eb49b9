"""Chat layout: a conversation of bubbles (markdown) with a message box. Sending builds the
contract's chat inputs — `messages` (the whole conversation including the new user turn) and
`history` (the turns before it) — and the tool's reply (`reply`, else the first text-like
output) fills the assistant bubble, streamed text appended live."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QSizePolicy, QVBoxLayout, QWidget)

from pixie_desktop.ui.widgets.scrolling import scrolling_column

TEXT_TYPES = ("stream_text", "markdown", "text")


def reply_key(spec: Any) -> str | None:
    """The output that carries the reply: `reply` if declared, else the first text-like one."""
    if spec is None:
        return None
    if spec.output("reply") is not None:
        return "reply"
    for t in TEXT_TYPES:
        for o in spec.outputs:
            if o.type == t:
                return o.key
    return None


def reply_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        for k in ("text", "content", "markdown", "value"):
            if isinstance(value.get(k), str):
                return value[k]
    if isinstance(value, list):
        return "".join(reply_text(v) for v in value)
    return str(value)


class Bubble(QFrame):
    def __init__(self, role: str, text: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.role = role
        self.setObjectName("ChatBubbleUser" if role == "user" else
                           "ChatBubbleError" if role == "error" else "ChatBubble")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 8, 12, 8)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                           | Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.label.setOpenExternalLinks(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText if role == "user" else Qt.TextFormat.MarkdownText)
        lay.addWidget(self.label)
        self.text = ""
        self.set_text(text)
        self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Preferred)

    def set_text(self, text: str) -> None:
        self.text = text
        self.label.setText(text or "…")

    def append(self, chunk: str) -> None:
        self.set_text(self.text + chunk)


class _MessageBox(QPlainTextEdit):
    send = Signal()

    def keyPressEvent(self, e: QKeyEvent) -> None:  # noqa: N802
        if e.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not (e.modifiers() & Qt.KeyboardModifier.ShiftModifier):
            self.send.emit()
            return
        super().keyPressEvent(e)


class ChatView(QWidget):
    """Conversation + message box. `sendRequested(text)` asks the page to run; the page calls
    `begin_reply()`, `append_reply(chunk)`, `finish_reply(text|None)` or `fail_reply(error)`."""

    sendRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.messages: list[dict[str, str]] = []
        self._pending: Bubble | None = None
        self.scroll, body, self.column = scrolling_column(self, "ChatScroll", "ChatBody", spacing=10,
                                                          margins=(16, 16, 16, 16), horizontal=True)
        lay = self.layout()
        self.empty = QLabel("Start the conversation below.")
        self.empty.setObjectName("EmptyState")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.column.addWidget(self.empty)
        self.column.addStretch(1)
        lay.setStretchFactor(self.scroll, 1)
        row = QHBoxLayout()
        row.setContentsMargins(12, 8, 12, 12)
        self.input = _MessageBox()
        self.input.setObjectName("ChatInput")
        self.input.setPlaceholderText("Message…  (Enter sends, Shift+Enter for a new line)")
        self.input.setFixedHeight(64)
        self.input.send.connect(self._send)
        self.send_button = QPushButton("Send")
        self.send_button.setObjectName("Primary")
        self.send_button.clicked.connect(self._send)
        self.clear_button = QPushButton("New chat")
        self.clear_button.setObjectName("Small")
        self.clear_button.clicked.connect(self.clear)
        row.addWidget(self.input, 1)
        side = QVBoxLayout()
        side.addWidget(self.send_button)
        side.addWidget(self.clear_button)
        row.addLayout(side)
        lay.addLayout(row)

    def _add_bubble(self, role: str, text: str) -> Bubble:
        self.empty.hide()
        b = Bubble(role, text)
        wrap = QHBoxLayout()
        if role == "user":
            wrap.addStretch(1)
            wrap.addWidget(b)
        else:
            wrap.addWidget(b)
            wrap.addStretch(1)
        self.column.insertLayout(self.column.count() - 1, wrap)
        b.setMaximumWidth(max(320, int(self.width() * 0.75)))
        bar = self.scroll.verticalScrollBar()
        bar.rangeChanged.connect(lambda _a, hi: bar.setValue(hi))
        return b

    def _send(self) -> None:
        text = self.input.toPlainText().strip()
        if not text or self._pending is not None:
            return
        self.input.clear()
        self.sendRequested.emit(text)

    def chat_inputs(self, text: str) -> dict[str, Any]:
        """Record the user's turn and return {"messages", "history"} for the run."""
        history = [dict(m) for m in self.messages]
        self.messages.append({"role": "user", "content": text})
        self._add_bubble("user", text)
        return {"messages": [dict(m) for m in self.messages], "history": history}

    def begin_reply(self) -> None:
        self._pending = self._add_bubble("assistant", "")
        self.send_button.setEnabled(False)

    def append_reply(self, chunk: str) -> None:
        if self._pending is None:
            self.begin_reply()
        assert self._pending is not None
        self._pending.append(chunk)

    def finish_reply(self, text: str | None) -> None:
        bubble = self._pending or self._add_bubble("assistant", "")
        if text is not None and text != "":
            bubble.set_text(text)
        final = bubble.text
        self.messages.append({"role": "assistant", "content": final})
        self._pending = None
        self.send_button.setEnabled(True)

    def fail_reply(self, error: str) -> None:
        if self._pending is not None:
            self._pending.setObjectName("ChatBubbleError")
            self._pending.set_text(error)
            self._pending.label.setTextFormat(Qt.TextFormat.PlainText)
            self._pending.label.setText(error)
            self._pending.style().unpolish(self._pending)
            self._pending.style().polish(self._pending)
        else:
            self._add_bubble("error", error)
        if self.messages and self.messages[-1]["role"] == "user":
            self.messages.pop()  # a failed turn is not part of the conversation sent next time
        self._pending = None
        self.send_button.setEnabled(True)

    def clear(self) -> None:
        self.messages.clear()
        self._pending = None
        while self.column.count() > 2:
            item = self.column.takeAt(1)
            lay = item.layout()
            if lay is not None:
                while lay.count():
                    w = lay.takeAt(0).widget()
                    if w is not None:
                        w.deleteLater()
        self.empty.show()
        self.send_button.setEnabled(True)
