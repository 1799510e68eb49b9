"""Structured renderers: kv (pairs as a dict or list), log (coloured levels, level filter,
auto-scroll, streaming lines), diff (unified, coloured, inline or side-by-side), tree (expand /
collapse all), timeline (a vertical list of events) and file (name, type, size with
Save as…/Open)."""

from __future__ import annotations

import difflib
import html
import math
import tempfile
from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl, Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox, QFileDialog, QGridLayout, QHBoxLayout, QLabel, QPushButton, QTextBrowser, QTreeWidget,
    QTreeWidgetItem, QWidget,
)

from pixie_desktop.units import human_bytes as _human
from pixie_desktop.ui import theme
from pixie_desktop.ui.outputs import safe_media
from pixie_desktop.ui.outputs.base import (
    OutputRenderer, ShapeError, failure_reason, kind_of, load_media, need_dict, need_list, pretty_json, register,
)


def _scalar(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:,.6f}".rstrip("0").rstrip(".") if abs(v) < 1e15 else f"{v:.6g}"
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, (dict, list)):
        return pretty_json(v, 400).replace("\n", " ")
    return str(v)


def kv_pairs(value: Any) -> list[tuple[str, Any]]:
    """Key/value rows from every shape real tools send: `{pairs: …}`, a list of `{key, value}`
    or `[k, v]` items, or a plain object whose own keys are the pairs."""
    if isinstance(value, dict) and "pairs" not in value:
        return [(str(k), v) for k, v in value.items()]
    pairs = value if isinstance(value, list) else need_dict(value, "pairs")["pairs"]
    if isinstance(pairs, dict):
        return [(str(k), v) for k, v in pairs.items()]
    if isinstance(pairs, list):
        out = []
        for item in pairs:
            if isinstance(item, dict) and ("key" in item or "label" in item):
                out.append((str(item.get("key", item.get("label"))), item.get("value")))
            elif isinstance(item, (list, tuple)) and len(item) == 2:
                out.append((str(item[0]), item[1]))
            else:
                raise ShapeError(f"expected pairs items as {{key, value}} or [k, v], got {kind_of(item)}")
        return out
    raise ShapeError(f"expected pairs to be an object or a list, got {kind_of(pairs)}")


@register("kv")
class KvRenderer(OutputRenderer):
    def _build(self) -> None:
        self.holder = QWidget(self.body)
        self.grid = QGridLayout(self.holder)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(18)
        self.grid.setVerticalSpacing(6)
        self.body_layout.addWidget(self.holder)

    def _reset(self) -> None:
        while self.grid.count():
            w = self.grid.takeAt(0).widget()
            if w is not None:
                w.deleteLater()

    def _render(self, value: Any) -> None:
        pairs = kv_pairs(value)
        self._reset()
        for i, (k, v) in enumerate(pairs[:500]):
            key = QLabel(k, self.holder)
            key.setObjectName("Muted")
            key.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            val = QLabel(_scalar(v), self.holder)
            val.setWordWrap(True)
            val.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            val.setStyleSheet("font-weight: 600;")
            self.grid.addWidget(key, i, 0)
            self.grid.addWidget(val, i, 1)
        self.grid.setColumnStretch(1, 1)

    def copy_text(self) -> str:
        try:
            return "\n".join(f"{k}\t{_scalar(v)}" for k, v in kv_pairs(self.current))
        except ShapeError:
            return super().copy_text()


# "tool" is what agent tools tag their tool-call lines with: shown with info, filterable by name
LEVELS = {"debug": 0, "info": 1, "tool": 1, "warn": 2, "warning": 2, "error": 3, "critical": 3}


def log_time(t: Any, now: float | None = None) -> str:
    """A log line's `t` as local wall-clock time: epoch seconds (or milliseconds) and ISO
    datetimes with a zone become "HH:MM:SS" (with the date when it is not today); anything else
    is shown as given."""
    import time
    from datetime import datetime

    when: datetime | None = None
    if isinstance(t, (int, float)) and not isinstance(t, bool) and math.isfinite(t) and t > 0:
        secs = t / 1000.0 if t > 1e11 else float(t)  # a 13-digit stamp is milliseconds
        try:
            when = datetime.fromtimestamp(secs)
        except (OverflowError, OSError, ValueError):
            when = None
    elif isinstance(t, str) and 10 <= len(t) <= 40:
        try:
            parsed = datetime.fromisoformat(t.strip().replace("Z", "+00:00"))
            when = parsed.astimezone() if parsed.tzinfo is not None else parsed
        except ValueError:
            when = None
    if when is None:
        return str(t)
    today = datetime.fromtimestamp(now if now is not None else time.time()).date()
    clock = when.strftime("%H:%M:%S")
    return clock if when.date() == today else f"{when:%Y-%m-%d} {clock}"


