"""Test isolation: every test gets a temp data dir, temp database and temp tools dir via the
PIXIE_* variables; XDG dirs and HOME point into tmp so nothing touches the real home or the
repo's pixie.db. Leak guards fail a test that leaves tool processes behind
(`no_leaked_processes`), or — when the test used Qt — pool jobs, tool runs, running timers or
top-level windows (`no_leaked_qt_work`)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

pytest_plugins = ["fixtures_gallery", "fixtures_validation", "fixtures_ui_shell", "fixtures_runtime"]

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SHARED_SPEC = REPO.parent / "shared" / "spec"


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    root = tmp_path / "pixie-root"
    paths = {
        "root": root,
        "tools": root / "tools",
        "db": root / "pixie.db",
        "artefacts": root / "artefacts",
        "home": tmp_path / "home",
    }
    for key in ("root", "tools", "artefacts", "home"):
        paths[key].mkdir(parents=True, exist_ok=True)
    monkeypatch.setenv("PIXIE_ROOT", str(root))
    monkeypatch.setenv("PIXIE_TOOLS_DIR", str(paths["tools"]))
    monkeypatch.setenv("PIXIE_DB_PATH", str(paths["db"]))
    monkeypatch.setenv("PIXIE_ARTEFACTS_ROOT", str(paths["artefacts"]))
    monkeypatch.setenv("HOME", str(paths["home"]))
    monkeypatch.setenv("PIXIE_LOG_DIR", str(tmp_path / "logs"))  # pixie_desktop.logs never writes to home
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(var, str(paths["home"] / var.lower()))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "run"))
    (tmp_path / "run").mkdir(mode=0o700, exist_ok=True)
    return paths


@pytest.fixture
def tools_dir(isolated_env: dict[str, Path]) -> Path:
    return isolated_env["tools"]


@pytest.fixture
def db_path(isolated_env: dict[str, Path]) -> Path:
    return isolated_env["db"]


@pytest.fixture
def conn(db_path: Path):
    from pixie_desktop.store.db import open_db

    c = open_db(db_path)
    yield c
    c.close()


@pytest.fixture
def ctx(isolated_env):
    from pixie_desktop.context import open_context

    c = open_context()
    yield c
    c.close()


def _children() -> set[int]:
    try:
        import psutil
    except ImportError:  # pragma: no cover
        return set()
    try:
        return {p.pid for p in psutil.Process().children(recursive=True) if p.status() != psutil.STATUS_ZOMBIE}
    except psutil.Error:
        return set()


@pytest.fixture(autouse=True)
def no_leaked_processes():
    """No tool subprocess may outlive its test."""
    before = _children()
    yield
    import time

    deadline = time.monotonic() + 5
    leaked = _children() - before
    while leaked and time.monotonic() < deadline:
        time.sleep(0.05)
        leaked = _children() - before
    if leaked:
        import psutil

        desc = []
        for pid in leaked:
            try:
                p = psutil.Process(pid)
                desc.append(f"{pid} {' '.join(p.cmdline())[:120]}")
                p.kill()
            except psutil.Error:
                pass
        if desc:
            pytest.fail("test leaked child processes: " + "; ".join(desc))


# --- Qt leak guard --------------------------------------------------------------------------
# Only looks at Qt when the test (or an earlier one) imported it: core tests never pull Qt in.

QT_DRAIN_SECONDS = 10.0  # bounded wait for background jobs a test started to finish on their own


def _qt_app():
    if "PySide6.QtWidgets" not in sys.modules:
        return None
    from PySide6.QtWidgets import QApplication

    return QApplication.instance()


def _live_runs() -> list[str]:
    """Tool runs still queued or running in any live RunController (ui/run_controller.py)."""
    controller_mod = sys.modules.get("pixie_desktop.ui.run_controller")
    if controller_mod is None:
        return []
    return [f"run {r} (RunController)" for r in controller_mod.live_runs()]


def _cancel_live_runs() -> None:
    controller_mod = sys.modules.get("pixie_desktop.ui.run_controller")
    if controller_mod is not None:
        controller_mod.cancel_all_runs()


def _pool_work() -> list[str]:
    """Background jobs still alive: Task objects in ui.workers and busy pool threads."""
    out = []
    workers = sys.modules.get("pixie_desktop.ui.workers")
    if workers is not None:
        if workers.live_tasks():
            out.append(f"{workers.live_tasks()} live Task(s) in ui.workers")
        pool = getattr(workers, "_pool", None)  # never create the pool just to look at it
        if pool is not None and pool.activeThreadCount():
            out.append(f"app_pool() has {pool.activeThreadCount()} active thread(s)")
    controller_mod = sys.modules.get("pixie_desktop.ui.run_controller")
    for ctl in (controller_mod.live_controllers() if controller_mod is not None else []):
        if ctl.pool.activeThreadCount():
            out.append(f"a RunController's run pool has {ctl.pool.activeThreadCount()} active thread(s)")
    from PySide6.QtCore import QThreadPool

    if QThreadPool.globalInstance().activeThreadCount():
        out.append(f"global QThreadPool has {QThreadPool.globalInstance().activeThreadCount()} active thread(s)")
    return out


def _flush_deletes(app) -> None:
    from PySide6.QtCore import QEvent

    app.processEvents()
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # deleteLater()s pytest-qt just queued


def _windows(app) -> dict[int, object]:
    """Top-level windows that would leak: visible ones, and any without a parent (popups and
    dialogs parented to a live widget go with it)."""
    from shiboken6 import Shiboken

    return {Shiboken.getCppPointer(w)[0]: w for w in app.topLevelWidgets()
            if Shiboken.isValid(w) and (w.isVisible() or w.parent() is None)}


def _active_timers() -> dict[int, object]:
    import gc

    from PySide6.QtCore import QTimer
    from shiboken6 import Shiboken

    return {id(t): t for t in gc.get_objects()
            if isinstance(t, QTimer) and Shiboken.isValid(t) and t.isActive()}


def _describe(obj) -> str:
    from shiboken6 import Shiboken

    if not Shiboken.isValid(obj):
        return type(obj).__name__ + " (deleted)"
    name = f"{type(obj).__name__}"
    if obj.objectName():
        name += f" {obj.objectName()!r}"
    title = getattr(obj, "windowTitle", None)
    if callable(title) and title():
        name += f" titled {title()!r}"
    text = getattr(obj, "text", None)
    if callable(text) and isinstance(text(), str) and text():
        name += f" showing {text()[:40]!r}"
    parent = obj.parent()
    if parent is not None and Shiboken.isValid(parent):
        name += f" owned by {type(parent).__name__}" + (f" {parent.objectName()!r}" if parent.objectName() else "")
    if hasattr(obj, "interval"):
        name += f" (interval {obj.interval()} ms)"
    return name


class QtLeakCheck:
    """What a test left behind in Qt: take a snapshot before, call `leaks()` after."""

    def __init__(self, app) -> None:
        self.app = app
        self.windows_before = set(_windows(app))
        self.timers_before = set(_active_timers())
        self.windows: dict[int, object] = {}
        self.timers: dict[int, object] = {}

    def _new(self) -> None:
        self.windows = {k: w for k, w in _windows(self.app).items() if k not in self.windows_before}
        self.timers = {k: t for k, t in _active_timers().items() if k not in self.timers_before}

    def leaks(self, drain_seconds: float = QT_DRAIN_SECONDS) -> list[str]:
        """Wait (processing events) up to drain_seconds for jobs and runs to end, then list leaks."""
        import time

        deadline = time.monotonic() + drain_seconds
        while (_pool_work() or _live_runs()) and time.monotonic() < deadline:
            self.app.processEvents()
            time.sleep(0.02)
        found = [f"pool: {p}" for p in _pool_work()] + _live_runs()
        _flush_deletes(self.app)
        self._new()
        if self.windows or self.timers:  # unreachable cycles are not leaks: collect, look again
            import gc

            gc.collect()
            _flush_deletes(self.app)
            self._new()
        found += [f"top-level window: {_describe(w)}" + (" (visible)" if w.isVisible() else "")
                  for w in self.windows.values()]
        found += [f"running QTimer: {_describe(t)}" for t in self.timers.values()]
        return found

    def clean_up(self) -> None:
        """Stop what leaked so one leaking test does not fail the tests after it."""
        _cancel_live_runs()
        workers = sys.modules.get("pixie_desktop.ui.workers")
        if workers is not None:
            workers.wait_for_all(5_000)
        for t in self.timers.values():
            t.stop()
        for w in self.windows.values():
            w.close()
            w.deleteLater()
        _flush_deletes(self.app)


@pytest.fixture(autouse=True)
def no_leaked_qt_work():
    """After a test that used Qt: no pool jobs, tool runs, running QTimers or top-level windows
    the test created may be left over (pytest-qt has closed the qtbot.addWidget ones by now)."""
    app = _qt_app()
    check = QtLeakCheck(app) if app is not None else None
    yield
    app = _qt_app()
    if app is None:
        return
    if check is None:  # the test imported Qt itself: everything Qt it left is its own
        check = QtLeakCheck.__new__(QtLeakCheck)
        check.app, check.windows_before, check.timers_before = app, set(), set()
    leaks = check.leaks()
    if leaks:
        check.clean_up()
        pytest.fail("test leaked Qt work (close/shut down what the test opens, wait for its jobs):\n  "
                    + "\n  ".join(leaks), pytrace=False)


def write_tool(tools_dir: Path, folder: str, tool_json: str | dict, main_py: str | None = None,
               extra: dict[str, str] | None = None) -> Path:
    """Create tools/<folder>/ with tool.json (+ main.py and extra files)."""
    import json

    d = tools_dir / folder
    d.mkdir(parents=True, exist_ok=True)
    (d / "tool.json").write_text(tool_json if isinstance(tool_json, str) else json.dumps(tool_json, indent=2))
    if main_py is not None:
        (d / "main.py").write_text(main_py)
    for name, text in (extra or {}).items():
        (d / name).parent.mkdir(parents=True, exist_ok=True)
        (d / name).write_text(text)
    return d


sys.path.insert(0, str(Path(__file__).resolve().parent))


def pytest_collection_modifyitems(config, items):
    """Tests marked `child_only` run only inside the child interpreter their parent test starts
    (tests/test_untrusted_render.py): deselect them in the normal run instead of skipping."""
    if os.environ.get("PIXIE_RENDER_CHILD") == "1":
        return
    keep = [item for item in items if item.get_closest_marker("child_only") is None]
    dropped = [item for item in items if item.get_closest_marker("child_only") is not None]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


@pytest.fixture(autouse=True)
def _reset_applied_theme():
    """A test that applied the dark theme must not leave later tests' `theme.current()` dark."""
    yield
    theme_mod = sys.modules.get("pixie_desktop.ui.theme")
    if theme_mod is not None:
        theme_mod._applied_dark = None
