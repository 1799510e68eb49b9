"""Secrets (reference §6/§9.8: error_text held the whole unmasked stderr ring, undeclared .env
values were never masked, rendered errors went out raw). A tool that echoes its token in
stderr, in an output and in an error body must not get it into pixie.db (file bytes, -wal
included), logs, error_text, a validation report or a rendered error; and the tool's
environment holds only the documented variables plus its own .env."""

from __future__ import annotations

import json
import logging
import os

import pytest

from pixie_desktop.runtime.launcher import ENV_ALLOW
from pixie_desktop.runtime.secrets import write_secret
from pixie_desktop.store import runs_repo

TOKEN = "tok-4c1d-SECRET-77aa"
UNDECLARED = "undeclared-value-9911"


def _db_bytes(db_path) -> bytes:
    # the WAL is read as is (no checkpoint first): a secret there is just as leaked
    return b"".join(p.read_bytes() for p in sorted(db_path.parent.glob(db_path.name + "*")))


@pytest.fixture
def leaky(ctx, install, tools_dir):
    folder = install("bad-tool")
    write_secret(folder, "API_TOKEN", TOKEN)
    write_secret(folder, "OTHER_KEY", UNDECLARED)  # not declared in tool.json: masked all the same
    return ctx.find_tool("bad-tool")


def test_secret_echoed_everywhere_never_lands_anywhere(ctx, leaky, runner, db_path, caplog):
    caplog.set_level(logging.DEBUG)
    ok = runner.run(leaky, {"mode": "leak"})
    assert ok.status == "ok", ok.error
    assert TOKEN not in json.dumps(ok.outputs) and "•••" in ok.outputs["text"]
    assert ok.outputs["table"]["rows"][0]["t"] == "•••"
    bad = runner.run(leaky, {"mode": "leakerror"})
    assert bad.status == "error" and "•••" in bad.error and TOKEN not in bad.error
    # the next run's error must not carry the previous run's stderr either
    crash = runner.run(leaky, {"mode": "forkexit"})
    assert crash.status == "error" and TOKEN not in crash.error and "token=" not in crash.error
    for run_id in (ok.run_id, bad.run_id, crash.run_id):
        rec = runs_repo.get_run(ctx.conn, run_id)
        for text in (rec.error_text or "", rec.outputs_json or "", rec.meta_json or "", rec.inputs_json):
            assert TOKEN not in text
    blob = _db_bytes(db_path)
    assert TOKEN.encode() not in blob and UNDECLARED.encode() not in blob
    assert TOKEN not in caplog.text and UNDECLARED not in caplog.text


def test_validation_report_is_redacted(ctx, leaky, tools_dir, db_path):
    from pixie_desktop.store import validation_repo
    from pixie_desktop.validation.validator import validate_tool

    spec = json.loads((tools_dir / "bad-tool" / "tool.json").read_text())
    spec["inputs"][0]["default"] = "leak"
    (tools_dir / "bad-tool" / "tool.json").write_text(json.dumps(spec))
    tool = ctx.find_tool("bad-tool")
    report = validate_tool(tool, ctx.settings)
    validation_repo.save_report(ctx.conn, tool.tool_id, report["overall"], report)
    assert report["sample_output"]["text"] == "your token is •••"  # the leak path really ran
    assert "•••" in report["spawn_log"]
    assert TOKEN not in json.dumps(report)
    assert TOKEN.encode() not in _db_bytes(db_path)


def test_rendered_error_and_outputs_are_masked(ctx, leaky, runner, qtbot):
    from pixie_desktop.ui.outputs.panel import OutputPanel

    ok = runner.run(leaky, {"mode": "leak"})
    bad = runner.run(leaky, {"mode": "leakerror"})
    panel = OutputPanel(leaky.spec)
    qtbot.addWidget(panel)
    panel.show_outputs(ok.outputs)
    shown = panel.renderer("text").copy_text()
    assert "•••" in shown and TOKEN not in shown
    panel.show_error(bad.error)
    assert TOKEN not in panel.error_text.toPlainText() and "auth failed" in panel.error_text.toPlainText()


def test_tool_environment_is_only_the_documented_variables_plus_its_env(ctx, leaky, runner, monkeypatch):
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "parent-secret-do-not-pass")
    monkeypatch.setenv("PIXIE_DB_PATH", os.environ["PIXIE_DB_PATH"])
    runner.pool.stop_all()  # make sure the env is built now, with the variable set
    res = runner.run(leaky, {"mode": "env"})
    assert res.status == "ok", res.error
    keys = set(json.loads(res.outputs["text"]))
    documented = set(ENV_ALLOW) | {"PYTHONUNBUFFERED", "PYTHONPYCACHEPREFIX", "PYTHONDONTWRITEBYTECODE",
                                   "PIXIE_ARTEFACTS_ROOT", "PIXIE_TOOL_ID", "PIXIE_TOKEN", "PIXIE_SPAWN_ID",
                                   "PIXIE_READY_FD"}
    own_env = {"API_TOKEN", "OTHER_KEY"}
    # LC_CTYPE may be added by the child interpreter itself (PEP 538 locale coercion)
    assert keys - documented - own_env <= {"LC_CTYPE"}
    assert own_env <= keys and {"PIXIE_TOOL_ID", "PIXIE_ARTEFACTS_ROOT", "PYTHONUNBUFFERED"} <= keys
    assert "AWS_SECRET_ACCESS_KEY" not in keys and "PIXIE_DB_PATH" not in keys