def log_lines(value: Any) -> list[dict]:
    if isinstance(value, str):
        return [{"level": "info", "message": line} for line in value.splitlines()]
    if isinstance(value, list):
        lines = value
    else:
        lines = need_list(need_dict(value, "lines")["lines"], "lines")
    out = []
    for item in lines:
        if isinstance(item, dict):
            out.append({"level": str(item.get("level", "info")).lower(),
                        "message": str(item.get("message", item.get("msg", item.get("text", "")))),
                        "t": item.get("t", item.get("time", item.get("ts")))})
        elif isinstance(item, str):
            out.append({"level": "info", "message": item})
        else:
            out.append({"level": "info", "message": _scalar(item)})
    return out


@register("log")
class LogRenderer(OutputRenderer):
    def _build(self) -> None:
        row = QHBoxLayout()
        self.filter = QComboBox(self.body)
        self.filter.addItems(["All levels", "Warnings and errors", "Errors only"])
        self.filter.currentIndexChanged.connect(self._redraw)
        self.count = QLabel(self.body)
        self.count.setObjectName("Muted")
        row.addWidget(self.filter)
        row.addStretch(1)
        row.addWidget(self.count)
        self.body_layout.addLayout(row)
        self.view = QTextBrowser(self.body)
        self.view.setMinimumHeight(120)
        self.view.setMaximumHeight(320)
        self.view.setStyleSheet("QTextBrowser { font-family: monospace; }")
        self.body_layout.addWidget(self.view)
        self.lines: list[dict] = []
        self._unflushed: list[dict] = []
        from PySide6.QtCore import QTimer

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(50)
        self._timer.timeout.connect(self.flush)

    def _reset(self) -> None:
        self._timer.stop()
        self._unflushed = []
        self.lines = []
        self.view.clear()
        self.count.clear()

    def _line_html(self, ln: dict) -> str:
        t = theme.current()
        colour = {"warn": t.warn, "warning": t.warn, "error": t.danger, "critical": t.danger,
                  "debug": t.muted}.get(ln["level"], t.info)
        ts = f"<span style='color:{t.muted}'>{html.escape(log_time(ln['t']))}</span> " if ln.get("t") is not None else ""
        return (f"{ts}<span style='color:{colour}; font-weight:600'>{ln['level'].upper()[:5]:<5}</span> "
                f"{html.escape(ln['message'])}")

    def _visible(self, ln: dict) -> bool:
        need = (0, 2, 3)[self.filter.currentIndex()]
        return LEVELS.get(ln["level"], 1) >= need

    def _redraw(self, *_: Any) -> None:
        self._unflushed = []  # everything in self.lines is drawn below
        shown = [ln for ln in self.lines[-5000:] if self._visible(ln)]
        self.view.setHtml("<br>".join(self._line_html(ln) for ln in shown))
        self.count.setText(f"{len(self.lines)} line{'s' if len(self.lines) != 1 else ''}")
        self.view.verticalScrollBar().setValue(self.view.verticalScrollBar().maximum())

    def _render(self, value: Any) -> None:
        self._timer.stop()
        self._unflushed = []
        self.lines = log_lines(value)
        self._redraw()

    def append_stream(self, chunk: Any) -> None:
        """New lines are kept at once and drawn in one append per FLUSH_MS burst."""
        if chunk is None:
            return  # an empty log event adds nothing
        try:
            self._ensure_built()
            if isinstance(chunk, dict) and "output_key" in chunk:
                chunk = chunk.get("value")
            if isinstance(chunk, dict) and "lines" not in chunk:
                chunk = [chunk]
            new = log_lines(chunk)
            if self.error is not None:
                self.lines = []
                self._unflushed = []
                self.view.clear()
            self.error = None
            self.lines.extend(new)
            self._unflushed.extend(new)
            self.current = {"lines": self.lines}
            self._show("body")
            if not self._timer.isActive():
                self._timer.start()
        except Exception as exc:  # noqa: BLE001
            self._fail(chunk, failure_reason(exc))

    def flush(self) -> None:
        if not self._built or not self._unflushed:
            return
        self._timer.stop()
        new, self._unflushed = self._unflushed, []
        bar = self.view.verticalScrollBar()
        at_bottom = bar.value() >= bar.maximum() - 4
        shown = [self._line_html(ln) for ln in new if self._visible(ln)]
        if shown:
            self.view.append("<br>".join(shown))
        self.count.setText(f"{len(self.lines)} lines")
        if at_bottom:  # follow the tail unless the user scrolled up
            bar.setValue(bar.maximum())

    def copy_text(self) -> str:
        return "\n".join(f"{ln['level'].upper()} {ln['message']}" for ln in getattr(self, "lines", []))


