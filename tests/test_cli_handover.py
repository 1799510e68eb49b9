"""`pixie-desktop run` while the app is open (issue 17 item 2): the command line hands the run
to the running window over the single-instance socket; the app runs it on its warm pool (same
tool process twice), it shows in History with meta_json via="app", and the command prints what
a local run prints. With no app, or with --no-app, it runs on its own as before."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

pytest.importorskip("PySide6.QtNetwork")
pytestmark = pytest.mark.timeout(400)  # each test starts one or two CLI processes: slow on a loaded machine

from fixtures_ui_shell import copy_bundled  # noqa: E402


def _cli(*args: str, env: dict | None = None) -> subprocess.Popen:
    # PIXIE_* and XDG_RUNTIME_DIR come from the test's isolated env: the same data dir → the same socket
    return subprocess.Popen([sys.executable, "-m", "pixie_desktop", *args], env={**os.environ, **(env or {})},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(proc: subprocess.Popen, qtbot, timeout: int = 90_000) -> tuple[int, str, str]:
    try:
        qtbot.waitUntil(lambda: proc.poll() is not None, timeout=timeout)  # the app keeps serving meanwhile
    finally:
        if proc.poll() is None:
            proc.kill()
    out, err = proc.communicate()
    return proc.returncode, out, err


@pytest.fixture
def app_window(qtbot, ctx, tools_dir, make_window):
    """The app as run_gui builds it: a window with its extensions, the single-instance server listening."""
    from pixie_desktop.ui.app import install_extensions
    from pixie_desktop.ui.extensions import default_extensions
    from pixie_desktop.ui.single_instance import SingleInstance

    copy_bundled(tools_dir, "calculator")
    win = make_window()
    qtbot.waitUntil(lambda: any(r.info.tool_id == "calculator" for r in win.tools_model.rows()), timeout=20_000)
    single = SingleInstance.for_settings(ctx.settings)
    exts = install_extensions(win, ctx, default_extensions(single, lambda _a: None))
    assert not exts.failed
    assert single.server is not None and single.server.isListening()
    yield win
    exts.shutdown()


def _status(ctx, run_id: str) -> str | None:
    row = ctx.conn.execute("SELECT status FROM runs WHERE id=?", (run_id,)).fetchone()
    return None if row is None else row[0]


def _meta(ctx, run_id: str) -> dict:
    row = ctx.conn.execute("SELECT status, meta_json FROM runs WHERE id=?", (run_id,)).fetchone()
    assert row is not None, f"run {run_id} is not in the database"
    return {"status": row[0], **json.loads(row[1] or "{}")}


def test_cli_run_is_handed_to_the_open_app_and_runs_warm(qtbot, ctx, app_window):
    seen: list[str] = []
    app_window.run_controller.runStarted.connect(lambda rid, _tid: seen.append(rid))
    results = []
    for _ in range(2):
        code, out, err = _finish(_cli("run", "calculator", "-i", "a=6", "-i", "b=7", "-i", "op=multiply",
                                      "--json"), qtbot)
        assert code == 0, err
        results.append(json.loads(out))
    assert [r["status"] for r in results] == ["ok", "ok"]
    assert "42" in json.dumps(results[0]["outputs"]["result"])
    ids = [r["run_id"] for r in results]
    assert seen == ids  # both went through the window's RunController
    metas = [_meta(ctx, rid) for rid in ids]
    assert all(m["via"] == "app" and m["status"] == "ok" for m in metas)
    assert metas[0]["tool_pid"] == metas[1]["tool_pid"]  # the second run reused the warm process
    # History (the window's run list) shows them
    from pixie_desktop.queries import runs as run_queries

    assert {r.id for r in run_queries.list_runs(ctx.conn, tool_id="calculator")} >= set(ids)


def test_plain_output_matches_a_local_run(qtbot, ctx, app_window):
    args = ("run", "calculator", "-i", "a=2", "-i", "b=5", "-i", "op=add")
    code_app, out_app, err_app = _finish(_cli(*args), qtbot)
    code_local, out_local, err_local = _finish(_cli(*args, "--no-app"), qtbot)
    assert code_app == code_local == 0, (err_app, err_local)
    assert out_app == out_local and "7" in out_app
    assert err_app.splitlines()[-1].startswith("ok in ")
    vias = [json.loads(m or "{}").get("via") for (m,) in
            ctx.conn.execute("SELECT meta_json FROM runs ORDER BY started_at").fetchall()]
    assert vias == ["app", None]  # --no-app ran in the command's own process


def test_env_switch_forces_a_local_run(qtbot, ctx, app_window):
    code, out, err = _finish(_cli("run", "calculator", "--json", env={"PIXIE_NO_HANDOVER": "1"}), qtbot)
    assert code == 0, err
    assert _meta(ctx, json.loads(out)["run_id"]).get("via") is None


def test_a_failing_run_keeps_its_exit_code(qtbot, ctx, app_window):
    code, out, err = _finish(_cli("run", "calculator", "-i", "a=1", "-i", "b=0", "-i", "op=divide", "--json"), qtbot)
    data = json.loads(out)
    assert _meta(ctx, data["run_id"])["via"] == "app"
    assert (code, data["status"]) in ((1, "error"), (0, "ok"))  # whatever the tool says, reported the same way
    assert (code == 0) == (data["status"] == "ok")


def test_batch_items_are_handed_over(qtbot, ctx, app_window):
    code, out, err = _finish(_cli("batch", "calculator", "--grid", "a=1,2,3", "--json"), qtbot, timeout=120_000)
    assert code == 0, err
    summary = json.loads(out)
    assert summary["ok"] == summary["items"] == 3
    for rid in summary["run_ids"]:
        meta = _meta(ctx, rid)
        assert meta["via"] == "app" and meta["batch_id"] == summary["batch_id"]


def test_ctrl_c_in_the_cli_cancels_the_handed_over_run(qtbot, ctx, tools_dir, app_window):
    import signal

    copy_bundled(tools_dir, "slow-counter")
    app_window.refresh_tools(sync=True)
    qtbot.waitUntil(lambda: any(r.info.tool_id == "slow-counter" for r in app_window.tools_model.rows()),
                    timeout=20_000)
    ctl = app_window.run_controller
    started: list[str] = []
    ctl.runStarted.connect(lambda rid, _tid: started.append(rid))
    proc = _cli("run", "slow-counter", "-i", "steps=400", "-i", "delay=0.2")
    try:
        qtbot.waitUntil(lambda: bool(started) and ctl.is_running(started[0]), timeout=60_000)
        # live in the window: the sidebar's running dot, and a `running` row for History
        assert app_window.tools_model.tool_row("slow-counter").running == 1
        qtbot.waitUntil(lambda: _status(ctx, started[0]) == "running", timeout=30_000)
        proc.send_signal(signal.SIGINT)
        code, _out, err = _finish(proc, qtbot)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert code == 130, err
    assert "cancelled" in err
    qtbot.waitUntil(lambda: not ctl.is_active(started[0]), timeout=30_000)
    meta = _meta(ctx, started[0])
    assert meta["via"] == "app" and meta["status"] == "cancelled"
    assert app_window.tools_model.tool_row("slow-counter").running == 0


def test_without_an_app_the_cli_runs_on_its_own(qtbot, ctx, tools_dir):
    copy_bundled(tools_dir, "calculator")
    proc = _cli("run", "calculator", "--json")
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert _meta(ctx, json.loads(out)["run_id"]).get("via") is None


def test_the_cli_does_not_import_qt(tmp_path):
    code = ("import sys, pixie_desktop.cli as c, pixie_desktop.commands.run, pixie_desktop.integration.handover;"
            "c.build_parser(); print([m for m in sys.modules if m.startswith('PySide6')])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "[]", out.stderr


def _ask(ctx, qtbot, request: dict) -> dict:
    """Send one raw request to the app from a thread (the UI thread keeps serving) and return its answer."""
    import threading

    from pixie_desktop.integration import handover

    box: dict = {}

    def talk() -> None:
        sock = handover.connect(ctx.settings.root)
        assert sock is not None
        lines = handover._Lines(sock)
        lines.send(request)
        box["answer"] = lines.recv(30)
        lines.close()

    t = threading.Thread(target=talk, daemon=True)
    t.start()
    qtbot.waitUntil(lambda: "answer" in box, timeout=30_000)
    t.join(5)
    return box["answer"]


def test_the_app_declines_what_it_cannot_take(qtbot, ctx, app_window):
    import time
    import uuid

    base = {"kind": "run", "protocol": 1, "tool_id": "calculator", "inputs": {}, "meta": {}}
    unknown = _ask(ctx, qtbot, {**base, "run_id": str(uuid.uuid4()), "tool_id": "nope", "sent_at": time.time()})
    stale = _ask(ctx, qtbot, {**base, "run_id": str(uuid.uuid4()), "sent_at": time.time() - 3600})
    bad_id = _ask(ctx, qtbot, {**base, "run_id": "x; drop", "sent_at": time.time()})
    newer = _ask(ctx, qtbot, {**base, "run_id": str(uuid.uuid4()), "protocol": 99, "sent_at": time.time()})
    elsewhere = _ask(ctx, qtbot, {**base, "run_id": str(uuid.uuid4()), "sent_at": time.time(),
                                  "tool_path": "/some/other/tools/calculator"})
    assert [a["kind"] for a in (unknown, stale, bad_id, newer, elsewhere)] == ["declined"] * 5
    assert "nope" in unknown["reason"] and "stale" in stale["reason"]
    assert app_window.run_controller.queued() == [] and app_window.run_controller.running() == []
    assert ctx.conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 0
