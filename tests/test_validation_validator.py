"""The validator end to end on real tool processes (the stdlib fixture tool and the bundled
tools), the validate CLI, report persistence and batch jobs."""

from __future__ import annotations

import json
import time


from conftest import REPO, write_tool
from fixtures_validation import check
from pixie_desktop.store import validate_jobs_repo, validation_repo
from pixie_desktop.store.db import iso_ago
from pixie_desktop.validation import batch, report as report_mod
from pixie_desktop.validation.model import CHECK_NAMES


def test_fixture_tool_passes_every_check(make_sqrt_tool, validate):
    make_sqrt_tool()
    rep = validate("validate-sqrt")
    assert rep["overall"] == "pass", [c for c in rep["checks"] if c["status"] != "pass"]
    assert [c["name"] for c in rep["checks"]] == list(CHECK_NAMES)
    assert check(rep, "streaming_check")["status"] == "skip"
    assert check(rep, "reference_fixtures_match")["message"] == "2 fixture(s) match"
    assert check(rep, "venv_exists")["message"].startswith("no .venv — uses the app's interpreter")
    assert rep["sample_inputs"] == {"x": 4, "note": ""}
    assert rep["sample_output"]["result"] == 2.0
    assert rep["discovery_hash"] and rep["duration_ms"] > 0
    json.dumps(rep)  # the report is plain JSON


def test_wrong_shape_fails_naming_the_output_key(make_sqrt_tool, validate):
    make_sqrt_tool(behaviour={"wrong_shape": True})
    rep = validate("validate-sqrt")
    conf = check(rep, "output_conforms")
    assert rep["overall"] == "fail" and conf["status"] == "fail"
    assert "output 'result' (number) should be a number, got a string" in conf["message"]
    # checks after the failing one did not run, but clean shutdown still did
    assert check(rep, "reference_fixtures_match")["status"] == "skip"
    assert check(rep, "clean_shutdown")["status"] == "pass"


def test_extra_key_is_a_warning(make_sqrt_tool, validate):
    make_sqrt_tool(behaviour={"extra_key": True})
    rep = validate("validate-sqrt")
    assert check(rep, "output_conforms")["status"] == "warn"
    assert rep["overall"] in ("warn", "fail")  # the fixtures also see the extra key → warn
    assert rep["overall"] == "warn"


def test_reference_fixture_outside_tolerance_fails(make_sqrt_tool, validate):
    make_sqrt_tool(behaviour={"offset": 0.05})
    rep = validate("validate-sqrt")
    ref = check(rep, "reference_fixtures_match")
    assert rep["overall"] == "fail" and ref["status"] == "fail"
    assert "fixture_basic.json" in ref["message"] and "output 'result'" in ref["message"]
    # the tolerant fixture (rtol 1 %) still passes: 1.4642 vs 1.41 is outside, so both fail here
    statuses = {f["file"]: f["status"] for f in ref["details"]["fixtures"]}
    assert statuses["fixture_basic.json"] == "fail"
    assert rep["sample_inputs"] == {"x": 4}  # the first failing fixture replaces the sample


def test_fixture_within_loose_tolerance_passes(make_sqrt_tool, validate):
    make_sqrt_tool(behaviour={"offset": 0.004})  # 1.4182 vs 1.41 → inside rtol 0.01; basic fixture fails
    rep = validate("validate-sqrt")
    statuses = {f["file"]: f["status"] for f in check(rep, "reference_fixtures_match")["details"]["fixtures"]}
    assert statuses == {"fixture_basic.json": "fail", "fixture_tolerance.json": "pass"}


def test_never_healthy_fails_within_its_timeout(make_sqrt_tool, validate):
    make_sqrt_tool(behaviour={"never_healthy": True})
    t0 = time.monotonic()
    rep = validate("validate-sqrt", health_timeout=1.0)
    elapsed = time.monotonic() - t0
    spawn = check(rep, "tool_spawns")
    assert spawn["status"] == "fail" and "/healthz" in spawn["message"]
    assert elapsed < 6, elapsed
    assert check(rep, "schema_matches_disk")["status"] == "skip"


def test_exit_before_healthy_gives_main_guard_hint(make_sqrt_tool, validate):
    make_sqrt_tool(behaviour={"exit_at_start": 0})
    rep = validate("validate-sqrt")
    assert check(rep, "tool_spawns")["status"] == "fail"
    assert "__main__" in check(rep, "tool_spawns")["message"]


def test_schema_drift_fails_with_json_pointers(make_sqrt_tool, validate):
    make_sqrt_tool(behaviour={"schema_drift": True})
    rep = validate("validate-sqrt")
    drift = check(rep, "schema_matches_disk")
    assert drift["status"] == "fail"
    assert "/max_runtime_seconds: tool.json has 10, /schema has 10.0" in drift["details"]["diffs"]
    assert any(d.startswith("/name:") for d in drift["details"]["diffs"])


