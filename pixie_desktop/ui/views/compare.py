"""Compare two runs side by side: status/duration, inputs and outputs as key | run A | run B
tables with differing rows highlighted, a line diff for text values, and both runs' outputs
rendered next to each other (OutputPanel) when the tool still parses.

File inputs read as their original name and size with a small thumbnail for images
(artefacts/provenance.py); no cell or diff shows a blob hash, a data URL or base64."""

from __future__ import annotations

import difflib
import json
from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHBoxLayout, QHeaderView, QLabel, QPlainTextEdit,
                               QSplitter, QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget)

from pixie_desktop.artefacts import provenance
from pixie_desktop.queries import runs as run_queries
from pixie_desktop.queries.runs import RunRecord
from pixie_desktop.ui.models.runs_model import STATUS_TEXT, format_duration, format_started
from pixie_desktop.ui.plain_text import plain_tooltip

MISSING = object()


def _render(value: Any) -> str:
    if value is MISSING:
        return "—"
    if provenance.is_file_value(value):
        return provenance.display_value(value)
    value = provenance.scrub(value)
    if isinstance(value, str):
        return value if len(value) <= 2000 else value[:2000] + f"… ({len(value)} chars)"
    try:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, indent=None, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 2000 else text[:2000] + f"… ({len(text)} chars)"


def diff_rows(a: dict[str, Any] | None, b: dict[str, Any] | None) -> list[tuple[str, Any, Any, bool]]:
    """(key, value in A, value in B, differs) for the union of keys, A's order first."""
    a = a or {}
    b = b or {}
    keys = list(a) + [k for k in b if k not in a]
    return [(k, a.get(k, MISSING), b.get(k, MISSING), a.get(k, MISSING) != b.get(k, MISSING)) for k in keys]


def text_diff(a: Any, b: Any) -> str:
    def lines(v: Any) -> list[str]:
        if v is MISSING:
            return []
        if provenance.is_file_value(v):
            return [f.label() for f in provenance.describe_value("", v)]
        v = provenance.scrub(v)
        if isinstance(v, str):
            return v.splitlines()
        return json.dumps(v, ensure_ascii=False, sort_keys=True, indent=2, default=str).splitlines()
    return "\n".join(difflib.unified_diff(lines(a), lines(b), "run A", "run B", lineterm=""))