@register("diff")
class DiffRenderer(OutputRenderer):
    def _build(self) -> None:
        row = QHBoxLayout()
        self.mode = QComboBox(self.body)
        self.mode.addItems(["Inline", "Side by side"])
        self.mode.currentIndexChanged.connect(lambda *_: self._render(self.current))
        self.stats = QLabel(self.body)
        self.stats.setProperty("richText", True)  # our HTML around escaped file names
        self.stats.setTextFormat(Qt.TextFormat.RichText)
        self.stats.setObjectName("Muted")
        row.addWidget(self.stats)
        row.addStretch(1)
        row.addWidget(self.mode)
        self.body_layout.addLayout(row)
        self.view = QTextBrowser(self.body)
        self.view.setMinimumHeight(120)
        self.view.setMaximumHeight(420)
        self.view.setLineWrapMode(QTextBrowser.LineWrapMode.NoWrap)
        self.body_layout.addWidget(self.view)

    def _render(self, value: Any) -> None:
        d = need_dict(value, "before", "after")
        before, after = d["before"], d["after"]
        if not isinstance(before, str) or not isinstance(after, str):
            raise ShapeError("expected before and after to be strings")
        a, b = before.splitlines(), after.splitlines()
        t = theme.current()
        add_bg = "#1f3a28" if t.dark else "#e6f6ea"
        del_bg = "#4a2228" if t.dark else "#fde8ea"
        hunk = t.info
        sm = difflib.SequenceMatcher(None, a, b)
        added = sum(j2 - j1 for op, _, _, j1, j2 in sm.get_opcodes() if op in ("insert", "replace"))
        removed = sum(i2 - i1 for op, i1, i2, _, _ in sm.get_opcodes() if op in ("delete", "replace"))
        self.stats.setText(f"<span style='color:{t.success}'>+{added}</span> "
                           f"<span style='color:{t.danger}'>−{removed}</span> "
                           f"{html.escape(str(d.get('filename_before') or ''))}"
                           + (f" → {html.escape(str(d.get('filename_after')))}" if d.get("filename_after") else ""))
        style = "font-family: monospace; white-space: pre; border-collapse: collapse;"
        rows = []
        if self.mode.currentIndex() == 0:
            for line in list(difflib.unified_diff(a, b, d.get("filename_before") or "before",
                                                  d.get("filename_after") or "after", lineterm="", n=3))[:4000]:
                esc = html.escape(line)
                if line.startswith("@@"):
                    rows.append(f"<tr><td style='color:{hunk}'>{esc}</td></tr>")
                elif line.startswith(("+++", "---")):
                    rows.append(f"<tr><td style='color:{t.muted}'>{esc}</td></tr>")
                elif line.startswith("+"):
                    rows.append(f"<tr><td style='background:{add_bg}'>{esc}</td></tr>")
                elif line.startswith("-"):
                    rows.append(f"<tr><td style='background:{del_bg}'>{esc}</td></tr>")
                else:
                    rows.append(f"<tr><td>{esc}</td></tr>")
            if not rows:
                rows.append(f"<tr><td style='color:{t.muted}'>No differences.</td></tr>")
        else:
            for op, i1, i2, j1, j2 in sm.get_opcodes():
                n = max(i2 - i1, j2 - j1)
                for k in range(n):
                    left = a[i1 + k] if i1 + k < i2 else ""
                    right = b[j1 + k] if j1 + k < j2 else ""
                    lbg = del_bg if op in ("delete", "replace") and i1 + k < i2 else "transparent"
                    rbg = add_bg if op in ("insert", "replace") and j1 + k < j2 else "transparent"
                    ln_l = str(i1 + k + 1) if i1 + k < i2 else ""
                    ln_r = str(j1 + k + 1) if j1 + k < j2 else ""
                    rows.append(
                        f"<tr><td style='color:{t.muted}'>{ln_l}</td><td style='background:{lbg}'>{html.escape(left)}</td>"
                        f"<td style='color:{t.muted}'>{ln_r}</td><td style='background:{rbg}'>{html.escape(right)}</td></tr>")
                if len(rows) > 4000:
                    break
        self.view.setHtml(f"<table style='{style}' cellpadding='1' width='100%'>{''.join(rows)}</table>")


