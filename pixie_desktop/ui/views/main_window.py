"""The main window: sidebar | stacked pages (Home, a page per open tool, History, Gallery and
whatever other helpers add), a menu bar, a status bar (running runs, warm processes, messages)
and the keyboard map (Ctrl+K search, Ctrl+Enter run, Esc cancel, Ctrl+1…9 favourites).

Hooks other parts use: `add_page(key, title, widget, icon)`, `show_page(key)`,
`open_tool(tool_id, prefill) -> bool`, `open_run(run_id) -> bool`, `refresh_tools()`, `runner`,
`menus` (File, Edit, View, Tools, Help) and `sidebar`.

Window geometry, the sidebar splitter, the last page and the last tool live in the `settings`
table and are restored by the next window. Discovery runs off the UI thread so the first paint
does not wait for tool.json parsing."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QByteArray, QSize, Qt, QTimer, QUrl
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QDesktopServices, QGuiApplication, QIcon, QKeySequence
from PySide6.QtWidgets import (QApplication, QLabel, QMainWindow, QMenu, QMessageBox, QSplitter, QStackedWidget,
                               QWidget)

from pixie_desktop import APP_NAME
from pixie_desktop.context import AppContext
from pixie_desktop.catalog.discovery import ToolInfo
from pixie_desktop.store import runs_repo, settings_repo
from pixie_desktop.ui.models.tools_model import ToolsModel
from pixie_desktop.ui.models.validation_model import ValidationReportsModel
from pixie_desktop.ui.models.workspaces_model import WorkspacesModel
from pixie_desktop.ui.store_events import store_events
from pixie_desktop.ui.views.sidebar import Sidebar

GEOMETRY_KEY = "ui.main.geometry"
SPLITTER_KEY = "ui.main.splitter"
TOOL_SPLITTER_KEY = "ui.tool.splitter"
LAST_PAGE_KEY = "ui.main.last_page"
LAST_TOOL_KEY = "ui.main.last_tool"


def _scan_tools(ctx: AppContext) -> list[ToolInfo]:
    """Discovery + tool_state sync on a pool thread, with that thread's own connection."""
    from pixie_desktop.catalog.discovery import sync_tool_state
    from pixie_desktop.store.db import open_db

    tools = ctx.discovery.scan()
    conn = open_db(ctx.settings.db_path)
    try:
        sync_tool_state(conn, tools)
    except sqlite3.Error:
        pass
    finally:
        conn.close()
    return tools


# Modules a first run (or its first outputs) would otherwise import on demand. Importing them on a
# pool thread right after the window appears keeps that one-off cost out of the first run, where
# it showed up as a multi-hundred-millisecond event-loop stall.
WARM_IMPORTS = ("pixie_desktop.runtime.runner", "pixie_desktop.runtime.pool", "pixie_desktop.runtime.client",
                "pixie_desktop.runtime.launcher", "pixie_desktop.artefacts.spill", "pixie_desktop.artefacts.storage",
                "pixie_desktop.ui.outputs.panel", "pixie_desktop.ui.inputs.form", "pixie_desktop.matching.suggest",
                "matplotlib", "matplotlib.figure", "matplotlib.backends.backend_agg", "pygments.lexers",
                "pygments.formatters")


def _preimport(names: tuple[str, ...] = WARM_IMPORTS) -> int:
    import importlib

    done = 0
    for name in names:
        try:
            importlib.import_module(name)
            done += 1
        except Exception:  # noqa: BLE001 - optional modules may be missing
            pass
    return done


def system_prefers_dark() -> bool:
    from pixie_desktop.ui.theme import system_is_dark

    return system_is_dark()


