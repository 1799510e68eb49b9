"""Chat layout: a conversation of bubbles (markdown) with a message box. Sending builds the
contract's chat inputs — `messages` (the whole conversation including the new user turn) and
`history` (the turns before it) — and the tool's reply (`reply`, else the first text-like
output) fills the assistant bubble, streamed text appended live."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QElapsedTimer, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QTextCursor
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QSizePolicy, QVBoxLayout, QWidget)

from pixie_desktop.ui.outputs.safe_text import SafeTextBrowser
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


class _ReplyText(SafeTextBrowser):
    """An assistant reply: markdown in a SafeTextBrowser (a reply's `![x](path)` never reaches
    Qt's own file loading), sized to its text like a label."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setStyleSheet("QTextBrowser { background: transparent; border: none; }")
        self.document().setDocumentMargin(0)
        self.max_width = 600

    def fit(self) -> None:
        doc = self.document()
        if doc.characterCount() > 4 * self.max_width:  # surely as wide as allowed: skip a second layout
            width = self.max_width
        else:
            doc.setTextWidth(-1)
            width = int(min(self.max_width, doc.idealWidth() + 4))
        doc.setTextWidth(max(40, width))
        self.setFixedSize(max(40, width) + 2, int(doc.size().height()) + 4)

    def resourcesChanged(self) -> None:
        self.fit()


class Bubble(QFrame):
    """One message. User turns are plain text in a label; assistant turns are markdown.

    A streamed reply is never re-rendered per chunk: chunks are kept and the markdown is drawn at
    most every RENDER_MS (longer when a render took long, so rendering never takes more than
    about a fifth of the UI thread). Past LIVE_MARKDOWN_CHARS the live reply switches to plain
    text appended at the end (O(chunk) per flush); the finished reply is drawn as markdown once,
    if it is at most MAX_MARKDOWN_CHARS."""

    RENDER_MS = 100
    LIVE_MARKDOWN_CHARS = 16_000
    MAX_MARKDOWN_CHARS = 32_000

    def __init__(self, role: str, text: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.role = role
        self.setObjectName("ChatBubbleUser" if role == "user" else
                           "ChatBubbleError" if role == "error" else "ChatBubble")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 8, 12, 8)
        self.label: QLabel | None = None
        self.view: _ReplyText | None = None
        if role == "user":
            self.label = QLabel()
            self.label.setWordWrap(True)
            self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.label.setTextFormat(Qt.TextFormat.PlainText)
            lay.addWidget(self.label)
        else:
            self.view = _ReplyText(self)
            lay.addWidget(self.view)
        self._parts: list[str] = []
        self._shown = 0          # characters of the text already in the view (append mode)
        self._append_mode = False
        self.renders = 0         # full re-renders of the reply (tests count them)
        self._render_cost_ms = 0.0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.flush)
        self.set_text(text)
        self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Preferred)

    @property
    def text(self) -> str:
        if len(self._parts) > 1:
            self._parts = ["".join(self._parts)]
        return self._parts[0] if self._parts else ""

    def setMaximumWidth(self, w: int) -> None:  # noqa: N802 - keeps the reply text inside the bubble
        super().setMaximumWidth(w)
        if self.view is not None:
            self.view.max_width = max(80, w - 26)
            self.view.fit()

    def set_text(self, text: str, final: bool = True) -> None:
        if final and text == self.text and not self._append_mode and self._shown == len(text) and self.renders:
            return  # the streamed reply is already drawn exactly so
        self._timer.stop()
        self._parts = [text] if text else []
        self._append_mode = False
        self._render(final=final)

    def set_plain(self, text: str) -> None:
        """Show `text` as plain text (errors)."""
        self._timer.stop()
        self._parts = [text] if text else []
        if self.view is not None:
            self.view.setPlainText(text or "…")
            self.view.fit()
        elif self.label is not None:
            self.label.setText(text or "…")

    def _render(self, final: bool) -> None:
        text = self.text
        if self.label is not None:
            self.label.setText(text or "…")
            return
        assert self.view is not None
        timer = QElapsedTimer()
        timer.start()
        limit = self.MAX_MARKDOWN_CHARS if final else self.LIVE_MARKDOWN_CHARS
        if len(text) <= limit:
            self.view.setMarkdown(text or "…")
            self._append_mode = False
        else:
            self.view.setPlainText(text)
            self._append_mode = True
        self._shown = len(text)
        self.renders += 1
        self.view.fit()
        self._render_cost_ms = timer.elapsed()

    def append(self, chunk: str) -> None:
        if not chunk:
            return
        self._parts.append(chunk)
        if not self._timer.isActive():
            self._timer.start(int(max(self.RENDER_MS, 4 * self._render_cost_ms)))

    def flush(self) -> None:
        """Bring the view up to date with the streamed text now."""
        self._timer.stop()
        text = self.text
        if len(text) == self._shown:
            return
        if self._append_mode and self.view is not None:
            cursor = QTextCursor(self.view.document())
            cursor.movePosition(QTextCursor.MoveOperation.End)
            cursor.insertText(text[self._shown:])
            self._shown = len(text)
            self.view.fit()
        else:
            self._render(final=False)

    def finish(self) -> None:
        """The reply is complete: draw it once as markdown (if not too long)."""
        self._timer.stop()
        if self._append_mode and len(self.text) <= self.MAX_MARKDOWN_CHARS or len(self.text) != self._shown:
            self._render(final=True)


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
        else:
            bubble.finish()
        final = bubble.text
        self.messages.append({"role": "assistant", "content": final})
        self._pending = None
        self.send_button.setEnabled(True)

    def fail_reply(self, error: str) -> None:
        if self._pending is not None:
            self._pending.setObjectName("ChatBubbleError")
            self._pending.set_plain(error)
            self._pending.style().unpolish(self._pending)
            self._pending.style().polish(self._pending)
        else:
            self._add_bubble("error", "").set_plain(error)
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
