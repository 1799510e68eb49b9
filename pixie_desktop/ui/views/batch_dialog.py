"""The "Batch…" dialog of a tool page: build a batch from a folder (or dropped files) bound to a
file input, a CSV whose columns are input keys, or a grid of values per input (one line per
input: `key = v1, v2, v3`), on top of the form's current values, with a live count of the items
it will run. Listing a folder and reading a CSV happen on the background pool (ui/workers; a
folder on a network share or a large CSV must not freeze the dialog): the count says
"Counting…" until the answer arrives, and a newer edit supersedes an older read. `items()`
returns the expanded BatchItems (pixie_desktop.batch.plan), from what was read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout,
                               QLabel, QLineEdit, QPlainTextEdit, QPushButton, QStackedWidget, QVBoxLayout, QWidget)

from pixie_desktop.batch import plan

FOLDER, CSV, GRID = "folder", "csv", "grid"
PREVIEW_FILES_LIMIT = 20_000  # listing a huge folder for the preview stays bounded


def _list_folder(folder: str, pattern: str) -> list[Path]:
    return plan.folder_files(folder, pattern)[:PREVIEW_FILES_LIMIT]


class BatchDialog(QDialog):
    previewReady = Signal(int)  # a background read ended and the count was shown

    def __init__(self, info: Any, base: dict, *, files: list[Path] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self._reads = 0            # background reads in flight
        self._generation = 0       # answers of an older edit are dropped
        self._read_error: str | None = None
        self._csv: tuple[str, list[dict[str, str]]] | None = None  # (path, rows) as last read
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(150)  # typing a path: read once it settles
        self._debounce.timeout.connect(self._read_source)
        self.setObjectName("BatchDialog")
        self.setWindowTitle(f"Batch — {info.name}")
        self.info, self.base = info, dict(base)
        self.files: list[Path] = list(files or [])
        spec = info.spec
        self.file_keys = [i.key for i in spec.inputs if i.is_file_like] if spec else []
        lay = QVBoxLayout(self)
        self.mode = QComboBox()
        if self.file_keys:
            self.mode.addItem("A folder of files", FOLDER)
        self.mode.addItem("A CSV of inputs (one row per item)", CSV)
        self.mode.addItem("A grid of values (every combination)", GRID)
        lay.addWidget(self.mode)
        self.pages = QStackedWidget()
        lay.addWidget(self.pages, 1)
        self._pages: dict[str, QWidget] = {}
        if self.file_keys:
            self._pages[FOLDER] = self._folder_page()
        self._pages[CSV] = self._csv_page()
        self._pages[GRID] = self._grid_page()
        for w in self._pages.values():
            self.pages.addWidget(w)
        self.preview = QLabel("")
        self.preview.setObjectName("BatchPreview")
        lay.addWidget(self.preview)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.mode.currentIndexChanged.connect(self._on_mode)
        self._on_mode()

    # -- pages --------------------------------------------------------------------------------
    def _browse_row(self, edit: QLineEdit, pick: Any) -> QWidget:
        w = QWidget()
        h = QHBoxLayout(w)
        h.setContentsMargins(0, 0, 0, 0)
        h.addWidget(edit, 1)
        b = QPushButton("Browse…")
        b.clicked.connect(pick)
        h.addWidget(b)
        return w

    def _folder_page(self) -> QWidget:
        w = QWidget()
        f = QFormLayout(w)
        self.folder_edit = QLineEdit(placeholderText="a folder" if not self.files else f"{len(self.files)} dropped files")
        self.folder_edit.setAccessibleName("Folder")
        self.folder_edit.textChanged.connect(self._source_changed)
        f.addRow("Folder", self._browse_row(self.folder_edit, self._pick_folder))
        self.pattern_edit = QLineEdit("*")
        self.pattern_edit.textChanged.connect(self._source_changed)
        f.addRow("Files matching", self.pattern_edit)
        self.key_combo = QComboBox()
        for k in self.file_keys:
            self.key_combo.addItem(k, k)
        f.addRow("Input", self.key_combo)
        return w

    def _csv_page(self) -> QWidget:
        w = QWidget()
        f = QFormLayout(w)
        self.csv_edit = QLineEdit(placeholderText="a CSV file whose header names input keys")
        self.csv_edit.setAccessibleName("CSV file")
        self.csv_edit.textChanged.connect(self._source_changed)
        f.addRow("CSV file", self._browse_row(self.csv_edit, self._pick_csv))
        return w

    def _grid_page(self) -> QWidget:
        w = QWidget()
        v = QVBoxLayout(w)
        keys = ", ".join(i.key for i in self.info.spec.inputs if not i.is_file_like) if self.info.spec else ""
        v.addWidget(QLabel(f"One input per line: key = value1, value2, …  (inputs: {keys})"))
        self.grid_edit = QPlainTextEdit()
        self.grid_edit.textChanged.connect(self.update_preview)
        v.addWidget(self.grid_edit, 1)
        return w

    def _pick_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Folder of files")
        if path:
            self.folder_edit.setText(path)

    def _pick_csv(self) -> None:
        path = QFileDialog.getOpenFileName(self, "CSV of inputs", "", "CSV (*.csv);;All files (*)")[0]
        if path:
            self.csv_edit.setText(path)

    # -- state --------------------------------------------------------------------------------
    @property
    def current_mode(self) -> str:
        return self.mode.currentData()

    def set_mode(self, mode: str) -> None:
        self.mode.setCurrentIndex(self.mode.findData(mode))

    def _on_mode(self, *_: Any) -> None:
        self.pages.setCurrentWidget(self._pages[self.current_mode])
        self._source_changed()

    @property
    def preview_pending(self) -> bool:
        """A folder listing or CSV read for the current edit has not answered yet."""
        return self._debounce.isActive() or self._reads > 0

    def _source_changed(self, *_: Any) -> None:
        self._generation += 1  # any read in flight answers an older edit now
        self._reads = 0
        mode = self.current_mode
        if mode == GRID or (mode == FOLDER and not self.folder_edit.text().strip()) or \
                (mode == CSV and not self.csv_edit.text().strip()):
            self._debounce.stop()  # nothing to read (grid, dropped files, no CSV yet)
        else:
            self._debounce.start()
        self.update_preview()

    def _read_source(self) -> None:
        from pixie_desktop.ui import workers

        gen = self._generation
        mode = self.current_mode
        if mode == FOLDER:
            job, args = _list_folder, (self.folder_edit.text().strip(), self.pattern_edit.text().strip() or "*")
        elif mode == CSV:
            job, args = plan.csv_rows, (self.csv_edit.text().strip(),)
        else:
            return
        self._reads += 1
        workers.submit(job, *args, on_result=lambda r: self._read_done(gen, mode, args, r, None),
                       on_error=lambda exc: self._read_done(gen, mode, args, None, exc))

    def _read_done(self, gen: int, mode: str, args: tuple, result: Any, exc: BaseException | None) -> None:
        if gen != self._generation:
            return  # an older edit's answer
        self._reads = max(0, self._reads - 1)
        self._read_error = None
        if exc is not None:
            self._read_error = str(exc)
            if mode == FOLDER:
                self.files = []
            else:
                self._csv = None
        elif mode == FOLDER:
            self.files = list(result)
        else:
            self._csv = (args[0], list(result))
        n = self.update_preview()
        self.previewReady.emit(n)

    def grid(self) -> dict[str, list[str]]:
        lines = [ln.replace(" = ", "=").strip() for ln in self.grid_edit.toPlainText().splitlines()]
        return plan.parse_grid([ln for ln in lines if ln])

    def items(self) -> list[plan.BatchItem]:
        """The batch's items (BatchPlanError when the chosen source gives none)."""
        mode = self.current_mode
        if mode == FOLDER:
            return plan.expand(self.base, over_key=self.key_combo.currentData(), files=self.files)
        if mode == CSV:
            path = self.csv_edit.text().strip()
            if self._csv is None or self._csv[0] != path:
                raise plan.BatchPlanError("the CSV has not been read yet")
            return plan.expand(self.base, rows=self._csv[1])
        return plan.expand(self.base, grid=self.grid())

    def update_preview(self) -> int:
        """Show how many items the batch will run, from what has been read so far; returns it
        (0 while a read is pending or when it cannot be built)."""
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        mode = self.current_mode
        if mode != GRID and self.preview_pending:
            self.preview.setText("Counting…")
            ok.setEnabled(False)
            return 0
        try:
            if mode == FOLDER:
                if self._read_error and self.folder_edit.text().strip():
                    raise plan.BatchPlanError(self._read_error)
                n = len(self.files)
            elif mode == CSV:
                path = self.csv_edit.text().strip()
                if path and self._read_error:
                    raise plan.BatchPlanError(self._read_error)
                n = len(self._csv[1]) if path and self._csv is not None and self._csv[0] == path else 0
            else:
                n = plan.count(grid=self.grid()) if self.grid_edit.toPlainText().strip() else 0
            text = f"{n} item{'s' if n != 1 else ''} will run" if n else "No items yet"
        except (plan.BatchPlanError, OSError) as exc:
            n, text = 0, str(exc)
        self.preview.setText(text)
        ok.setEnabled(n > 0)
        return n
