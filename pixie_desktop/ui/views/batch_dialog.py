"""The "Batch…" dialog of a tool page: build a batch from a folder (or dropped files) bound to a
file input, a CSV whose columns are input keys, or a grid of values per input (one line per
input: `key = v1, v2, v3`), on top of the form's current values, with a live count of the items
it will run. `items()` returns the expanded BatchItems (pixie_desktop.batch.plan)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout,
                               QLabel, QLineEdit, QPlainTextEdit, QPushButton, QStackedWidget, QVBoxLayout, QWidget)

from pixie_desktop.batch import plan

FOLDER, CSV, GRID = "folder", "csv", "grid"
PREVIEW_FILES_LIMIT = 20_000  # listing a huge folder for the preview stays bounded


class BatchDialog(QDialog):
    def __init__(self, info: Any, base: dict, *, files: list[Path] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
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
        self.folder_edit.textChanged.connect(self._on_folder_changed)
        f.addRow("Folder", self._browse_row(self.folder_edit, self._pick_folder))
        self.pattern_edit = QLineEdit("*")
        self.pattern_edit.textChanged.connect(self._on_folder_changed)
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
        self.csv_edit.textChanged.connect(self.update_preview)
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
        self.update_preview()

    def _on_folder_changed(self, *_: Any) -> None:
        text = self.folder_edit.text().strip()
        if text:
            try:
                self.files = plan.folder_files(text, self.pattern_edit.text().strip() or "*")[:PREVIEW_FILES_LIMIT]
            except plan.BatchPlanError:
                self.files = []
        self.update_preview()

    def grid(self) -> dict[str, list[str]]:
        lines = [ln.replace(" = ", "=").strip() for ln in self.grid_edit.toPlainText().splitlines()]
        return plan.parse_grid([ln for ln in lines if ln])

    def items(self) -> list[plan.BatchItem]:
        """The batch's items (BatchPlanError when the chosen source gives none)."""
        mode = self.current_mode
        if mode == FOLDER:
            return plan.expand(self.base, over_key=self.key_combo.currentData(), files=self.files)
        if mode == CSV:
            return plan.expand(self.base, rows=plan.csv_rows(self.csv_edit.text().strip()))
        return plan.expand(self.base, grid=self.grid())

    def update_preview(self) -> int:
        """Show how many items the batch will run; returns it (0 when it cannot be built)."""
        try:
            mode = self.current_mode
            if mode == FOLDER:
                n = len(self.files)
            elif mode == CSV:
                n = len(plan.csv_rows(self.csv_edit.text().strip())) if self.csv_edit.text().strip() else 0
            else:
                n = plan.count(grid=self.grid()) if self.grid_edit.toPlainText().strip() else 0
            text = f"{n} item{'s' if n != 1 else ''} will run" if n else "No items yet"
        except (plan.BatchPlanError, OSError) as exc:
            n, text = 0, str(exc)
        self.preview.setText(text)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(n > 0)
        return n
