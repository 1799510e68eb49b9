"""Settings dialog: every user-editable setting (config.SETTING_DEFS) with its help text, a typed
editor, where the current value comes from (default / .env / environment / saved), a per-row
Reset and "Reset all". Apply validates each changed value with the setting's own parser and saves
through `ops.settings.save_app_setting` (config.save_setting), which notifies live listeners (no
restart needed); a bad value gets an inline message and nothing else is lost. The folder paths
are shown read-only with "Open"; Storage shows the database size and compacts it (VACUUM) in the
background (ui/widgets/storage_panel.py)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices, QFont
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFrame, QGridLayout, QLabel,
    QLineEdit, QMessageBox, QPushButton, QScrollArea, QSpinBox, QVBoxLayout, QWidget,
)

from pixie_desktop.config import SETTING_DEFS, SettingDef, Settings, format_value, parse_value
from pixie_desktop.ops import settings as settings_ops
from pixie_desktop.ui import theme as theme_mod

SOURCE_TEXT = {"default": "default", ".env": "from .env", "env": "from environment", "db": "saved"}
INT32_MAX = 2**31 - 1

# rows shown under Settings ▸ Storage, right after the storage panel
STORAGE_ROWS = ("artefacts_total_disk_cap_bytes", "dedup_artefacts", "sweeper_interval_seconds")
# byte-sized settings edited in GB (0 = off), not as raw byte counts
GB_SETTINGS = {"artefacts_total_disk_cap_bytes": 10**9}

GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Appearance", ("theme", "accent", "density", "contrast", "developer_mode")),
    ("Tool processes", ("warm_keep_seconds", "warm_keep_max", "warm_memory_budget_fraction",
                        "spawn_timeout_seconds", "run_cancel_grace_seconds", "notify_after_seconds")),
    ("Runs & artefacts", ("inline_output_max_bytes", "max_artefact_bytes_per_run", "max_artefacts_per_run",
                          "soft_delete_retention_days")),
    ("Gallery & lists", ("thumb_max_edge_px", "thumb_workers", "library_page_size")),
    ("Compute", ("max_parallel_runs", "compute_address")),
)


TITLES = {"artefacts_total_disk_cap_bytes": "Total disk cap", "dedup_artefacts": "Store identical files once"}


def _title(name: str) -> str:
    if name in TITLES:
        return TITLES[name]
    text = name.replace("_", " ")
    return text[0].upper() + text[1:]


def _suffix(name: str) -> str:
    for end, unit in (("_seconds", " s"), ("_px", " px"), ("_days", " days")):
        if name.endswith(end):
            return unit
    return ""


class _Row:
    """Widgets of one setting row."""

    def __init__(self, defn: SettingDef, editor: QWidget, source: QLabel, error: QLabel, reset: QPushButton):
        self.defn, self.editor, self.source, self.error, self.reset = defn, editor, source, error, reset

    def value(self) -> Any:
        e = self.editor
        if isinstance(e, QCheckBox):
            return e.isChecked()
        if isinstance(e, QComboBox):
            return e.currentText()
        if e.property("bytesPerUnit"):
            return int(round(e.value() * int(e.property("bytesPerUnit"))))
        if isinstance(e, (QSpinBox, QDoubleSpinBox)):
            return e.value()
        return e.text().strip()  # QLineEdit: parsed by parse_value on Apply

    def set_value(self, value: Any) -> None:
        e = self.editor
        e.blockSignals(True)
        if isinstance(e, QCheckBox):
            e.setChecked(bool(value))
        elif isinstance(e, QComboBox):
            i = e.findText(str(value))
            if i < 0:
                e.addItem(str(value))
                i = e.findText(str(value))
            e.setCurrentIndex(i)
        elif e.property("bytesPerUnit"):
            e.setValue(float(value) / int(e.property("bytesPerUnit")))
        elif isinstance(e, (QSpinBox, QDoubleSpinBox)):
            e.setValue(value)
        else:
            e.setText(format_value(value))
        e.blockSignals(False)


class SettingsDialog(QDialog):
    applied = Signal(list)   # names of settings saved

    def __init__(self, settings: Settings, conn: sqlite3.Connection, parent: QWidget | None = None):
        super().__init__(parent)
        self.settings = settings
        self.conn = conn
        self.rows: dict[str, _Row] = {}
        t = theme_mod.current()
        self._muted, self._danger, self._accent = t.muted, t.danger, t.accent
        self.setWindowTitle("Settings")
        self.resize(760, 680)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(18, 16, 18, 12)
        outer.setSpacing(8)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget(scroll)
        self.grid = QGridLayout(body)
        self.grid.setContentsMargins(0, 0, 8, 0)
        self.grid.setHorizontalSpacing(14)
        self.grid.setVerticalSpacing(8)
        self.grid.setColumnStretch(0, 1)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)

        self._build_paths(body)
        self._heading(body, "Storage")
        from pixie_desktop.ui.widgets.storage_panel import StoragePanel

        self.storage = StoragePanel(self.settings.db_path, body, settings=self.settings)
        self.grid.addWidget(self.storage, self.grid.rowCount(), 0, 1, 4)
        self.finished.connect(lambda _r: self.storage.cancel())  # closing never leaves a VACUUM running
        by_name = {d.name: d for d in SETTING_DEFS if d.user_editable}
        placed: set[str] = set()
        for n in STORAGE_ROWS:
            if n in by_name:
                self._build_row(body, by_name[n])
                placed.add(n)
        for group, names in GROUPS:
            defs = [by_name[n] for n in names if n in by_name]
            if defs:
                self._heading(body, group)
                for d in defs:
                    self._build_row(body, d)
                    placed.add(d.name)
        rest = [d for n, d in by_name.items() if n not in placed]
        if rest:
            self._heading(body, "Other")
            for d in rest:
                self._build_row(body, d)
        self.grid.setRowStretch(self.grid.rowCount(), 1)

        self.status = QLabel(self)
        self.status.setStyleSheet(f"color: {self._muted};")
        outer.addWidget(self.status)
        buttons = QDialogButtonBox(self)
        self.reset_all_button = buttons.addButton("Reset all…", QDialogButtonBox.ButtonRole.ResetRole)
        self.reset_all_button.clicked.connect(self.confirm_reset_all)
        self.apply_button = buttons.addButton(QDialogButtonBox.StandardButton.Apply)
        self.apply_button.clicked.connect(self.apply)
        ok = buttons.addButton(QDialogButtonBox.StandardButton.Ok)
        ok.clicked.connect(self._ok)
        cancel = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.clicked.connect(self.reject)
        outer.addWidget(buttons)
        self._refresh_dirty()

    # -- layout -------------------------------------------------------------------------------
    def _heading(self, body: QWidget, text: str) -> None:
        label = QLabel(text, body)
        f = label.font()
        f.setWeight(QFont.Weight.DemiBold)
        f.setPointSizeF(f.pointSizeF() * 1.1)
        label.setFont(f)
        label.setStyleSheet("margin-top: 14px; margin-bottom: 4px;")
        self.grid.addWidget(label, self.grid.rowCount(), 0, 1, 4)

    def _build_paths(self, body: QWidget) -> None:
        self._heading(body, "Folders")
        for name, path, help_text in (
                ("Tools", self.settings.tools_dir, "One sub-folder per tool"),
                ("Database", self.settings.db_path, "Runs, reports and preferences (SQLite)"),
                ("Artefacts", self.settings.artefacts_root, "Files your runs produced")):
            r = self.grid.rowCount()
            label = QLabel(f"{name}<br><span style='color:{self._muted}'>{help_text}</span>", body)
            field = QLineEdit(str(path), body)
            field.setReadOnly(True)
            field.setObjectName(f"path-{name.lower()}")
            field.setAccessibleName(f"{name} folder")
            btn = QPushButton("Open", body)
            btn.setAccessibleName(f"Open the {name.lower()} folder")
            folder = path if path.suffix == "" else path.parent
            btn.clicked.connect(lambda _=False, p=folder: self.open_folder(p))
            self.grid.addWidget(label, r, 0)
            self.grid.addWidget(field, r, 1, 1, 2)
            self.grid.addWidget(btn, r, 3)
        note = QLabel("Folders are set with PIXIE_TOOLS_DIR, PIXIE_DB_PATH and PIXIE_ARTEFACTS_ROOT "
                      "(environment or the .env next to the app).", body)
        note.setWordWrap(True)
        note.setStyleSheet(f"color: {self._muted};")
        self.grid.addWidget(note, self.grid.rowCount(), 0, 1, 4)

    def _editor(self, d: SettingDef, parent: QWidget) -> QWidget:
        if d.name in GB_SETTINGS:
            e = QDoubleSpinBox(parent)
            e.setProperty("bytesPerUnit", GB_SETTINGS[d.name])
            e.setSuffix(" GB")
            e.setDecimals(1)
            e.setRange(0.0, 1_000_000.0)
            e.setSpecialValueText("No cap")
            e.valueChanged.connect(self._refresh_dirty)
            return e
        if d.choices:
            e = QComboBox(parent)
            e.addItems(list(d.choices))
            e.currentIndexChanged.connect(self._refresh_dirty)
            return e
        if d.kind is bool:
            e = QCheckBox("On", parent)
            e.toggled.connect(self._refresh_dirty)
            return e
        if d.kind is int and d.minimum is not None and d.maximum is not None and d.maximum <= INT32_MAX:
            e = QSpinBox(parent)
            e.setSuffix(_suffix(d.name))
            e.setRange(int(d.minimum if d.minimum is not None else 0), int(d.maximum))
            e.valueChanged.connect(self._refresh_dirty)
            return e
        if d.kind is float and d.minimum is not None and d.maximum is not None:
            e = QDoubleSpinBox(parent)
            e.setSuffix(_suffix(d.name))
            e.setDecimals(2)
            e.setSingleStep(0.05 if d.maximum <= 1 else 0.5)
            e.setRange(float(d.minimum), float(d.maximum))
            e.valueChanged.connect(self._refresh_dirty)
            return e
        e = QLineEdit(parent)  # large or unbounded numbers and free text: validated on Apply
        e.textEdited.connect(self._refresh_dirty)
        return e

    def _build_row(self, body: QWidget, d: SettingDef) -> None:
        r = self.grid.rowCount()
        label = QLabel(f"{_title(d.name)}<br><span style='color:{self._muted}'>{d.help}</span>", body)
        label.setWordWrap(True)
        label.setToolTip(f"{d.name} · env {d.env_name} · default {format_value(d.default)}")
        editor = self._editor(d, body)
        editor.setObjectName(f"setting-{d.name}")
        editor.setAccessibleName(_title(d.name))
        editor.setMinimumWidth(170)
        source = QLabel(body)
        source.setMinimumWidth(110)
        reset = QPushButton("Reset", body)
        reset.setToolTip(f"Back to {format_value(d.default)} (or the .env / environment value)")
        reset.clicked.connect(lambda _=False, n=d.name: self.reset(n))
        error = QLabel(body)
        error.setWordWrap(True)
        error.setStyleSheet(f"color: {self._danger};")
        error.hide()
        self.grid.addWidget(label, r, 0)
        self.grid.addWidget(editor, r, 1)
        self.grid.addWidget(source, r, 2)
        self.grid.addWidget(reset, r, 3)
        self.grid.addWidget(error, r + 1, 0, 1, 4)
        row = _Row(d, editor, source, error, reset)
        self.rows[d.name] = row
        self._show(row)

    def _show(self, row: _Row) -> None:
        name = row.defn.name
        row.set_value(self.settings.values.get(name, row.defn.default))
        src = self.settings.sources.get(name, "default")
        row.source.setText(SOURCE_TEXT.get(src, src))
        row.source.setStyleSheet(f"color: {self._accent if src == 'db' else self._muted};")
        row.reset.setEnabled(src == "db")
        row.error.hide()

    # -- behaviour ----------------------------------------------------------------------------
    def dirty(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, row in self.rows.items():
            current = self.settings.values.get(name, row.defn.default)
            value = row.value()
            unit = row.editor.property("bytesPerUnit")
            if unit and isinstance(current, int) and abs(value - current) < int(unit) * 0.05:
                continue  # shown rounded to 0.1 GB: an unchanged field is not a change
            if isinstance(value, str) and not isinstance(current, str):
                if value != format_value(current):
                    out[name] = value
            elif value != current:
                out[name] = value
        return out

    def _refresh_dirty(self, *_: Any) -> None:
        n = len(self.dirty())
        self.apply_button.setEnabled(n > 0)
        self.status.setText(f"{n} unsaved change{'s' if n != 1 else ''}" if n else
                            "Changes apply right away; no restart needed.")

    def apply(self) -> bool:
        """Save every changed value; returns False if any was refused (its row says why)."""
        ok = True
        saved: list[str] = []
        for name, value in self.dirty().items():
            row = self.rows[name]
            try:
                parse_value(row.defn, value)
                settings_ops.save_app_setting(self.settings, self.conn, name, value)
            except ValueError as exc:
                ok = False
                msg = str(exc).removeprefix(f"setting {name}: ")
                row.error.setText(f"{_title(name)}: {msg}")
                row.error.show()
                continue
            except sqlite3.Error as exc:
                ok = False
                row.error.setText(f"Could not save: {exc}")
                row.error.show()
                continue
            saved.append(name)
            self._show(row)
        if saved:
            self.applied.emit(saved)
        self._refresh_dirty()
        if not ok:
            self.status.setText("Some values were not saved — see the messages above.")
        return ok

    def reset(self, name: str) -> None:
        try:
            settings_ops.reset_app_setting(self.settings, self.conn, name)
        except (sqlite3.Error, ValueError) as exc:
            self.rows[name].error.setText(f"Could not reset: {exc}")
            self.rows[name].error.show()
            return
        self._show(self.rows[name])
        self.applied.emit([name])
        self._refresh_dirty()

    def reset_all(self) -> None:
        for name in list(self.rows):
            if self.settings.sources.get(name) == "db":
                self.reset(name)
            else:
                self._show(self.rows[name])
        self._refresh_dirty()

    def confirm_reset_all(self) -> None:
        answer = QMessageBox.question(self, "Reset all settings",
                                      "Put every setting back to its default (or the value from .env / the "
                                      "environment)? Folders are not affected.")
        if answer == QMessageBox.StandardButton.Yes:
            self.reset_all()

    def _ok(self) -> None:
        if self.apply():
            self.accept()

    @staticmethod
    def open_folder(path: Path) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
