"""Issue 11, high 3: no run stays `running`. Whatever goes wrong inside Runner.run (lone
surrogates, JSON nested past the parser's limit, a locked database, a symlink where an output
file goes, a full disk, any other exception) the run ends `error` (or `ok` when the answer could
be repaired) with a readable message, files already written are kept, and Runner.run returns a
RunResult instead of raising. `validate --all` counts a crashed check as a failure.
Fixture: tests/fixtures/tools/hostile (a raw stdlib server)."""

from __future__ import annotations

import errno
import json
import sqlite3
from pathlib import Path

import pytest

from pixie_desktop.store import runs_repo, validate_jobs_repo


@pytest.fixture
def hostile(ctx, install, runner):
    install("hostile")
    return ctx.find_tool("hostile")


def _row(ctx, res):
    rec = runs_repo.get_run(ctx.conn, res.run_id)
    assert rec is not None
    return rec


def test_lone_surrogates_in_the_answer_are_repaired_not_fatal(ctx, hostile, runner):
    res = runner.run(hostile, {"mode": "surrogate"})
    rec = _row(ctx, res)
    assert rec.status == res.status == "ok", res.error
    assert res.outputs["text"] == "half a pair: \ufffd then more"
    assert "k\ufffd" in res.outputs["data"]
    assert json.loads(rec.outputs_json)["text"] == "half a pair: \ufffd then more"


@pytest.mark.parametrize("depth", [500, 100_000])
def test_json_nested_past_the_limit_is_refused_clearly(ctx, hostile, runner, depth):
    res = runner.run(hostile, {"mode": "deep", "n": depth})
    rec = _row(ctx, res)
    assert rec.status == res.status == "error"
    assert "nests deeper than 200 levels" in res.error and "Traceback" not in res.error
    # the tool is still usable afterwards
    assert runner.run(hostile, {"mode": "ok"}).status == "ok"


def test_json_nesting_within_the_limit_still_works(ctx, hostile, runner):
    res = runner.run(hostile, {"mode": "deep", "n": 150})
    assert res.status == "ok", res.error


def test_a_symlink_where_an_output_file_goes_ends_the_run_error_and_keeps_files(ctx, hostile, runner):
    res = runner.run(hostile, {"mode": "symlink"})
    rec = _row(ctx, res)
    assert rec.status == res.status == "error"
    assert "could not save the run's outputs" in res.error
    outside = Path(ctx.settings.artefacts_root).parent / "outside.txt"
    assert outside.read_text() == "precious"  # never written through the link
    assert "kept.txt" in [a.filename for a in res.artefacts]
    folder = Path(ctx.settings.artefacts_root) / "hostile" / res.run_id
    assert (folder / "kept.txt").read_text() == "written before the trouble"


def test_any_exception_while_finishing_ends_the_run_error(ctx, hostile, runner, monkeypatch):
    from pixie_desktop.artefacts import spill

    def boom(*a, **k):
        raise KeyError("unexpected")

    monkeypatch.setattr(spill, "normalise_response", boom)
    res = runner.run(hostile, {"mode": "ok"})
    rec = _row(ctx, res)
    assert rec.status == res.status == "error"
    assert "KeyError" in res.error and "unexpected" in res.error


def test_a_full_disk_while_saving_outputs_ends_the_run_error(ctx, hostile, runner, monkeypatch):
    from pixie_desktop.artefacts import spill

    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device", "outputs.json")

    monkeypatch.setattr(spill, "spill_if_large", full)
    res = runner.run(hostile, {"mode": "ok"})
    rec = _row(ctx, res)
    assert rec.status == res.status == "error" and "No space left on device" in res.error


def test_database_locked_past_busy_timeout_at_finish_is_retried(ctx, hostile, runner, monkeypatch):
    real = runs_repo.finish_run
    calls = []

    def locked_once(conn, run_id, status, **kw):
        calls.append(status)
        if len(calls) <= 2:
            raise sqlite3.OperationalError("database is locked")
        return real(conn, run_id, status, **kw)

    monkeypatch.setattr(runs_repo, "finish_run", locked_once)
    res = runner.run(hostile, {"mode": "ok"})
    rec = _row(ctx, res)
    assert rec.status == res.status == "error"
    assert "database is locked" in res.error


def test_database_locked_at_start_returns_an_error_result(ctx, hostile, runner, db_path):
    holder = sqlite3.connect(str(db_path), isolation_level=None, timeout=1)
    try:
        runner._conn()  # schema ready before the lock is taken
        holder.execute("BEGIN IMMEDIATE")
        res = runner.run(hostile, {"mode": "ok"})
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert res.status == "error" and "database is locked" in res.error
    assert runs_repo.get_run(ctx.conn, res.run_id) is None  # never recorded, so never stuck


def test_validate_all_records_a_crashed_check_as_failed(ctx, install, monkeypatch, capsys):
    from pixie_desktop import cli
    from pixie_desktop.commands import validate as validate_cmd

    install("calculator")

    def crash(tool, settings, options=None):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(validate_cmd, "validate_tool", crash)
    rc = cli.main(["validate", "--all"])
    out = capsys.readouterr().out
    assert rc == 1
    assert "1 failing" in out and "RecursionError" in out
    job = validate_jobs_repo.latest(ctx.conn)
    assert job is not None and job.failed == 1 and job.passed == 0 and job.status == "error"
    rc = cli.main(["validate", "--all", "--no-save", "--json"])
    reports = json.loads(capsys.readouterr().out)
    assert rc == 1 and reports[0]["overall"] == "fail"


def test_validator_refuses_a_deep_sample_answer_as_a_failed_check(ctx, install, tools_dir):
    from pixie_desktop.validation.validator import ValidateOptions, validate_tool

    install("hostile")
    spec = json.loads((tools_dir / "hostile" / "tool.json").read_text())
    spec["inputs"][0]["default"] = "deep"
    spec["inputs"][1]["default"] = 900
    (tools_dir / "hostile" / "tool.json").write_text(json.dumps(spec))
    rep = validate_tool(ctx.find_tool("hostile"), ctx.settings, ValidateOptions())
    assert rep["overall"] == "fail"
    check = next(c for c in rep["checks"] if c["name"] == "sample_run_succeeds")
    assert check["status"] == "fail" and "nests deeper than 200" in check["message"]


def test_safejson_counts_structure_not_string_contents():
    from pixie_desktop.runtime import safejson

    inside = b'{"a": "' + b"[{" * 1000 + b'\\" ]]", "b": [1, 2]}'
    assert safejson.loads(inside)["b"] == [1, 2]
    with pytest.raises(safejson.UntrustedJSONError, match="nests deeper"):
        safejson.loads(b'{"a": "\\"", "b": ' + b"[" * 201 + b"]" * 201 + b"}")
    assert safejson.loads(b"[" * 200 + b"]" * 200) is not None
    with pytest.raises(safejson.UntrustedJSONError, match="arrays/objects"):
        safejson.loads(b"[" + b"[]," * 20 + b"[]]", max_containers=10)
    with pytest.raises(safejson.UntrustedJSONError):
        safejson.loads(b"\xff\xfe not utf-8")
