"""Text-family and scalar renderers: text (selectable), markdown, code (pygments), latex
(matplotlib mathtext, offline), stream_text (appends chunks), number (spec format: currency GBP,
percent, scientific, decimal; en-GB grouping), boolean (spec labels) and progress."""

from __future__ import annotations

import io
import math
import re
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap, QTextCursor
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QProgressBar, QTextBrowser

from pixie_desktop.ui import theme
from pixie_desktop.ui.outputs.safe_text import SafeTextBrowser
from pixie_desktop.ui.outputs.base import OutputRenderer, ShapeError, failure_reason, kind_of, register, text_of
from pixie_desktop.ui.plain_text import plain_tooltip


def _fit_text_height(view, max_h: int = 420, min_h: int = 40) -> None:
    doc = view.document()
    doc.setTextWidth(max(200, view.viewport().width() or 600))
    h = int(doc.size().height()) + 12
    view.setFixedHeight(max(min_h, min(max_h, h)))


@register("text")
class TextRenderer(OutputRenderer):
    def _build(self) -> None:
        self.label = QLabel(self.body)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                           | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.body_layout.addWidget(self.label)

    def _render(self, value: Any) -> None:
        text = text_of(value)
        self.label.setText(text if len(text) < 200_000 else text[:200_000] + "\n…")

    def copy_text(self) -> str:
        try:
            return text_of(self.current)
        except ShapeError:
            return super().copy_text()


class _FittingBrowser(SafeTextBrowser):
    refit: Any = None

    def resourcesChanged(self) -> None:
        if self.refit is not None:
            self.refit()


@register("markdown")
class MarkdownRenderer(TextRenderer):
    def _build(self) -> None:
        # SafeTextBrowser: `![x](path)` in a tool's markdown never reaches Qt's own file loading
        self.view = _FittingBrowser(self.body, scope=self.scope)
        self.view.refit = lambda: _fit_text_height(self.view, 600)
        self.view.setFrameShape(QTextBrowser.Shape.NoFrame)
        self.view.setStyleSheet("QTextBrowser { background: transparent; border: none; }")
        self.body_layout.addWidget(self.view)

    def _render(self, value: Any) -> None:
        self.view.scope = self.scope
        self.view.forget_resources()
        self.view.setMarkdown(text_of(value))
        _fit_text_height(self.view, 600)

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        if self._built and self.current is not None:
            _fit_text_height(self.view, 600)


@register("code")
class CodeRenderer(TextRenderer):
    def _build(self) -> None:
        from pixie_desktop.ui.inputs.editors import CodeEditor

        self.view = CodeEditor(self.spec.language, self.body, read_only=True)
        self.body_layout.addWidget(self.view)

    def _render(self, value: Any) -> None:
        self.view.setPlainText(text_of(value))
        self.view.fit_height(2, 24)


_DISPLAY = re.compile(r"\$\$(.+?)\$\$|\\\[(.+?)\\\]", re.S)


def latex_paragraphs(text: str) -> list[tuple[str, bool]]:
    """Split into (mathtext-ready string, is_display) paragraphs: display maths on its own line,
    `\\(…\\)` converted to `$…$` so inline maths mixes with text."""
    text = text.replace("\\(", "$").replace("\\)", "$")
    out: list[tuple[str, bool]] = []
    pos = 0
    for m in _DISPLAY.finditer(text):
        before = text[pos:m.start()].strip()
        if before:
            out.extend((p.strip(), False) for p in before.split("\n\n") if p.strip())
        body = (m.group(1) or m.group(2) or "").strip().replace("\n", " ")
        if body:
            out.append((f"${body}$", True))
        pos = m.end()
    rest = text[pos:].strip()
    if rest:
        out.extend((p.strip(), False) for p in rest.split("\n\n") if p.strip())
    return out


