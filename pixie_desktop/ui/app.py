"""GUI entry: build the QApplication, the AppContext and the main window, then install the
extensions (command palette, window-level drops, revalidation, tray, sweeper, single instance)
with explicit services, and shut them down in reverse order from one place at exit. An
extension that fails to install is reported and never stops the app. Only what the first seconds
need is installed before the window shows; the background ones follow its first paint."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable, Iterable

from pixie_desktop import start_gc
from pixie_desktop.ui.extensions import Extension, Extensions, Services, default_extensions
from pixie_desktop.ui.first_paint import after_first_paint


def install_extensions(window: Any, ctx: Any, extensions: Iterable[Extension] | None = None) -> Extensions:
    """Install `extensions` (default: the app's standard list) into `window`; the returned
    Extensions holds them (`get(name)`, `shutdown()`) and the failures (`failed`)."""
    exts = Extensions(Services.for_window(window, ctx))
    exts.install_all(default_extensions() if extensions is None else extensions)
    return exts


def open_paths(extensions: Extensions, args: list[str]) -> None:
    """Files/folders given on the command line (or handed over by a second launch): a tool folder
    is offered for import; files open the tool that accepts them."""
    paths = [Path(a).expanduser() for a in args if a and not a.startswith("-")]
    # a tool.json (opened by its MIME type, see packaging/pixie-desktop-mime.xml) means its tool folder
    paths = [p.parent if p.name == "tool.json" and p.is_file() else p for p in paths if p.exists()]
    drops = extensions.get("drops")
    if paths and drops is not None:
        drops.handle_paths(paths)


PROBE_ENV = "PIXIE_FIRST_PAINT_PROBE"
# Installed before the window shows: what the first seconds may need (Ctrl+K, a drop, a second
# launch handing over). The rest (revalidation, tray, sweeper, live discovery, search index) only
# works in the background: installed one per event-loop turn once the first paint is on screen.
START_EXTENSIONS = ("palette", "drops", "single-instance")


def reconcile_later(ctx: Any, hub: Any = None) -> Any:
    """The start-up reconciliation (runs and validation jobs left `running` by a dead app, report
    pruning, recovery of interrupted runs) on a pool thread with its own connection: it scans the
    whole runs table, which the first paint must not wait for. Runs it marks are announced."""
    from pixie_desktop.context import reconcile_and_recover
    from pixie_desktop.ops.change import Change
    from pixie_desktop.ui.publish import publish
    from pixie_desktop.ui.workers import submit

    def work() -> Any:
        conn = ctx.new_connection()
        try:
            return reconcile_and_recover(conn, ctx.settings)
        finally:
            conn.close()

    def done(report: Any) -> None:
        ctx.startup = report
        publish(Change.of(run_ids=report.interrupted_runs), hub)

    return submit(work, on_result=done)


def install_first_paint_probe(app: Any, window: Any, hold_s: float) -> Any:
    """For benchmarks/ui.py (set PIXIE_FIRST_PAINT_PROBE=<seconds>): print
    `PIXIE_FIRST_PAINT <time.monotonic()>` once the window's first paint has been flushed,
    `PIXIE_TOOLS_LISTED <time.monotonic()>` once its tool list first holds tools, then
    `PIXIE_RSS_KB <kB>` `hold_s` seconds later, and quit the app through its normal exit path."""
    import time

    from PySide6.QtCore import QTimer

    def rss() -> None:
        with open("/proc/self/status", encoding="ascii") as f:
            kb = next((ln.split()[1] for ln in f if ln.startswith("VmRSS")), "0")
        print("PIXIE_RSS_KB", kb, flush=True)
        import gc

        print("PIXIE_GC", int(gc.isenabled()), gc.get_freeze_count(), flush=True)  # start_gc.resume() ran
        app.quit()

    def listed(*_a: Any) -> None:  # the first time the sidebar's model holds tools
        if window.tools_model.rowCount() > 0 and not listed.done:  # type: ignore[attr-defined]
            listed.done = True  # type: ignore[attr-defined]
            print("PIXIE_TOOLS_LISTED", time.monotonic(), flush=True)

    listed.done = False  # type: ignore[attr-defined]
    window.tools_model.modelReset.connect(listed)
    window.tools_model.rowsInserted.connect(listed)

    def painted() -> None:
        print("PIXIE_FIRST_PAINT", time.monotonic(), flush=True)
        print("PIXIE_FIRST_PAINT_CPU", time.process_time(), flush=True)  # all threads' CPU seconds
        print("PIXIE_MODULES", " ".join(sorted(sys.modules)), flush=True)  # what the start imported
        from pixie_desktop import kept_code

        print("PIXIE_COMPILED", kept_code.stats()["compiled"], flush=True)  # not found in the kept code
        widgets = sys.modules["PySide6.QtWidgets"]  # the widget classes PySide has made so far
        print("PIXIE_QT_WIDGET_TYPES", sum(isinstance(v, type) for v in vars(widgets).values()), flush=True)
        QTimer.singleShot(int(hold_s * 1000), rss)

    return after_first_paint(window, painted, fallback_ms=60_000)


def install_later(exts: Extensions, later: list[Extension], report: Callable[[list[str]], None]) -> None:
    """Install `later` one per event-loop turn, so input and paints keep flowing in between."""
    from PySide6.QtCore import QTimer

    def step() -> None:
        if later:
            with exts.services.actions.batch():
                report(exts.install_all([later.pop(0)]))
            QTimer.singleShot(0, step)

    step()


def fast_pyside_module_check() -> None:
    """PySide6 looks at every module imported after it for the word "PySide6" (to scope its
    optional `__feature__` switches), through `inspect.getsource` — about half a millisecond per
    module, a large share of the app's import time. The same question, answered by reading the
    module's file once; anything else goes to PySide's own check."""
    feature = sys.modules.get("shibokensupport.feature")
    original = getattr(feature, "_mod_uses_pyside", None)
    if original is None or getattr(original, "pixie_fast", False):
        return

    def uses_pyside(module: Any) -> bool:
        path = getattr(module, "__file__", None)
        if not (isinstance(path, str) and path.endswith(".py")):
            return original(module)
        try:
            with open(path, "rb") as f:
                return b"PySide6" in f.read()
        except OSError:
            return original(module)

    uses_pyside.pixie_fast = True  # type: ignore[attr-defined]
    feature._mod_uses_pyside = uses_pyside  # type: ignore[union-attr]


UI_SWITCH_INTERVAL_S = 0.001


def favour_the_ui_thread() -> None:
    """Let the UI thread take the GIL within about a millisecond when background threads want it
    (Python's default is 5 ms). A run's stream relay, its runner and its request threads each
    wake often and take the interpreter back before a waiting UI thread gets in: at the default,
    a tool streaming 10,000 chunks froze the window for 90-180 ms at a time; at 1 ms, 28-33 ms
    (benchmarks/stream.py, which calls this too). Background work pays a little in switches.
    The app sets it after its first paint: set earlier, the extra switches only slowed the start."""
    sys.setswitchinterval(UI_SWITCH_INTERVAL_S)


def keep_code_later(window: Any, delay_ms: int = 3000) -> None:
    """Keep the code compiled during the start (kept_code.py) a few seconds after the first
    paint, on a pool thread, so a session that is later killed still speeds up the next start.
    The exit writes whatever came after."""
    from PySide6.QtCore import QTimer

    from pixie_desktop import kept_code
    from pixie_desktop.ui.workers import submit

    if kept_code.stats()["installed"]:
        QTimer.singleShot(delay_ms, window, lambda: submit(kept_code.save))


def claim_instance(args: list[str]) -> Any:
    """The single-instance step, before Qt starts (integration/instance.py): a Claim that handed
    `args` to the running app (`handed_over`: exit, Qt never started), or holds the bound socket
    this app will serve (`listener`), or neither (an instance that did not answer: run alone).
    None where a plain unix socket cannot do it: the app then asks through Qt (`qt_instance`)."""
    try:
        from pixie_desktop.config import app_root
        from pixie_desktop.integration.instance import claim, server_name

        return claim(server_name(app_root()), list(args))  # the name open_context's settings.root gives
    except Exception:  # noqa: BLE001 - no single-instance support this way: the Qt path decides
        return None


def qt_instance(ctx: Any, args: list[str]) -> Any:
    """The Qt way (SingleInstance.send): "handed-over", a SingleInstance to start, or None."""
    try:
        from pixie_desktop.ui.single_instance import SingleInstance

        single = SingleInstance.for_settings(ctx.settings)
        return "handed-over" if single.send(list(args)) else single
    except Exception:  # noqa: BLE001 - no single-instance support: just run
        return None


def run_gui(args: list[str]) -> int:
    claimed = claim_instance(args)
    if claimed is not None and claimed.handed_over:
        return 0  # the running window got our arguments and came to the front
    try:
        return _run_window(args, claimed)
    finally:
        start_gc.resume()  # a start that ended before its first paint (normally done after it)
        if claimed is not None:
            claimed.release()  # only when the window never adopted its socket (a failed start)


def _run_window(args: list[str], claimed: Any) -> int:
    import sqlite3

    from pixie_desktop import kept_code

    with kept_code.compiling_pyside_support():  # the process's first PySide6 import
        from PySide6.QtWidgets import QApplication
    fast_pyside_module_check()
    from pixie_desktop import APP_ID, APP_NAME
    from pixie_desktop.context import open_context
    from pixie_desktop.ui import window_commands as wc
    from pixie_desktop.ui.views.main_window import MainWindow

    app = QApplication.instance()
    if app is None:  # Fusion from the start (the theme sets it anyway): nothing is restyled later
        app = QApplication([sys.argv[0], *args, "-style", "fusion"])
        from pixie_desktop.ui import theme

        theme.started_with_fusion(app)
    from pixie_desktop.ui import errors
    errors.install()  # log file + sys/threading excepthooks showing the non-modal error notice
    app.setApplicationName(APP_ID)
    app.setApplicationDisplayName(APP_NAME)
    app.setDesktopFileName(APP_ID)
    try:
        ctx = open_context(reconcile_on_start=False)  # reconciled after the first paint: reconcile_later
    except sqlite3.DatabaseError as exc:  # store.db.DatabaseUnreadable: clear message, pixie.db untouched
        from PySide6.QtWidgets import QMessageBox  # only here: its enums cost start-up time

        QMessageBox.critical(None, APP_NAME, str(exc)); return 1  # noqa: E702
    if claimed is None:  # no claim before Qt (no unix sockets): Qt asks now
        single = qt_instance(ctx, args)
        if single == "handed-over":
            ctx.close()
            return 0
    else:  # its socket is adopted after the first paint (None: an instance that did not answer)
        single = claimed if claimed.listener is not None else None
    try:
        from pixie_desktop.ui.app_icon import app_icon  # not ui/tray: it waits for the paint

        app.setWindowIcon(app_icon())
    except Exception:  # noqa: BLE001 - a missing icon theme leaves Qt's default icon
        pass
    window = MainWindow(ctx)
    exts = Extensions(Services.for_window(window, ctx))

    def report(problems: list[str]) -> None:
        for problem in problems:
            print(f"pixie-desktop: {problem}", file=sys.stderr)

    with window.action_registry.batch():  # one menu rebuild for what the extensions declare
        report(exts.install_all(default_extensions(single, lambda a: open_paths(exts, a), only=START_EXTENSIONS)))
    # after the paint, the tool scan first (wc.on_first_paint); the background work once its list is in
    after_first_paint(window, lambda: (start_gc.resume(), favour_the_ui_thread(), wc.after_first_tools(
        window, lambda: (reconcile_later(ctx, window.events), keep_code_later(window),
                         install_later(exts, default_extensions(skip=START_EXTENSIONS), report)))))
    import os

    if os.environ.get(PROBE_ENV):
        install_first_paint_probe(app, window, float(os.environ[PROBE_ENV]))
    window.show()
    open_paths(exts, list(args))
    try:
        return app.exec()
    finally:
        exts.shutdown()
        window.shutdown()
        ctx.close()