def test_ignored_sigterm_is_a_shutdown_warning(make_sqrt_tool, validate):
    make_sqrt_tool(behaviour={"ignore_sigterm": True}, reference=False)
    rep = validate("validate-sqrt", shutdown_grace=0.5)
    assert check(rep, "clean_shutdown")["status"] == "warn"
    assert rep["overall"] == "warn"


def test_streaming_check_reads_one_event(make_sqrt_tool, validate, tools_dir):
    spec_outputs = [{"key": "result", "type": "number", "label": "R"},
                    {"key": "summary", "type": "text", "label": "S", "streaming": True}]
    make_sqrt_tool(behaviour={"stream": True}, spec_changes={"outputs": spec_outputs}, reference=False)
    rep = validate("validate-sqrt")
    assert check(rep, "streaming_check")["status"] == "pass", check(rep, "streaming_check")
    # the same tool without /stream: fail, because an output is flagged streaming:true
    (tools_dir / "validate-sqrt" / "behaviour.json").write_text("{}")
    rep = validate("validate-sqrt")
    assert check(rep, "streaming_check")["status"] == "fail"


def test_missing_declared_dependency_fails_but_stdlib_pyproject_passes(make_sqrt_tool, validate, tools_dir):
    d = make_sqrt_tool(reference=False)
    (d / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "0"\ndependencies = []\n')
    assert check(validate("validate-sqrt"), "pyproject_ok")["status"] == "pass"
    (d / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "0"\n'
                                      'dependencies = ["psutil>=1", "definitely-not-installed-pkg>=1"]\n')
    rep = validate("validate-sqrt")
    dep = check(rep, "pyproject_ok")
    assert dep["status"] == "fail" and "definitely-not-installed-pkg" in dep["message"]
    assert "psutil" not in dep["message"]
    assert check(rep, "tool_spawns")["status"] == "skip"
    (d / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "0"\ndependencies = ["psutil>=999"]\n')
    assert "wrong version" in check(validate("validate-sqrt"), "pyproject_ok")["message"]
    (d / "pyproject.toml").write_text("[project\n")
    assert "not valid TOML" in check(validate("validate-sqrt"), "pyproject_ok")["message"]


def test_broken_venv_fails(make_sqrt_tool, validate):
    d = make_sqrt_tool(reference=False)
    (d / ".venv" / "bin").mkdir(parents=True)
    rep = validate("validate-sqrt")
    assert check(rep, "venv_exists")["status"] == "fail"
    assert "no python interpreter" in check(rep, "venv_exists")["message"]


def test_parse_error_and_missing_main(ctx, tools_dir):
    from pixie_desktop.validation.validator import validate_tool

    write_tool(tools_dir, "broken", {"id": "broken", "name": "B", "inputs": [], "outputs": [], "colour": 1},
               main_py="print('x')\n")
    write_tool(tools_dir, "nomain", {"id": "nomain", "name": "N", "inputs": [], "outputs": []})
    rep = validate_tool(ctx.find_tool("broken"), ctx.settings)
    assert check(rep, "tool_json_parses")["status"] == "fail" and "colour" in check(rep, "tool_json_parses")["message"]
    assert rep["tool_id"] == "broken"
    rep = validate_tool(ctx.find_tool("nomain"), ctx.settings)
    assert check(rep, "folder_structure")["status"] == "fail" and "main.py" in check(rep, "folder_structure")["message"]
    assert check(rep, "clean_shutdown")["status"] == "skip"


def test_secrets_are_redacted_from_the_report(make_sqrt_tool, validate):
    d = make_sqrt_tool(behaviour={"echo_env": "API_TOKEN"}, reference=False,
                       spec_changes={"secrets": [{"key": "API_TOKEN", "required": True}]})
    (d / ".env").write_text("API_TOKEN=sk-very-secret-1234\n")
    rep = validate("validate-sqrt")
    assert "sk-very-secret-1234" not in json.dumps(rep)
    assert rep["sample_output"]["summary"].startswith("API_TOKEN=")


def test_bundled_tools_all_pass(ctx, monkeypatch):
    """Every tool shipped in tools/ passes validation (zero-setup tools on the app's interpreter)."""
    from pixie_desktop.catalog.discovery import Discovery
    from pixie_desktop.validation.validator import validate_tool

    bundled = REPO / "tools"
    tools = list(Discovery(bundled).scan())
    assert tools, f"no bundled tools found in {bundled}"
    failures = {}
    for tool in tools:
        rep = validate_tool(tool, ctx.settings)
        if rep["overall"] == "fail":
            failures[tool.tool_id] = [(c["name"], c["message"]) for c in rep["checks"] if c["status"] == "fail"]
    assert not failures, failures


# --- persistence, CLI, batch ------------------------------------------------------------------

def test_save_and_prune_keeps_the_latest_per_tool(conn):
    old = iso_ago(40 * 86400)
    older = iso_ago(50 * 86400)
    for tool_id, ts in (("a", older), ("a", old), ("b", older)):
        validation_repo.save_report(conn, tool_id, "pass", {"tool_id": tool_id}, timestamp=ts)
    report_mod.save(conn, {"tool_id": "c", "overall": "warn", "timestamp": iso_ago(0), "checks": []})
    rows = conn.execute("SELECT tool_id, timestamp FROM validation_reports ORDER BY tool_id, timestamp").fetchall()
    assert [(r[0], r[1]) for r in rows] == [("a", old), ("b", older), ("c", rows[-1][1])]
    assert report_mod.statuses(conn) == {"a": "pass", "b": "pass", "c": "warn"}
    assert report_mod.status_of(conn, "zzz") == "unchecked"


def test_cli_exit_codes_and_json(make_sqrt_tool, capsys, conn):
    from pixie_desktop.cli import main

    make_sqrt_tool()
    assert main(["validate", "validate-sqrt"]) == 0
    out = capsys.readouterr().out
    assert "Overall: PASS" in out and "Reference fixtures" in out
    assert validation_repo.latest(conn, "validate-sqrt").overall == "pass"
    assert main(["validate", "no-such-tool"]) == 2
    capsys.readouterr()
    make_sqrt_tool("validate-bad", behaviour={"wrong_shape": True}, spec_changes={"id": "validate-bad"})
    assert main(["validate", "validate-bad", "--json", "--no-save"]) == 1
    rep = json.loads(capsys.readouterr().out)
    assert rep["overall"] == "fail" and validation_repo.latest(conn, "validate-bad") is None
    assert main(["validate", "--all"]) == 1
    out = capsys.readouterr().out
    assert "validate-bad" in out and "1 failing" in out
    job = validate_jobs_repo.latest(conn)
    assert job.status == "ok" and job.total == 2 and job.passed == 1 and job.failed == 1


def test_batch_progress_cancel_and_changed_tools(make_sqrt_tool, ctx):
    make_sqrt_tool("validate-a", spec_changes={"id": "validate-a"}, reference=False)
    make_sqrt_tool("validate-b", spec_changes={"id": "validate-b"}, reference=False)
    tools = ctx.tools()
    assert [t.tool_id for t in batch.changed_tools(ctx.conn, tools)] == ["validate-a", "validate-b"]
    seen = []
    result = batch.run_batch(ctx.conn, ctx.settings, tools, on_progress=lambda *a: seen.append(a))
    assert seen == [(1, 2, "validate-a", "pass"), (2, 2, "validate-b", "pass")]
    assert (result.status, result.completed, result.passed) == ("ok", 2, 2)
    assert batch.changed_tools(ctx.conn, ctx.tools()) == []
    # touch one tool: only it needs re-validation
    manifest = ctx.settings.tools_dir / "validate-b" / "tool.json"
    manifest.write_text(manifest.read_text() + "\n")
    assert [t.tool_id for t in batch.changed_tools(ctx.conn, ctx.tools())] == ["validate-b"]
    # cancel after the first tool
    cancelled = []
    result = batch.run_batch(ctx.conn, ctx.settings, ctx.tools(), is_cancelled=lambda: bool(cancelled),
                             on_progress=lambda *a: cancelled.append(a))
    job = validate_jobs_repo.get(ctx.conn, result.job_id)
    assert job.status == "error" and job.completed == 1 and job.details["note"] == batch.CANCELLED_NOTE


def test_interrupted_job_is_marked_at_next_start(db_path):
    from pixie_desktop.context import open_context
    from pixie_desktop.store.db import open_db

    c = open_db(db_path)
    job = validate_jobs_repo.start(c, 5)
    # pretend the owner was another (now dead) process
    details = job.details
    details["owner_pid"] = 2 ** 22 + 12345
    c.execute("UPDATE validate_jobs SET details_json = ? WHERE id = ?", (json.dumps(details), job.id))
    c.close()
    ctx = open_context()
    try:
        assert job.id in ctx.startup.interrupted_jobs
        fixed = validate_jobs_repo.get(ctx.conn, job.id)
        assert fixed.status == "error" and "interrupted" in fixed.details["note"]
    finally:
        ctx.close()


def test_zero_setup_tool_may_declare_the_apps_packages(make_sqrt_tool, validate):
    tool = make_sqrt_tool()
    (tool / "pyproject.toml").write_text('[project]\nname = "validate-sqrt"\nversion = "1.0.0"\n'
                                         'dependencies = ["PySide6>=6.8", "matplotlib"]\n')
    rep = validate("validate-sqrt")
    ok = check(rep, "pyproject_ok")
    assert ok["status"] == "pass", ok
    assert "provided by the app (zero setup)" in ok["message"]