@register("tree")
class TreeRenderer(OutputRenderer):
    MAX_NODES = 5000

    def _build(self) -> None:
        row = QHBoxLayout()
        exp = QPushButton("Expand all", self.body)
        exp.setObjectName("Small")
        col = QPushButton("Collapse all", self.body)
        col.setObjectName("Small")
        row.addWidget(exp)
        row.addWidget(col)
        row.addStretch(1)
        self.body_layout.addLayout(row)
        self.tree = QTreeWidget(self.body)
        self.tree.setHeaderLabels(["Name", "Details"])
        self.tree.setAlternatingRowColors(True)
        self.tree.setMinimumHeight(160)
        self.tree.setMaximumHeight(400)
        exp.clicked.connect(self.tree.expandAll)
        col.clicked.connect(self.tree.collapseAll)
        self.body_layout.addWidget(self.tree)

    def _render(self, value: Any) -> None:
        root = need_dict(value, "root")["root"]
        nodes = root if isinstance(root, list) else [root]
        self.tree.clear()
        self._count = 0
        for n in nodes:
            self._add(None, n, 0)
        self.tree.expandToDepth(1)
        self.tree.resizeColumnToContents(0)

    def _add(self, parent: QTreeWidgetItem | None, node: Any, depth: int) -> None:
        self._count += 1
        if self._count > self.MAX_NODES or depth > 60:
            return
        if isinstance(node, dict):
            name = node.get("name", node.get("label", node.get("id", "")))
            meta = node.get("meta", node.get("value", ""))
            children = node.get("children") or []
        else:
            name, meta, children = _scalar(node), "", []
        item = QTreeWidgetItem([_scalar(name) if not isinstance(name, str) else name,
                                meta if isinstance(meta, str) else _scalar(meta)])
        if parent is None:
            self.tree.addTopLevelItem(item)
        else:
            parent.addChild(item)
        if isinstance(children, list):
            for c in children:
                self._add(item, c, depth + 1)


@register("timeline")
class TimelineRenderer(OutputRenderer):
    def _build(self) -> None:
        self.view = QTextBrowser(self.body)
        self.view.setFrameShape(QTextBrowser.Shape.NoFrame)
        self.view.setStyleSheet("QTextBrowser { background: transparent; border: none; }")
        self.view.setMinimumHeight(80)
        self.view.setMaximumHeight(420)
        self.body_layout.addWidget(self.view)

    def _render(self, value: Any) -> None:
        events = need_list(need_dict(value, "events")["events"], "events")
        t = theme.current()
        rows = []
        for ev in events[:1000]:
            if not isinstance(ev, dict):
                raise ShapeError(f"expected events as {{t, title, description?}}, got {kind_of(ev)}")
            when = ev.get("t", ev.get("time", ev.get("date", "")))
            title = ev.get("title", ev.get("label", ""))
            desc = ev.get("description", ev.get("desc", ""))
            rows.append(
                f"<tr><td valign='top' style='color:{t.muted}; padding-right:10px; white-space:nowrap'>"
                f"{html.escape(_scalar(when) if when != '' else '')}</td>"
                f"<td valign='top' style='color:{t.accent}; font-size:13pt; padding-right:8px'>●</td>"
                f"<td valign='top' style='padding-bottom:10px'><b>{html.escape(_scalar(title))}</b>"
                + (f"<br><span style='color:{t.muted}'>{html.escape(_scalar(desc))}</span>" if desc else "")
                + "</td></tr>")
        self.view.setHtml("<table cellspacing='0'>" + "".join(rows) + "</table>" if rows else
                          f"<span style='color:{t.muted}'>No events.</span>")
        doc = self.view.document()
        doc.setTextWidth(max(300, self.view.viewport().width()))
        self.view.setFixedHeight(int(min(420, max(60, doc.size().height() + 12))))


