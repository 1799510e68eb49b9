"""`OutputPanel`: the tool page's output column — one card per declared output (title, unit,
Copy, caption), grouped by each output's `layout` (§5: consecutive `tab` outputs share a tab
strip, `inline` ones sit side by side, `panel` ones stack), an empty state before the first run,
live run events (stream/progress/log/output) and a redacted error box with "Copy details"."""

from __future__ import annotations

import logging

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFrame, QHBoxLayout, QLabel, QMenu, QPlainTextEdit, QPushButton, QTabWidget, QToolButton, QVBoxLayout,
    QWidget,
)

from pixie_desktop.manifest.model import OutputSpec, ToolSpec
from pixie_desktop.ui.widgets.scrolling import scrolling_column
from pixie_desktop.ui.outputs.base import OutputRenderer, create_renderer

log = logging.getLogger(__name__)


EMPTY_TEXT = "Run the tool to see outputs here"


def _plain_label(text: str, parent: QWidget) -> QLabel:
    """A label for tool.json text (title, unit, description, caption): plain text from the
    start, so markup in a tool's manifest is never laid out as rich text."""
    lab = QLabel(parent)
    lab.setTextFormat(Qt.TextFormat.PlainText)
    lab.setText(text)
    return lab


class OutputCard(QFrame):
    def __init__(self, spec: OutputSpec, renderer: OutputRenderer, parent: QWidget | None = None,
                 with_title: bool = True):
        super().__init__(parent)
        self.setObjectName("Card")
        self.spec = spec
        self.renderer = renderer
        lay = QVBoxLayout(self)
        lay.setContentsMargins(14, 10, 14, 12)
        lay.setSpacing(8)
        if with_title:
            head = QHBoxLayout()
            head.setSpacing(6)
            title = _plain_label(spec.label, self)
            title.setObjectName("CardTitle")
            head.addWidget(title)
            if spec.unit:
                unit = _plain_label(spec.unit, self)
                unit.setObjectName("CardUnit")
                head.addWidget(unit)
            head.addStretch(1)
            copy = QPushButton("Copy", self)
            copy.setObjectName("Small")
            copy.setToolTip("Copy this output")
            copy.clicked.connect(self._copy)
            head.addWidget(copy)
            self.export_button = QToolButton(self)  # "Export as…": formats that fit this type
            self.export_button.setObjectName("Small")
            self.export_button.setText("Export")
            self.export_button.setToolTip("Save this output as a file")
            self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
            self.export_menu = QMenu(self.export_button)
            self.export_menu.aboutToShow.connect(self.refresh_export_menu)
            self.export_button.setMenu(self.export_menu)
            head.addWidget(self.export_button)
            lay.addLayout(head)
            if spec.description:
                d = _plain_label(spec.description, self)
                d.setObjectName("HelpText")
                d.setWordWrap(True)
                lay.addWidget(d)
        lay.addWidget(renderer)
        from pixie_desktop.ui.outputs.base import plain_labels

        if spec.caption:
            cap = _plain_label(spec.caption, self)
            cap.setObjectName("CardCaption")
            cap.setWordWrap(True)
            lay.addWidget(cap)
        plain_labels(self)  # titles/captions come from tool.json: never rich text

    def refresh_export_menu(self) -> None:
        from pixie_desktop.ui.export_output import fill_export_menu

        fill_export_menu(self.export_menu, self, self.spec, self.renderer)

    def _copy(self) -> None:
        try:
            QGuiApplication.clipboard().setText(self.renderer.copy_text())
        except Exception:  # noqa: BLE001 - clipboard unavailable (headless)
            pass


def group_outputs(outputs: list[OutputSpec]) -> list[tuple[str, list[OutputSpec]]]:
    """Consecutive outputs with the same layout form one group; a lone tab is a panel."""
    groups: list[tuple[str, list[OutputSpec]]] = []
    for o in outputs:
        layout = o.layout if o.layout in ("panel", "tab", "inline") else "panel"
        if groups and groups[-1][0] == layout and layout != "panel":
            groups[-1][1].append(o)
        else:
            groups.append((layout, [o]))
    return [("panel" if lay == "tab" and len(items) == 1 else lay, items) for lay, items in groups]


