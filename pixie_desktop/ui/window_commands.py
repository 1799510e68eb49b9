"""The main window's commands that open dialogs or navigate through its public hooks (New tool,
Validate, Validation report, Manage workspaces, Keyboard shortcuts, About, open a run / files).
They are attached to MainWindow as methods, so `window.open_run(id)` keeps working, and the
action declarations in ui/actions.py call them through the window."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import Qt

from pixie_desktop import APP_NAME
from pixie_desktop.queries import runs as run_queries
from pixie_desktop.ui.actions import TOOL_MORE


def tool_colour(window: Any, tool_id: str) -> str | None:
    """The colour chip shown next to a tool in lists: its own colour, else the colour of the
    first workspace it belongs to."""
    row = window.tools_model.tool_row(tool_id)
    if row is None:
        return None
    if row.state.colour:
        return row.state.colour
    for ws_id in row.workspaces:
        ws = window.workspaces_model.workspace(ws_id)
        if ws is not None and ws.colour:
            return ws.colour
    return None


def new_tool(window: Any) -> Any:
    """File ▸ New tool…: scaffold a working tool from a template, then open it."""
    from pixie_desktop.ui.views.new_tool_dialog import NewToolDialog

    dlg = NewToolDialog(window.ctx.settings.tools_dir, window)

    def created(tool_id: str, _path: Any) -> None:
        window.refresh_tools(sync=True)
        window.open_tool(tool_id)

    dlg.created.connect(created)
    dlg.open()
    return dlg


def set_up_tool(window: Any, tool_id: str) -> Any:
    """Create (or rebuild) a tool's own .venv from its tool page."""
    page = window.tool_pages.get(tool_id) if window.open_tool(tool_id) else None
    return page.set_up_environment() if page is not None else None


def validate_tool(window: Any, tool_id: str) -> None:
    """Validate one tool on the pool (validate_one saves the report and publishes it once, on
    the window's hub)."""
    from pixie_desktop.ui.revalidate import validate_one

    info = window.tools_model.tool(tool_id) if tool_id else None
    if info is None:
        return
    bar = window.statusBar()
    bar.showMessage(f"Validating {info.name}…")

    def done(report: dict) -> None:
        bar.showMessage(f"{info.name}: validation {report.get('overall', 'done')}", 8000)

    validate_one(window.ctx, info, on_done=done, hub=window.events,
                 on_error=lambda text: bar.showMessage(f"Validation could not run: {text}", 8000))


def show_validation_report(window: Any, tool_id: str) -> None:
    from pixie_desktop.ui.views.validation_dialog import ValidationReportDialog

    dlg = ValidationReportDialog.for_tool(window.ctx, tool_id, window)
    dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dlg.show()


def manage_workspaces(window: Any) -> None:
    from pixie_desktop.ui.views.workspace_dialogs import WorkspaceManagerDialog

    WorkspaceManagerDialog(window.ctx.conn, window).exec()
    window.workspaces_model.reload()
    window.tools_model.refresh_memberships()
    window.events.workspacesChanged.emit()


def show_shortcuts(window: Any) -> None:
    """Help ▸ Keyboard shortcuts: generated from the action declarations."""
    from PySide6.QtWidgets import QMessageBox  # on use: its enums are not needed to start

    QMessageBox.information(window, "Keyboard shortcuts", window.action_registry.shortcuts_text())


def about(window: Any) -> None:
    from PySide6.QtWidgets import QMessageBox

    from pixie_desktop import __version__

    QMessageBox.about(window, APP_NAME, f"<b>{APP_NAME}</b> {__version__}<br>A desktop home for small "
                                        f"Python tools.<br>Tools: {window.ctx.settings.tools_dir}")


def open_tool_with_files(window: Any, tool_id: str, paths: list) -> str | None:
    """Open a tool and fill its first file input that accepts `paths` (ToolForm.drop_files).
    Returns the filled input key, or None."""
    if not window.open_tool(tool_id):
        return None
    page = window.tool_pages.get(window.current_tool_id or "")
    return page.drop_files([Path(p) for p in paths]) if page is not None else None


