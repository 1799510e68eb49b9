"""Secrets editor: one row per key a tool declares in tool.json `secrets` plus any other key in
its `.env`. Values are masked (reveal with the eye button), required keys are marked, and Save
writes only the changed keys to `tools/<id>/.env` (atomic, 0600, comments kept) — never to the
database. After saving, `on_saved(tool_id)` lets the caller stop the warm process so the next run
picks up the new environment.

    SecretsEditorDialog(tool, parent, on_saved=lambda tid: runner.pool.stop(tid)).exec()"""

from __future__ import annotations

import re
from typing import Any, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QFrame, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QScrollArea,
    QToolButton, QVBoxLayout, QWidget,
)

from pixie_desktop.runtime.secrets import delete_secret, read_env, write_secret
from pixie_desktop.ui import theme as theme_mod
from pixie_desktop.validation.secrets_status import SecretRow, secret_rows

_KEY_OK = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class _SecretField(QWidget):
    """A masked line edit with a reveal toggle."""

    def __init__(self, value: str, parent: QWidget | None = None):
        super().__init__(parent)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        self.edit = QLineEdit(value, self)
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.edit.setPlaceholderText("not set")
        self.edit.setClearButtonEnabled(True)
        self.reveal = QToolButton(self)
        self.reveal.setCheckable(True)
        self.reveal.setText("Show")
        self.reveal.setToolTip("Show or hide the value")
        self.reveal.toggled.connect(self._toggle)
        lay.addWidget(self.edit, 1)
        lay.addWidget(self.reveal)

    def _toggle(self, on: bool) -> None:
        self.edit.setEchoMode(QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password)
        self.reveal.setText("Hide" if on else "Show")

    def value(self) -> str:
        return self.edit.text()


class SecretsEditorDialog(QDialog):
    saved = Signal(str, list)   # tool_id, keys written or removed

    def __init__(self, tool: Any, parent: QWidget | None = None, *,
                 on_saved: Callable[[str], None] | None = None):
        super().__init__(parent)
        self.tool = tool
        self.on_saved = on_saved
        self._original: dict[str, str] = {}
        self.fields: dict[str, _SecretField] = {}
        self.rows: list[SecretRow] = []
        t = theme_mod.current()
        self._muted = t.muted
        self._danger = t.danger
        self.setWindowTitle(f"Secrets — {tool.name}")
        self.resize(620, 380)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(18, 16, 18, 12)
        outer.setSpacing(10)
        title = QLabel(f"Secrets for {tool.name}", self)
        f = title.font()
        f.setPointSizeF(f.pointSizeF() * 1.25)
        f.setWeight(QFont.Weight.DemiBold)
        title.setFont(f)
        intro = QLabel(f"Stored only in <code>{tool.folder}/.env</code> (readable by you alone) and passed to "
                       "the tool as environment variables. They never reach the database or the run history.",
                       self)
        intro.setWordWrap(True)
        intro.setStyleSheet(f"color: {t.muted};")
        outer.addWidget(title)
        outer.addWidget(intro)

        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.body = QWidget(self.scroll)
        self.grid = QGridLayout(self.body)
        self.grid.setContentsMargins(0, 4, 0, 4)
        self.grid.setHorizontalSpacing(12)
        self.grid.setVerticalSpacing(4)
        self.grid.setColumnStretch(1, 1)
        self.scroll.setWidget(self.body)
        outer.addWidget(self.scroll, 1)

        add_row = QHBoxLayout()
        self.new_key = QLineEdit(self)
        self.new_key.setPlaceholderText("Add another variable, e.g. PROXY_URL")
        self.new_key.setAccessibleName("New variable name")
        self.new_key.returnPressed.connect(self.add_key)
        add_btn = QPushButton("Add", self)
        add_btn.clicked.connect(self.add_key)
        add_row.addWidget(self.new_key, 1)
        add_row.addWidget(add_btn)
        outer.addLayout(add_row)

        self.message = QLabel(self)
        self.message.setWordWrap(True)
        outer.addWidget(self.message)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.save_and_close)
        buttons.rejected.connect(self.reject)
        outer.addWidget(buttons)
        self.reload()

    # -- content ------------------------------------------------------------------------------
    def reload(self) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.fields.clear()
        self._original = read_env(self.tool.path)
        self.rows = secret_rows(self.tool)
        if not self.rows:
            empty = QLabel("This tool declares no secrets and has no .env file yet.", self.body)
            empty.setStyleSheet(f"color: {self._muted};")
            self.grid.addWidget(empty, 0, 0, 1, 2)
        for row in self.rows:
            self._add_row(row)

    def _add_row(self, row: SecretRow) -> None:
        r = self.grid.rowCount()
        name = QLabel(f"<b>{row.key}</b>", self.body)
        name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        field = _SecretField(self._original.get(row.key, ""), self.body)
        field.setObjectName(f"secret-{row.key}")
        field.edit.setAccessibleName(f"Value of {row.key}")
        self.fields[row.key] = field
        self.grid.addWidget(name, r, 0, Qt.AlignmentFlag.AlignVCenter)
        self.grid.addWidget(field, r, 1)
        notes = []
        if row.required:
            notes.append(f"<span style='color:{self._danger}'>Required</span>" if not row.is_set else "Required")
        if row.description:
            notes.append(row.description)
        if not row.declared:
            notes.append("from .env (not declared in tool.json)")
        if notes:
            note = QLabel(" · ".join(notes), self.body)
            note.setWordWrap(True)
            note.setStyleSheet(f"color: {self._muted}; margin-bottom: 8px;")
            self.grid.addWidget(note, r + 1, 1)

    def add_key(self) -> None:
        key = self.new_key.text().strip()
        if not _KEY_OK.match(key):
            self._say("A variable name uses letters, digits and underscores and cannot start with a digit.", True)
            return
        if key in self.fields:
            self.fields[key].edit.setFocus()
            self.new_key.clear()
            return
        self._add_row(SecretRow(key, None, False, False, False))
        self.fields[key].edit.setFocus()
        self.new_key.clear()
        self._say("")

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {self._danger};" if error else f"color: {self._muted};")

    # -- saving -------------------------------------------------------------------------------
    def changes(self) -> dict[str, str]:
        """key → new value ("" means remove) for every edited field."""
        return {k: f.value() for k, f in self.fields.items() if f.value() != self._original.get(k, "")}

    def save(self) -> bool:
        changed = self.changes()
        if not changed:
            return True
        try:
            for key, value in changed.items():
                if value:
                    write_secret(self.tool.path, key, value)
                else:
                    delete_secret(self.tool.path, key)
        except (OSError, ValueError) as exc:
            self._say(f"Could not save the .env file: {exc}", True)
            return False
        self.saved.emit(self.tool.tool_id, sorted(changed))
        if self.on_saved is not None:
            self.on_saved(self.tool.tool_id)
        self._original = read_env(self.tool.path)
        return True

    def save_and_close(self) -> None:
        if self.save():
            self.accept()