class OutputPanel(QWidget):
    """`artefacts_root` (the app's) lets cards show files of the run being shown — regular files
    under artefacts_root/<tool_id>/<run_id>/; without it only data URLs are shown. The run comes
    from the events (`ev.run_id`) or `show_outputs(..., run_id=)`.

    Live events are coalesced: `output`/`progress` values are kept (latest per card) and drawn at
    most every FLUSH_MS; streaming cards buffer their own chunks the same way."""

    FLUSH_MS = 50

    def __init__(self, spec: ToolSpec, parent: QWidget | None = None, artefacts_root: Any = None):
        super().__init__(parent)
        from pathlib import Path

        from PySide6.QtCore import QTimer

        from pixie_desktop.ui.outputs.safe_media import ResourceScope

        self.spec = spec
        self.scope = ResourceScope(Path(artefacts_root) if artefacts_root is not None else None, spec.id)
        self._pending: dict[str, tuple[str, Any]] = {}
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(self.FLUSH_MS)
        self._flush_timer.timeout.connect(self.flush)
        self.renderers: dict[str, OutputRenderer] = {}
        self.cards: dict[str, QWidget] = {}
        self.scroll, body, self.body_layout = scrolling_column(self, "OutputScroll", "OutputBody", spacing=12)

        self.error_box = QFrame(body)
        self.error_box.setObjectName("ErrorBox")
        el = QVBoxLayout(self.error_box)
        el.setContentsMargins(14, 10, 14, 10)
        top = QHBoxLayout()
        self.error_title = QLabel("Run failed", self.error_box)
        self.error_title.setStyleSheet("font-weight: 700;")
        top.addWidget(self.error_title)
        top.addStretch(1)
        self.copy_btn = QPushButton("Copy details", self.error_box)
        self.copy_btn.setObjectName("Small")
        self.copy_btn.clicked.connect(self._copy_error)
        top.addWidget(self.copy_btn)
        el.addLayout(top)
        self.error_text = QPlainTextEdit(self.error_box)
        self.error_text.setReadOnly(True)
        self.error_text.setMaximumHeight(220)
        el.addWidget(self.error_text)
        self.error_box.hide()
        self.body_layout.addWidget(self.error_box)

        self.empty = QLabel(EMPTY_TEXT, body)
        self.empty.setObjectName("EmptyState")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body_layout.addWidget(self.empty)

        self.content = QWidget(body)
        cl = QVBoxLayout(self.content)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.setSpacing(12)
        for layout, items in group_outputs(spec.outputs):
            if layout == "tab":
                tabs = QTabWidget(self.content)
                tabs.setDocumentMode(False)
                for o in items:
                    r = create_renderer(o)
                    self.renderers[o.key] = r
                    card = OutputCard(o, r, with_title=False)
                    card.setObjectName("TabCard")
                    tabs.addTab(card, o.label + (f" ({o.unit})" if o.unit else ""))
                    self.cards[o.key] = card
                cl.addWidget(tabs)
            elif layout == "inline":
                row = QHBoxLayout()
                row.setSpacing(12)
                for o in items:
                    r = create_renderer(o)
                    self.renderers[o.key] = r
                    card = OutputCard(o, r, self.content)
                    self.cards[o.key] = card
                    row.addWidget(card, 1)
                cl.addLayout(row)
            else:
                for o in items:
                    r = create_renderer(o)
                    self.renderers[o.key] = r
                    card = OutputCard(o, r, self.content)
                    self.cards[o.key] = card
                    cl.addWidget(card)
        self.body_layout.addWidget(self.content)
        self.body_layout.addStretch(1)
        for r in self.renderers.values():
            r.scope = self.scope
        self.clear()

    # -- public API --------------------------------------------------------------------
    def renderer(self, key: str) -> OutputRenderer | None:
        return self.renderers.get(key)

    def set_run(self, run_id: str | None) -> None:
        """Which run's files the cards may show (its run folder), see safe_media."""
        self.scope.run_id = run_id

    def flush(self) -> None:
        """Draw everything buffered now (the timer does this every FLUSH_MS while events come)."""
        self._flush_timer.stop()
        pending, self._pending = self._pending, {}
        for key, (kind, value) in pending.items():
            r = self.renderers.get(key)
            if r is None:
                continue
            try:
                r.set_value(value) if kind == "output" else r.append_stream(value)
            except Exception:  # noqa: BLE001 - a malformed event must not break the run view
                pass
        for r in self.renderers.values():
            flush = getattr(r, "flush", None)
            if flush is not None:
                flush()

    def _drop_pending(self) -> None:
        self._flush_timer.stop()
        self._pending = {}

    def _later(self, key: str, kind: str, value: Any) -> None:
        self._pending[key] = (kind, value)
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    def clear(self) -> None:
        self._drop_pending()
        for r in self.renderers.values():
            r.clear()
        self.error_box.hide()
        self.content.hide()
        self.empty.setText(EMPTY_TEXT if self.renderers else "This tool declares no outputs.")
        self.empty.show()
        self._revealed = False

    def _reveal(self) -> None:
        if not self._revealed:
            self._revealed = True
            self.empty.hide()
            self.content.show()

    def show_outputs(self, outputs: dict | None, run_id: str | None = None) -> None:
        self._drop_pending()
        if run_id is not None:
            self.set_run(run_id)
        if outputs is None:
            self.clear()
            return
        self.error_box.hide()
        self._reveal()
        data = outputs if isinstance(outputs, dict) else {}
        for key, r in self.renderers.items():
            r.set_value(data.get(key))
        if not isinstance(outputs, dict):
            first = next(iter(self.renderers.values()), None)
            if first is not None:
                first._fail(outputs, "the tool's response is not an object of outputs")

    def begin_run(self, run_id: str | None = None) -> None:
        """Empty cards, ready for streamed events."""
        self._drop_pending()
        if run_id is not None:
            self.set_run(run_id)
        self.error_box.hide()
        for r in self.renderers.values():
            r.clear()
        self._reveal()

    def apply_event(self, event: Any) -> None:
        kind = getattr(event, "kind", None)
        key = getattr(event, "key", None)
        value = getattr(event, "value", None)
        # the hot path (thousands of stream chunks a second): straight to the card's buffer
        if kind == "stream" and self._revealed and not self._pending \
                and getattr(event, "run_id", None) == self.scope.run_id:
            r = self.renderers.get(key) if key else self._first_of("stream_text")
            if r is not None:
                try:
                    r.append_stream(value)
                except Exception:  # noqa: BLE001 - a malformed event must not break the run view
                    pass
            return
        run_id = getattr(event, "run_id", None)
        try:
            if isinstance(run_id, str) and run_id:
                self.set_run(run_id)
            if kind in ("stream", "output", "log", "progress"):
                self._reveal()
            if kind in ("stream", "log") and self._pending:
                self.flush()  # keep event order: an earlier buffered value goes first
            if kind == "stream":
                r = self.renderers.get(key) if key else self._first_of("stream_text")
                if r is not None:
                    r.append_stream(value)
            elif kind == "output":
                if key in self.renderers:
                    self._later(key, "output", value)  # latest value wins within a burst
            elif kind == "progress":
                fraction = getattr(event, "fraction", None)
                message = getattr(event, "message", None)
                payload = value if value is not None else {"value": fraction, "label": message}
                targets = [key] if key in self.renderers else \
                    [k for k, r in self.renderers.items() if r.spec.type == "progress"]
                for k in targets:
                    if self._pending.get(k, ("progress",))[0] == "progress":
                        self._later(k, "progress", payload)
            elif kind == "log":
                message = getattr(event, "message", None)
                payload = value if value is not None else message
                targets = [self.renderers[key]] if key in self.renderers else \
                    [r for r in self.renderers.values() if r.spec.type == "log"]
                for r in targets:
                    r.append_stream(payload)
        except Exception:  # noqa: BLE001 - a malformed event must not break the run view
            pass

    def _first_of(self, type_: str) -> OutputRenderer | None:
        return next((r for r in self.renderers.values() if r.spec.type == type_), None)

    def show_error(self, text: str) -> None:
        self.error_title.setText("Run failed")
        self.error_text.setPlainText(text or "The run failed without a message.")
        self.error_box.show()
        self.empty.hide()

    def _copy_error(self) -> None:
        try:
            QGuiApplication.clipboard().setText(self.error_text.toPlainText())
        except Exception:  # noqa: BLE001 - no clipboard (headless session): nothing to copy to
            log.warning("clipboard unavailable; error text not copied")