def open_files(window: Any, paths: list) -> bool:
    """Files dropped on the Home page: open the best tool for them."""
    from pixie_desktop.matching.suggest import suggest_tools

    suggestions = suggest_tools([r.info for r in window.tools_model.rows() if not r.state.archived],
                                [Path(p) for p in paths])
    if not suggestions:
        window.statusBar().showMessage("No tool takes those files", 6000)
        return False
    return open_tool_with_files(window, suggestions[0].tool.tool_id, paths) is not None


def open_run(window: Any, run_id: str) -> bool:
    """Show a past run: open its tool, its outputs, and select it in the tool's history."""
    rec = run_queries.get_run(window.ctx.conn, run_id)
    if rec is None:
        window.statusBar().showMessage("That run is no longer in the history", 6000)
        return False
    if not window.open_tool(rec.tool_id):
        return False
    page = window.tool_pages[window.current_tool_id]
    page.open_outputs_of(run_id)
    if page.history is not None:
        page.history.select_runs([run_id])
    return True


def load_from_history(window: Any, run_id: str) -> None:
    rec = run_queries.get_run(window.ctx.conn, run_id)
    if rec is not None and window.open_tool(rec.tool_id):
        window.tool_pages[rec.tool_id].load_inputs_of(run_id)


def disconnect_hub(window: Any) -> None:
    """Stop listening to the process-wide StoreEvents hub: after shutdown the connection the
    window's models read through is closed."""
    ev = window.events
    window.tools_model.disconnect_events(ev)
    pairs = [(ev.workspacesChanged, window.workspaces_model.reload),
             (ev.validationChanged, window.validation_model.report_changed),
             (ev.toolStateChanged, window._on_tool_state_changed),  # noqa: SLF001
             (ev.validationChanged, window._on_tool_state_changed),  # noqa: SLF001
             (ev.runChanged, window._schedule_home_refresh)]  # noqa: SLF001
    history = window.pages.built("history")  # never built: nothing connected
    if history is not None:
        pairs.append((ev.runChanged, history.model.run_changed))
    pairs += [(ev.runChanged, p.history.model.run_changed) for p in window.tool_pages.values()
              if getattr(p, "history", None) is not None]
    for signal, slot in pairs:
        try:
            signal.disconnect(slot)
        except (RuntimeError, TypeError):  # never connected (no history yet) or already gone
            pass


def scrolling_page(make_page: Callable[[Any], Any], parent: Any = None) -> tuple[Any, Any]:
    """(scroll area, page): `make_page(parent)` built inside a frameless scroll area that scrolls
    down only, so a short window (960×640) scrolls the page instead of squeezing its sections into
    each other. Both are made in place (the area inside `parent`): moving a built page in would
    resolve the style sheet, fonts and palette of each of its widgets again (~25% of its build).

    The viewport is ours (`page_viewport`), not the one Qt made: asking the area for its own
    would hand PySide a C++-made widget to wrap, and finding its Python class makes every
    widget class PySide knows (~70 of them, with their enums): ~10 ms of the start."""
    from PySide6.QtWidgets import QFrame, QScrollArea

    area = QScrollArea(parent, objectName="PageScroll", widgetResizable=True, frameShape=QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    viewport = page_viewport(area)
    page = make_page(viewport)
    area.setWidget(page)
    return area, page


def page_viewport(area: Any) -> Any:
    """A viewport for `area` (a QScrollArea) set up as the one QScrollArea makes for itself (name,
    inherited background filled, touch events); the area takes it and drops its own."""
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QWidget

    viewport = QWidget(area, objectName="qt_scrollarea_viewport", autoFillBackground=True)
    viewport.setBackgroundRole(QPalette.ColorRole.NoRole)
    viewport.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents)
    area.setViewport(viewport)
    return viewport


