"""The app's wiring of the optional parts: tray hears run start/finish from the RunController,
command-line / handed-over paths go to the window's drop handling, housekeeping is scheduled and
stopped with the window."""

from __future__ import annotations

from fixtures_ui_shell import copy_bundled  # noqa: F401 - shared helper
from pixie_desktop.runtime.queue import RunRequest
from pixie_desktop.runtime.runner import RunResult
from pixie_desktop.ui.run_controller import not_started_result


def test_tray_hears_runs_and_paths_reach_the_drop_controller(qtbot, make_window, shell_tools, ctx, tmp_path):
    from pixie_desktop.ui.app import install_extensions, open_paths

    win = make_window()
    exts = install_extensions(win, ctx)
    assert exts.failed == []
    tray = exts.get("tray").tray
    calls: list[tuple] = []
    tray.run_started = lambda run_id, title: calls.append(("started", run_id, title))
    tray.run_finished = lambda run_id, title, status, dur, err=None: calls.append(("finished", run_id, status))
    tool_id = win.tools_model.rows()[0].info.tool_id
    runs = win.run_controller
    runs.runStarted.emit("r-wire", tool_id)
    runs.runFinished.emit("r-wire", tool_id, RunResult("r-wire", tool_id, "ok", {}, None, 7.5))
    runs.runFailed.emit("r-never", tool_id, "refused: x must be a number")  # never started: not a tray run
    runs.runFinished.emit("r-dropped", tool_id, not_started_result(RunRequest(win.tools_model.tool(tool_id), {},
                                                                              run_id="r-dropped")))
    name = win.tools_model.tool(tool_id).name
    assert calls == [("started", "r-wire", name), ("finished", "r-wire", "ok")]

    seen: list = []
    exts.get("drops").controller.handle_drop = lambda paths: seen.append(list(paths))
    f = tmp_path / "data.csv"
    f.write_text("a,b\n1,2\n")
    open_paths(exts, ["--flag", str(f), str(tmp_path / "missing.csv")])
    assert seen == [[f]]

    timer = exts.get("sweeper").scheduler._timer  # noqa: SLF001 - the first sweep is scheduled, not run now
    assert timer.isActive()
    exts.shutdown()
    assert not timer.isActive() and exts.names() == []


def test_palette_takes_ctrl_k_and_ctrl_f_still_finds_tools(qtbot, make_window, shell_tools, ctx):
    from PySide6.QtGui import QKeySequence

    from pixie_desktop.ui.app import install_extensions

    win = make_window()
    exts = install_extensions(win, ctx)
    assert exts.failed == []
    keys = [s.toString() for s in win.find_action.shortcuts()]
    assert "Ctrl+K" not in keys  # the palette (which searches tools too) owns Ctrl+K
    assert QKeySequence(QKeySequence.StandardKey.Find).toString() in keys
    win.find_action.trigger()
    assert win.sidebar.search.hasFocus() or win.focusWidget() is win.sidebar.search
    exts.shutdown()
