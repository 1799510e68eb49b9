"""Window-level drag and drop. While files are dragged over the window a translucent overlay
says what a drop will do; on drop:

- a folder holding a `tool.json` → an import dialog (copy or link) → the tool is imported off
  the UI thread, the sidebar refreshes and the new tool opens;
- files → the tools whose file inputs accept them (`accept` / media type / `max_size_mb`);
  one match opens directly with that input filled, several show a chooser;
- a folder without `tool.json` or files nothing accepts → a clear message, nothing happens.

Drops on widgets that take drops themselves (a form's file input, a sidebar tool row) never
reach this controller: Qt delivers them to the innermost widget that accepts drops.

The overlay and the import dialog live here; the controller that owns them and acts on a drop is
`DropController` in ui/extensions/drops.py (installed by the app as the "drops" extension).

`open_tool_with_files(main_window, tool, paths)` is the same "first matching input" logic for a
drop on a sidebar tool row (Sidebar.filesDroppedOnTool)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from PySide6.QtCore import QPoint, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (QButtonGroup, QDialog, QDialogButtonBox, QLabel, QRadioButton,
                               QVBoxLayout, QWidget)

from pixie_desktop.lifecycle.importer import ImportPlan, is_tool_folder
from pixie_desktop.matching.suggest import Suggestion, first_matching_input, prefill_for, suggest_tools
from pixie_desktop.catalog.discovery import ToolInfo


@dataclass
class DropPlan:
    kind: str  # "import" | "files" | "refuse"
    title: str
    detail: str = ""
    folders: list[Path] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    suggestions: list[Suggestion] = field(default_factory=list)


def local_paths(mime: Any) -> list[Path]:
    if mime is None or not mime.hasUrls():
        return []
    return [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile() and u.toLocalFile()]


def plan_drop(paths: Sequence[Path], tools: Sequence[ToolInfo]) -> DropPlan:
    """What dropping `paths` would do (pure; no Qt, no side effects)."""
    paths = [Path(p) for p in paths]
    folders = [p for p in paths if is_tool_folder(p)]
    if folders:
        names = ", ".join(f"‘{p.name}’" for p in folders[:3]) + ("…" if len(folders) > 3 else "")
        return DropPlan("import", f"Import {names}" if len(folders) == 1 else f"Import {len(folders)} tools",
                        "Drop to add it to your tools — copy it, or link to where it lives.", folders=folders)
    plain_dirs = [p for p in paths if p.is_dir()]
    files = [p for p in paths if p.is_file()]
    if not files:
        if plain_dirs:
            return DropPlan("refuse", f"‘{plain_dirs[0].name}’ is not a Pixie tool",
                            "A tool folder holds a tool.json (and main.py).")
        return DropPlan("refuse", "Nothing to open", "Only local files and folders can be dropped here.")
    suggestions = suggest_tools(tools, files)
    what = f"‘{files[0].name}’" if len(files) == 1 else f"{len(files)} files"
    if not suggestions:
        kinds = sorted({p.suffix.lower() or p.name for p in files})
        return DropPlan("refuse", f"No tool accepts {what}",
                        f"None of your tools has a file input that takes {', '.join(kinds)}.", files=files)
    if len(suggestions) == 1:
        s = suggestions[0]
        return DropPlan("files", f"Open {what} with {s.tool.name}", f"Fills “{s.input_label}”.", files=files,
                        suggestions=suggestions)
    names = ", ".join(s.tool.name for s in suggestions[:3]) + ("…" if len(suggestions) > 3 else "")
    return DropPlan("files", f"Open {what} with…", f"{len(suggestions)} tools can take it: {names}", files=files,
                    suggestions=suggestions)


def open_tool_with_files(main_window: Any, tool: ToolInfo, paths: Sequence[Path]) -> str | None:
    """Open `tool` with its first matching file input filled. Returns None on success, else the
    reason no input takes the files (the caller shows it)."""
    if tool.spec is None:
        return f"{tool.name} cannot be loaded: {tool.error}"
    inp, reasons = first_matching_input(tool.spec, [Path(p) for p in paths])
    if inp is None:
        if not tool.spec.file_inputs:
            return f"{tool.name} has no file input"
        return f"{tool.name} cannot take that: {reasons[0]}" if reasons else f"{tool.name} cannot take that"
    main_window.open_tool(tool.tool_id, prefill_for(inp, paths))
    return None


class DropOverlay(QWidget):
    """The highlight drawn over the window during a drag: dimmed backdrop, dashed accent frame and
    a card with what the drop will do. Transparent to the mouse."""

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.plan: DropPlan | None = None
        self.hide()

    def show_plan(self, plan: DropPlan) -> None:
        self.plan = plan
        self.setGeometry(self.parentWidget().rect())
        self.raise_()
        self.show()
        self.update()

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt override
        from pixie_desktop.ui import theme

        if self.plan is None:
            return
        t = theme.current()
        refuse = self.plan.kind == "refuse"
        accent = QColor(t.danger if refuse else t.accent)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        back = QColor(t.window)
        back.setAlpha(200)
        p.fillRect(self.rect(), back)
        frame = QRectF(self.rect()).adjusted(14, 14, -14, -14)
        tint = QColor(accent)
        tint.setAlpha(22)
        path = QPainterPath()
        path.addRoundedRect(frame, 18, 18)
        p.fillPath(path, tint)
        pen = QPen(accent, 2.5, Qt.PenStyle.DashLine)
        pen.setDashPattern([6, 4])
        p.setPen(pen)
        p.drawPath(path)
        # the card
        w = min(460.0, frame.width() - 40)
        h = 176.0
        card = QRectF(frame.center().x() - w / 2, frame.center().y() - h / 2, w, h)
        shadow = QPainterPath()
        shadow.addRoundedRect(card.translated(0, 4), 16, 16)
        p.fillPath(shadow, QColor(0, 0, 0, 28))
        cpath = QPainterPath()
        cpath.addRoundedRect(card, 16, 16)
        p.fillPath(cpath, QColor(t.surface))
        p.setPen(QPen(QColor(t.border), 1))
        p.drawPath(cpath)
        badge = QRectF(card.center().x() - 26, card.top() + 22, 52, 52)
        bpath = QPainterPath()
        bpath.addEllipse(badge)
        soft = QColor(accent)
        soft.setAlpha(36)
        p.fillPath(bpath, soft)
        p.setPen(QPen(accent, 3, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin))
        c = badge.center()
        if refuse:
            p.drawLine(c + QPoint(-9, -9), c + QPoint(9, 9))
            p.drawLine(c + QPoint(9, -9), c + QPoint(-9, 9))
        elif self.plan.kind == "import":
            p.drawLine(c + QPoint(0, -12), c + QPoint(0, 8))
            p.drawLine(c + QPoint(-8, 0), c + QPoint(0, 8))
            p.drawLine(c + QPoint(8, 0), c + QPoint(0, 8))
            p.drawLine(c + QPoint(-12, 13), c + QPoint(12, 13))
        else:
            p.drawLine(c + QPoint(0, -11), c + QPoint(0, 11))
            p.drawLine(c + QPoint(-11, 0), c + QPoint(11, 0))
        title_font = QFont(self.font())
        title_font.setPointSizeF(self.font().pointSizeF() + 3.5)
        title_font.setWeight(QFont.Weight.DemiBold)
        p.setFont(title_font)
        p.setPen(QColor(t.text))
        text_rect = QRectF(card.left() + 20, badge.bottom() + 12, card.width() - 40, 30)
        p.drawText(text_rect, Qt.AlignmentFlag.AlignCenter, QFontMetrics(title_font).elidedText(
            self.plan.title, Qt.TextElideMode.ElideMiddle, int(text_rect.width())))
        p.setFont(self.font())
        p.setPen(QColor(t.muted))
        p.drawText(QRectF(card.left() + 24, text_rect.bottom() + 2, card.width() - 48, 40),
                   Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap,
                   self.plan.detail)
        p.end()


class ImportDialog(QDialog):
    """Asks copy or link for the dropped tool folder(s); explains collisions and warnings."""

    def __init__(self, plans: list[ImportPlan], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Import tool" if len(plans) == 1 else f"Import {len(plans)} tools")
        self.plans = plans
        lay = QVBoxLayout(self)
        lay.setSpacing(10)
        head = QLabel(f"<b>{plans[0].name}</b>" if len(plans) == 1 else
                      "<b>" + ", ".join(p.name for p in plans) + "</b>")
        head.setWordWrap(True)
        lay.addWidget(head)
        lines = []
        for plan in plans:
            line = f"{plan.source} → tools/{plan.dest_folder}"
            if plan.id_taken:
                line += f" (id ‘{plan.tool_id}’ is taken: the copy becomes ‘{plan.new_id}’)"
            lines.append(line)
        src = QLabel("<br>".join(lines))
        src.setObjectName("Muted")
        src.setWordWrap(True)
        src.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(src)
        self.copy = QRadioButton("Copy into the tools folder (recommended)")
        self.link = QRadioButton("Link to the folder where it is (edits there show up in Pixie)")
        any_taken = any(p.id_taken for p in plans)
        if any_taken:
            self.link.setEnabled(False)
            self.link.setToolTip("A tool with the same id is installed; only a copy can be given a new id.")
        self.copy.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.copy)
        group.addButton(self.link)
        lay.addWidget(self.copy)
        lay.addWidget(self.link)
        warnings = [w for p in plans for w in p.warnings]
        if warnings:
            warn = QLabel("⚠ " + "<br>⚠ ".join(warnings))
            warn.setObjectName("ErrorText")
            warn.setWordWrap(True)
            lay.addWidget(warn)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        ok = buttons.addButton("Import", QDialogButtonBox.ButtonRole.AcceptRole)
        ok.setObjectName("Primary")
        ok.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.setMinimumWidth(480)

    def mode(self) -> str:
        return "link" if self.link.isChecked() else "copy"


def ask_import_mode(parent: QWidget, plans: list[ImportPlan]) -> str | None:
    dlg = ImportDialog(plans, parent)
    return dlg.mode() if dlg.exec() == QDialog.DialogCode.Accepted else None
