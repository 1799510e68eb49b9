"""Start-up stays lazy (issue 17, "Start fast"): the heavy modules and the hidden pages wait for
first use. No timings here (those are in benchmarks/ui.py): these tests check *what* the start
path loads and builds, which is what made it slow."""

from __future__ import annotations

import os
import subprocess
import sys

from fixtures_ui_shell import make_tool, shell_tools  # noqa: F401 - fixture

# Must not be imported before the main window's first paint: each is only needed by something the
# user has to open or start first (a chart, a code field, validation, a cluster batch, an export,
# the runner's HTTP stack, a hidden page).
LAZY_PREFIXES = ("matplotlib", "numpy", "pygments", "yaml", "dask", "distributed", "pixie_desktop.validation",
                 "pixie_desktop.batch", "pixie_desktop.ui.export_", "pixie_desktop.runtime.runner",
                 "pixie_desktop.runtime.client", "pixie_desktop.ui.views.gallery", "pixie_desktop.ui.views.history",
                 "pixie_desktop.ui.views.tools_overview", "pixie_desktop.ui.revalidate",
                 "pixie_desktop.ops.search", "pixie_desktop.artefacts.sweeper",
                 "pixie_desktop.ui.models.runs_model", "pixie_desktop.queries.search", "pixie_desktop.ops.runs",
                 "pixie_desktop.ui.tray", "pixie_desktop.ui.single_instance", "PySide6.QtNetwork",
                 "pixie_desktop.artefacts.storage",  # a start checks only the artefacts root (artefacts/root.py)
                 "uuid", "platform",  # stdlib: only a hand-over (and the runner) need them
                 "html", "mimetypes", "importlib.resources",  # tooltips, file types, package data: not at start
                 "logging.handlers")  # the log file rotates by itself (logs.SizeRotatingFileHandler)


def test_app_start_imports_nothing_heavy_before_first_paint(shell_tools):  # noqa: F811
    """The real entry point (`python -m pixie_desktop`, offscreen) prints the modules loaded at
    the first paint of its main window (PIXIE_FIRST_PAINT_PROBE, ui/app.py) and exits."""
    make_tool(shell_tools, "charty", "Charty", outputs=[{"key": "c", "type": "chart_line", "label": "C"}])
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PIXIE_FIRST_PAINT_PROBE="0")
    proc = subprocess.run([sys.executable, "-m", "pixie_desktop"], env=env, capture_output=True, text=True,
                          timeout=120)
    lines = dict(ln.split(" ", 1) for ln in proc.stdout.splitlines() if ln.startswith("PIXIE_"))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "PIXIE_FIRST_PAINT" in lines and "PIXIE_RSS_KB" in lines, proc.stdout[-2000:] + proc.stderr[-2000:]
    loaded = set(lines["PIXIE_MODULES"].split())
    assert "pixie_desktop.ui.views.main_window" in loaded and "PySide6.QtWidgets" in loaded  # the probe works
    early = sorted(m for m in loaded if m.startswith(LAZY_PREFIXES))
    assert early == [], f"imported before the first paint: {early}"
    # Only the widget classes the window uses are made (46 today). A C++-made widget handed to
    # PySide to wrap (a scroll area's own viewport(), the app's style()) makes all of them (~97).
    assert int(lines["PIXIE_QT_WIDGET_TYPES"]) < 70, lines["PIXIE_QT_WIDGET_TYPES"]
    enabled, frozen = map(int, lines["PIXIE_GC"].split())
    assert enabled == 1 and frozen > 10_000  # the collector is back on, the start's objects set aside


