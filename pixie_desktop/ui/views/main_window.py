"""The main window: sidebar | stacked pages (Home, a page per open tool, History, Gallery and
whatever other helpers add), a menu bar and a status bar. Its commands and shortcuts are declared
in ui/actions.py, its look in ui/shell_style.py, its remembered state in ui/window_state.py;
optional parts (palette, drops, tray…) are ui/extensions/, installed by the app.

Hooks other parts use: `add_page(key, title, widget, icon)`, `add_lazy_page(key, title, factory,
icon)` (a page built the first time it is shown or asked for), `show_page(key)`,
`open_tool(tool_id, prefill) -> bool`, `open_run(run_id) -> bool`, `refresh_tools()`, `runner`,
`action_registry` (ui/actions.py), `menus` (File, Edit, View, Tools, Help), `sidebar`,
`tools_model` and `tool_pages`. Discovery runs off the UI thread so the first paint does not
wait for tool.json parsing; pages that are not on screen at start (History, Gallery, Tools) are
built when first shown, so the first paint needs only the tool list."""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QIcon
from PySide6.QtWidgets import QMainWindow, QMenu, QSplitter, QStackedWidget, QWidget

from pixie_desktop import APP_NAME
from pixie_desktop.catalog.discovery import ToolInfo
from pixie_desktop.context import AppContext
from pixie_desktop.queries.home import home_summary, rank_home_tools
from pixie_desktop.queries import runs as run_queries
from pixie_desktop.ui import actions, warmup
from pixie_desktop.ui import window_commands as wc
from pixie_desktop.ui.models.tools_model import ToolsModel
from pixie_desktop.ui.models.validation_model import ValidationReportsModel
from pixie_desktop.ui.models.workspaces_model import WorkspacesModel
from pixie_desktop.ui.first_paint import after_first_paint
from pixie_desktop.ui.pages import Pages
from pixie_desktop.ui.shell_style import ShellStyle
from pixie_desktop.ui.store_events import store_events
from pixie_desktop.ui.views.sidebar import Sidebar
from pixie_desktop.ui.widgets.run_status import RunStatusLabel
from pixie_desktop.ui.widgets.warm_status import WarmCountLabel
from pixie_desktop.ui.window_state import WindowState


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext, runner: Any = None, *, events: Any = None, scan_async: bool = True,
                 restore: bool = True, run_controller: Any = None):
        super().__init__()
        self.ctx, self.events = ctx, events or store_events()
        self._runner, self._owns_runner = runner, runner is None
        if run_controller is None:  # the app normally owns it; standalone windows (tests) make one
            from pixie_desktop.ui.run_controller import RunController

            run_controller = RunController(self.get_runner, settings=ctx.settings, events=self.events, parent=self)
        self.run_controller = run_controller
        self._first_load_done, self._restore_last, self._shut_down = False, restore, False
        self.warmed, self._warm_timer = False, None
        self.pages = Pages(lambda _key, widget: self.stack.addWidget(widget))
        self.page_titles: dict[str, str] = {}
        self.tool_pages: dict[str, Any] = {}
        # the look first, before any widget exists: one app-wide stylesheet, never a restyle of
        # widgets already built (ui/shell_style.py)
        self.shell_style = ShellStyle(ctx.settings, ctx.conn, on_applied=lambda: wc.recolour_pages(self))
        self.current_page: str | None = None
        self.current_tool_id: str | None = None
        self.window_state = WindowState(ctx.conn)
        self.setWindowTitle(APP_NAME)
        self.setMinimumSize(QSize(760, 480))
        self.resize(1280, 800)
        self.tools_model = ToolsModel(ctx.conn, self, events=self.events, hold_background=True)
        after_first_paint(self, lambda: wc.on_first_paint(self))  # the scan, then the rest (wc.after_first_tools)
        self.workspaces_model = WorkspacesModel(ctx.conn, self, events=self.events)
        self.validation_model = ValidationReportsModel(ctx.conn, self, events=self.events, load=False)
        wc.after_first_tools(self, self.validation_model.reload)  # nothing shows it in the first frame
        self.action_registry = actions.standard_registry(APP_NAME)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, objectName="MainSplitter", handleWidth=1)
        self.setCentralWidget(self.splitter)
        self.sidebar = Sidebar(ctx.conn, self.tools_model, self.workspaces_model, self.events, self.splitter)
        self.sidebar.action_registry = self.action_registry  # (made in place: see wc.scrolling_page)
        self.sidebar.setMinimumWidth(200)
        self.stack = QStackedWidget(self.splitter, objectName="Pages")
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setCollapsible(1, False)
        self.splitter.setSizes([260, 1020])
        sb, ev = self.sidebar, self.events
        for signal, slot in ((sb.toolActivated, self.open_tool), (sb.navRequested, self.show_page),
                             (sb.filesDroppedOnTool, self.open_tool_with_files), (sb.setupRequested, self.set_up_tool),
                             (sb.pinnedWarmChanged, self._on_pinned_warm), (sb.validateRequested, self.validate_tool),
                             (sb.reportRequested, self.show_validation_report),
                             (sb.manageWorkspacesRequested, self.manage_workspaces),
                             (ev.toolStateChanged, self._on_tool_state_changed),
                             (ev.validationChanged, self._on_tool_state_changed),
                             (ev.runChanged, self._schedule_home_refresh),
                             (self.tools_model.readinessChanged, self._schedule_home_refresh)):
            signal.connect(slot)
        self._build_status_bar()
        self.menus: dict[str, QMenu] = {t: self.menuBar().addMenu(f"&{t}") for t in actions.MENU_BAR}
        self.action_registry.bind_window(self, self.menus, self.action_context)
        q = self.action_registry.qaction
        self.find_action, self.run_action, self.cancel_action = q("findTool"), q("run"), q("cancelRun")
        self.archived_action = q("showArchived")
        self.sidebar.archived_toggle.toggled.connect(self.archived_action.setChecked)
        self.theme_actions = {v: q(f"theme.{v}") for v in ("system", "light", "dark")}
        self.favourite_actions = [q(f"favourite{n}") for n in range(1, 10)]
        self._build_pages()
        if restore:
            self.window_state.restore_window(self, self.splitter)
        self._scan_pending = scan_async  # async: the first scan starts at the first paint (wc.first_scan)…
        if not scan_async:
            self.refresh_tools(sync=True)
        QTimer.singleShot(0, self, self._first_scan)  # …or on the next event-loop turn if it is not shown

    def action_context(self) -> actions.ActionContext:
        return actions.ActionContext(self, self.current_tool_id, self.tools_model.tool_row(self.current_tool_id or ""))

    def get_runner(self, create: bool = True) -> Any:
        """The shared Runner (and its WarmPool), created on first use."""
        if self._runner is None and create:
            from pixie_desktop.runtime.pool import WarmPool
            from pixie_desktop.runtime.runner import Runner

            self._runner = Runner(self.ctx.settings, WarmPool(self.ctx.settings))
            self._owns_runner = True
        return self._runner

    @property
    def runner(self) -> Any:
        return self.get_runner()

    def add_page(self, key: str, title: str, widget: QWidget, icon: QIcon | None = None) -> None:
        """Add a page reachable from the sidebar's navigation and the View menu."""
        self.add_lazy_page(key, title, None, icon, widget=widget)
        self.stack.addWidget(widget)

    def add_lazy_page(self, key: str, title: str, factory: Callable[[], QWidget | None] | None,
                      icon: QIcon | None = None, widget: QWidget | None = None) -> None:
        """add_page, built by `factory()` when first shown or read (None: the page is unavailable)."""
        if key in self.pages:
            if (old := self.pages.pop(key)) is not None:  # None: never built
                self.stack.removeWidget(old)
            self.action_registry.unregister(f"page.{key}")
        self.pages.set(key, widget, factory)
        self.page_titles[key] = title
        self.sidebar.add_nav(key, title, icon)
        self.action_registry.register(actions.page_action(key, title))

    history_page = property(lambda self: self.pages["history"], doc="History (built on first use)")
    tools_overview = property(lambda self: self.pages["tools"], doc="Tools overview (built on first use)")

    def show_page(self, key: str) -> bool:
        if key == "tool" and self.current_tool_id:
            return self.open_tool(self.current_tool_id)
        try:
            page = self.pages[key]  # a lazy page is built here, the first time it is shown
        except KeyError:
            return False
        self.stack.setCurrentWidget(page)
        self.current_page = key
        self.sidebar.set_current_nav(key)
        if key == "home":
            self._refresh_home()
        self.setWindowTitle(f"{self.page_titles.get(key, key)} — {APP_NAME}")
        if self._first_load_done:  # not while building: the last page is still to be restored
            self.window_state.save_page(key)
        return True

    def current_tool_page(self) -> Any:
        if self.current_page == "tool" and self.current_tool_id:
            return self.tool_pages.get(self.current_tool_id)
        return None

    def _tool_name(self, tool_id: str) -> str:
        row = self.tools_model.tool_row(tool_id)
        return row.info.name if row else tool_id

    def open_tool(self, tool_id: str, prefill: dict | None = None) -> bool:
        info = self.tools_model.tool(tool_id)
        if info is None:
            row = next((r for r in self.tools_model.rows() if r.info.folder == tool_id), None)
            info = row.info if row else None
        if info is None:
            self.statusBar().showMessage(f"No tool called “{tool_id}”", 5000)
            return False
        page = self.tool_pages.get(info.tool_id) or wc.make_tool_page(self, info)
        self.stack.setCurrentWidget(page)
        self.splitter.setSizes(self.splitter.sizes())  # the page's minimum width applies now
        self.current_page, self.current_tool_id = "tool", info.tool_id
        self.sidebar.set_current_nav("tool")
        self.sidebar.select_tool(info.tool_id)
        self.setWindowTitle(f"{info.name} — {APP_NAME}")
        if prefill:
            page.set_prefill(prefill)
        self.window_state.save_page("tool", info.tool_id)
        return True

    def _rerun_from_history(self, run_id: str) -> None:
        rec = run_queries.get_run(self.ctx.conn, run_id)
        if rec is not None and self.open_tool(rec.tool_id):
            self.tool_pages[rec.tool_id].rerun(run_id)

    def refresh_tools(self, sync: bool = False) -> None:
        """Rescan tools/ (off the UI thread unless `sync`) and update models and open pages."""
        if sync:
            self._apply_tools(self.ctx.tools())
            return
        from pixie_desktop.ui.workers import submit

        submit(warmup.scan_tools, self.ctx, on_result=self._apply_tools,
               on_error=lambda text: self.statusBar().showMessage(f"Could not scan tools: {text}", 8000))

    def _apply_tools(self, tools: list[ToolInfo]) -> None:
        self.tools_model.load(tools)
        wc.drop_stale_tool_pages(self, tools)
        self._refresh_home()
        if not self._first_load_done:
            wc.first_tools_applied(self)  # the last place, then what waited for the first list
        self.events.toolsRescanned.emit()

    def _on_tool_state_changed(self, tool_id: str) -> None:
        page = self.tool_pages.get(tool_id)
        if page is not None and hasattr(page, "refresh_header"):
            page.refresh_header()

    def _schedule_home_refresh(self, *_: Any) -> None:
        if self.current_page == "home" and not self._shut_down:  # the window's own timer: dies with it
            QTimer.singleShot(0, self, self._refresh_home)

    def _refresh_home(self) -> None:
        rows = self.tools_model.rows()
        summary = home_summary(rows)
        self.home.refresh(summary.names, summary.broken, summary.archived)
        self.home.set_cards([(r.info.tool_id, r.info.name, r.info.description, r.state.colour)
                             for r in rank_home_tools(rows)])

    # -- running state -------------------------------------------------------------------------------
    def _on_tool_runs_changed(self, tool_id: str, running: int) -> None:
        """The RunController's runningChanged: the sidebar dot counts runs in flight (queued too)."""
        self.tools_model.set_running(tool_id, running + len(self.run_controller.queued_for(tool_id)))
        self.warm_label.update_count()

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        bar.setSizeGripEnabled(False)
        self.running_label = RunStatusLabel(self.run_controller, tool_name=self._tool_name,
                                            show_message=bar.showMessage)
        self.run_controller.runningChanged.connect(self._on_tool_runs_changed)
        self.running_label.clicked.connect(self.show_run_queue)
        self.warm_label = WarmCountLabel(lambda: self.get_runner(create=False))
        bar.addPermanentWidget(self.warm_label)
        bar.addPermanentWidget(self.running_label)

    # -- commands behind the actions (ui/actions.py) and the sidebar's signals: ui/window_commands.py
    new_tool, set_up_tool, validate_tool = wc.new_tool, wc.set_up_tool, wc.validate_tool
    show_validation_report, manage_workspaces = wc.show_validation_report, wc.manage_workspaces
    show_shortcuts, about, open_run, open_files = wc.show_shortcuts, wc.about, wc.open_run, wc.open_files
    open_tool_with_files, _load_from_history, _first_scan = wc.open_tool_with_files, wc.load_from_history, wc.first_scan
    run_current, cancel_current, open_favourite = wc.run_current, wc.cancel_current, wc.open_favourite
    set_theme, _on_pinned_warm, _build_pages = wc.set_theme, wc.on_pinned_warm, wc.build_pages
    show_run_queue, save_preset, load_preset = wc.show_run_queue, wc.save_preset, wc.load_preset

    def save_state(self) -> None:
        self.window_state.save_window(self, self.splitter, self.current_tool_page())

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if self._warm_timer is None:  # pre-imports on a pool thread: after the first tool list, not before
            wc.warm_up_after_first_paint(self)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.save_state()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Stop background work before the app exits: cancel runs, stop tool processes, drain the
        pool. Safe to call more than once (the app's exit path and tests may both call it).
        Extensions are stopped before this by the app (ui/app.py)."""
        from pixie_desktop.ui.workers import wait_for_all

        if self._shut_down:
            return
        self._shut_down = True
        self.warm_label.stop()
        if self._warm_timer is not None:
            self._warm_timer.stop()
        wc.stop_waiting_for_tools(self)
        self.shell_style.shutdown()
        gallery = self.pages.built("gallery")  # never built: nothing to stop
        if gallery is not None:
            gallery.shutdown()
        self.run_controller.shutdown(10_000)  # cancels queued and running runs, waits for them
        wc.disconnect_hub(self)
        runner = self.get_runner(create=False)
        if runner is not None and self._owns_runner:
            try:
                runner.shutdown()
            except Exception:  # noqa: BLE001 - exit must continue
                pass
        wait_for_all(10_000)
