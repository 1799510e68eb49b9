"""The gallery's preview pane: the selected artefact shown by kind (image, text/code with
pygments, PDF first pages via QtPdf, audio/video via QtMultimedia when it loads, CSV/JSON as a
table) plus its metadata (tool, run, the input it came from, the run's inputs — files by name,
size and thumbnail, never a blob hash or base64 —, sha256, size, created, label, tags) and actions.

Everything that reads or decodes the file runs on the pool (`load_preview`); the UI thread
only turns the finished QImage/rows/HTML into widgets. A stale load (selection changed while
it ran) is dropped by a generation counter.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QImage, QPixmap
from PySide6.QtWidgets import (QFormLayout, QFrame, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QScrollArea,
                               QSizePolicy, QStackedWidget, QTableWidget, QTableWidgetItem, QTextBrowser,
                               QToolButton, QVBoxLayout, QWidget)

from pixie_desktop.artefacts.queries import GalleryRow, thread_connection
from pixie_desktop.artefacts.thumbnails import preview_kind
from pixie_desktop.queries import runs as run_queries
from pixie_desktop.ui import workers
from pixie_desktop.artefacts.reading import read_prefix as _read_prefix
from pixie_desktop.ui.outputs.safe_media import render_svg_file as _render_svg_safely
from pixie_desktop.ui.models.artefacts_model import human_size, short_time
from pixie_desktop.ui.plain_text import plain_tooltip
from pixie_desktop.ui.widgets.icons import set_icon_button

TEXT_PREVIEW_BYTES = 200_000
TABLE_PREVIEW_ROWS = 500
PDF_PREVIEW_PAGES = 3


@dataclass
class PreviewData:
    """What a worker prepared for one artefact."""

    generation: int
    kind: str
    images: list[QImage] = field(default_factory=list)
    html: str | None = None
    text: str | None = None
    table: tuple[list[str], list[list[str]]] | None = None
    run: dict[str, Any] = field(default_factory=dict)
    note: str | None = None


def _highlight(text: str, filename: str) -> str:
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import TextLexer, guess_lexer_for_filename
    from pygments.util import ClassNotFound

    try:
        lexer = guess_lexer_for_filename(filename, text[:4000])
    except ClassNotFound:
        lexer = TextLexer()
    fmt = HtmlFormatter(noclasses=True, nowrap=False, style="friendly")
    return highlight(text, lexer, fmt)


def _table_from_json(data: Any) -> tuple[list[str], list[list[str]]] | None:
    if isinstance(data, list) and data and all(isinstance(x, dict) for x in data[:50]):
        cols: list[str] = []
        for row in data[:TABLE_PREVIEW_ROWS]:
            for k in row:
                if k not in cols:
                    cols.append(str(k))
        return cols, [[_cell(row.get(c)) for c in cols] for row in data[:TABLE_PREVIEW_ROWS]]
    if isinstance(data, dict):
        return ["key", "value"], [[str(k), _cell(v)] for k, v in list(data.items())[:TABLE_PREVIEW_ROWS]]
    return None


def _cell(v: Any) -> str:
    if isinstance(v, (dict, list)):
        return json.dumps(v, ensure_ascii=False)[:300]
    return "" if v is None else str(v)[:300]


def load_preview(path: Path | None, filename: str, mime: str, run_id: str, db_path: str, generation: int,
                 image_edge: int = 1400) -> PreviewData:
    """Worker body: decode/read what the preview needs. Never raises for bad files."""
    kind = preview_kind(mime, filename)
    out = PreviewData(generation=generation, kind=kind)
    try:
        run = run_queries.get_run(thread_connection(db_path), run_id)
        if run is not None:
            out.run = {"status": run.status, "started_at": run.started_at, "inputs": run.inputs,
                       "label": run.label, "starred": bool(run.starred)}
    except Exception:  # noqa: BLE001 - metadata is best effort
        pass
    if path is None or not path.is_file():
        out.kind, out.note = "missing", "The file is missing from the artefacts folder."
        return out
    try:
        if kind == "image":
            from pixie_desktop.ui.thumbnails import _read_scaled

            img = _read_scaled(path, image_edge)
            out.images = [img] if img is not None else []
        elif kind == "svg":
            img = _render_svg_safely(path, 900)
            out.images = [img] if img is not None else []
        elif kind == "pdf":
            out.images = _pdf_pages(path, 900)
        elif kind in ("text", "json", "table"):
            raw = _read_prefix(path, TEXT_PREVIEW_BYTES)
            text = raw.decode("utf-8", errors="replace")
            if kind == "table":
                sample = text[:4096]
                try:
                    dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
                except csv.Error:
                    dialect = csv.excel_tab if filename.lower().endswith(".tsv") else csv.excel
                rows = list(csv.reader(io.StringIO(text), dialect))[:TABLE_PREVIEW_ROWS + 1]
                if rows:
                    out.table = (rows[0], rows[1:])
            elif kind == "json":
                try:
                    out.table = _table_from_json(json.loads(text))
                except ValueError:
                    out.table = None
                if out.table is None:
                    out.kind = "text"
            if out.table is None:
                out.kind = "text"
                out.html = _highlight(text, filename)
                if len(raw) >= TEXT_PREVIEW_BYTES:
                    out.note = f"Showing the first {human_size(TEXT_PREVIEW_BYTES)}."
    except Exception as exc:  # noqa: BLE001 - a broken file shows a message, not a crash
        out.kind, out.note = "error", f"Could not preview this file: {exc}"
    return out


def _pdf_pages(path: Path, edge: int) -> list[QImage]:
    from PySide6.QtGui import QColor, QPainter
    from PySide6.QtPdf import QPdfDocument

    doc = QPdfDocument(None)
    pages: list[QImage] = []
    try:
        if doc.load(str(path)) != QPdfDocument.Error.None_:
            return []
        for n in range(min(PDF_PREVIEW_PAGES, doc.pageCount())):
            size = doc.pagePointSize(n).toSize().scaled(QSize(edge, edge), Qt.AspectRatioMode.KeepAspectRatio)
            img = doc.render(n, size)
            if img.isNull():
                continue
            paper = QImage(img.size(), QImage.Format.Format_RGB32)
            paper.fill(QColor("white"))
            p = QPainter(paper)
            p.drawImage(0, 0, img)
            p.end()
            pages.append(paper)
    finally:
        doc.close()
    return pages


class ArtefactPreview(QWidget):
    """Preview + metadata for one artefact. Emits requests; the gallery performs the actions."""

    goToRun = Signal(str)
    openRequested = Signal()
    revealRequested = Signal()
    copyPathRequested = Signal()
    starToggled = Signal()
    labelEdited = Signal(str)
    tagsEdited = Signal(list)

    def __init__(self, ctx: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.db_path = str(ctx.settings.db_path)
        self._row: GalleryRow | None = None
        self._path: Path | None = None
        self._generation = 0
        self._player: Any = None
        self.setMinimumWidth(280)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 10, 12, 10)
        lay.setSpacing(8)
        head = QHBoxLayout()
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        f = self.title.font()
        f.setPointSizeF(f.pointSizeF() * 1.15)
        f.setBold(True)
        self.title.setFont(f)
        self.star_btn = QToolButton()
        self.star_btn.setAutoRaise(True)
        self.star_btn.setToolTip("Star / unstar (S)")
        set_icon_button(self.star_btn, "star", "Star", edge=18)
        self.star_btn.clicked.connect(self.starToggled)
        head.addWidget(self.title, 1)
        head.addWidget(self.star_btn, 0, Qt.AlignmentFlag.AlignTop)
        lay.addLayout(head)

        self.stack = QStackedWidget()
        self.stack.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.empty = QLabel("Select an artefact to preview it")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setEnabled(False)
        self.image_scroll = QScrollArea()
        self.image_scroll.setWidgetResizable(True)
        self.image_box = QWidget()
        self.image_lay = QVBoxLayout(self.image_box)
        self.image_lay.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
        self.image_scroll.setWidget(self.image_box)
        self.text = QTextBrowser()
        self.text.setOpenLinks(False)
        self.table = QTableWidget()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.media = QWidget()
        media_lay = QVBoxLayout(self.media)
        self.media_label = QLabel()
        self.media_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.media_label.setWordWrap(True)
        media_btns = QHBoxLayout()
        self.play_btn = QPushButton("Play")
        self.play_btn.clicked.connect(self._toggle_play)
        self.media_open_btn = QPushButton("Open in default app")
        self.media_open_btn.clicked.connect(self.openRequested)
        media_btns.addStretch(1)
        media_btns.addWidget(self.play_btn)
        media_btns.addWidget(self.media_open_btn)
        media_btns.addStretch(1)
        self.video_slot = QVBoxLayout()
        media_lay.addLayout(self.video_slot, 1)
        media_lay.addWidget(self.media_label)
        media_lay.addLayout(media_btns)
        self.message = QLabel()
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        for w in (self.empty, self.image_scroll, self.text, self.table, self.media, self.message):
            self.stack.addWidget(w)
        lay.addWidget(self.stack, 3)

        self.note = QLabel()
        self.note.setEnabled(False)
        self.note.hide()
        lay.addWidget(self.note)

        meta = QFrame()
        meta.setFrameShape(QFrame.Shape.NoFrame)
        form = QFormLayout(meta)
        form.setContentsMargins(0, 0, 0, 0)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.fields: dict[str, QLabel] = {}
        from pixie_desktop.ui.views.run_inputs import InputFilesView

        self.inputs_view = InputFilesView(ctx.settings.artefacts_root, files_only=True)
        for key in ("Tool", "Run", "From", "Inputs", "Size", "Type", "Created", "SHA-256"):  # full sha in tooltip
            lab = QLabel()
            lab.setTextFormat(Qt.TextFormat.PlainText)  # file names and values come from runs
            lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            lab.setWordWrap(True)
            self.fields[key] = lab
            if key == "Inputs":  # the files (thumbnail, name, size) above the other values
                box = QWidget()
                bl = QVBoxLayout(box)
                bl.setContentsMargins(0, 0, 0, 0)
                bl.setSpacing(2)
                bl.addWidget(self.inputs_view)
                bl.addWidget(lab)
                form.addRow(key, box)
            else:
                form.addRow(key, lab)
        self.label_edit = QLineEdit()
        self.label_edit.setPlaceholderText("Add a label…")
        self.label_edit.setMaxLength(120)
        self.label_edit.editingFinished.connect(self._label_done)
        form.addRow("Label", self.label_edit)
        self.tags_edit = QLineEdit()
        self.tags_edit.setPlaceholderText("tags, comma, separated")
        self.tags_edit.editingFinished.connect(self._tags_done)
        self.chips = QLabel()
        self.chips.setTextFormat(Qt.TextFormat.RichText)
        tags_box = QVBoxLayout()
        tags_box.setSpacing(3)
        tags_box.addWidget(self.chips)
        tags_box.addWidget(self.tags_edit)
        form.addRow("Tags", tags_box)
        lay.addWidget(meta)
        self.meta_box = meta

        btns = QGridLayout()
        btns.setSpacing(6)
        self.run_btn = QPushButton("Go to run")
        self.run_btn.clicked.connect(lambda: self._row and self.goToRun.emit(self._row.record.run_id))
        self.open_btn = QPushButton("Open")
        self.open_btn.clicked.connect(self.openRequested)
        self.reveal_btn = QPushButton("Reveal")
        self.reveal_btn.setToolTip("Show the file in your file manager")
        self.reveal_btn.clicked.connect(self.revealRequested)
        self.copy_btn = QPushButton("Copy path")
        self.copy_btn.clicked.connect(self.copyPathRequested)
        self.buttons_box = QWidget()
        self.buttons_box.setLayout(btns)
        btns.setContentsMargins(0, 0, 0, 0)
        self._buttons = (self.run_btn, self.open_btn, self.reveal_btn, self.copy_btn)
        self._button_columns = 0
        self._arrange_buttons()
        lay.addWidget(self.buttons_box)
        self.clear()

    def _arrange_buttons(self) -> None:
        """One row when the pane is wide enough for all four buttons, else two rows of two (a
        narrow pane squeezed "Go to run" and "Copy path" below their text)."""
        grid = self.buttons_box.layout()
        m = self.layout().contentsMargins() if self.layout() is not None else None
        avail = self.width() - ((m.left() + m.right()) if m is not None else 24)
        need = sum(b.sizeHint().width() for b in self._buttons) + grid.spacing() * (len(self._buttons) - 1)
        cols = 4 if avail >= need else 2
        if cols == self._button_columns:
            return
        self._button_columns = cols
        for b in self._buttons:
            grid.removeWidget(b)
        for i, b in enumerate(self._buttons):
            grid.addWidget(b, i // cols, i % cols)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._arrange_buttons()

    # ------------------------------------------------------------------ public
    def current_id(self) -> int | None:
        return self._row.record.id if self._row else None

    def clear(self) -> None:
        self._generation += 1
        self._row = None
        self._stop_media()
        self.title.setText("Preview")
        set_icon_button(self.star_btn, "star", "Star", edge=18)
        self.stack.setCurrentWidget(self.empty)
        self.note.hide()
        for lab in self.fields.values():
            lab.clear()
        self.inputs_view.clear()
        self.label_edit.clear()
        self.tags_edit.clear()
        self.chips.clear()
        for w in (self.run_btn, self.open_btn, self.reveal_btn, self.copy_btn, self.label_edit, self.tags_edit,
                  self.star_btn):
            w.setEnabled(False)
        # nothing selected: no empty metadata rows or dead buttons, just the hint
        self.meta_box.hide()
        self.buttons_box.hide()
        self.star_btn.hide()

    def show_row(self, row: GalleryRow, path: Path | None) -> None:
        """Show an artefact: metadata now, content when the worker has read it."""
        same = self._row is not None and self._row.record.id == row.record.id \
            and self._row.record.sha256 == row.record.sha256
        self._row, self._path = row, path
        self._fill_meta(row)
        if same:
            return
        # the gallery row already knows the source; the run's inputs arrive with the content
        self.fields["From"].setText(row.source[len("from "):] if row.source else "…")  # only metadata changed (star/label/tags): keep the loaded content
        self._generation += 1
        self._stop_media()
        self.message.setText("Loading…")
        self.stack.setCurrentWidget(self.message)
        self.note.hide()
        rec = row.record
        workers.submit(load_preview, path, rec.filename, rec.mime, rec.run_id, self.db_path, self._generation,
                       on_result=self._on_loaded)

    # ------------------------------------------------------------------ internals
    def _fill_meta(self, row: GalleryRow) -> None:
        self.meta_box.show()
        self.buttons_box.show()
        self.star_btn.show()
        rec = row.record
        self.title.setText(rec.label or rec.filename)
        self.title.setToolTip(plain_tooltip(self.source_label()))

        # ☆/★ are missing-glyph boxes in some stock fonts: the bundled SVGs
        if rec.starred:
            set_icon_button(self.star_btn, "star-filled", "Unstar", colour="#f4b400", edge=18)
        else:
            set_icon_button(self.star_btn, "star", "Star", edge=18)
        self.fields["Tool"].setText(rec.tool_id)
        self.fields["Run"].setText(short_time(rec.created_at))
        self.fields["Run"].setToolTip(f"Run {rec.run_id}")
        self.fields["Size"].setText(f"{human_size(rec.size_bytes)} ({rec.size_bytes:,} bytes)")
        self.fields["Type"].setText(rec.mime)
        self.fields["Created"].setText(short_time(rec.created_at))
        self.fields["SHA-256"].setText(rec.sha256[:20] + "…")
        self.fields["SHA-256"].setToolTip(rec.sha256)
        if not self.label_edit.hasFocus():
            self.label_edit.setText(rec.label or "")
        visible_tags = [t for t in rec.tag_list if not t.startswith("_")]
        if not self.tags_edit.hasFocus():
            self.tags_edit.setText(", ".join(visible_tags))
        self.chips.setText(" ".join(
            f"<span style='background:#e6e9f5;color:#3a4270;border-radius:8px;'>&nbsp;{_esc(t)}&nbsp;</span>"
            for t in visible_tags))
        self.chips.setVisible(bool(visible_tags))
        for w in (self.run_btn, self.open_btn, self.reveal_btn, self.copy_btn, self.label_edit, self.tags_edit,
                  self.star_btn):
            w.setEnabled(True)
        in_trash = bool(rec.deleted_at)
        self.label_edit.setEnabled(not in_trash)
        self.tags_edit.setEnabled(not in_trash)

    def _on_loaded(self, data: PreviewData) -> None:
        if data.generation != self._generation or self._row is None:
            return
        if data.run:
            from pixie_desktop.artefacts import provenance

            inputs = data.run.get("inputs", {}) or {}
            files = provenance.input_files(inputs)
            self.inputs_view.set_inputs(inputs)
            self.inputs_view.setVisible(bool(files))
            others = {k: v for k, v in inputs.items() if not provenance.is_file_value(v)}
            text = provenance.summary(others, limit=240) if others else ("" if files else "No inputs")
            self.fields["Inputs"].setText(text)
            self.fields["Inputs"].setVisible(bool(text))
            self.fields["Inputs"].setToolTip(plain_tooltip("\n".join(
                f"{k}: {provenance.display_value(v, limit=300)}" for k, v in inputs.items())[:4000]))
            self.fields["From"].setText(self._source_text(files))
            status = data.run.get("status", "")
            from pixie_desktop.ui.models.runs_model import STATUS_TEXT

            label = data.run.get("label")
            self.fields["Run"].setText(f"{short_time(data.run.get('started_at'))} · {STATUS_TEXT.get(status, status)}"
                                       + (f" · “{label}”" if label else ""))
        else:
            self.inputs_view.clear()
            self.fields["Inputs"].setText("(run no longer recorded)")
            self.fields["Inputs"].show()
            self.fields["From"].setText("unknown (the run is no longer recorded)")
            self.run_btn.setEnabled(False)
        if data.note:
            self.note.setText(data.note)
            self.note.show()
        if data.images:
            while self.image_lay.count():
                item = self.image_lay.takeAt(0)
                if item.widget():
                    item.widget().deleteLater()
            # the scroll area may not be laid out yet (hidden page of the stack): size from
            # this pane's width, leaving room for the margins and a vertical scroll bar
            bar = self.image_scroll.verticalScrollBar().sizeHint().width()
            margins = self.layout().contentsMargins()
            width = max(160, self.width() - margins.left() - margins.right() - bar - 24)
            for img in data.images:
                lab = QLabel()
                pm = QPixmap.fromImage(img)
                if pm.width() > width:
                    pm = pm.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
                lab.setPixmap(pm)
                if data.kind == "pdf":
                    lab.setStyleSheet("border: 1px solid rgba(0,0,0,40);")
                self.image_lay.addWidget(lab, 0, Qt.AlignmentFlag.AlignHCenter)
            self.stack.setCurrentWidget(self.image_scroll)
        elif data.table is not None:
            cols, rows = data.table
            self.table.clear()
            self.table.setColumnCount(len(cols))
            self.table.setRowCount(len(rows))
            self.table.setHorizontalHeaderLabels(cols)
            for r, values in enumerate(rows):
                for c, v in enumerate(values[:len(cols)]):
                    self.table.setItem(r, c, QTableWidgetItem(v))
            self.table.resizeColumnsToContents()
            self.stack.setCurrentWidget(self.table)
        elif data.html is not None:
            self.text.setHtml(data.html)
            self.stack.setCurrentWidget(self.text)
        elif data.kind in ("audio", "video"):
            self.media_label.setText(f"{'Audio' if data.kind == 'audio' else 'Video'} · {self._row.record.mime}")
            self.play_btn.setVisible(_multimedia_available())
            self.play_btn.setText("Play")
            self.stack.setCurrentWidget(self.media)
        else:
            self.message.setText(data.note or "No preview for this kind of file.\nUse Open to view it in its app.")
            self.stack.setCurrentWidget(self.message)

    def _source_text(self, files: list) -> str:
        """Which input the shown file came from, or an honest "unknown"."""
        from pixie_desktop.artefacts import provenance

        if self._row is None:
            return ""
        src = provenance.source_of(self._row.record.filename, files)
        if src is not None:
            return src.label()
        if not files:
            return "no file input (made from the values below)"
        return f"unknown: the run had {len(files)} input files"

    def source_label(self) -> str:
        """"thumbnail.png · from sunset.jpg" for the shown artefact (from the gallery row)."""
        if self._row is None:
            return ""
        rec = self._row.record
        return rec.filename + (f" · {self._row.source}" if self._row.source else "")

    def _toggle_play(self) -> None:
        if self._row is None or self._path is None:
            return
        if self._player is None:
            from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer

            self._player = QMediaPlayer(self)
            self._audio = QAudioOutput(self)
            self._player.setAudioOutput(self._audio)
            if self._row.kind == "video":
                from PySide6.QtMultimediaWidgets import QVideoWidget

                self._video = QVideoWidget()
                self.video_slot.addWidget(self._video)
                self._player.setVideoOutput(self._video)
            self._player.setSource(QUrl.fromLocalFile(str(self._path)))
        if self._player.playbackState() == self._player.PlaybackState.PlayingState:
            self._player.pause()
            self.play_btn.setText("Play")
        else:
            self._player.play()
            self.play_btn.setText("Pause")

    def _stop_media(self) -> None:
        if self._player is not None:
            self._player.stop()
            self._player.deleteLater()
            self._player = None
            video = getattr(self, "_video", None)
            if video is not None:
                video.deleteLater()
                self._video = None

    def _label_done(self) -> None:
        if self._row is not None and (self.label_edit.text().strip() or None) != self._row.record.label:
            self.labelEdited.emit(self.label_edit.text())

    def _tags_done(self) -> None:
        if self._row is None:
            return
        tags = [t.strip() for t in self.tags_edit.text().split(",") if t.strip()]
        if tags != [t for t in self._row.record.tag_list if not t.startswith("_")]:
            self.tagsEdited.emit(tags)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_MM: bool | None = None


def _multimedia_available() -> bool:
    global _MM
    if _MM is None:
        try:
            from PySide6 import QtMultimedia  # noqa: F401

            _MM = True
        except ImportError:
            _MM = False
    return _MM


def open_in_default_app(path: Path) -> bool:
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