def build_pages(window: Any) -> None:
    """Home now; History, Gallery and the Tools overview when first shown (they are not on
    screen at start, and building them would put their imports and queries on the start path)."""
    from pixie_desktop.ui.views.home import HomePage

    area, window.home = scrolling_page(lambda parent: HomePage(window.ctx, parent), window.stack)
    window.home.runActivated.connect(window.open_run)
    window.home.filesDropped.connect(window.open_files)
    window.home.toolActivated.connect(lambda tid: window.open_tool(tid))
    window.home.navRequested.connect(window.show_page)
    window.home.createToolRequested.connect(lambda: window.new_tool())
    with window.action_registry.batch():  # one menu rebuild for the four page actions
        window.add_page("home", "Home", area)
        window.add_lazy_page("history", "History", lambda: build_history(window))
        window.add_lazy_page("gallery", "Gallery", lambda: build_gallery(window))
        window.add_lazy_page("tools", "Tools", lambda: build_tools_overview(window))
    window.show_page("home")


def build_history(window: Any) -> Any:
    from pixie_desktop.ui.views.history import HistoryView

    page = HistoryView(window.ctx, window.events, tool_name=window._tool_name,  # noqa: SLF001
                       tool_colour=lambda tid: tool_colour(window, tid),
                       runner=window.get_runner)  # developer mode: the warm process's pid and port
    page.rerunRequested.connect(window._rerun_from_history)  # noqa: SLF001
    page.loadInputsRequested.connect(window._load_from_history)  # noqa: SLF001
    page.openOutputsRequested.connect(window.open_run)
    page.empty.actionRequested.connect(window.sidebar.search.setFocus)
    return page


def build_gallery(window: Any) -> Any:
    try:
        from pixie_desktop.ui.views.gallery import GalleryView

        gallery = GalleryView(window.ctx, window)
    except Exception as exc:  # noqa: BLE001 - a broken gallery must not stop the app
        window.statusBar().showMessage(f"Gallery unavailable: {exc}", 8000)
        return None
    gallery.goToRun.connect(window.open_run)
    gallery.statusMessage.connect(lambda text: window.statusBar().showMessage(text, 8000))
    return gallery


def build_tools_overview(window: Any) -> Any:
    """The Tools page lists the window's discovered tools and re-reads when discovery does."""
    from pixie_desktop.ui.views.tools_overview import ToolsOverview

    page = ToolsOverview(window.ctx.conn, lambda: [(r.info.tool_id, r.info.name) for r in window.tools_model.rows()],
                         window.events, window)
    window.tools_model.modelReset.connect(page._changed_elsewhere)  # noqa: SLF001
    return page


def on_pinned_warm(window: Any, tool_id: str, on: bool) -> None:
    pool = getattr(window.get_runner(create=False), "pool", None)
    if pool is not None:
        try:
            pool.set_pinned(tool_id, on)
        except Exception:  # noqa: BLE001 - advisory: the setting is saved, the pool catches up later
            pass


def run_current(window: Any) -> bool:
    page = window.current_tool_page()
    return bool(page is not None and page.run())


def cancel_current(window: Any) -> bool:
    page = window.current_tool_page()
    return page.cancel() if page is not None and page.is_running else False


def open_favourite(window: Any, n: int) -> bool:
    favs = window.sidebar.model.favourites()
    return window.open_tool(favs[n - 1]) if 0 < n <= len(favs) else False


def set_theme(window: Any, value: str) -> None:
    window.shell_style.set_theme(value)
    window.action_registry.refresh()


def recolour_pages(window: Any) -> None:
    for page in window.tool_pages.values():  # pills carry scheme-dependent colours
        if hasattr(page, "badge_box"):
            page._shown_badges = None  # noqa: SLF001 - force the header to redraw its pills
            page.refresh_header()


def page_message(window: Any, text: str) -> None:
    if window.statusBar().currentMessage() != text:
        window.statusBar().showMessage(text, 6000)


def make_tool_page(window: Any, info: Any) -> Any:
    """A page for one tool, wired to the window's RunController, status bar and remembered splitter."""
    from pixie_desktop.ui.views.tool_page import ToolPage

    page = ToolPage(window.ctx, info, events=window.events, runner=window.get_runner,
                    tools_model=window.tools_model,  # ⋯ menu: the TOOL_MORE declarations of ui/actions.py
                    menu_provider=lambda tid: window.sidebar.tool_menu(tid, place=TOOL_MORE),
                    controller=window.run_controller)
    page.message.connect(lambda text: page_message(window, text))
    if getattr(page, "batch_button", None) is not None:
        page.batches.batchStarted.connect(lambda view: show_batch(window, view))
    window.window_state.watch_tool_page(page)
    window.tool_pages[info.tool_id] = page
    window.stack.addWidget(page)
    preimport_for(info)
    return page


