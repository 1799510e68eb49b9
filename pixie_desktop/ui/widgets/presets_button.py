"""The tool page's "Presets" button: a menu, built fresh on every open, to save the form's current
inputs under a name, load one, rename, delete, and set or clear the tool's default (the default
pre-fills the form when the tool has no last inputs). Writes go through ops.presets and are
announced with publish(); reads through queries.presets.

`ask_text(title, label, text) -> str | None` and `confirm(text) -> bool` are replaceable, so tests
drive the menu without modal dialogs."""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtWidgets import QInputDialog, QMenu, QMessageBox, QToolButton, QWidget

from pixie_desktop.ops import presets as preset_ops
from pixie_desktop.queries import presets as preset_queries
from pixie_desktop.ui.publish import publish


class PresetsButton(QToolButton):
    """Presets of one tool for one form (see the module doc)."""

    def __init__(self, ctx: Any, info: Any, form_values: Callable[[], dict], load_values: Callable[[dict], None],
                 *, say: Callable[..., Any] | None = None, hub: Any = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("Small")
        self.setText("Presets")
        self.setToolTip("Save these inputs as a preset, or load one")
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.ctx, self.info, self.tool_id = ctx, info, info.tool_id
        self._values, self._load_values = form_values, load_values
        self._say = say or (lambda *_a, **_k: None)
        self._hub = hub
        self.menu_ = QMenu(self)
        self.menu_.setObjectName("PresetsMenu")
        self.menu_.aboutToShow.connect(self.rebuild_menu)
        self.setMenu(self.menu_)
        self.ask_text: Callable[[str, str, str], str | None] = self._ask_text
        self.confirm: Callable[[str], bool] = self._confirm

    # -- the menu -----------------------------------------------------------------------------
    def names(self) -> list[str]:
        return [p.name for p in preset_queries.list_for(self.ctx.conn, self.tool_id)]

    def rebuild_menu(self) -> QMenu:
        menu = self.menu_
        menu.clear()
        menu.addAction("Save current inputs as…", self.save_dialog).setObjectName("preset.save")
        presets = preset_queries.list_for(self.ctx.conn, self.tool_id)
        if presets:
            menu.addSeparator()
            for p in presets:
                act = menu.addAction(p.name, lambda n=p.name: self.load(n))
                if p.is_default:  # a drawn star: "★" is a missing-glyph box in some stock fonts
                    from pixie_desktop.ui.widgets.icons import icon as svg_icon

                    act.setIcon(svg_icon("star-filled", "#e0a800"))
                act.setObjectName(f"preset.load.{p.name}")
            menu.addSeparator()
            for title, slot in (("Rename", self.rename_dialog), ("Delete", self.delete_dialog),
                                ("Set as default", self.set_default)):
                sub = menu.addMenu(title)
                for p in presets:
                    sub.addAction(p.name, lambda n=p.name, s=slot: s(n))
            if any(p.is_default for p in presets):
                menu.addAction("Clear default", lambda: self.set_default(None))
        return menu

    # -- commands -----------------------------------------------------------------------------
    def save_as(self, name: str) -> bool:
        inputs = preset_ops.preset_inputs(self.info.spec, self._values())
        try:
            preset, change = preset_ops.save(self.ctx.conn, self.tool_id, name, inputs)
        except preset_ops.PresetError as exc:
            self._say(str(exc), error=True)
            return False
        publish(change, self._hub)
        self._say(f"Saved preset “{preset.name}”")
        return True

    def save_dialog(self) -> bool:
        name = self.ask_text("Save preset", "Name for these inputs:", "")
        if not name:
            return False
        if name.strip() in self.names() and not self.confirm(f"Replace the preset “{name.strip()}”?"):
            return False
        return self.save_as(name)

    def load(self, name: str) -> bool:
        preset = preset_queries.get(self.ctx.conn, self.tool_id, name)
        if preset is None:
            self._say(f"There is no preset “{name}”.", error=True)
            return False
        self._load_values(dict(preset.inputs))
        self._say(f"Loaded preset “{name}”")
        return True

    def rename(self, old: str, new: str) -> bool:
        try:
            change = preset_ops.rename(self.ctx.conn, self.tool_id, old, new)
        except preset_ops.PresetError as exc:
            self._say(str(exc), error=True)
            return False
        publish(change, self._hub)
        return True

    def rename_dialog(self, old: str) -> bool:
        new = self.ask_text("Rename preset", f"New name for “{old}”:", old)
        return bool(new) and self.rename(old, new)

    def delete(self, name: str) -> bool:
        try:
            change = preset_ops.delete(self.ctx.conn, self.tool_id, name)
        except preset_ops.PresetError as exc:
            self._say(str(exc), error=True)
            return False
        publish(change, self._hub)
        return True

    def delete_dialog(self, name: str) -> bool:
        return self.confirm(f"Delete the preset “{name}”?") and self.delete(name)

    def set_default(self, name: str | None) -> bool:
        try:
            change = preset_ops.set_default(self.ctx.conn, self.tool_id, name)
        except preset_ops.PresetError as exc:
            self._say(str(exc), error=True)
            return False
        publish(change, self._hub)
        return True

    # -- dialogs ------------------------------------------------------------------------------
    def _ask_text(self, title: str, label: str, text: str) -> str | None:
        value, ok = QInputDialog.getText(self, title, label, text=text)
        return value if ok and value.strip() else None

    def _confirm(self, text: str) -> bool:
        return QMessageBox.question(self, "Presets", text) == QMessageBox.StandardButton.Yes
