"""A run's inputs and files as people know them: file inputs by original name, size and a small
thumbnail (images), other inputs as short "Label: value" chips, and — on the tool page — the
run's artefacts with the input each came from ("thumbnail.png · from sunset.jpg").

Used by History (the selected run), the gallery preview and the tool page ("This run"). The
words come from `pixie_desktop.artefacts.provenance` (no Qt); reading blobs for thumbnails and
the run's rows happens on the app pool, never on the UI thread."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from pixie_desktop.artefacts import provenance as prov
from pixie_desktop.artefacts.provenance import InputFile
from pixie_desktop.ui.views.flow_layout import FlowLayout
from pixie_desktop.ui.widgets.elided_label import ElidedLabel

THUMB = 36
CHIP_TEXT_MAX = 200  # px: a long file name elides (full name in the tool tip)


def load_thumbnails(files: list[InputFile], artefacts_root: str, edge: int = THUMB * 2) -> dict[int, QImage]:
    """Worker body: position in `files` → a small QImage, for the image files that still have bytes."""
    from pixie_desktop.ui.outputs.safe_media import ResourceRefused, decode_image

    out: dict[int, QImage] = {}
    for i, f in enumerate(files):
        data = prov.thumbnail_bytes(f, artefacts_root)
        if not data:
            continue
        try:  # decoded scaled down, without the interpreter, and SVG sanitised (safe_media)
            out[i] = decode_image(f.mime or "", data, max_edge=edge)
        except ResourceRefused:
            continue
    return out


def _files_state(files: list[InputFile], artefacts_root: str) -> tuple[dict[int, QImage], list[int]]:
    """Worker body: thumbnails, and which handles' stored bytes are gone."""
    return (load_thumbnails(files, artefacts_root),
            [i for i, f in enumerate(files) if prov.blob_missing(f, artefacts_root)])


class FileChip(QFrame):
    """One input file: thumbnail (or a badge of its type), name, "size · type"."""

    def __init__(self, f: InputFile, parent: QWidget | None = None):
        super().__init__(parent)
        self.file = f
        self.setObjectName("InputFileChip")
        row = QHBoxLayout(self)
        row.setContentsMargins(4, 3, 8, 3)
        row.setSpacing(6)
        from pixie_desktop.artefacts.thumbnails import mime_kind
        from pixie_desktop.ui.delegates.artefact_delegate import file_badge

        self.pic = QLabel(self)
        self.pic.setFixedSize(THUMB, THUMB)
        self.pic.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pic.setPixmap(file_badge(mime_kind(f.mime, f.name or ""), f.name or "", THUMB - 4))
        row.addWidget(self.pic)
        text = QVBoxLayout()
        text.setSpacing(0)
        self.name = ElidedLabel(f.display_name, self)
        self.name.setObjectName("InputFileName")
        self.name.setStyleSheet("font-weight: 600;")
        self.name.setMaximumWidth(CHIP_TEXT_MAX)
        bits = [b for b in (prov.human_size(f.size), f.mime) if b]
        self.meta = ElidedLabel(" · ".join(bits), self)
        self.meta.setObjectName("Muted")
        self.meta.setMaximumWidth(CHIP_TEXT_MAX)
        text.addWidget(self.name)
        text.addWidget(self.meta)
        row.addLayout(text)
        self.setToolTip(" · ".join([f.display_name] + bits))
        self.has_thumbnail = False
        self.missing = False

    def set_missing(self) -> None:
        """The stored bytes are gone (pruned): a re-run cannot send this file again."""
        self.missing = True
        self.meta.setText(self.meta.text() + " · no longer stored")

    def set_thumbnail(self, image: QImage) -> None:
        self.pic.setPixmap(QPixmap.fromImage(image).scaled(
            THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation))
        self.has_thumbnail = True


class InputFilesView(QWidget):
    """A run's inputs as chips that wrap. `set_inputs(recorded_inputs)`; `files_only` leaves the
    plain values out (the gallery preview shows just the files)."""

    def __init__(self, artefacts_root: Path | str, parent: QWidget | None = None, *, files_only: bool = False):
        super().__init__(parent)
        self.artefacts_root = str(artefacts_root)
        self.files_only = files_only
        self.flow = FlowLayout(self, spacing=6)
        self.chips: list[FileChip] = []
        self.values: list[QLabel] = []
        self.files: list[InputFile] = []
        self._generation = 0

    def clear(self) -> None:
        self._generation += 1
        self.flow.clear()
        for w in self.chips + self.values:
            w.hide()
            w.deleteLater()
        self.chips, self.values, self.files = [], [], []
        self.setMinimumHeight(0)

    def names(self) -> list[str]:
        """The file names shown (tests and accessibility)."""
        return [c.name.text() for c in self.chips]

    def texts(self) -> list[str]:
        return self.names() + [v.text() for v in self.values]

    def set_inputs(self, inputs: dict[str, Any] | None, *, labels: dict[str, str] | None = None) -> None:
        self.clear()
        inputs = inputs or {}
        self.files = prov.input_files(inputs)
        for f in self.files:
            chip = FileChip(f, self)
            self.chips.append(chip)
            self.flow.addWidget(chip)
        if not self.files_only:
            for key, value in inputs.items():
                if prov.is_file_value(value) or value in (None, "", [], {}):
                    continue
                text = f"{(labels or {}).get(key, key)}: {prov.display_value(value, limit=80)}"
                lab = ElidedLabel(text, self)
                lab.setObjectName("InputValueChip")
                lab.setMaximumWidth(CHIP_TEXT_MAX + THUMB)
                lab.setToolTip(prov.display_value(value, limit=1000))
                self.values.append(lab)
                self.flow.addWidget(lab)
        if not self.files and not self.values:
            lab = QLabel("No inputs", self)
            lab.setObjectName("Muted")
            self.values.append(lab)
            self.flow.addWidget(lab)
        self.flow.invalidate()
        self._fit_height()
        self.updateGeometry()
        if self.files:  # thumbnails and "still stored?" need the disk: on the pool
            from pixie_desktop.ui import workers
            from pixie_desktop.ui.inputs.structured import _guarded

            gen = self._generation
            workers.submit(_files_state, list(self.files), self.artefacts_root,
                           on_result=_guarded(self, lambda state: self._files_state(gen, *state)),
                           on_error=lambda _exc: None)

    def _files_state(self, generation: int, images: dict[int, QImage], missing: list[int]) -> None:
        if generation != self._generation:
            return  # a newer run is shown
        for i, img in images.items():
            if 0 <= i < len(self.chips):
                self.chips[i].set_thumbnail(img)
        for i in missing:
            if 0 <= i < len(self.chips):
                self.chips[i].set_missing()

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self.flow.heightForWidth(width)

    def _fit_height(self) -> None:
        # not every parent layout asks heightForWidth (a QFormLayout row inside a box does not
        # reliably): the minimum height follows the wrapped chips, so nothing sticks out below
        h = self.heightForWidth(max(1, self.width()))
        if self.minimumHeight() != h:
            self.setMinimumHeight(h)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_height()