def preimport_for(info: Any) -> None:
    """Import the heavy modules this tool's outputs will draw with (matplotlib, pygments) on a
    pool thread now, not on the UI thread at its first result; the app does not load them at start."""
    from pixie_desktop.ui import warmup
    from pixie_desktop.ui.workers import submit

    names = warmup.imports_for(info.spec)
    if names and not all(n in sys.modules for n in names):
        submit(warmup.preimport, names, on_error=lambda *_a: None)  # optional: imported on demand anyway


def drop_stale_tool_pages(window: Any, tools: list) -> None:
    """After a rescan: close the pages of tools that changed or went (not while running); the
    current one reopens fresh, or Home shows."""
    by_id = {t.tool_id: t for t in tools}
    by_folder = {t.folder: t for t in tools}
    for tool_id, page in list(window.tool_pages.items()):
        fresh = by_id.get(tool_id)
        if page.is_running or (fresh is not None and fresh.discovery_hash == page.info.discovery_hash):
            continue
        was_current = window.current_tool_id == tool_id and window.current_page == "tool"
        window.stack.removeWidget(page)
        page.deleteLater()
        del window.tool_pages[tool_id]
        if was_current:
            # a tool.json that broke is listed under its folder name (and back under its id once
            # fixed): follow the folder so its error shows at once, and the tool on recovery
            same_folder = fresh or by_folder.get(page.info.folder)
            if same_folder is not None:
                window.open_tool(same_folder.tool_id)
            else:
                window.show_page("home")


def show_run_queue(window: Any) -> Any:
    """View ▸ Run queue (and a click on the status bar's run label): a dock listing the
    RunController's queued, running and recently finished runs; made on first use."""
    from PySide6.QtWidgets import QDockWidget

    from pixie_desktop.ui.views.run_queue import RunQueuePanel

    dock = getattr(window, "run_queue_dock", None)
    if dock is None:
        dock = QDockWidget("Run queue", window)
        dock.setObjectName("RunQueueDock")
        window.run_queue_panel = RunQueuePanel(window.run_controller, tool_name=window._tool_name)  # noqa: SLF001
        dock.setWidget(window.run_queue_panel)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        window.run_queue_dock = dock
    dock.show()
    dock.raise_()
    window.run_queue_panel.refresh()
    return window.run_queue_panel


def save_preset(window: Any) -> bool:
    """Tools ▸ Save inputs as preset… for the tool page on show."""
    page = window.current_tool_page()
    button = getattr(page, "presets_button", None)
    return bool(button is not None and button.save_dialog())


def load_preset(window: Any, tool_id: str, name: str) -> bool:
    """The palette's "Load preset": open the tool and fill its form from the preset."""
    if not window.open_tool(tool_id):
        return False
    button = getattr(window.tool_pages.get(window.current_tool_id or ""), "presets_button", None)
    return bool(button is not None and button.load(name))


def show_batch(window: Any, view: Any) -> None:
    """A batch started from a tool page: a tab in the Batches dock (made on first use)."""
    from PySide6.QtWidgets import QDockWidget, QTabWidget

    dock = getattr(window, "batch_dock", None)
    if dock is None:
        dock = QDockWidget("Batches", window)
        dock.setObjectName("BatchesDock")
        window.batch_tabs = QTabWidget()
        window.batch_tabs.setTabsClosable(True)
        window.batch_tabs.tabCloseRequested.connect(
            lambda i: (not window.batch_tabs.widget(i).runner.is_active) and window.batch_tabs.removeTab(i))
        dock.setWidget(window.batch_tabs)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
        window.batch_dock = dock
    view.openRun.connect(window.open_run)
    view.showInGallery.connect(lambda batch_id: show_batch_in_gallery(window, batch_id))
    view.showInHistory.connect(lambda batch_id: show_batch_in_history(window, batch_id))
    window.batch_tabs.addTab(view, view.batch.tool_id)
    window.batch_tabs.setCurrentWidget(view)
    dock.show()
    dock.raise_()


