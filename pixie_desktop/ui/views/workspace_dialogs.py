"""Workspace dialogs: the manager (create, rename, recolour, reorder by drag, delete) and small
helpers the sidebar's context menu calls (`create_workspace`, `rename_workspace`,
`recolour_workspace`, `delete_workspace`). All changes go through `ops.workspaces` and are
published (`workspacesChanged`) so the sidebar updates itself."""

from __future__ import annotations

import sqlite3

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView, QColorDialog, QDialog, QDialogButtonBox, QHBoxLayout, QInputDialog, QLabel, QListWidget,
    QListWidgetItem, QMessageBox, QPushButton, QVBoxLayout, QWidget,
)

from pixie_desktop.ops import workspaces as workspace_ops
from pixie_desktop.ops.workspaces import WorkspaceError
from pixie_desktop.queries import workspaces as workspace_queries
from pixie_desktop.queries.workspaces import Workspace
from pixie_desktop.ui import theme as theme_mod
from pixie_desktop.ui.publish import publish
from pixie_desktop.ui.store_events import store_events

# A pleasant default cycle for new workspaces (readable on light and dark sidebars).
PRESET_COLOURS = ("#5563d1", "#2f9e5b", "#e07a2f", "#d1495b", "#8a5cd1", "#1f9e89", "#c2529b", "#b08d1a")
IdRole = Qt.ItemDataRole.UserRole + 1


def colour_icon(colour: str | None, size: int = 14) -> QIcon:
    pm = QPixmap(size * 2, size * 2)
    pm.setDevicePixelRatio(2.0)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    c = QColor(colour) if colour and QColor(colour).isValid() else QColor("#9aa0a6")
    p.setPen(c.darker(115))
    p.setBrush(c)
    p.drawRoundedRect(1, 1, size - 2, size - 2, 4, 4)
    p.end()
    return QIcon(pm)


def next_colour(conn: sqlite3.Connection) -> str:
    used = workspace_queries.used_colours(conn)
    return next((c for c in PRESET_COLOURS if c not in used), PRESET_COLOURS[len(used) % len(PRESET_COLOURS)])


def pick_colour(parent: QWidget | None, initial: str | None, title: str = "Workspace colour") -> str | None:
    colour = QColorDialog.getColor(QColor(initial) if initial else QColor(PRESET_COLOURS[0]), parent, title)
    return colour.name() if colour.isValid() else None


def create_workspace(parent: QWidget | None, conn: sqlite3.Connection, tool_id: str | None = None) -> Workspace | None:
    """Ask for a name; create with the next preset colour (optionally add `tool_id` to it)."""
    name, ok = QInputDialog.getText(parent, "New workspace", "Name:")
    while ok:
        try:
            ws, change = workspace_ops.create(conn, name, next_colour(conn), tool_id)
        except WorkspaceError as exc:
            name, ok = QInputDialog.getText(parent, "New workspace", f"{exc}\nName:", text=name)
            continue
        publish(change)
        return ws
    return None


def rename_workspace(parent: QWidget | None, conn: sqlite3.Connection, workspace_id: int) -> bool:
    ws = workspace_queries.get(conn, workspace_id)
    if ws is None:
        return False
    name, ok = QInputDialog.getText(parent, "Rename workspace", "Name:", text=ws.name)
    while ok:
        try:
            change = workspace_ops.rename(conn, workspace_id, name)
        except WorkspaceError as exc:
            name, ok = QInputDialog.getText(parent, "Rename workspace", f"{exc}\nName:", text=name)
            continue
        publish(change)
        return True
    return False


def recolour_workspace(parent: QWidget | None, conn: sqlite3.Connection, workspace_id: int) -> bool:
    ws = workspace_queries.get(conn, workspace_id)
    if ws is None:
        return False
    colour = pick_colour(parent, ws.colour, f"Colour for “{ws.name}”")
    if colour is None:
        return False
    publish(workspace_ops.set_colour(conn, workspace_id, colour))
    return True


def delete_message(ws: Workspace) -> str:
    n = len(ws.tool_ids)
    tools = f"Its {n} tool{'s' if n != 1 else ''} stay" if n else "No tools are affected"
    return f"Delete the workspace “{ws.name}”?\n\n{tools} in Pixie with their history and artefacts; " \
           "only this grouping is removed."