def test_hidden_pages_are_built_when_first_shown(qtbot, make_window, shell_tools):  # noqa: F811
    win = make_window()
    win.show()
    qtbot.waitExposed(win)
    assert {"home", "history", "gallery", "tools"} <= set(win.pages)  # listed (nav, View menu)…
    assert win.pages.built("home") is not None
    for key in ("history", "gallery", "tools"):  # …but not built
        assert win.pages.built(key) is None, key
    assert "pixie_desktop.ui.views.gallery" not in sys.modules or win.pages.built("gallery") is None

    assert win.show_page("history")
    history = win.pages.built("history")
    assert history is not None and win.stack.currentWidget() is history
    assert win.history_page is history  # the attribute other code uses is the same page
    assert win.pages.built("gallery") is None  # showing one page builds only that one

    gallery = win.pages["gallery"]  # asking for it builds it too, once
    assert win.pages["gallery"] is gallery and win.stack.indexOf(gallery) >= 0
    assert win.tools_overview is win.pages.built("tools")
    assert win.show_page("tools") and win.stack.currentWidget() is win.tools_overview


def test_sidebar_rows_hover_from_the_style_sheet(qtbot, make_window, shell_tools):  # noqa: F811
    """The tree's viewport gets WA_Hover from the shell's style sheet when Qt polishes it (no
    Python `viewport()` call at start: its first call realises every QWidget subclass's enums),
    so rows still highlight, from the first paint on, and after a theme change too."""
    from PySide6.QtCore import Qt

    win = make_window()
    tree = win.sidebar.tree
    win.show()
    qtbot.waitExposed(win)
    qtbot.waitUntil(lambda: tree.viewport().testAttribute(Qt.WidgetAttribute.WA_Hover), timeout=5000)
    win.set_theme("dark")
    qtbot.wait(10)
    assert tree.viewport().testAttribute(Qt.WidgetAttribute.WA_Hover)