class CompareDialog(QDialog):
    def __init__(self, ctx: Any, run_a: str, run_b: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Compare runs")
        self.resize(1100, 720)
        self.ctx = ctx
        self.a = run_queries.get_run(ctx.conn, run_a)
        self.b = run_queries.get_run(ctx.conn, run_b)
        from pixie_desktop.ui.views.tool_page import load_run_outputs

        self._tool = self._find_tool()
        spec = getattr(self._tool, "spec", None)
        # the key column reads as the form does ("Image", not "image")
        self.input_labels = {i.key: i.label for i in spec.inputs} if spec is not None else {}
        self.output_labels = {o.key: o.label for o in spec.outputs} if spec is not None else {}
        self.outputs_a = load_run_outputs(ctx, self.a) if self.a else None
        self.outputs_b = load_run_outputs(ctx, self.b) if self.b else None
        lay = QVBoxLayout(self)
        head = QHBoxLayout()
        head.addWidget(self._summary("A", self.a))
        head.addWidget(self._summary("B", self.b))
        lay.addLayout(head)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.input_rows = diff_rows(self.a.inputs if self.a else {}, self.b.inputs if self.b else {})
        self.output_rows = diff_rows(self.outputs_a, self.outputs_b)
        self.inputs_table = self._table(self.input_rows, self.input_labels)
        self.inputs_table.setAccessibleName("Inputs of both runs")
        self._load_input_thumbnails()
        self.outputs_table = self._table(self.output_rows, self.output_labels)
        self.outputs_table.setAccessibleName("Outputs of both runs")
        n_in = sum(1 for r in self.input_rows if r[3])
        n_out = sum(1 for r in self.output_rows if r[3])
        self.tabs.addTab(self.inputs_table, f"Inputs ({n_in} different)")
        self.tabs.addTab(self.outputs_table, f"Outputs ({n_out} different)")
        self.diff_view = QPlainTextEdit()
        self.diff_view.setReadOnly(True)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.TypeWriter)
        self.diff_view.setFont(mono)
        self.tabs.addTab(self.diff_view, "Line diff")
        self.inputs_table.currentCellChanged.connect(lambda r, *_: self._show_diff(self.input_rows, r))
        self.outputs_table.currentCellChanged.connect(lambda r, *_: self._show_diff(self.output_rows, r))
        rendered = self._rendered()
        if rendered is not None:
            self.tabs.addTab(rendered, "Rendered")
        lay.addWidget(self.tabs, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        first_diff = next((i for i, r in enumerate(self.output_rows) if r[3]), None)
        if first_diff is not None:
            self._show_diff(self.output_rows, first_diff)

    def _summary(self, tag: str, rec: RunRecord | None) -> QWidget:
        w = QLabel()
        w.setObjectName("Card")
        w.setTextFormat(Qt.TextFormat.RichText)
        if rec is None:
            w.setText(f"<b>Run {tag}</b>: not found (deleted?)")
        else:
            label = f" · “{rec.label}”" if rec.label else ""
            w.setText(f"<b>Run {tag}</b>{label}<br>{format_started(rec.started_at)} · "
                      f"{STATUS_TEXT.get(rec.status, rec.status)} · {format_duration(rec.duration_s)}"
                      f"<br><span style='color:gray'>{rec.id}</span>")
        w.setMargin(10)
        return w

    def _find_tool(self) -> Any:
        if self.a is None:
            return None
        try:
            return next((t for t in self.ctx.discovery.scan() if t.tool_id == self.a.tool_id), None)
        except Exception:  # noqa: BLE001 - labels are a nicety: keys still read
            return None

    def _table(self, rows: list[tuple[str, Any, Any, bool]], labels: dict[str, str] | None = None) -> QTableWidget:
        t = QTableWidget(len(rows), 3)
        t.setHorizontalHeaderLabels(["Key", "Run A", "Run B"])
        t.verticalHeader().hide()
        t.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        t.setWordWrap(True)
        hh = t.horizontalHeader()
        hh.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        hh.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        changed_bg = QColor(217, 154, 11, 60)
        for i, (key, va, vb, differs) in enumerate(rows):
            for col, text in enumerate(((labels or {}).get(key, key), _render(va), _render(vb))):
                item = QTableWidgetItem(text)
                item.setToolTip(plain_tooltip(text[:1000]))
                if differs:
                    item.setBackground(changed_bg)
                    item.setData(Qt.ItemDataRole.UserRole, True)
                    if col == 0:
                        f = item.font()
                        f.setBold(True)
                        item.setFont(f)
                t.setItem(i, col, item)
        t.resizeRowsToContents()
        return t

    def _load_input_thumbnails(self) -> None:
        """Image inputs get their thumbnail as the cell's icon (bytes read on the pool)."""
        from pixie_desktop.ui import workers
        from pixie_desktop.ui.inputs.structured import _guarded
        from pixie_desktop.ui.views.run_inputs import load_thumbnails

        files: list[provenance.InputFile] = []
        cells: list[tuple[int, int]] = []
        for r, (key, va, vb, _d) in enumerate(self.input_rows):
            for col, value in ((1, va), (2, vb)):
                images = [f for f in provenance.describe_value(key, value) if f.is_image]
                if value is not MISSING and images:
                    files.append(images[0])
                    cells.append((r, col))
        if not files:
            return

        def done(images: dict) -> None:
            from PySide6.QtGui import QIcon, QPixmap

            for i, img in images.items():
                item = self.inputs_table.item(*cells[i])
                if item is not None:
                    item.setIcon(QIcon(QPixmap.fromImage(img)))
            self.inputs_table.resizeRowsToContents()

        self.inputs_table.setIconSize(QSize(32, 32))
        workers.submit(load_thumbnails, files, str(self.ctx.settings.artefacts_root),
                       on_result=_guarded(self, done), on_error=lambda _exc: None)

    def _show_diff(self, rows: list[tuple[str, Any, Any, bool]], r: int) -> None:
        if 0 <= r < len(rows):
            key, va, vb, differs = rows[r]
            self.diff_view.setPlainText(text_diff(va, vb) if differs else f"“{key}” is the same in both runs.")

    def _rendered(self) -> QWidget | None:
        if self.a is None or self.b is None:
            return None
        tool = self._tool
        if tool is None or tool.spec is None or self.a.tool_id != self.b.tool_id:
            return None
        from pixie_desktop.ui.outputs.panel import OutputPanel

        split = QSplitter(Qt.Orientation.Horizontal)
        for run, outputs in ((self.a, self.outputs_a), (self.b, self.outputs_b)):
            # each side may show its own run's files (and nothing else on disk)
            panel = OutputPanel(tool.spec, artefacts_root=self.ctx.settings.artefacts_root)
            if outputs is not None:
                panel.show_outputs(outputs, run_id=run.id)
            split.addWidget(panel)
        return split
