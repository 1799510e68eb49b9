"""The "drops" extension: window-level drag and drop. `DropController` watches the main window's
drag events, shows the `DropOverlay` (ui/views/drop_overlay.py) saying what a drop will do, and
on drop imports a tool folder (copy or link, off the UI thread), opens the one tool whose file
input takes the files, or offers a chooser when several do. Files and folders given on the
command line or handed over by a second launch take the same path (`handle_paths`).

    controller = DropController(main_window)          # uses main_window.ctx
    controller.message.connect(main_window.statusBar().showMessage)"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QMenu, QWidget

from pixie_desktop.catalog.discovery import ToolInfo

if TYPE_CHECKING:
    from pixie_desktop.lifecycle.importer import ImportPlan
    from pixie_desktop.matching.suggest import Suggestion
    from pixie_desktop.ui.views.drop_overlay import DropOverlay, DropPlan
# The overlay, the importer and file matching are imported at the first drag or drop (or an
# opened path), not while the app starts: the controller itself is installed before the window shows.


class DropController(QObject):
    """Owns the overlay and the drop logic for one main window."""

    message = Signal(str)            # a sentence for the status bar
    toolImported = Signal(str)       # new tool id
    importFailed = Signal(str)

    def __init__(self, main_window: QWidget, ctx: Any = None,
                 tools_provider: Callable[[], list[ToolInfo]] | None = None):
        super().__init__(main_window)
        self.window = main_window
        self.ctx = ctx if ctx is not None else getattr(main_window, "ctx", None)
        self._tools_provider = tools_provider or (lambda: self.ctx.tools() if self.ctx is not None else [])
        self._overlay: DropOverlay | None = None
        self.plan: DropPlan | None = None
        self.chooser: QMenu | None = None
        # Replaceable for tests and embedding: returns "copy" | "link" | None (cancel).
        self.choose_import_mode: Callable[[list[ImportPlan]], str | None] = self._ask_import_mode
        main_window.setAcceptDrops(True)
        main_window.installEventFilter(self)
        self._hide_timer = QTimer(self)
        self._hide_timer.setSingleShot(True)
        self._hide_timer.timeout.connect(self._hide_overlay)

    @property
    def overlay(self) -> DropOverlay:
        """The drop overlay, made at the first drag."""
        if self._overlay is None:
            from pixie_desktop.ui.views.drop_overlay import DropOverlay

            self._overlay = DropOverlay(self.window)
        return self._overlay

    def _hide_overlay(self) -> None:
        if self._overlay is not None:
            self._overlay.hide()

    def _ask_import_mode(self, plans: list[ImportPlan]) -> str | None:
        from pixie_desktop.ui.views.drop_overlay import ask_import_mode

        return ask_import_mode(self.window, plans)

    @property
    def tools_dir(self) -> Path:
        return Path(self.ctx.settings.tools_dir)

    # -- drag events -----------------------------------------------------------------------
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if obj is not self.window:
            return False
        et = event.type()
        if et in (QEvent.Type.DragEnter, QEvent.Type.Drop):
            from pixie_desktop.ui.views.drop_overlay import local_paths, plan_drop
        if et == QEvent.Type.DragEnter:
            paths = local_paths(event.mimeData())
            if not paths:
                return False
            self.plan = plan_drop(paths, self._tools_provider())
            self._hide_timer.stop()
            self.overlay.show_plan(self.plan)
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
            return True
        if et == QEvent.Type.DragMove and self.plan is not None:
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
            return True
        if et == QEvent.Type.DragLeave:
            self._hide_overlay()
            self.plan = None
            return False
        if et == QEvent.Type.Drop:
            paths = local_paths(event.mimeData())
            self._hide_overlay()
            if not paths:
                return False
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
            # act after the drop returns, so the drag source is not blocked by our dialogs
            QTimer.singleShot(0, lambda: self.handle_drop(paths))
            return True
        if et == QEvent.Type.Resize and self._overlay is not None and self._overlay.isVisible():
            self.overlay.setGeometry(self.window.rect())
        return False

    # -- actions ---------------------------------------------------------------------------
    def handle_drop(self, paths: Sequence[Path]) -> DropPlan:
        from pixie_desktop.ui.views.drop_overlay import plan_drop

        plan = plan_drop(paths, self._tools_provider())
        self.plan = None
        if plan.kind == "refuse":
            self.message.emit(f"{plan.title}. {plan.detail}")
        elif plan.kind == "import":
            self.start_import(plan.folders)
        elif len(plan.suggestions) == 1:
            self.open_suggestion(plan.suggestions[0], plan.files)
        else:
            self.show_chooser(plan)
        return plan

    def open_suggestion(self, s: Suggestion, files: Sequence[Path]) -> None:
        inp = s.tool.spec.input(s.input_key) if s.tool.spec else None
        if inp is None:
            return
        use = list(files) if inp.multiple else list(files)[:1]
        if len(files) > len(use) and hasattr(self.window, "open_tool_with_files"):
            # several files for a one-file input: the tool page offers "Run on all N files"
            self.window.open_tool_with_files(s.tool.tool_id, list(files))
            return
        if len(files) > len(use):
            self.message.emit(f"{s.tool.name} takes one file; opened it with ‘{use[0].name}’.")
        from pixie_desktop.matching.suggest import prefill_for

        self.window.open_tool(s.tool.tool_id, prefill_for(inp, use))

    def show_chooser(self, plan: DropPlan) -> QMenu:
        from pixie_desktop.ui.plain_text import plain_tooltip

        menu = QMenu(self.window)
        menu.setToolTipsVisible(True)
        head = menu.addAction(plan.title)
        head.setEnabled(False)
        menu.addSeparator()
        for s in plan.suggestions:
            act = menu.addAction(f"{s.tool.name}  —  {s.input_label}")
            act.setToolTip(plain_tooltip(s.tool.description or s.tool.tool_id))
            act.setData(s.tool.tool_id)
            act.triggered.connect(lambda _=False, s=s: self.open_suggestion(s, plan.files))
        self.chooser = menu
        menu.popup(QCursor.pos())
        return menu

    def start_import(self, folders: Sequence[Path]) -> None:
        from pixie_desktop.lifecycle.importer import ImportProblem, import_tool, plan_import

        plans: list[ImportPlan] = []
        for folder in folders:
            try:
                plans.append(plan_import(folder, self.tools_dir))
            except ImportProblem as exc:
                self.message.emit(str(exc))
                self.importFailed.emit(str(exc))
        if not plans:
            return
        mode = self.choose_import_mode(plans)
        if mode is None:
            return
        from pixie_desktop.ui.workers import submit

        def work() -> list[tuple[str, str]]:
            out = []
            for plan in plans:
                try:
                    result = import_tool(plan.source, self.tools_dir, mode)  # re-plans if raced
                    out.append(("ok", result.tool_id))
                except ImportProblem as exc:
                    out.append(("error", str(exc)))
            return out

        submit(work, on_result=self._imported, on_error=lambda exc: self.importFailed.emit(str(exc)))

    def _imported(self, outcomes: list[tuple[str, str]]) -> None:
        ok = [v for s, v in outcomes if s == "ok"]
        for status, value in outcomes:
            if status == "error":
                self.message.emit(value)
                self.importFailed.emit(value)
        if not ok:
            return
        refresh = getattr(self.window, "refresh_tools", None)
        if callable(refresh):
            refresh()
        self.message.emit(f"Imported {', '.join(ok)}")
        for tool_id in ok:
            self.toolImported.emit(tool_id)
        self.window.open_tool(ok[-1], None)


class DropsExtension:
    """Installs a DropController on the window; status messages and imported tools go through
    the services."""

    name = "drops"

    def __init__(self) -> None:
        self.controller: DropController | None = None

    def install(self, services: Any) -> None:
        win = services.window
        ctl = DropController(win, services.ctx, tools_provider=services.tools)
        ctl.message.connect(lambda text: services.status(text, 8000))
        ctl.toolImported.connect(lambda tool_id: (win.refresh_tools(sync=True), win.open_tool(tool_id)))
        self.controller = ctl

    def handle_paths(self, paths: Sequence[Path]) -> None:
        if self.controller is not None and paths:
            self.controller.handle_drop(list(paths))

    def shutdown(self) -> None:
        ctl, self.controller = self.controller, None
        if ctl is not None:
            ctl.window.removeEventFilter(ctl)
            ctl._hide_overlay()  # noqa: SLF001 - its own controller
