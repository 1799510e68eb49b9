"""The validation report dialog: a header with the overall verdict, the checks in contract order
(status icon, title, message), and below them the selected check's details, the sample inputs
and output, and the tool's log. "Validate again" re-runs the validator on the pool.

Open it with `ValidationReportDialog.for_tool(ctx, tool_id, parent)` (latest stored report) or
`ValidationReportDialog(report_dict, parent)`."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QModelIndex, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QGuiApplication, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPlainTextEdit, QPushButton,
    QSplitter, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QTabWidget, QVBoxLayout, QWidget,
)

from pixie_desktop.queries.common import parse_iso
from pixie_desktop.ui import theme as theme_mod
from pixie_desktop.ui.delegates.painters import paint_dot, status_colour
from pixie_desktop.validation.model import CHECK_TITLES, counts
from pixie_desktop.ui.plain_text import plain_tooltip

GLYPHS = {"pass": "✓", "warn": "!", "fail": "✕", "skip": "–", "unchecked": "?"}
VERDICT_TEXT = {"pass": "All checks passed", "warn": "Passed with warnings", "fail": "Validation failed",
                "unchecked": "Not validated yet"}
CheckRole = Qt.ItemDataRole.UserRole + 1


def status_icon(status: str, size: int = 20) -> QIcon:
    """A filled status circle with a white glyph (✓ ! ✕ –)."""
    dpr = 2.0
    pm = QPixmap(int(size * dpr), int(size * dpr))
    pm.setDevicePixelRatio(dpr)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    colour = status_colour(status)
    paint_dot(p, QPointF(size / 2, size / 2), size / 2 - 1, colour)
    font = QFont()
    font.setBold(True)
    font.setPixelSize(int(size * 0.62))
    p.setFont(font)
    p.setPen(QColor("#ffffff"))
    svg = {"pass": "check", "fail": "x"}.get(status)
    if svg:  # ✓ and ✕ are missing-glyph boxes in some stock fonts: the bundled SVGs instead
        from pixie_desktop.ui.widgets.icons import named_pixmap

        edge = int(size * 0.6)
        glyph = named_pixmap(svg, edge, "#ffffff")
        off = (size - edge) / 2
        p.drawPixmap(QRectF(off, off, edge, edge), glyph, QRectF(glyph.rect()))
    else:  # "!", "–", "?" are in every font
        p.drawText(QRectF(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, GLYPHS.get(status, "?"))
    p.end()
    return QIcon(pm)


class CheckDelegate(QStyledItemDelegate):
    """Two-line rows: status icon, check title, and the message in a muted colour."""

    ROW_H = 46

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        return QSize(option.rect.width(), self.ROW_H)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        check: dict = index.data(CheckRole) or {}
        painter.save()
        style = option.widget.style() if option.widget else None
        if style is not None:
            opt = QStyleOptionViewItem(option)
            self.initStyleOption(opt, index)
            opt.text = ""
            opt.icon = QIcon()
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, option.widget)
        r = option.rect
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        status = check.get("status", "skip")
        status_icon(status, 20).paint(painter, r.left() + 12, r.top() + (r.height() - 20) // 2, 20, 20)
        x = r.left() + 44
        w = r.width() - 56
        title_font = QFont(option.font)
        title_font.setWeight(QFont.Weight.DemiBold)
        painter.setFont(title_font)
        text_colour = option.palette.highlightedText().color() if selected else option.palette.text().color()
        painter.setPen(text_colour)
        title = CHECK_TITLES.get(check.get("name", ""), check.get("name", ""))
        painter.drawText(QRectF(x, r.top() + 5, w, 18), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         title)
        tag_w = painter.fontMetrics().horizontalAdvance(title) + 10
        painter.setFont(option.font)
        muted = QColor(text_colour)
        muted.setAlphaF(0.62)
        painter.setPen(muted)
        small = QFont(option.font)
        small.setPointSizeF(max(7.0, option.font.pointSizeF() * 0.86))
        painter.setFont(small)
        painter.drawText(QRectF(x + tag_w, r.top() + 5, w - tag_w, 18),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, check.get("name", ""))
        painter.setFont(option.font)
        message = " ".join(str(check.get("message", "")).split())
        elided = painter.fontMetrics().elidedText(message, Qt.TextElideMode.ElideRight, int(w))
        painter.setPen(muted if status in ("pass", "skip") else (status_colour(status) if not selected
                                                                 else text_colour))
        painter.drawText(QRectF(x, r.top() + 24, w, 18), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         elided)
        painter.restore()


def _pretty(value: Any) -> str:
    if value is None or value == "" or value == {}:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


def _readable_details(details: Any) -> str:
    """Check details as text: lists of strings become bullets, fixture results become one block
    per fixture, anything else pretty JSON."""
    if not isinstance(details, dict):
        return _pretty(details)
    parts: list[str] = []
    for key, value in details.items():
        label = key.replace("_", " ").capitalize()
        if key == "fixtures" and isinstance(value, list):
            lines = [label + ":"]
            for fx in value:
                if isinstance(fx, dict):
                    lines.append(f"  {GLYPHS.get(fx.get('status'), '?')} {fx.get('file')} ({fx.get('name')}) — "
                                 f"{fx.get('status')}")
                    for msgs in (fx.get("outputs") or {}).values():
                        for m in msgs:
                            lines.append(f"      {m}")
                    if fx.get("status") == "fail" and not fx.get("outputs"):
                        lines.append(f"      {fx.get('message')}")
            parts.append("\n".join(lines))
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            parts.append(label + ":" + ("".join(f"\n  • {v}" for v in value) if value else " none"))
        elif isinstance(value, (str, int, float, bool)) or value is None:
            text = str(value)
            parts.append(f"{label}:" + (f"\n{text}" if "\n" in text else f" {text}"))
        else:
            parts.append(f"{label}:\n{_pretty(value)}")
    return "\n\n".join(parts)


def _ago(ts: str | None) -> str:
    dt = parse_iso(ts)
    if dt is None:
        return ""
    import datetime as _dt

    secs = (_dt.datetime.now(_dt.timezone.utc) - dt).total_seconds()
    if secs < 60:
        return "just now"
    if secs < 3600:
        return f"{int(secs // 60)} min ago"
    if secs < 86400:
        return f"{int(secs // 3600)} h ago"
    return dt.astimezone().strftime("%d %b %Y, %H:%M")


class ValidationReportDialog(QDialog):
    revalidateRequested = Signal(str)   # tool_id (emitted when no ctx is attached)
    reportChanged = Signal(dict)

    def __init__(self, report: dict | None, parent: QWidget | None = None, *, ctx: Any = None,
                 tool_name: str | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.report: dict = report or {}
        self._tool_name = tool_name
        self._task = None
        self.setWindowTitle("Validation report")
        self.resize(760, 620)
        t = theme_mod.current()

        outer = QVBoxLayout(self)
        outer.setContentsMargins(18, 16, 18, 12)
        outer.setSpacing(12)

        head = QHBoxLayout()
        head.setSpacing(12)
        self.badge = QLabel(self)
        self.badge.setFixedSize(40, 40)
        head.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignTop)
        titles = QVBoxLayout()
        titles.setSpacing(2)
        self.title = QLabel(self)
        f = self.title.font()
        f.setPointSizeF(f.pointSizeF() * 1.35)
        f.setWeight(QFont.Weight.DemiBold)
        self.title.setFont(f)
        self.subtitle = QLabel(self)
        self.subtitle.setStyleSheet(f"color: {t.muted};")
        self.subtitle.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        titles.addWidget(self.title)
        titles.addWidget(self.subtitle)
        head.addLayout(titles, 1)
        outer.addLayout(head)

        split = QSplitter(Qt.Orientation.Vertical, self)
        self.list = QListWidget(split)
        self.list.setItemDelegate(CheckDelegate(self.list))
        self.list.setUniformItemSizes(True)
        self.list.setAlternatingRowColors(False)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
        self.list.currentRowChanged.connect(self._show_details)
        self.tabs = QTabWidget(split)
        self.details = self._text_tab("Details")
        self.inputs_view = self._text_tab("Sample inputs")
        self.output_view = self._text_tab("Sample output")
        self.log_view = self._text_tab("Tool log")
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([380, 200])
        split.setChildrenCollapsible(False)
        outer.addWidget(split, 1)

        buttons = QDialogButtonBox(self)
        self.copy_button = QPushButton("Copy report", self)
        self.copy_button.clicked.connect(self.copy_report)
        self.again_button = QPushButton("Validate again", self)
        self.again_button.clicked.connect(self.validate_again)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.again_button, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.clicked.connect(self.reject)
        outer.addWidget(buttons)
        self.set_report(self.report)

    @classmethod
    def for_tool(cls, ctx: Any, tool_id: str, parent: QWidget | None = None) -> "ValidationReportDialog":
        from pixie_desktop.validation import report as report_mod

        rep = report_mod.latest_report(ctx.conn, tool_id) or {"tool_id": tool_id, "overall": "unchecked",
                                                              "checks": []}
        tool = ctx.discovery and next((t for t in ctx.discovery.scan() if t.tool_id == tool_id), None)
        return cls(rep, parent, ctx=ctx, tool_name=tool.name if tool else None)

    def _text_tab(self, title: str) -> QPlainTextEdit:
        view = QPlainTextEdit(self)
        view.setReadOnly(True)
        view.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        mono.setPointSizeF(max(8.0, self.font().pointSizeF() * 0.92))
        view.setFont(mono)
        self.tabs.addTab(view, title)
        return view

    # -- content ------------------------------------------------------------------------------
    def set_report(self, report: dict) -> None:
        self.report = report or {}
        overall = self.report.get("overall") or "unchecked"
        checks = self.report.get("checks") or []
        pm = status_icon(overall if overall in GLYPHS else "unchecked", 40).pixmap(40, 40)
        self.badge.setPixmap(pm)
        name = self._tool_name or self.report.get("tool_id") or "Tool"
        self.title.setText(f"{name} — {VERDICT_TEXT.get(overall, overall)}")
        c = counts(checks)
        bits = []
        when = _ago(self.report.get("timestamp"))
        if when:
            bits.append(f"Checked {when}")
        if self.report.get("duration_ms") is not None:
            bits.append(f"took {float(self.report['duration_ms']) / 1000:.2f} s")
        tally = [f"{c['pass']} passed"]
        if c["warn"]:
            tally.append(f"{c['warn']} warning{'s' if c['warn'] != 1 else ''}")
        if c["fail"]:
            tally.append(f"{c['fail']} failed")
        if c["skip"]:
            tally.append(f"{c['skip']} skipped")
        if checks:
            bits.append(", ".join(tally))
        self.subtitle.setText("  ·  ".join(bits) if bits else "No report yet — click Validate again.")
        self.list.clear()
        for check in checks:
            item = QListWidgetItem()
            item.setData(CheckRole, check)
            item.setData(Qt.ItemDataRole.DisplayRole, f"{check.get('name')}: {check.get('message')}")
            item.setToolTip(plain_tooltip(str(check.get("message", ""))))
            self.list.addItem(item)
        self.inputs_view.setPlainText(_pretty(self.report.get("sample_inputs")) or "No sample run.")
        self.output_view.setPlainText(_pretty(self.report.get("sample_output")) or "No output.")
        self.log_view.setPlainText(_pretty(self.report.get("spawn_log")) or "The tool wrote nothing to stderr.")
        first_bad = next((i for i, ch in enumerate(checks) if ch.get("status") == "fail"), None)
        if first_bad is None:
            first_bad = next((i for i, ch in enumerate(checks) if ch.get("status") == "warn"), 0)
        if checks:
            self.list.setCurrentRow(first_bad)
        else:
            self.details.setPlainText("")
        self.again_button.setEnabled(bool(self.report.get("tool_id")) and self._task is None)

    def _show_details(self, row: int) -> None:
        item = self.list.item(row)
        check = item.data(CheckRole) if item else None
        if not check:
            self.details.setPlainText("")
            return
        text = f"{CHECK_TITLES.get(check.get('name'), check.get('name'))} — {check.get('status', '').upper()}\n\n"
        text += str(check.get("message", ""))
        more = _readable_details(check.get("details"))
        if more:
            text += "\n\n" + more
        self.details.setPlainText(text)
        self.tabs.setCurrentWidget(self.details)

    # -- actions ------------------------------------------------------------------------------
    def copy_report(self) -> None:
        QGuiApplication.clipboard().setText(json.dumps(self.report, indent=2, ensure_ascii=False, default=str))

    def validate_again(self) -> None:
        tool_id = self.report.get("tool_id")
        if not tool_id:
            return
        if self.ctx is None:
            self.revalidateRequested.emit(tool_id)
            return
        tool = self.ctx.find_tool(tool_id)
        if tool is None:
            self.subtitle.setText(f"The tool '{tool_id}' is no longer in the tools folder.")
            return
        from pixie_desktop.ui.revalidate import validate_one

        self.again_button.setEnabled(False)
        self.again_button.setText("Validating…")
        self._task = validate_one(self.ctx, tool, on_done=self._validated, on_error=self._failed)

    def _validated(self, report: dict) -> None:
        self._task = None
        self.again_button.setText("Validate again")
        self.set_report(report)
        self.reportChanged.emit(report)

    def _failed(self, exc: BaseException) -> None:
        self._task = None
        self.again_button.setText("Validate again")
        self.again_button.setEnabled(True)
        self.subtitle.setText(f"The validator could not run: {exc}")  # traceback: in the log
