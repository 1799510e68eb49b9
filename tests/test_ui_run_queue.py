"""The run queue panel (View ▸ Run queue, or a click on the status bar's run label): it lists the
RunController's running, queued and finished runs, and its Cancel / Cancel all / Move up / Move
down buttons act on the controller. `runs --status queued` explains where queued runs live."""

from __future__ import annotations

import os
import subprocess
import sys

from PySide6.QtCore import Qt

from fixtures_ui_shell import copy_bundled
from pixie_desktop.ui.views.run_queue import RUN_ID_ROLE


def _states(panel) -> list[tuple[str, str]]:
    panel.refresh()
    return [(panel.tree.topLevelItem(i).data(0, RUN_ID_ROLE), panel.tree.topLevelItem(i).text(1))
            for i in range(panel.tree.topLevelItemCount())]


def test_queue_panel_lists_reorders_and_cancels(qtbot, ctx, tools_dir, make_window):
    copy_bundled(tools_dir, "slow-counter")
    win = make_window()
    ctl = win.run_controller
    ctl.set_max_parallel(1)
    tool = ctx.find_tool("slow-counter")
    assert win.action_registry.get("showRunQueue") is not None
    win.action_registry.trigger("showRunQueue")
    panel = win.run_queue_panel
    assert win.run_queue_dock.isVisible() or not win.isVisible()
    ids = [ctl.submit(tool, {"steps": 200, "delay": 0.05}) for _ in range(3)]
    rows = _states(panel)
    assert rows[0] == (ids[0], "Running")
    assert rows[1:] == [(ids[1], "Queued (1st)"), (ids[2], "Queued (2nd)")]
    # move the last one up: it now starts next
    assert panel.select(ids[2])
    assert panel.up_button.isEnabled()
    panel.up_button.click()
    assert [r.run_id for r in ctl.queued()] == [ids[2], ids[1]]
    assert _states(panel)[1] == (ids[2], "Queued (1st)")
    assert panel.select(ids[2])
    panel.down_button.click()
    assert [r.run_id for r in ctl.queued()] == [ids[1], ids[2]]
    # cancel one queued run: it is dropped and listed as cancelled
    assert panel.select(ids[1])
    panel.cancel_button.click()
    assert ctl.state(ids[1]) == "finished"
    assert (ids[1], "Cancelled") in _states(panel)
    # cancel all: the running one stops, the queued one is dropped
    panel.cancel_all_button.click()
    qtbot.waitUntil(lambda: not ctl.running() and not ctl.queued(), timeout=30_000)
    assert all(state in ("Cancelled", "Ok", "Error") for _rid, state in _states(panel))


def test_status_label_click_opens_queue(qtbot, make_window):
    win = make_window()
    assert getattr(win, "run_queue_panel", None) is None
    qtbot.mouseClick(win.running_label, Qt.MouseButton.LeftButton)
    assert win.run_queue_panel is not None and win.run_queue_dock.objectName() == "RunQueueDock"


def test_runs_status_queued_explains():
    p = subprocess.run([sys.executable, "-m", "pixie_desktop", "runs", "--status", "queued"], capture_output=True,
                       text=True, timeout=60, env=dict(os.environ))
    assert p.returncode == 0 and "queued run exists only inside the app" in p.stdout
    j = subprocess.run([sys.executable, "-m", "pixie_desktop", "runs", "--status", "queued", "--json"],
                       capture_output=True, text=True, timeout=60, env=dict(os.environ))
    assert j.returncode == 0 and j.stdout.strip() == "[]"
