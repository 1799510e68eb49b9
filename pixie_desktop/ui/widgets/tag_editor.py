"""Tag editor: tags as removable chips plus a field to add more. Tags are kebab-case; a rejected
tag shows `ops.tools.normalise_tag`'s message (with its suggested fix) under the field. Tags that
come from tool.json are shown as fixed chips (edit the file to change them).

Bound to a tool (`TagEditor(conn=…, tool_id=…)`) it saves through `ops.tools` at once and publishes
the change (`toolStateChanged(tool_id)`); unbound it only keeps the list (`tags()`)."""

from __future__ import annotations

import sqlite3

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QFrame, QHBoxLayout, QLabel, QLineEdit, QToolButton, QVBoxLayout, QWidget,
)

from pixie_desktop.ops import tools as tool_ops
from pixie_desktop.ops.tools import TagError, normalise_tag
from pixie_desktop.queries import tools as tool_queries
from pixie_desktop.ui import theme as theme_mod
from pixie_desktop.ui.publish import publish
from pixie_desktop.ui.views.flow_layout import FlowLayout


class TagChip(QFrame):
    removeClicked = Signal(str)

    def __init__(self, tag: str, *, removable: bool = True, parent: QWidget | None = None):
        super().__init__(parent)
        self.tag = tag
        t = theme_mod.current()
        self.setObjectName("tagChip")
        bg = t.surface_alt
        border = t.accent if removable else t.border
        self.setStyleSheet(f"#tagChip {{ background: {bg}; border: 1px solid {border}; border-radius: 10px; }}"
                           f"#tagChip QLabel {{ background: transparent; border: none; }}"
                           f"#tagChip QToolButton {{ border: none; background: transparent; color: {t.muted};"
                           f" padding: 0 2px; }}")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 1, 4 if removable else 8, 1)
        lay.setSpacing(2)
        self.label = QLabel(tag, self)
        lay.addWidget(self.label)
        if removable:
            btn = QToolButton(self)
            from pixie_desktop.ui.widgets.icons import set_icon_button

            btn.setToolTip(f"Remove “{tag}”")
            set_icon_button(btn, "x", f"Remove tag {tag}", edge=10)  # ✕ is a box in some stock fonts
            btn.setCursor(Qt.CursorShape.PointingHandCursor)
            btn.clicked.connect(lambda: self.removeClicked.emit(self.tag))
            lay.addWidget(btn)
        else:
            self.setToolTip("From tool.json — edit the file to change it")


class TagEditor(QWidget):
    tagsChanged = Signal(list)

    def __init__(self, parent: QWidget | None = None, *, conn: sqlite3.Connection | None = None,
                 tool_id: str | None = None, fixed: list[str] | None = None):
        super().__init__(parent)
        self.conn, self.tool_id = conn, tool_id
        self._fixed = [t for t in (fixed or [])]
        self._tags: list[str] = []
        t = theme_mod.current()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(6)
        self.chips_box = QWidget(self)
        self.flow = FlowLayout(self.chips_box, spacing=6)
        outer.addWidget(self.chips_box)
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText("Add a tag (e.g. data-cleaning) and press Enter")
        self.edit.returnPressed.connect(self.add_from_field)
        self.edit.textEdited.connect(self._typing)
        outer.addWidget(self.edit)
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {t.danger};")
        self.error.hide()
        outer.addWidget(self.error)
        if conn is not None and tool_id is not None:
            self._tags = tool_queries.user_tags(conn, tool_id)
        self._rebuild()

    # -- API ----------------------------------------------------------------------------------
    def tags(self) -> list[str]:
        return list(self._tags)

    def set_tags(self, tags: list[str], fixed: list[str] | None = None) -> None:
        self._tags = list(dict.fromkeys(tags))
        if fixed is not None:
            self._fixed = list(fixed)
        self._rebuild()

    def add_tag(self, text: str) -> bool:
        """Validate and add; on a bad tag show the helpful message and return False."""
        try:
            tag = normalise_tag(text)
        except TagError as exc:
            self.show_error(str(exc))
            return False
        self.error.hide()
        if tag in self._tags or tag in self._fixed:
            return True
        if self.conn is not None and self.tool_id is not None:
            publish(tool_ops.add_tag(self.conn, self.tool_id, tag)[1])
        self._tags.append(tag)
        self._rebuild()
        self.tagsChanged.emit(self.tags())
        return True

    def remove_tag(self, tag: str) -> None:
        if tag not in self._tags:
            return
        if self.conn is not None and self.tool_id is not None:
            publish(tool_ops.remove_tag(self.conn, self.tool_id, tag))
        self._tags.remove(tag)
        self._rebuild()
        self.tagsChanged.emit(self.tags())

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    # -- internals ----------------------------------------------------------------------------
    def add_from_field(self) -> None:
        parts = [p for p in self.edit.text().split(",") if p.strip()]
        if not parts:
            return
        if all(self.add_tag(p) for p in parts):
            self.edit.clear()

    def _typing(self, text: str) -> None:
        if text.endswith(","):
            self.add_from_field()
        elif self.error.isVisible():
            self.error.hide()

    def _rebuild(self) -> None:
        self.flow.clear()
        for tag in self._fixed:
            self.flow.addWidget(TagChip(tag, removable=False, parent=self.chips_box))
        for tag in self._tags:
            if tag in self._fixed:
                continue
            chip = TagChip(tag, parent=self.chips_box)
            chip.removeClicked.connect(self.remove_tag)
            self.flow.addWidget(chip)
        self.chips_box.setVisible(bool(self._fixed or self._tags))
        self.chips_box.updateGeometry()


class TagsDialog(QDialog):
    """The sidebar's "Tags…" action: edit one tool's user tags (tool.json tags shown fixed)."""

    def __init__(self, conn: sqlite3.Connection, tool, parent: QWidget | None = None):  # noqa: ANN001
        super().__init__(parent)
        self.setWindowTitle(f"Tags — {tool.name}")
        self.resize(460, 220)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(18, 16, 18, 12)
        fixed = list(tool.spec.tags) if getattr(tool, "spec", None) is not None else []
        self.editor = TagEditor(self, conn=conn, tool_id=tool.tool_id, fixed=fixed)
        lay.addWidget(self.editor)
        lay.addStretch(1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
