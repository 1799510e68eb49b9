"""Issue 11, high 3 end to end through the real main window: a tool whose answer is JSON nested
far past the parser's limit (or carries lone surrogates) leaves no run `running` — the page
stops running, the run row ends `error` (or `ok` once repaired) and the tool can run again.
Fixture: tests/fixtures/tools/hostile (raw stdlib server)."""

from __future__ import annotations

import shutil
from pathlib import Path

from fixtures_ui_shell import wait_idle

from pixie_desktop.store import runs_repo

HOSTILE = Path(__file__).resolve().parent / "fixtures" / "tools" / "hostile"


def test_deep_json_answer_ends_the_run_error_in_the_window(qtbot, make_window, tools_dir, ctx):
    shutil.copytree(HOSTILE, tools_dir / "hostile")
    win = make_window()
    assert win.open_tool("hostile")
    page = win.tool_pages["hostile"]
    page.form.set_values({"mode": "deep", "n": 100_000})
    assert page.run()
    wait_idle(qtbot, page)
    assert win.run_controller.running_count() == 0
    assert runs_repo.count_runs(ctx.conn, status="running") == 0
    (rec,) = runs_repo.list_runs(ctx.conn, tool_id="hostile", limit=5)
    assert rec.status == "error" and "nests deeper than 200 levels" in rec.error_text
    assert page.status_label.text() == "Run failed"

    page.form.set_values({"mode": "surrogate", "n": 0})
    assert page.run()
    wait_idle(qtbot, page)
    assert runs_repo.count_runs(ctx.conn, status="running") == 0
    assert page.last_result.status == "ok" and "\ufffd" in page.last_result.outputs["text"]