def delete_workspace(parent: QWidget | None, conn: sqlite3.Connection, workspace_id: int, *,
                     confirm: bool = True) -> bool:
    ws = workspace_queries.get(conn, workspace_id)
    if ws is None:
        return False
    if confirm:
        answer = QMessageBox.question(parent, "Delete workspace", delete_message(ws),
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                                      QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Yes:
            return False
    publish(workspace_ops.delete(conn, workspace_id))
    return True


class _ReorderList(QListWidget):
    """A list whose drag-and-drop reorder is reported once the drop lands."""

    def __init__(self, on_reordered, parent: QWidget | None = None):
        super().__init__(parent)
        self._on_reordered = on_reordered
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setIconSize(QSize(14, 14))
        self.setSpacing(2)

    def dropEvent(self, event) -> None:  # noqa: ANN001 - Qt override
        super().dropEvent(event)
        self._on_reordered()


class WorkspaceManagerDialog(QDialog):
    """List of workspaces in sidebar order: drag to reorder; New, Rename, Colour, Delete."""

    def __init__(self, conn: sqlite3.Connection, parent: QWidget | None = None):
        super().__init__(parent)
        self.conn = conn
        t = theme_mod.current()
        self.setWindowTitle("Workspaces")
        self.resize(520, 400)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(18, 16, 18, 12)
        hint = QLabel("Drag to change the order in the sidebar. A tool can belong to several workspaces; "
                      "deleting a workspace never deletes its tools.", self)
        hint.setWordWrap(True)
        hint.setStyleSheet(f"color: {t.muted};")
        outer.addWidget(hint)
        row = QHBoxLayout()
        self.list = _ReorderList(self.save_order, self)
        self.list.setAccessibleName("Workspaces")
        self.list.itemDoubleClicked.connect(lambda _item: self.rename())
        self.list.currentRowChanged.connect(self._update_buttons)
        row.addWidget(self.list, 1)
        col = QVBoxLayout()
        self.new_button = QPushButton("New…", self)
        self.rename_button = QPushButton("Rename…", self)
        self.colour_button = QPushButton("Colour…", self)
        self.delete_button = QPushButton("Delete…", self)
        self.new_button.clicked.connect(self.new)
        self.rename_button.clicked.connect(self.rename)
        self.colour_button.clicked.connect(self.recolour)
        self.delete_button.clicked.connect(self.delete)
        for b in (self.new_button, self.rename_button, self.colour_button, self.delete_button):
            col.addWidget(b)
        col.addStretch(1)
        row.addLayout(col)
        outer.addLayout(row, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        outer.addWidget(buttons)
        store_events().workspacesChanged.connect(self.reload)
        self.reload()

    def reload(self) -> None:
        current = self.current_id()
        self.list.clear()
        for ws in workspace_queries.list_all(self.conn):
            n = len(ws.tool_ids)
            item = QListWidgetItem(colour_icon(ws.colour), f"{ws.name}   ·   {n} tool{'s' if n != 1 else ''}")
            item.setData(IdRole, ws.id)
            item.setSizeHint(QSize(0, 30))
            item.setToolTip(ws.colour or "no colour")
            self.list.addItem(item)
            if ws.id == current:
                self.list.setCurrentItem(item)
        if self.list.currentRow() < 0 and self.list.count():
            self.list.setCurrentRow(0)
        self._update_buttons()

    def current_id(self) -> int | None:
        item = self.list.currentItem()
        return int(item.data(IdRole)) if item is not None else None

    def ordered_ids(self) -> list[int]:
        return [int(self.list.item(i).data(IdRole)) for i in range(self.list.count())]

    def save_order(self) -> None:
        publish(workspace_ops.reorder(self.conn, self.ordered_ids()))

    def _update_buttons(self, *_: object) -> None:
        has = self.current_id() is not None
        for b in (self.rename_button, self.colour_button, self.delete_button):
            b.setEnabled(has)

    def new(self) -> None:
        ws = create_workspace(self, self.conn)
        if ws is not None:
            self._select(ws.id)

    def rename(self) -> None:
        if (ws_id := self.current_id()) is not None:
            rename_workspace(self, self.conn, ws_id)

    def recolour(self) -> None:
        if (ws_id := self.current_id()) is not None:
            recolour_workspace(self, self.conn, ws_id)

    def delete(self) -> None:
        if (ws_id := self.current_id()) is not None:
            delete_workspace(self, self.conn, ws_id)

    def _select(self, ws_id: int) -> None:
        for i in range(self.list.count()):
            if self.list.item(i).data(IdRole) == ws_id:
                self.list.setCurrentRow(i)
                return

    def done(self, result: int) -> None:  # noqa: D401 - disconnect from the global hub on close
        try:
            store_events().workspacesChanged.disconnect(self.reload)
        except (RuntimeError, TypeError):  # never connected, or the hub is already gone
            pass
        super().done(result)