# -- the tool page's "This run" ---------------------------------------------------------------

@dataclass
class ArtefactLine:
    filename: str
    size: int
    source: str | None  # "from sunset.jpg", or None when unknown


@dataclass
class RunProvenance:
    run_id: str
    started_at: str
    status: str
    label: str | None
    inputs: dict[str, Any]
    artefacts: list[ArtefactLine] = field(default_factory=list)


def load_run_provenance(db_path: str, run_id: str) -> RunProvenance | None:
    """Worker body: a run's recorded inputs and artefacts with their sources."""
    from pixie_desktop.queries import artefacts as artefact_queries
    from pixie_desktop.queries import runs as run_queries

    conn = artefact_queries.thread_connection(db_path)
    rec = run_queries.get_run(conn, run_id)
    if rec is None:
        return None
    inputs = rec.inputs
    files = prov.input_files(inputs)
    lines = [ArtefactLine(a.filename, int(a.size_bytes), prov.from_label(a.filename, files))
             for a in artefact_queries.for_run(conn, run_id)]
    return RunProvenance(rec.id, rec.started_at, rec.status, rec.label, inputs, lines)


def artefact_text(line: ArtefactLine) -> str:
    return line.filename + (f" · {line.source}" if line.source else "")


class RunProvenancePanel(QFrame):
    """"This run": when it ran, its inputs (files by name with thumbnails) and the files it made,
    each with the input it came from. Shown above a tool's outputs when a run is on screen."""

    MAX_ARTEFACTS = 6

    def __init__(self, ctx: Any, labels: dict[str, str] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.labels = labels or {}
        self.run_id: str | None = None
        self.setObjectName("RunProvenance")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 0, 2, 6)
        lay.setSpacing(4)
        self.heading = ElidedLabel("", self)
        self.heading.setObjectName("SectionHeading")
        lay.addWidget(self.heading)
        self.inputs_view = InputFilesView(ctx.settings.artefacts_root, self)
        lay.addWidget(self.inputs_view)
        self.artefacts_box = QVBoxLayout()
        self.artefacts_box.setSpacing(0)
        lay.addLayout(self.artefacts_box)
        self.artefact_labels: list[QLabel] = []
        self.hide()

    def show_run(self, run_id: str | None) -> None:
        """Describe `run_id` (loaded off the UI thread); None hides the panel."""
        self.run_id = run_id
        if run_id is None:
            self.hide()
            return
        from pixie_desktop.ui import workers
        from pixie_desktop.ui.inputs.structured import _guarded

        workers.submit(load_run_provenance, str(self.ctx.settings.db_path), run_id,
                       on_result=_guarded(self, self._loaded), on_error=lambda _exc: None)

    def _loaded(self, data: RunProvenance | None) -> None:
        if data is None or data.run_id != self.run_id:
            return
        from pixie_desktop.ui.models.runs_model import STATUS_TEXT, format_started

        label = f" · “{data.label}”" if data.label else ""
        self.heading.setText(f"THIS RUN · {format_started(data.started_at)} · "
                             f"{STATUS_TEXT.get(data.status, data.status)}{label}")
        self.inputs_view.set_inputs(data.inputs, labels=self.labels)
        for lab in self.artefact_labels:
            lab.hide()
            lab.deleteLater()
        self.artefact_labels = []
        for line in data.artefacts[:self.MAX_ARTEFACTS]:
            lab = ElidedLabel(f"{artefact_text(line)} · {prov.human_size(line.size)}", self)
            lab.setObjectName("RunArtefactLine")
            self.artefact_labels.append(lab)
            self.artefacts_box.addWidget(lab)
        extra = len(data.artefacts) - self.MAX_ARTEFACTS
        if extra > 0:
            more = QLabel(f"and {extra} more file{'s' if extra != 1 else ''} (see the Gallery)", self)
            more.setObjectName("Muted")
            self.artefact_labels.append(more)
            self.artefacts_box.addWidget(more)
        self.show()

    def artefact_texts(self) -> list[str]:
        return [lab.text() for lab in self.artefact_labels]