def show_batch_in_history(window: Any, batch_id: str) -> bool:
    """History filtered to one batch's runs: its search field's `batch:ID` token."""
    if not window.show_page("history"):
        return False
    history = window.pages.get("history")
    if history is None:
        return False
    history.search_field.setText(f"batch:{batch_id}")
    history.apply_search()
    return True


def show_batch_in_gallery(window: Any, batch_id: str) -> bool:
    gallery = window.pages.get("gallery")
    if gallery is None or not window.show_page("gallery"):
        return False
    gallery.show_batch(batch_id)
    return True


def first_scan(window: Any) -> None:
    """The window's first async tool scan, on a pool thread: started by the window's first paint
    (`on_first_paint`), or on the event-loop turn after its construction if it is not shown.
    Started at the show, the scan thread competed with the paint for the interpreter (its imports,
    the cache, 200 folder digests) and the first paint came ~20 ms later (benchmarks/ui.py); what
    else follows the paint waits for the list instead (`after_first_tools`), so the tools come as
    soon as before."""
    if window.isVisible() and not getattr(window, "_painted", False):
        return  # shown, not painted yet: on_first_paint starts it
    if window._scan_pending and not window._shut_down:  # noqa: SLF001 - the window's own flags
        window._scan_pending = False  # noqa: SLF001
        window.refresh_tools()


def on_first_paint(window: Any) -> None:
    window._painted = True  # noqa: SLF001
    first_scan(window)
    after_first_tools(window, window.tools_model.release_background)  # readiness badges


FIRST_TOOLS_FALLBACK_MS = 1500  # a scan that takes longer (a first start parsing many tools) stops holding the rest


def after_first_tools(window: Any, callback: Callable[[], Any]) -> None:
    """Call `callback()` once the window's first tool list is applied (now if it already is),
    or after FIRST_TOOLS_FALLBACK_MS: the background work that follows the first paint
    (extensions, reconciliation, pre-imports, readiness) waits for the list instead of slowing
    the scan that makes it."""
    if window._shut_down:  # noqa: SLF001 - a window that is gone starts nothing more
        return
    if window._first_load_done:  # noqa: SLF001
        callback()
        return
    waiting = window.__dict__.setdefault("_after_tools", [])
    waiting.append(callback)
    if len(waiting) == 1:
        from PySide6.QtCore import QTimer

        window._after_tools_timer = QTimer(window, singleShot=True, interval=FIRST_TOOLS_FALLBACK_MS,  # noqa: SLF001
                                           timeout=lambda: run_after_tools(window))
        window._after_tools_timer.start()  # noqa: SLF001


def first_tools_applied(window: Any) -> None:
    window._first_load_done = True  # noqa: SLF001
    if window._restore_last:  # noqa: SLF001
        window.window_state.restore_last_place(window)
    run_after_tools(window)


def run_after_tools(window: Any) -> None:
    stop_waiting_for_tools(window)
    waiting, window._after_tools = window.__dict__.get("_after_tools", []), []  # noqa: SLF001
    for callback in waiting:
        if window._shut_down:  # noqa: SLF001
            return
        callback()


def stop_waiting_for_tools(window: Any) -> None:
    timer = window.__dict__.get("_after_tools_timer")
    if timer is not None:
        timer.stop()


def warm_up_after_first_paint(win: Any) -> None:
    """Pre-import what a first run needs, on a pool thread, 30 ms after the window's first tool
    list (never during the first paint or the scan). The timer belongs to the window; shutdown
    stops it."""
    from PySide6.QtCore import QTimer

    from pixie_desktop.ui import warmup
    from pixie_desktop.ui.workers import submit

    def warmed(*_a: Any) -> None:
        win.warmed = True

    win._warm_timer = QTimer(win, singleShot=True, interval=30,  # noqa: SLF001 - the window's own timer
                             timeout=lambda: submit(warmup.preimport, on_result=warmed, on_error=warmed))
    after_first_tools(win, win._warm_timer.start)  # noqa: SLF001