def test_a_page_viewport_is_set_up_as_the_one_qt_makes(qtbot):
    """window_commands.page_viewport stands in for the viewport QScrollArea makes itself (whose
    first viewport() call is what made every widget class): same name, background, focus proxy,
    touch and gesture handling, and the page in it still scrolls with the wheel."""
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication, QLabel, QScrollArea, QVBoxLayout, QWidget

    from pixie_desktop.ui.window_commands import page_viewport, scrolling_page

    def described(vp):
        attrs = sorted(n for n, m in Qt.WidgetAttribute.__members__.items() if vp.testAttribute(m))
        return (vp.metaObject().className(), vp.objectName(), vp.backgroundRole(), vp.autoFillBackground(),
                vp.focusProxy() is vp.parentWidget(), attrs)

    plain = QScrollArea()
    qtbot.addWidget(plain)
    ours = QScrollArea()
    qtbot.addWidget(ours)
    viewport = page_viewport(ours)
    assert ours.viewport() is viewport and viewport.parentWidget() is ours
    assert described(viewport) == described(plain.viewport())

    def tall(parent):
        page = QWidget(parent)
        layout = QVBoxLayout(page)
        for i in range(60):
            layout.addWidget(QLabel(f"row {i}"))
        return page

    area, page = scrolling_page(tall)
    qtbot.addWidget(area)
    area.resize(300, 200)
    area.show()
    qtbot.waitExposed(area)
    bar = area.verticalScrollBar()
    assert page.parentWidget() is area.viewport() and bar.maximum() > 0 and bar.value() == 0
    centre = QPointF(area.viewport().rect().center())
    wheel = QWheelEvent(centre, QPointF(area.viewport().mapToGlobal(centre.toPoint())), QPoint(),
                        QPoint(0, -120), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(area.viewport(), wheel)
    assert bar.value() > 0


def test_lazy_page_that_cannot_be_built_is_reported_not_fatal(qtbot, make_window, shell_tools):  # noqa: F811
    win = make_window()
    win.add_lazy_page("broken", "Broken", lambda: None)
    assert "broken" in win.pages
    assert not win.show_page("broken")
    assert "broken" not in win.pages and win.current_page != "broken"


def test_start_extensions_are_split_by_name():
    from pixie_desktop.ui.app import START_EXTENSIONS
    from pixie_desktop.ui.extensions import default_extensions

    early = [e.name for e in default_extensions(object(), only=START_EXTENSIONS)]
    later = [e.name for e in default_extensions(skip=START_EXTENSIONS)]
    assert early == ["palette", "drops", "single-instance"]
    assert later == ["revalidation", "tray", "sweeper", "live_discovery", "search-index"]
    assert [e.name for e in default_extensions()] == ["palette", "drops", *later]  # the full list, as before


def test_gui_reconciles_interrupted_runs_after_first_paint(qtbot, ctx):
    """run_gui opens its context without the start-up reconciliation (it scans the runs table)
    and runs it on a pool thread once the window is painted: the dead app's run ends `error`
    and is announced; a run owned by this (live) process is left alone."""
    from pixie_desktop.store import runs_repo
    from pixie_desktop.ui.app import reconcile_later
    from pixie_desktop.ui.store_events import StoreEvents

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    runs_repo.create_run(ctx.conn, "r-dead", "alpha", {}, meta={"owner_pid": dead.pid})
    runs_repo.create_run(ctx.conn, "r-live", "alpha", {})
    ctx.conn.commit()
    hub = StoreEvents()
    with qtbot.waitSignal(hub.runChanged, timeout=10_000) as sig:
        reconcile_later(ctx, hub)
    assert sig.args == ["r-dead"]
    qtbot.waitUntil(lambda: ctx.startup.interrupted_runs == ["r-dead"], timeout=5000)
    assert runs_repo.get_run(ctx.conn, "r-dead").status == "error"
    assert runs_repo.get_run(ctx.conn, "r-live").status == "running"


def test_action_batch_rebuilds_the_menus_once(qtbot, make_window, shell_tools):  # noqa: F811
    from pixie_desktop.ui.actions import Action

    win = make_window()
    reg = win.action_registry
    rebinds = []
    real = reg._rebind  # noqa: SLF001
    reg._rebind = lambda: (rebinds.append(reg._batching), real())  # noqa: SLF001
    with reg.batch():
        reg.register(Action("zz.one", "One", lambda _c: None, ("Tools",), ("Ctrl+Alt+1",)))
        reg.register(Action("zz.two", "Two", lambda _c: None, ("Tools",)))
        assert reg.qaction("zz.one") is None  # not built while batching
    assert reg.qaction("zz.one") is not None and reg.qaction("zz.two") is not None
    assert [s.toString() for s in reg.qaction("zz.one").shortcuts()] == ["Ctrl+Alt+1"]
    assert rebinds.count(0) == 1  # one real rebuild, after the batch


def _counting_window(qtbot, ctx, monkeypatch):
    from pixie_desktop.ui.store_events import StoreEvents
    from pixie_desktop.ui.views.main_window import MainWindow

    calls: list[bool] = []
    real = MainWindow.refresh_tools
    monkeypatch.setattr(MainWindow, "refresh_tools", lambda self, sync=False: (calls.append(sync), real(self, sync))[1])
    win = MainWindow(ctx, events=StoreEvents(), restore=False)  # scan_async, as the app builds it
    qtbot.addWidget(win)
    return win, calls


def test_first_async_scan_starts_after_the_first_paint(qtbot, ctx, shell_tools, monkeypatch):  # noqa: F811
    """The app's window scans the tools folder on a pool thread once its first paint is done (a
    scan alongside the paint slowed it), and what else waits for the paint waits for the list."""
    from pixie_desktop.ui import window_commands as wc

    win, calls = _counting_window(qtbot, ctx, monkeypatch)
    later: list[int] = []
    try:
        assert calls == []  # nothing submitted during construction
        wc.after_first_tools(win, lambda: later.append(len(win.tools_model.rows())))
        win.show()
        assert calls == [] and not getattr(win, "_painted", False)  # shown, not painted: not yet
        qtbot.waitUntil(lambda: calls == [False], timeout=20_000)  # the first paint starts it
        assert win._painted  # noqa: SLF001
        qtbot.waitUntil(lambda: {"alpha", "beta", "gamma"} <= {r.info.tool_id for r in win.tools_model.rows()},
                        timeout=20_000)
        assert later and later[0] >= 3  # ran once the list was in, not at the paint
        qtbot.wait(20)
        assert calls == [False] and len(later) == 1  # once each: the fallback turns do nothing
        wc.after_first_tools(win, lambda: later.append(-1))
        assert later[-1] == -1  # after the first list: at once
    finally:
        win.shutdown()


def test_work_waiting_for_the_first_tools_runs_anyway_when_the_scan_fails(qtbot, ctx, shell_tools,  # noqa: F811
                                                                          monkeypatch):
    from pixie_desktop.ui import warmup
    from pixie_desktop.ui import window_commands as wc

    monkeypatch.setattr(warmup, "scan_tools", lambda ctx: (_ for _ in ()).throw(OSError("tools folder gone")))
    monkeypatch.setattr(wc, "FIRST_TOOLS_FALLBACK_MS", 50)
    win, _calls = _counting_window(qtbot, ctx, monkeypatch)
    ran: list[int] = []
    try:
        wc.after_first_tools(win, lambda: ran.append(1))
        win.show()
        qtbot.waitUntil(lambda: ran == [1], timeout=10_000)
        assert "Could not scan tools" in win.statusBar().currentMessage()
    finally:
        win.shutdown()


def test_first_async_scan_runs_for_a_window_never_shown(qtbot, ctx, shell_tools, monkeypatch):  # noqa: F811
    win, calls = _counting_window(qtbot, ctx, monkeypatch)
    try:
        qtbot.waitUntil(lambda: len(win.tools_model.rows()) >= 3, timeout=20_000)
        assert calls == [False] and not win.isVisible()
    finally:
        win.shutdown()


def test_the_app_made_with_fusion_is_never_asked_for_its_style(qapp, monkeypatch):
    """ui/app.py makes its QApplication with `-style fusion` and says so (theme.started_with_fusion):
    the system scheme is then read from the platform's palette (ours is not set yet) and the theme
    is applied without `app.style()`, whose first Python call realises QStyle's enums."""
    from PySide6.QtGui import QGuiApplication, QPalette

    from pixie_desktop.ui import theme

    monkeypatch.setattr(theme, "_applied_dark", None)
    monkeypatch.setattr(theme, "_fusion_app", None)
    asked: list[int] = []
    real_style = qapp.style
    monkeypatch.setattr(qapp, "style", lambda: asked.append(1) or real_style(), raising=False)
    monkeypatch.setattr(QGuiApplication.styleHints(), "colorScheme", lambda: None, raising=False)  # "not known"
    theme.system_is_dark()
    assert asked  # an app of unknown style: its style's palette is asked, as before
    asked.clear()
    theme.started_with_fusion(qapp)
    expected = QGuiApplication.palette().color(QPalette.ColorRole.Window).lightness() < 128
    assert theme.system_is_dark() is expected
    applied = theme.apply_theme(qapp, False)
    assert asked == [] and applied.dark is False


def test_the_collector_pause_is_undone_once_and_only_when_it_paused():
    import gc

    from pixie_desktop import start_gc

    assert gc.isenabled()
    start_gc.resume()  # nothing paused: nothing frozen
    assert gc.isenabled() and not start_gc.paused()
    frozen = gc.get_freeze_count()
    try:
        start_gc.pause()
        assert not gc.isenabled() and start_gc.paused()
        start_gc.pause()  # already off: still one pause
        start_gc.resume()
        assert gc.isenabled() and not start_gc.paused() and gc.get_freeze_count() >= frozen
        start_gc.resume()
        assert gc.isenabled()
        gc.disable()  # someone else turned it off: not ours to turn back on
        try:
            start_gc.pause()
            start_gc.resume()
            assert not gc.isenabled()
        finally:
            gc.enable()
    finally:
        gc.unfreeze()  # the test process keeps collecting everything
        gc.enable()
