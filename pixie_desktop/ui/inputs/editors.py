"""Text editors: a code editor with line numbers and pygments highlighting (shared with the code
output), and the json (live syntax check), code and markdown (Write/Preview) inputs."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QEvent, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QPainter, QSyntaxHighlighter, QTextCharFormat
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QTabWidget, QTextBrowser, QWidget

from pixie_desktop.ui import theme
from pixie_desktop.ui.inputs.base import InputWidget, PlainTextValue, register

LANGUAGE_ALIASES = {
    "py": "python", "js": "javascript", "ts": "typescript", "plain": "text", "txt": "text",
    "sh": "bash", "shell": "bash", "yml": "yaml",
}


def _lexer_for(language: str | None):
    from pygments.lexers import TextLexer, get_lexer_by_name
    from pygments.util import ClassNotFound

    name = LANGUAGE_ALIASES.get((language or "text").lower(), (language or "text").lower())
    try:
        return get_lexer_by_name(name)
    except ClassNotFound:
        return TextLexer()


def _style_colours(dark: bool) -> dict:
    from pygments.styles import get_style_by_name

    style = get_style_by_name("github-dark" if dark else "friendly")
    out = {}
    for token, st in style:
        fmt = QTextCharFormat()
        if st["color"]:
            fmt.setForeground(QColor("#" + st["color"]))
        if st["bold"]:
            fmt.setFontWeight(QFont.Weight.Bold)
        if st["italic"]:
            fmt.setFontItalic(True)
        out[token] = fmt
    return out


THEME_EVENTS = (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange, QEvent.Type.StyleChange)


class PygmentsHighlighter(QSyntaxHighlighter):
    """Highlights each block with pygments. Multi-line constructs (docstrings) are lexed with the
    whole document once per change, then applied per block, so they colour correctly."""

    def __init__(self, document, language: str | None, dark: bool = False):
        super().__init__(document)
        self.lexer = _lexer_for(language)
        self.formats = _style_colours(dark)
        self._spans: dict[int, list[tuple[int, int, QTextCharFormat]]] = {}
        self._dirty = True
        document.contentsChange.connect(self._mark)

    def set_dark(self, dark: bool) -> None:
        self.formats = _style_colours(dark)
        self._dirty = True
        self.rehighlight()

    def _mark(self, *_: Any) -> None:
        self._dirty = True

    def _fmt(self, token) -> QTextCharFormat | None:
        while token is not None:
            f = self.formats.get(token)
            if f is not None and (f.foreground().style() != Qt.BrushStyle.NoBrush or f.fontWeight() > 400
                                  or f.fontItalic()):
                return f
            token = token.parent
        return None

    def _lex_all(self) -> None:
        text = self.document().toPlainText()
        self._spans = {}
        if len(text) > 400_000:  # keep huge documents responsive: no highlighting
            self._dirty = False
            return
        line, col = 0, 0
        for token, value in self.lexer.get_tokens(text):
            fmt = self._fmt(token)
            parts = value.split("\n")
            for i, part in enumerate(parts):
                if i > 0:
                    line += 1
                    col = 0
                if part and fmt is not None:
                    self._spans.setdefault(line, []).append((col, len(part), fmt))
                col += len(part)
        self._dirty = False

    def highlightBlock(self, text: str) -> None:  # noqa: N802 - Qt override
        if self._dirty:
            self._lex_all()
        for start, length, fmt in self._spans.get(self.currentBlock().blockNumber(), []):
            self.setFormat(start, length, fmt)


class _Gutter(QWidget):
    def __init__(self, editor: "CodeEditor"):
        super().__init__(editor)
        self.editor = editor

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(self.editor.gutter_width(), 0)

    def paintEvent(self, event) -> None:  # noqa: N802
        self.editor.paint_gutter(event)


class CodeEditor(QPlainTextEdit):
    """QPlainTextEdit with a line-number gutter and pygments colours."""

    def __init__(self, language: str | None = None, parent: QWidget | None = None, read_only: bool = False):
        super().__init__(parent)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setReadOnly(read_only)
        self.setTabStopDistance(self.fontMetrics().horizontalAdvance(" ") * 4)
        self.gutter = _Gutter(self)
        self.blockCountChanged.connect(self._update_width)
        self.updateRequest.connect(self._update_gutter)
        self._update_width()
        self.highlighter = PygmentsHighlighter(self.document(), language, theme.current().dark)
        self._dark = theme.current().dark

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().changeEvent(event)
        if event.type() in THEME_EVENTS and hasattr(self, "_dark") and theme.current().dark != self._dark:
            # light ↔ dark: the light style's navy keys were unreadable on the dark background
            self._dark = theme.current().dark
            self.highlighter.set_dark(self._dark)

    def gutter_width(self) -> int:
        digits = max(2, len(str(self.blockCount())))
        return 12 + self.fontMetrics().horizontalAdvance("9") * digits

    def _update_width(self, *_: Any) -> None:
        self.setViewportMargins(self.gutter_width(), 0, 0, 0)

    def _update_gutter(self, rect: QRect, dy: int) -> None:
        if dy:
            self.gutter.scroll(0, dy)
        else:
            self.gutter.update(0, rect.y(), self.gutter.width(), rect.height())
        if rect.contains(self.viewport().rect()):
            self._update_width()

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        cr = self.contentsRect()
        self.gutter.setGeometry(QRect(cr.left(), cr.top(), self.gutter_width(), cr.height()))

    def paint_gutter(self, event) -> None:
        t = theme.current()
        p = QPainter(self.gutter)
        p.fillRect(event.rect(), QColor(t.surface_alt))
        p.setPen(QColor(t.muted))
        block = self.firstVisibleBlock()
        num = block.blockNumber()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        bottom = top + round(self.blockBoundingRect(block).height())
        h = self.fontMetrics().height()
        while block.isValid() and top <= event.rect().bottom():
            if block.isVisible() and bottom >= event.rect().top():
                p.drawText(0, top, self.gutter.width() - 6, h, Qt.AlignmentFlag.AlignRight, str(num + 1))
            block = block.next()
            top = bottom
            bottom = top + round(self.blockBoundingRect(block).height())
            num += 1
        p.end()

    def fit_height(self, min_lines: int = 3, max_lines: int = 18) -> None:
        lines = max(min_lines, min(max_lines, self.blockCount()))
        self.setFixedHeight(lines * self.fontMetrics().lineSpacing() + 24
                            + (self.horizontalScrollBar().sizeHint().height() if max_lines < self.blockCount() else 0))


@register("code")
class CodeInput(PlainTextValue, InputWidget):
    def _build(self) -> None:
        self.edit = CodeEditor(self.spec.language, self)
        self.edit.setMinimumHeight(120)
        self.edit.setMaximumHeight(260)
        self.edit.textChanged.connect(self._emit)
        self.add_body(self.edit)
        if self.spec.language:
            lab = QLabel(self.spec.language, self)
            lab.setTextFormat(Qt.TextFormat.PlainText)
            lab.setObjectName("Muted")
            lab.setAlignment(Qt.AlignmentFlag.AlignRight)
            self.add_body(lab)

    def focus_editor(self) -> None:
        self.edit.setFocus()


@register("json")
class JsonInput(InputWidget):
    def _build(self) -> None:
        self.edit = CodeEditor("json", self)
        self.edit.setMinimumHeight(100)
        self.edit.setMaximumHeight(240)
        self.edit.textChanged.connect(self._check)
        self.status = QLabel(self)
        self.status.setObjectName("HelpText")
        self.add_body(self.edit)
        self.add_body(self.status)

    def syntax_error(self) -> str | None:
        text = self.edit.toPlainText().strip()
        if not text:
            return None
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            return f"JSON error at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        return None

    def _check(self) -> None:
        err = self.syntax_error()
        t = theme.current()
        if err:
            self.status.setText(err)  # no ✕/✓ prefix: boxes in some stock fonts; the colour says it
            self.status.setStyleSheet(f"color: {t.danger};")
        elif self.edit.toPlainText().strip():
            self.status.setText("Valid JSON")
            self.status.setStyleSheet(f"color: {t.success};")
        else:
            self.status.clear()
        self.edit.setProperty("invalid", bool(err))
        self.edit.style().unpolish(self.edit)
        self.edit.style().polish(self.edit)
        self._emit()

    def _read(self) -> Any:
        text = self.edit.toPlainText().strip()
        if not text:
            return None
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return text  # the contract: unparsable JSON is sent as the raw text

    def value(self) -> Any:
        text = self.edit.toPlainText().strip()
        if not text:
            return None
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return text

    def _write(self, value: Any) -> None:
        if value is None:
            self.edit.clear()
            return
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                self.edit.setPlainText(value)
                return
        self.edit.setPlainText(json.dumps(value, indent=2, ensure_ascii=False))

    def validate(self) -> str | None:
        err = self.syntax_error()
        if err:
            return err
        return super().validate()

    def focus_editor(self) -> None:
        self.edit.setFocus()


@register("markdown")
class MarkdownInput(PlainTextValue, InputWidget):
    def _build(self) -> None:
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.edit = QPlainTextEdit(self)
        self.edit.setPlaceholderText("Write Markdown…")
        self.edit.setMinimumHeight(120)
        self.edit.setTabChangesFocus(True)
        self.preview = QTextBrowser(self)
        self.preview.setOpenExternalLinks(True)
        self.tabs.addTab(self.edit, "Write")
        self.tabs.addTab(self.preview, "Preview")
        self.tabs.setMaximumHeight(260)
        self.tabs.currentChanged.connect(self._render)
        self.edit.textChanged.connect(self._emit)
        self.add_body(self.tabs)

    def _render(self, index: int) -> None:
        if index == 1:
            text = self.edit.toPlainText()
            self.preview.setMarkdown(text if text.strip() else "*Nothing to preview.*")

    def _write(self, value: Any) -> None:
        super()._write(value)
        if self.tabs.currentIndex() == 1:
            self._render(1)

    def focus_editor(self) -> None:
        self.tabs.setCurrentIndex(0)
        self.edit.setFocus()