def shell_stylesheet(t: Any) -> str:
    """Rules for the shell's own object names (sidebar, nav, chips, chat bubbles, headings)."""
    from PySide6.QtGui import QColor

    side = QColor(t.window).darker(104).name() if not t.dark else QColor(t.window).darker(115).name()
    acc = QColor(t.accent)
    soft = f"rgba({acc.red()},{acc.green()},{acc.blue()},{40 if not t.dark else 70})"
    return f"""
QWidget#Sidebar {{ background: {side}; }}
QWidget#Sidebar QTreeView {{ background: transparent; border: none; }}
QLabel#BrandLogo {{ background: {t.accent}; color: {t.accent_text}; border-radius: 7px; font-weight: 800; }}
QLabel#BrandTitle {{ font-size: 12.5pt; font-weight: 700; color: {t.text}; }}
QPushButton#NavButton {{ border: none; border-radius: 7px; padding: 6px 10px; text-align: left;
    color: {t.text}; background: transparent; font-weight: 500; }}
QPushButton#NavButton:hover {{ background: {soft}; }}
QPushButton#NavButton:checked {{ background: {soft}; color: {t.accent}; font-weight: 650; }}
QLineEdit#SidebarSearch {{ border-radius: 8px; padding: 6px 8px; background: {t.surface}; }}
QComboBox#WorkspaceFilter {{ border-radius: 7px; padding: 3px 8px; background: {t.surface}; }}
QToolButton#TagChip {{ border: 1px solid {t.border}; border-radius: 10px; padding: 1px 8px;
    color: {t.muted}; background: {t.surface}; font-size: 8.5pt; }}
QToolButton#TagChip:checked {{ background: {t.accent}; color: {t.accent_text}; border-color: {t.accent}; }}
QToolButton#ArchivedToggle {{ border: none; color: {t.muted}; font-size: 8.5pt; padding: 2px 4px; }}
QToolButton#ArchivedToggle:hover {{ color: {t.text}; }}
QLabel#TagPill {{ background: {soft}; color: {t.accent}; border-radius: 6px; padding: 2px 8px; font-size: 8.5pt; }}
QLabel#SectionHeading {{ color: {t.muted}; font-weight: 700; font-size: 8.5pt; letter-spacing: 1px; }}
QFrame#ChatBubble {{ background: {t.surface}; border: 1px solid {t.border}; border-radius: 12px; }}
QFrame#ChatBubbleUser {{ background: {t.accent}; border-radius: 12px; }}
QFrame#ChatBubbleUser QLabel {{ color: {t.accent_text}; }}
QFrame#ChatBubbleError {{ background: {t.surface}; border: 1px solid {t.danger}; border-radius: 12px; }}
QWidget#ChatBody {{ background: transparent; }}
QStatusBar {{ color: {t.muted}; }}
QStatusBar QLabel {{ color: {t.muted}; padding: 0 8px; }}
QSplitter#MainSplitter::handle {{ background: {t.border}; }}
QListWidget#RecentRuns {{ background: transparent; border: none; }}
QFrame#ToolCard {{ background: {t.surface}; border: 1px solid {t.border}; border-radius: 10px; }}
QFrame#ToolCard:hover {{ border-color: {t.accent}; }}
QListWidget#RecentRuns::item {{ padding: 6px 4px; border-radius: 6px; }}
QListWidget#RecentRuns::item:hover {{ background: {soft}; }}
"""


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext, runner: Any = None, *, events: Any = None, scan_async: bool = True,
                 restore: bool = True):
        super().__init__()
        self.ctx = ctx
        self.events = events or store_events()
        self._runner = runner
        self._owns_runner = runner is None
        self._running: dict[str, str] = {}        # run_id -> tool_id
        self._first_load_done = False
        self._restore_last = restore
        self.warmed = False
        self._warm_started = False
        self._unsubscribe: list[Callable[[], Any]] = []
        self.pages: dict[str, QWidget] = {}
        self.page_titles: dict[str, str] = {}
        self.tool_pages: dict[str, Any] = {}
        self.current_page: str | None = None
        self.current_tool_id: str | None = None
        self.setWindowTitle(APP_NAME)
        self.setMinimumSize(QSize(760, 480))
        self.resize(1280, 800)

        self.tools_model = ToolsModel(ctx.conn, self, events=self.events)
        self.workspaces_model = WorkspacesModel(ctx.conn, self, events=self.events)
        self.validation_model = ValidationReportsModel(ctx.conn, self, events=self.events)
        self.sidebar = Sidebar(ctx.conn, self.tools_model, self.workspaces_model, self.events)
        self.sidebar.setMinimumWidth(200)
        self.stack = QStackedWidget()
        self.stack.setObjectName("Pages")
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("MainSplitter")
        self.splitter.setHandleWidth(1)
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setCollapsible(1, False)
        self.splitter.setSizes([260, 1020])
        self.setCentralWidget(self.splitter)

        self.sidebar.toolActivated.connect(lambda tid: self.open_tool(tid))
        self.sidebar.navRequested.connect(self.show_page)
        self.sidebar.filesDroppedOnTool.connect(self.open_tool_with_files)
        self.sidebar.pinnedWarmChanged.connect(self._on_pinned_warm)
        self.sidebar.validateRequested.connect(self.validate_tool)
        self.sidebar.reportRequested.connect(self.show_validation_report)
        self.sidebar.manageWorkspacesRequested.connect(self.manage_workspaces)
        self.sidebar.setupRequested.connect(self.set_up_tool)
        self.events.toolStateChanged.connect(self._on_tool_state_changed)
        self.events.validationChanged.connect(self._on_tool_state_changed)
        self.events.runChanged.connect(self._schedule_home_refresh)

        self._build_status_bar()
        self.menus: dict[str, QMenu] = {}
        self._build_menus()
        self._build_pages()
        self.apply_theme_setting()
        self._watch_theme()
        if restore:
            self.restore_state()
        self.refresh_tools(sync=not scan_async)

    # -- runner -------------------------------------------------------------------------------------
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

    # -- pages --------------------------------------------------------------------------------------
    def _build_pages(self) -> None:
        from pixie_desktop.ui.views.history import HistoryView
        from pixie_desktop.ui.views.home import HomePage

        self.home = HomePage(self.ctx)
        self.home.runActivated.connect(self.open_run)
        self.home.filesDropped.connect(self.open_files)
        self.home.toolActivated.connect(lambda tid: self.open_tool(tid))
        self.home.navRequested.connect(self.show_page)
        self.add_page("home", "Home", self.home)
        self.history_page = HistoryView(self.ctx, self.events, tool_name=self._tool_name,
                                        tool_colour=self._tool_colour)
        self.history_page.rerunRequested.connect(self._rerun_from_history)
        self.history_page.loadInputsRequested.connect(self._load_from_history)
        self.history_page.openOutputsRequested.connect(self.open_run)
        self.add_page("history", "History", self.history_page)
        try:
            from pixie_desktop.ui.views.gallery import GalleryView
        except ImportError:
            GalleryView = None  # noqa: N806 - the gallery is optional until it lands
        if GalleryView is not None:
            try:
                gallery = GalleryView(self.ctx, self)
            except Exception as exc:  # noqa: BLE001 - a broken gallery must not stop the app
                self.statusBar().showMessage(f"Gallery unavailable: {exc}", 8000)
            else:
                if hasattr(gallery, "goToRun"):
                    gallery.goToRun.connect(self.open_run)
                self.add_page("gallery", "Gallery", gallery)
        self.show_page("home")

    def add_page(self, key: str, title: str, widget: QWidget, icon: QIcon | None = None) -> None:
        """Add a page reachable from the sidebar's navigation and the View menu."""
        if key in self.pages:
            old = self.pages.pop(key)
            self.stack.removeWidget(old)
        self.pages[key] = widget
        self.page_titles[key] = title
        self.stack.addWidget(widget)
        self.sidebar.add_nav(key, title, icon)
        view = self.menus.get("View")
        if view is not None:
            act = QAction(title, self)
            act.triggered.connect(lambda: self.show_page(key))
            view.insertAction(self._view_pages_end, act)

    def show_page(self, key: str) -> bool:
        if key == "tool" and self.current_tool_id:
            return self.open_tool(self.current_tool_id)
        page = self.pages.get(key)
        if page is None:
            return False
        self.stack.setCurrentWidget(page)
        self.current_page = key
        self.sidebar.set_current_nav(key)
        if key == "home":
            self._refresh_home()
        self.setWindowTitle(f"{self.page_titles.get(key, key)} — {APP_NAME}")
        if self._first_load_done:  # not while building: the last page is still to be restored
            self._save_setting(LAST_PAGE_KEY, key)
        return True

    def current_tool_page(self) -> Any:
        if self.current_page == "tool" and self.current_tool_id:
            return self.tool_pages.get(self.current_tool_id)
        return None

    def _tool_name(self, tool_id: str) -> str:
        row = self.tools_model.tool_row(tool_id)
        return row.info.name if row else tool_id

    def new_tool(self) -> Any:
        """File ▸ New tool…: scaffold a working tool from a template, then open it."""
        from pixie_desktop.ui.views.new_tool_dialog import NewToolDialog

        dlg = NewToolDialog(self.ctx.settings.tools_dir, self)

        def created(tool_id: str, _path: Any) -> None:
            self.refresh_tools(sync=True)
            self.open_tool(tool_id)

        dlg.created.connect(created)
        dlg.open()
        return dlg

    def set_up_tool(self, tool_id: str) -> Any:
        """Create (or rebuild) a tool's own .venv from its tool page."""
        if not self.open_tool(tool_id):
            return None
        page = self.tool_pages.get(tool_id)
        return page.set_up_environment() if page is not None else None

    def _tool_colour(self, tool_id: str) -> str | None:
        """The colour chip shown next to a tool in lists: its own colour, else the colour of the
        first workspace it belongs to."""
        row = self.tools_model.tool_row(tool_id)
        if row is None:
            return None
        if row.state.colour:
            return row.state.colour
        for ws_id in row.workspaces:
            ws = self.workspaces_model.workspace(ws_id)
            if ws is not None and ws.colour:
                return ws.colour
        return None

    def open_tool(self, tool_id: str, prefill: dict | None = None) -> bool:
        info = self.tools_model.tool(tool_id)
        if info is None:
            row = next((r for r in self.tools_model.rows() if r.info.folder == tool_id), None)
            info = row.info if row else None
        if info is None:
            self.statusBar().showMessage(f"No tool called “{tool_id}”", 5000)
            return False
        page = self.tool_pages.get(info.tool_id)
        if page is None:
            page = self._make_tool_page(info)
        self.stack.setCurrentWidget(page)
        self.current_page = "tool"
        self.current_tool_id = info.tool_id
        self.sidebar.set_current_nav("tool")
        self.sidebar.select_tool(info.tool_id)
        self.setWindowTitle(f"{info.name} — {APP_NAME}")
        if prefill:
            page.set_prefill(prefill)
        self._save_setting(LAST_PAGE_KEY, "tool")
        self._save_setting(LAST_TOOL_KEY, info.tool_id)
        return True

    def _make_tool_page(self, info: ToolInfo) -> Any:
        from pixie_desktop.ui.views.tool_page import ToolPage

        page = ToolPage(self.ctx, info, events=self.events, runner=self.get_runner, tools_model=self.tools_model,
                        menu_provider=self.sidebar.tool_menu)
        page.runStarted.connect(self._on_run_started)
        page.runEnded.connect(self._on_run_ended)
        page.message.connect(self._page_message)
        splitter = getattr(page, "splitter", None)
        if splitter is not None:
            saved = self._get_bytes(f"{TOOL_SPLITTER_KEY}.{getattr(page, 'layout_kind', 'form')}")
            if saved is not None:
                splitter.restoreState(saved)
            splitter.splitterMoved.connect(lambda *_a, p=page: self._save_tool_splitter(p))
        self.tool_pages[info.tool_id] = page
        self.stack.addWidget(page)
        return page

    def _page_message(self, text: str) -> None:
        if self.statusBar().currentMessage() != text:
            self.statusBar().showMessage(text, 6000)

    def _save_tool_splitter(self, page: Any) -> None:
        splitter = getattr(page, "splitter", None)
        if splitter is not None:
            self._save_setting(f"{TOOL_SPLITTER_KEY}.{page.layout_kind}",
                               bytes(splitter.saveState().toBase64()).decode())

    def open_tool_with_files(self, tool_id: str, paths: list) -> str | None:
        """Open a tool and fill its first file input that accepts `paths` (ToolForm.drop_files).
        Returns the filled input key, or None."""
        if not self.open_tool(tool_id):
            return None
        page = self.tool_pages.get(self.current_tool_id or "")
        return page.drop_files([Path(p) for p in paths]) if page is not None else None

    def open_files(self, paths: list) -> bool:
        """Files dropped on the Home page: open the best tool for them."""
        from pixie_desktop.matching.suggest import suggest_tools

        suggestions = suggest_tools([r.info for r in self.tools_model.rows() if not r.state.archived],
                                    [Path(p) for p in paths])
        if not suggestions:
            self.statusBar().showMessage("No tool takes those files", 6000)
            return False
        return self.open_tool_with_files(suggestions[0].tool.tool_id, paths) is not None

    def open_run(self, run_id: str) -> bool:
        """Show a past run: open its tool, its outputs, and select it in the tool's history."""
        rec = runs_repo.get_run(self.ctx.conn, run_id)
        if rec is None:
            self.statusBar().showMessage("That run is no longer in the history", 6000)
            return False
        if not self.open_tool(rec.tool_id):
            return False
        page = self.tool_pages[self.current_tool_id]  # type: ignore[index]
        page.open_outputs_of(run_id)
        if page.history is not None:
            page.history.select_runs([run_id])
        return True

    def _rerun_from_history(self, run_id: str) -> None:
        rec = runs_repo.get_run(self.ctx.conn, run_id)
        if rec is not None and self.open_tool(rec.tool_id):
            self.tool_pages[rec.tool_id].rerun(run_id)

    def _load_from_history(self, run_id: str) -> None:
        rec = runs_repo.get_run(self.ctx.conn, run_id)
        if rec is not None and self.open_tool(rec.tool_id):
            self.tool_pages[rec.tool_id].load_inputs_of(run_id)

    # -- tools --------------------------------------------------------------------------------------
    def refresh_tools(self, sync: bool = False) -> None:
        """Rescan tools/ (off the UI thread unless `sync`) and update models and open pages."""
        if sync:
            self._apply_tools(self.ctx.tools())
            return
        from pixie_desktop.ui.workers import submit

        submit(_scan_tools, self.ctx, on_result=self._apply_tools,
               on_error=lambda text: self.statusBar().showMessage(f"Could not scan tools: {text}", 8000))

    def _apply_tools(self, tools: list[ToolInfo]) -> None:
        self.tools_model.load(tools)
        by_id = {t.tool_id: t for t in tools}
        for tool_id, page in list(self.tool_pages.items()):
            fresh = by_id.get(tool_id)
            if page.is_running:
                continue
            if fresh is None or fresh.discovery_hash != page.info.discovery_hash:
                was_current = self.current_tool_id == tool_id and self.current_page == "tool"
                self.stack.removeWidget(page)
                page.deleteLater()
                del self.tool_pages[tool_id]
                if was_current:
                    if fresh is not None:
                        self.open_tool(tool_id)
                    else:
                        self.show_page("home")
        self._refresh_home()
        if not self._first_load_done:
            self._first_load_done = True
            if self._restore_last:
                self._restore_last_page()
        self.events.toolsRescanned.emit()

    def _restore_last_page(self) -> None:
        page = self._get_setting(LAST_PAGE_KEY)
        if page == "tool":
            tool = self._get_setting(LAST_TOOL_KEY)
            if tool and self.open_tool(tool):
                return
            self.show_page("home")
        elif page and page in self.pages:
            self.show_page(page)

    def _on_tool_state_changed(self, tool_id: str) -> None:
        page = self.tool_pages.get(tool_id)
        if page is not None and hasattr(page, "refresh_header"):
            page.refresh_header()

    def _schedule_home_refresh(self, *_: Any) -> None:
        if self.current_page == "home":
            QTimer.singleShot(0, self._refresh_home)

    def _refresh_home(self) -> None:
        rows = self.tools_model.rows()
        names = {r.info.tool_id: r.info.name for r in rows if not r.state.archived and r.info.ok}
        broken = sum(1 for r in rows if not r.info.ok)
        archived = sum(1 for r in rows if r.state.archived)
        self.home.refresh(names, broken, archived)
        live = [r for r in rows if r.info.ok and not r.state.archived]
        # favourites first, then the most recently used, then by name
        live.sort(key=lambda r: r.info.name.lower())
        live.sort(key=lambda r: r.state.last_run_at or "", reverse=True)  # stable: ties keep name order
        live.sort(key=lambda r: not r.state.favourited)
        self.home.set_cards([(r.info.tool_id, r.info.name, r.info.description, r.state.colour) for r in live[:6]])

    # -- running state -------------------------------------------------------------------------------
    def _on_run_started(self, tool_id: str, run_id: str) -> None:
        self._running[run_id] = tool_id
        self._update_running()

    def _on_run_ended(self, tool_id: str, run_id: str, status: str) -> None:
        self._running.pop(run_id, None)
        self._update_running()
        name = self._tool_name(tool_id)
        text = {"ok": f"{name} finished", "cancelled": f"{name} was cancelled"}.get(status, f"{name} failed")
        self.statusBar().showMessage(text, 6000)

    def _update_running(self) -> None:
        counts: dict[str, int] = {}
        for tid in self._running.values():
            counts[tid] = counts.get(tid, 0) + 1
        for row in self.tools_model.rows():
            self.tools_model.set_running(row.info.tool_id, counts.get(row.info.tool_id, 0))
        for tid, n in counts.items():
            self.events.runningChanged.emit(tid, n > 0)
        n = len(self._running)
        self.running_label.setText(f"● {n} running" if n else "Idle")
        self.running_label.setStyleSheet("color: #3b82f6; font-weight: 600;" if n else "")
        self._update_warm()

    @property
    def running_count(self) -> int:
        return len(self._running)

    def _on_pinned_warm(self, tool_id: str, on: bool) -> None:
        runner = self.get_runner(create=False)
        pool = getattr(runner, "pool", None)
        if pool is not None:
            try:
                pool.set_pinned(tool_id, on)
            except Exception:  # noqa: BLE001 - advisory
                pass

    def run_current(self) -> bool:
        page = self.current_tool_page()
        return bool(page is not None and page.run())

    def cancel_current(self) -> bool:
        page = self.current_tool_page()
        if page is not None and page.is_running:
            return page.cancel()
        return False

    def open_favourite(self, n: int) -> bool:
        favs = self.sidebar.model.favourites()
        return self.open_tool(favs[n - 1]) if 0 < n <= len(favs) else False

    # -- status bar ---------------------------------------------------------------------------------
    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        bar.setSizeGripEnabled(False)
        self.running_label = QLabel("Idle")
        self.running_label.setObjectName("RunningCount")
        self.warm_label = QLabel("")
        self.warm_label.setObjectName("WarmCount")
        self.warm_label.setToolTip("Tool processes kept warm so their next run starts at once")
        bar.addPermanentWidget(self.warm_label)
        bar.addPermanentWidget(self.running_label)
        self._warm_timer = QTimer(self)
        self._warm_timer.setInterval(2000)
        self._warm_timer.timeout.connect(self._update_warm)
        self._warm_timer.start()
        self._update_warm()

    def _update_warm(self) -> None:
        runner = self.get_runner(create=False)
        pool = getattr(runner, "pool", None)
        try:
            n = len(pool.snapshot()) if pool is not None else 0
        except Exception:  # noqa: BLE001 - advisory
            n = 0
        self.warm_label.setText(f"{n} warm process{'es' if n != 1 else ''}")

    # -- menus and shortcuts --------------------------------------------------------------------------
    def _action(self, menu: QMenu | None, text: str, slot: Callable[[], Any],
                shortcut: str | list | QKeySequence.StandardKey | None = None, name: str | None = None) -> QAction:
        act = QAction(text, self)
        act.triggered.connect(lambda _=False: slot())
        if shortcut is not None:
            if isinstance(shortcut, list):
                act.setShortcuts([QKeySequence(s) for s in shortcut])
            else:
                act.setShortcut(QKeySequence(shortcut))
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        if name:
            act.setObjectName(name)
        if menu is not None:
            menu.addAction(act)
        else:
            self.addAction(act)
        return act

    def _build_menus(self) -> None:
        mb = self.menuBar()
        for title in ("File", "Edit", "View", "Tools", "Help"):
            self.menus[title] = mb.addMenu(f"&{title}")
        f, e, v, t, h = (self.menus[k] for k in ("File", "Edit", "View", "Tools", "Help"))
        self._action(f, "New tool…", self.new_tool, QKeySequence.StandardKey.New, "newTool")
        self._action(f, "Refresh tools", self.refresh_tools, "F5", "refreshTools")
        self._action(f, "Open tools folder", lambda: QDesktopServices.openUrl(
            QUrl.fromLocalFile(str(self.ctx.settings.tools_dir))))
        f.addSeparator()
        self._action(f, "Quit", self.close, QKeySequence.StandardKey.Quit, "quit")
        self.find_action = self._action(e, "Find tool…", self.sidebar.focus_search, "Ctrl+K", "findTool")
        # Ctrl+F stays on the sidebar search even when the command palette takes Ctrl+K
        self.find_action.setShortcuts([QKeySequence("Ctrl+K"), QKeySequence.StandardKey.Find])
        self._view_pages_end = v.addSeparator()
        self.archived_action = QAction("Show archived tools", self)
        self.archived_action.setCheckable(True)
        self.archived_action.toggled.connect(self.sidebar.archived_toggle.setChecked)
        self.sidebar.archived_toggle.toggled.connect(self.archived_action.setChecked)
        v.addAction(self.archived_action)
        theme_menu = v.addMenu("Theme")
        group = QActionGroup(self)
        self.theme_actions: dict[str, QAction] = {}
        for value, label in (("system", "Follow the system"), ("light", "Light"), ("dark", "Dark")):
            act = QAction(label, self)
            act.setCheckable(True)
            act.setChecked(self.ctx.settings.theme == value)
            act.triggered.connect(lambda _=False, val=value: self.set_theme(val))
            group.addAction(act)
            theme_menu.addAction(act)
            self.theme_actions[value] = act
        self.run_action = self._action(t, "Run", self.run_current, ["Ctrl+Return", "Ctrl+Enter"], "run")
        self.cancel_action = self._action(t, "Cancel run", self.cancel_current, "Esc", "cancelRun")
        t.addSeparator()
        self._action(t, "Validate this tool", lambda: self.validate_tool(self.current_tool_id or ""))
        self._action(t, "Manage workspaces…", self.manage_workspaces)
        self._action(h, "Keyboard shortcuts", self._show_shortcuts)
        self._action(h, f"About {APP_NAME}", self._about)
        self.favourite_actions = [self._action(None, f"Favourite {n}", lambda n=n: self.open_favourite(n),
                                               f"Ctrl+{n}", f"favourite{n}") for n in range(1, 10)]

    def _show_shortcuts(self) -> None:
        QMessageBox.information(self, "Keyboard shortcuts",
                                "Ctrl+K  find a tool\nCtrl+Enter  run\nEsc  cancel the run\n"
                                "Ctrl+1…9  open a favourite\nF5  rescan tools")

    def _about(self) -> None:
        from pixie_desktop import __version__

        QMessageBox.about(self, APP_NAME, f"<b>{APP_NAME}</b> {__version__}<br>A desktop home for small "
                                          f"Python tools.<br>Tools: {self.ctx.settings.tools_dir}")

    # -- hooks to dialogs built elsewhere ----------------------------------------------------------
    def validate_tool(self, tool_id: str) -> None:
        """Validate one tool on the pool (the validator's Qt controller saves and announces it)."""
        info = self.tools_model.tool(tool_id) if tool_id else None
        if info is None:
            return
        try:
            from pixie_desktop.ui.revalidate import validate_one
        except ImportError:
            self.statusBar().showMessage("The validator is not available", 6000)
            return
        self.statusBar().showMessage(f"Validating {info.name}…")

        def done(report: dict) -> None:
            self.events.validationChanged.emit(tool_id)
            self.statusBar().showMessage(f"{info.name}: validation {report.get('overall', 'done')}", 8000)

        validate_one(self.ctx, info, on_done=done,
                     on_error=lambda text: self.statusBar().showMessage(f"Validation could not run: {text}", 8000))

    def show_validation_report(self, tool_id: str) -> None:
        try:
            from pixie_desktop.ui.views.validation_dialog import ValidationReportDialog
        except ImportError:
            return
        dlg = ValidationReportDialog.for_tool(self.ctx, tool_id, self)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.show()

    def manage_workspaces(self) -> None:
        try:
            from pixie_desktop.ui.views.workspace_dialogs import WorkspaceManagerDialog
        except ImportError:
            self.sidebar.new_workspace_dialog()
            return
        dlg = WorkspaceManagerDialog(self.ctx.conn, self)
        dlg.exec()
        self.workspaces_model.reload()
        self.tools_model.refresh_memberships()
        self.events.workspacesChanged.emit()

    # -- theme ----------------------------------------------------------------------------------------
    def apply_theme_setting(self) -> None:
        """Apply the `theme` setting (system / light / dark): palette + the shared stylesheet
        + the shell's own rules, set once."""
        from pixie_desktop.ui import theme

        value = getattr(self.ctx.settings, "theme", "system")
        dark = system_prefers_dark() if value not in ("light", "dark") else value == "dark"
        app = QApplication.instance()
        self._applying_theme = True
        try:
            theme.set_accent(getattr(self.ctx.settings, "accent", theme.DEFAULT_ACCENT), notify=False)
            # apply_theme sets Fusion only once, then palette + stylesheet, and tells listeners
            t = theme.apply_theme(app, dark)
        finally:
            self._applying_theme = False
        self._append_shell_style(t)
        for page in getattr(self, "tool_pages", {}).values():  # pills carry scheme-dependent colours
            if hasattr(page, "badge_box"):
                page._shown_badges = None
                page.refresh_header()

    def _append_shell_style(self, t: Any) -> None:
        app = QApplication.instance()
        if app is None or getattr(self, "_applying_theme", False):
            return
        from pixie_desktop.ui import theme

        sheet = theme.stylesheet(t) + shell_stylesheet(t)
        if app.styleSheet() != sheet:
            app.setStyleSheet(sheet)

    def _watch_theme(self) -> None:
        from pixie_desktop.config import on_setting_changed
        from pixie_desktop.ui import theme

        # someone else re-applied the theme (settings dialog…): put the shell's rules back
        self._unsubscribe.append(theme.on_theme_changed(self._append_shell_style))
        self._unsubscribe.append(on_setting_changed(
            lambda name, _v: self.apply_theme_setting() if name in ("theme", "accent") else None))
        try:
            QGuiApplication.styleHints().colorSchemeChanged.connect(self._on_scheme_changed)
        except AttributeError:
            pass

    def _on_scheme_changed(self, *_: Any) -> None:
        if getattr(self.ctx.settings, "theme", "system") == "system":
            self.apply_theme_setting()

    def set_theme(self, value: str) -> None:
        """Persist the theme choice; the setting listener applies it."""
        from pixie_desktop.config import save_setting

        try:
            save_setting(self.ctx.settings, self.ctx.conn, "theme", value)
        except Exception:  # noqa: BLE001 - unsaved, but still applied for this session
            self.ctx.settings.values["theme"] = value
            self.apply_theme_setting()
        if value in self.theme_actions:
            self.theme_actions[value].setChecked(True)

    # -- persistence ----------------------------------------------------------------------------------
    def _get_setting(self, key: str) -> str | None:
        try:
            return settings_repo.get_setting(self.ctx.conn, key)
        except sqlite3.Error:
            return None

    def _save_setting(self, key: str, value: str) -> None:
        try:
            settings_repo.set_setting(self.ctx.conn, key, value)
        except sqlite3.Error:
            pass

    def _get_bytes(self, key: str) -> QByteArray | None:
        raw = self._get_setting(key)
        if not raw:
            return None
        try:
            return QByteArray.fromBase64(raw.encode("ascii"))
        except (UnicodeEncodeError, ValueError):
            return None

    def save_state(self) -> None:
        self._save_setting(GEOMETRY_KEY, bytes(self.saveGeometry().toBase64()).decode())
        self._save_setting(SPLITTER_KEY, bytes(self.splitter.saveState().toBase64()).decode())
        page = self.current_tool_page()
        if page is not None:
            self._save_tool_splitter(page)

    def restore_state(self) -> None:
        geo = self._get_bytes(GEOMETRY_KEY)
        if geo is not None:
            self.restoreGeometry(geo)
        split = self._get_bytes(SPLITTER_KEY)
        if split is not None:
            self.splitter.restoreState(split)

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if not self._warm_started:
            self._warm_started = True
            QTimer.singleShot(30, self._warm_up)

    def _warm_up(self) -> None:
        from pixie_desktop.ui.workers import submit

        def done(_n: int) -> None:
            self.warmed = True

        submit(_preimport, on_result=done, on_error=lambda _t: done(0))

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.save_state()
        super().closeEvent(event)

    def _disconnect_hub(self) -> None:
        """Stop listening to the process-wide StoreEvents hub: after shutdown the connection
        these models read through is closed."""
        ev = self.events
        self.tools_model.disconnect_events(ev)
        pairs = [(ev.workspacesChanged, self.workspaces_model.reload),
                 (ev.validationChanged, self.validation_model.report_changed),
                 (ev.runChanged, self.history_page.model.run_changed),
                 (ev.toolStateChanged, self._on_tool_state_changed),
                 (ev.validationChanged, self._on_tool_state_changed),
                 (ev.runChanged, self._schedule_home_refresh)]
        pairs += [(ev.runChanged, p.history.model.run_changed) for p in self.tool_pages.values()
                  if getattr(p, "history", None) is not None]
        for signal, slot in pairs:
            try:
                signal.disconnect(slot)
            except (RuntimeError, TypeError):
                pass

    def shutdown(self) -> None:
        """Stop background work before the app exits: cancel runs, stop tool processes, drain the pool.
        Safe to call more than once (the app's exit path and tests may both call it)."""
        if getattr(self, "_shut_down", False):
            return
        self._shut_down = True
        self._warm_timer.stop()
        for extra in (getattr(self, "sweep_scheduler", None), getattr(self, "revalidate", None),
                      self.pages.get("gallery")):
            stop = getattr(extra, "stop", None) or getattr(extra, "shutdown", None)
            if stop is not None:
                try:
                    stop()
                except Exception:  # noqa: BLE001 - exit must continue
                    pass
        for undo in self._unsubscribe:
            try:
                undo()
            except Exception:  # noqa: BLE001
                pass
        self._unsubscribe.clear()
        for page in self.tool_pages.values():
            if page.is_running:
                page.cancel()
        self._disconnect_hub()
        runner = self.get_runner(create=False)
        if runner is not None and self._owns_runner:
            try:
                runner.shutdown()
            except Exception:  # noqa: BLE001 - exit must continue
                pass
        from pixie_desktop.ui.workers import wait_for_all

        wait_for_all(10_000)