@register("file")
class FileRenderer(OutputRenderer):
    def _build(self) -> None:
        row = QHBoxLayout()
        self.icon = icon = QLabel(self.body)
        icon.setFixedSize(44, 44)
        row.addWidget(icon)
        col = QWidget(self.body)
        from PySide6.QtWidgets import QVBoxLayout

        cl = QVBoxLayout(col)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.setSpacing(0)
        self.name = QLabel(col)
        self.name.setStyleSheet("font-weight: 600;")
        self.meta = QLabel(col)
        self.meta.setObjectName("Muted")
        cl.addWidget(self.name)
        cl.addWidget(self.meta)
        row.addWidget(col, 1)
        self.save_btn = QPushButton("Save as…", self.body)
        self.save_btn.setObjectName("Primary")
        self.save_btn.clicked.connect(self.save_as)
        self.open_btn = QPushButton("Open", self.body)
        self.open_btn.setObjectName("Small")
        self.open_btn.clicked.connect(self.open_file)
        row.addWidget(self.open_btn)
        row.addWidget(self.save_btn)
        self.body_layout.addLayout(row)
        self.src = ""
        self.filename = "download"

    def _render(self, value: Any) -> None:
        if not isinstance(value, dict):
            raise ShapeError(f"expected {{filename, mime, data|url}}, got {kind_of(value)}")
        src = value.get("data") or value.get("url")
        if not isinstance(src, str) or not src:
            raise ShapeError("expected {filename, mime, data|url}, missing data and url")
        self.src = src
        self.filename = Path(str(value.get("filename") or "download")).name or "download"
        mime = value.get("mime") or value.get("content_type") or value.get("mime_type") or ""
        if not mime and src.startswith("data:"):
            mime = src[5:].split(";")[0].split(",")[0]
        size = value.get("size")
        if not isinstance(size, (int, float)) and src.startswith("data:") and "," in src:
            size = len(src.split(",", 1)[1]) * 3 // 4
        bits = [str(mime or "unknown type")]
        if isinstance(size, (int, float)) and not isinstance(size, bool):
            bits.append(_human(float(size)))
        self.name.setText(self.filename)
        from pixie_desktop.artefacts.thumbnails import mime_kind
        from pixie_desktop.ui.delegates.artefact_delegate import file_badge

        self.icon.setPixmap(file_badge(mime_kind(str(mime or ""), self.filename), self.filename, 44))
        self.meta.setText(" · ".join(bits))
        remote = src.startswith(("http://", "https://"))
        self.save_btn.setEnabled(not remote)
        self.open_btn.setText("Open link" if remote else "Open")

    def save_as(self) -> None:
        """Save the file's bytes: a data URL directly, a file of this run after a worker has
        read it (never anything outside the run folder, never a device or FIFO)."""
        kind = safe_media.classify(self.src)
        if kind == "remote":
            return
        path, _ = QFileDialog.getSaveFileName(self, "Save file", self.filename)
        if not path:
            return
        safe_media.run_async(self, safe_media.fetch, self.src, self.scope,
                             on_ready=lambda got, p=path: self._write(p, got[1]),
                             on_error=self.meta.setText)

    def _write(self, path: str, data: bytes) -> None:
        try:
            Path(path).write_bytes(data)
        except OSError as exc:
            self.meta.setText(f"Could not save: {exc.strerror or exc}")

    def open_file(self) -> None:
        kind = safe_media.classify(self.src)
        if kind == "remote":
            QDesktopServices.openUrl(QUrl(self.src))  # the user's click hands it to their browser
            return
        if kind == "local":
            safe_media.run_async(self, safe_media.check_local, safe_media.local_path(self.src), self.scope,
                                 on_ready=lambda real: QDesktopServices.openUrl(QUrl.fromLocalFile(real)),
                                 on_error=self.meta.setText)
            return
        try:
            loaded = load_media(self.src)
        except ShapeError as exc:
            self.meta.setText(str(exc))
            return
        if loaded is None:
            return
        out = Path(tempfile.mkdtemp(prefix="pixie-open-")) / self.filename
        out.write_bytes(loaded[1])
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(out)))

    def copy_text(self) -> str:
        return getattr(self, "filename", "")  # nothing shown yet: nothing to copy