def render_mathtext(s: str, colour: str, size: float) -> QImage:
    """Render a mathtext string to an image (raises ValueError on unsupported macros)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(0.01, 0.01), dpi=110)
    fig.patch.set_alpha(0)
    FigureCanvasAgg(fig)
    fig.text(0, 0, s.replace("\n", " "), fontsize=size, color=colour)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight", pad_inches=0.04, transparent=True)
    img = QImage()
    img.loadFromData(buf.getvalue(), "PNG")
    return img


@register("latex")
class LatexRenderer(TextRenderer):
    def _build(self) -> None:
        self.labels: list[QLabel] = []

    def _reset(self) -> None:
        for lab in self.labels:
            lab.deleteLater()
        self.labels = []

    def _render(self, value: Any) -> None:
        text = text_of(value)
        self._reset()
        t = theme.current()
        for para, display in latex_paragraphs(text)[:40]:
            lab = QLabel(self.body)
            lab.setTextFormat(Qt.TextFormat.PlainText)  # the tool's text, never rich text
            lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            if "$" in para:
                try:
                    img = render_mathtext(para, t.text, 15 if display else 11.5)
                    lab.setPixmap(QPixmap.fromImage(img))
                    lab.setToolTip(plain_tooltip(para))
                    if display:
                        lab.setAlignment(Qt.AlignmentFlag.AlignCenter)
                except Exception as exc:  # noqa: BLE001 - unsupported macro: show the source
                    lab.setText(f"{para}\n(not typeset: {str(exc).splitlines()[0][:100] if str(exc) else 'unsupported'})")
                    lab.setStyleSheet("font-family: monospace;")
                    lab.setWordWrap(True)
            else:
                lab.setText(para)
                lab.setWordWrap(True)
            self.body_layout.addWidget(lab)
            self.labels.append(lab)


@register("stream_text")
class StreamTextRenderer(TextRenderer):
    """Appends chunks. Chunks are buffered and written to the view at most every FLUSH_MS
    (one cursor insert at the end per flush, never a re-set of the whole text), so the UI
    thread's work per chunk is O(chunk) however long the stream gets. A display line longer
    than MAX_DISPLAY_LINE gets a break in the *view* only (Qt re-lays out a whole paragraph on
    every insert into it); `text` / Copy keep the stream exactly as sent."""

    FLUSH_MS = 50
    MAX_DISPLAY_LINE = 2000

    def _build(self) -> None:
        from PySide6.QtCore import QTimer

        self.view = QPlainTextEdit(self.body)
        self.view.setReadOnly(True)
        self.view.setMinimumHeight(80)
        self.view.setMaximumHeight(360)
        self.view.setUndoRedoEnabled(False)
        self.body_layout.addWidget(self.view)
        self._parts: list[str] = []
        self._pending: list[str] = []
        self._line_len = 0
        self.flushes = 0
        self._live = False   # streaming into a shown body: append_stream takes the short path
        self._armed = False  # the flush timer is running
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.FLUSH_MS)
        self._timer.timeout.connect(self.flush)

    @property
    def text(self) -> str:
        if len(self._parts) > 1:
            self._parts = ["".join(self._parts)]
        return self._parts[0] if self._parts else ""

    @text.setter
    def text(self, value: str) -> None:
        self._parts = [value] if value else []

    def _reset(self) -> None:
        self._live = self._armed = False
        self._timer.stop()
        self._pending = []
        self._parts = []
        self._line_len = 0
        if not self.view.document().isEmpty():
            self.view.clear()

    def _render(self, value: Any) -> None:
        text = text_of(value)
        if self._live and text == self.text:
            # the final value of a stream we showed live: it is already on screen
            self.flush()
            self._live = False
            return
        self._live = self._armed = False
        self._timer.stop()
        self._pending = []
        self.text = text
        self.view.clear()
        self._line_len = 0
        self._write(text)

    def _write(self, piece: str) -> None:
        """Insert at the end through a cursor, breaking over-long display lines."""
        out: list[str] = []
        for i, seg in enumerate(piece.split("\n")):
            if i:
                out.append("\n")
                self._line_len = 0
            while self._line_len + len(seg) > self.MAX_DISPLAY_LINE:
                room = self.MAX_DISPLAY_LINE - self._line_len
                out.append(seg[:room])
                out.append("\n")
                seg = seg[room:]
                self._line_len = 0
            out.append(seg)
            self._line_len += len(seg)
        bar = self.view.verticalScrollBar()
        follow = bar.value() >= bar.maximum() - 4
        cursor = QTextCursor(self.view.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText("".join(out))
        if follow:
            bar.setValue(bar.maximum())

    def flush(self) -> None:
        """Write the buffered chunks now (the timer calls this; tests and the panel may too)."""
        if not self._built or not self._pending:
            return
        self._armed = False
        self._timer.stop()
        piece = "".join(self._pending)
        self._pending = []
        self.flushes += 1
        try:
            self._write(piece)
        except Exception as exc:  # noqa: BLE001
            self._fail(piece, failure_reason(exc))

    def _fail(self, value: Any, why: str) -> None:
        if self._built:
            self._live = False
        super()._fail(value, why)

    def set_value(self, value: Any) -> None:
        if self._built and (self.error is not None or not isinstance(value, (str, dict))):
            self._live = False  # whatever it shows next, the stream starts over
        super().set_value(value)

    def append_stream(self, chunk: Any) -> None:
        if type(chunk) is str and self._built and self._live:  # the hot path: O(1) per chunk
            self._parts.append(chunk)
            self._pending.append(chunk)
            if not self._armed:
                self._armed = True
                self._timer.start()
            return
        try:
            if isinstance(chunk, dict):
                piece = chunk.get("chunk", chunk.get("text", chunk.get("value", chunk.get("delta", ""))))
            else:
                piece = chunk
            if piece is None:
                return
            piece = piece if isinstance(piece, str) else str(piece)
            self._ensure_built()
            if self.current is None or self.error is not None:
                self._reset()
            self._parts.append(piece)
            self._pending.append(piece)
            self.current = True  # a stream is showing; copy_text/current read `text`
            self.error = None
            self._show("body")
            self._live = True
            if not self._armed:
                self._armed = True
                self._timer.start()
        except Exception as exc:  # noqa: BLE001
            self._fail(chunk, failure_reason(exc))

    def copy_text(self) -> str:
        return self.text if self._built else super().copy_text()


def number_value(value: Any) -> float:
    v = value.get("value") if isinstance(value, dict) else value
    if isinstance(v, bool) or v is None:
        raise ShapeError(f"expected a number or {{value}}, got {kind_of(value)}")
    if isinstance(v, str):
        try:
            v = float(v.replace(",", ""))
        except ValueError:
            raise ShapeError(f"expected a number, got the string {v[:40]!r}") from None
    if not isinstance(v, (int, float)):
        raise ShapeError(f"expected a number or {{value}}, got {kind_of(value)}")
    return float(v)


def format_number(v: float, fmt: str = "decimal", precision: int | None = None) -> str:
    """en-GB formatting as the reference does it (GBP currency, percent of a fraction)."""
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "∞" if v > 0 else "−∞"
    if fmt == "currency":
        p = 2 if precision is None else max(0, precision)
        s = f"£{abs(v):,.{p}f}"
        return "-" + s if v < 0 else s
    if fmt == "percent":
        p = 1 if precision is None else max(0, precision)
        return f"{v * 100:,.{p}f}%"
    if fmt == "scientific":
        p = 3 if precision is None else max(0, precision)
        m, e = f"{v:.{p}e}".split("e")
        return f"{m}E{int(e)}"
    if precision is not None:
        return f"{v:,.{max(0, precision)}f}"
    s = f"{v:,.6f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


@register("number")
class NumberRenderer(OutputRenderer):
    def _build(self) -> None:
        self.label = QLabel(self.body)
        self.label.setObjectName("BigNumber")
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.sub = QLabel(self.body)
        self.sub.setObjectName("Muted")
        self.body_layout.addWidget(self.label)
        self.body_layout.addWidget(self.sub)

    def _render(self, value: Any) -> None:
        v = number_value(value)
        text = format_number(v, self.spec.format or "decimal", self.spec.precision)
        if self.spec.unit and self.spec.format not in ("currency", "percent"):
            text += f" {self.spec.unit}"
        self.label.setText(text)
        label = value.get("label") if isinstance(value, dict) else None
        self.sub.setText(str(label) if label else "")
        self.sub.setVisible(bool(label))

    def copy_text(self) -> str:
        return self.label.text() if self._built else ""


TRUTHY = {True, 1, "1", "true", "True", "yes"}


@register("boolean")
class BooleanRenderer(OutputRenderer):
    def _build(self) -> None:
        self.label = QLabel(self.body)
        self.label.setProperty("richText", True)  # our HTML around an escaped label
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.body_layout.addWidget(self.label)

    def _render(self, value: Any) -> None:
        v = value.get("value") if isinstance(value, dict) else value
        if not isinstance(v, (bool, int, float, str)) or v is None:
            raise ShapeError(f"expected a boolean or {{value}}, got {kind_of(value)}")
        on = v in TRUTHY if not isinstance(v, float) else v == 1.0
        t = theme.current()
        text = (self.spec.true_label or "True") if on else (self.spec.false_label or "False")
        colour = t.success if on else t.danger
        mark = "✔" if on else "✘"
        self._plain = text
        self.label.setText(f"<span style='color:{colour}; font-size:18pt'>{mark}</span>"
                           f"&nbsp;&nbsp;<span style='font-size:15pt; font-weight:600'>{_esc(text)}</span>")

    def copy_text(self) -> str:
        """The shown label as text ("True", or the spec's true_label), never the card's HTML."""
        return getattr(self, "_plain", "") if self._built and self.error is None else super().copy_text()


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@register("progress")
class ProgressRenderer(OutputRenderer):
    def _build(self) -> None:
        self.bar = QProgressBar(self.body)
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(14)
        self.label = QLabel(self.body)
        self.label.setObjectName("Muted")
        self.body_layout.addWidget(self.bar)
        self.body_layout.addWidget(self.label)

    def _render(self, value: Any) -> None:
        label = None
        if isinstance(value, dict):
            label = value.get("label") or value.get("message")
            v = value.get("value", value.get("fraction"))
        else:
            v = value
        if v is None:
            self.bar.setRange(0, 0)  # indeterminate
            self.label.setText(str(label) if label else "Working…")
            return
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise ShapeError(f"expected a number in 0..1 or {{value, label}}, got {kind_of(value)}")
        if not math.isfinite(v):
            raise ShapeError(f"the progress value is {'NaN' if v != v else 'infinite'}, not a number in 0..1")
        pct = float(v) * 100 if v <= 1 else float(v)  # >1 is already a percentage
        pct = max(0.0, min(100.0, pct))
        self.bar.setRange(0, 1000)
        self.bar.setValue(int(round(pct * 10)))
        self.label.setText(f"{pct:.0f}%" + (f" · {label}" if label else ""))

    def append_stream(self, chunk: Any) -> None:
        if isinstance(chunk, dict) and "output_key" in chunk:
            chunk = chunk.get("value")
        self.set_value(chunk if chunk is not None else {"value": None})
