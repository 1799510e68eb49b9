""""New tool" dialog: a name (the id is derived from it and can be edited), a layout (form or
chat) and a description; Create scaffolds a working tool from the templates in
`desktop.templates` and emits `created(tool_id, path)`.

    dlg = NewToolDialog(ctx.settings.tools_dir, main_window)
    dlg.created.connect(lambda tool_id, _p: (main_window.refresh_tools(), main_window.open_tool(tool_id)))
    dlg.open()
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QButtonGroup, QDialog, QDialogButtonBox, QFormLayout, QFrame, QHBoxLayout, QLabel,
                               QLineEdit, QPushButton, QRadioButton, QVBoxLayout, QWidget)

from pixie_desktop.lifecycle.scaffold import ScaffoldError, id_problem, scaffold_tool

LAYOUT_TEXT = {
    "form": ("Form", "Inputs on the left, outputs on the right. Best for most tools."),
    "chat": ("Chat", "A conversation: messages in, a streamed reply out."),
}


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    slug = re.sub(r"^[^a-z]+", "", slug)  # ids start with a letter
    return slug[:64].strip("-")


class _LayoutCard(QFrame):
    def __init__(self, key: str, button: QRadioButton, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("Card")
        title, text = LAYOUT_TEXT[key]
        button.setText(title)
        desc = QLabel(text)
        desc.setObjectName("HelpText")
        desc.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 10, 12, 10)
        lay.addWidget(button)
        lay.addWidget(desc)
        self._button = button

    def mousePressEvent(self, event) -> None:  # noqa: N802 - the whole card selects the layout
        self._button.setChecked(True)
        super().mousePressEvent(event)


class NewToolDialog(QDialog):
    created = Signal(str, object)  # tool_id, Path

    def __init__(self, tools_dir: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.tools_dir = Path(tools_dir)
        self.setWindowTitle("New tool")
        self.setMinimumWidth(520)
        self._id_edited = False
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. CSV cleaner")
        self.tool_id = QLineEdit()
        self.tool_id.setPlaceholderText("csv-cleaner")
        self.description = QLineEdit()
        self.description.setPlaceholderText("One line: what does it do?")
        self.form_button = QRadioButton()
        self.chat_button = QRadioButton()
        self.form_button.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.form_button)
        group.addButton(self.chat_button)
        cards = QHBoxLayout()
        cards.addWidget(_LayoutCard("form", self.form_button))
        cards.addWidget(_LayoutCard("chat", self.chat_button))
        self.problem = QLabel("")
        self.problem.setObjectName("ErrorText")
        self.problem.setWordWrap(True)
        self.where = QLabel("")
        self.where.setObjectName("HelpText")
        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Id", self.tool_id)
        form.addRow("Description", self.description)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.create_button: QPushButton = self.buttons.addButton("Create tool", QDialogButtonBox.ButtonRole.AcceptRole)
        self.create_button.setObjectName("Primary")
        self.create_button.setDefault(True)
        self.buttons.accepted.connect(self.create)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.setSpacing(10)
        lay.addLayout(form)
        lay.addWidget(QLabel("Layout"))
        lay.addLayout(cards)
        lay.addWidget(self.where)
        lay.addWidget(self.problem)
        lay.addWidget(self.buttons)
        self.name.textChanged.connect(self._on_name)
        self.tool_id.textEdited.connect(self._on_id_edited)
        self.tool_id.textChanged.connect(lambda _t: self._validate())
        self._validate()

    def layout_choice(self) -> str:
        return "chat" if self.chat_button.isChecked() else "form"

    def _on_name(self, text: str) -> None:
        if not self._id_edited:
            self.tool_id.setText(slugify(text))
        self._validate()

    def _on_id_edited(self, _text: str) -> None:
        self._id_edited = bool(self.tool_id.text())

    def _validate(self) -> str | None:
        tid = self.tool_id.text().strip()
        problem = None
        if not tid:
            problem = ""  # nothing typed yet: no scolding, just a disabled button
        else:
            problem = id_problem(tid)
            if problem is None and (self.tools_dir / tid).exists():
                problem = f"a tool folder named ‘{tid}’ already exists"
        self.problem.setText(problem or "")
        self.problem.setVisible(bool(problem))
        self.create_button.setEnabled(problem is None)
        self.where.setText(f"Creates {self.tools_dir / tid}" if tid and problem is None else "")
        return problem

    def create(self) -> None:
        if self._validate() is not None:
            return
        tid = self.tool_id.text().strip()
        try:
            result = scaffold_tool(self.tools_dir, tid, self.layout_choice(), self.name.text().strip() or None,
                                   self.description.text().strip() or None)
        except ScaffoldError as exc:
            self.problem.setText(str(exc))
            self.problem.setVisible(True)
            return
        self.created.emit(result.tool_id, result.path)
        self.accept()
