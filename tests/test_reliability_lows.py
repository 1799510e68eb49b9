"""Issue 11, lows on the runtime side: CLI output strips terminal escape sequences from tool
text; `k=@file` checks the size before reading; a deep `--inputs-json` is a clear error; tool
ids with control characters are refused at parse; tool.json is size-capped (and a FIFO never
blocks discovery); NaN/Infinity in answers become null. Fixture: tests/fixtures/tools/hostile."""

from __future__ import annotations

import json
import os
import threading

import pytest

from pixie_desktop.store import runs_repo


def test_cli_run_output_has_no_terminal_escapes(ctx, install, capsys):
    from pixie_desktop import cli

    install("hostile")
    rc = cli.main(["run", "hostile", "-i", "mode=escapes"])
    out = capsys.readouterr()
    assert rc == 0
    assert "ALERT" in out.out and "pwned" not in out.out
    assert "\x1b" not in out.out + out.err and "\x07" not in out.out + out.err


def test_cli_runs_listing_has_no_terminal_escapes(ctx, capsys):
    from pixie_desktop import cli

    runs_repo.create_run(ctx.conn, "r-esc", "some-tool", {})
    runs_repo.finish_run(ctx.conn, "r-esc", "error", error_text="\x1b[2J\x1b[Hcleared \x1b]0;title\x07boom\r")
    assert cli.main(["runs"]) == 0
    out = capsys.readouterr().out
    assert "cleared" in out and "boom" in out
    assert not any(c in out for c in "\x1b\x07\r")


def test_file_input_size_is_checked_before_reading(ctx, install, tmp_path, monkeypatch):
    from pixie_desktop.commands import run as run_cmd

    install("hostile")
    tool = ctx.find_tool("hostile")
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 4096)
    monkeypatch.setattr(run_cmd, "MAX_FILE_INPUT_BYTES", 1024)
    read = []
    real_read_text = type(big).read_text
    monkeypatch.setattr(type(big), "read_text", lambda self, *a, **k: read.append(self) or real_read_text(self, *a, **k))
    with pytest.raises(ValueError, match="the limit is"):
        run_cmd.build_inputs(tool, [f"mode=@{big}"], None)
    assert read == []


def test_deep_inputs_json_is_a_clear_error(ctx, install, tmp_path):
    from pixie_desktop.commands import run as run_cmd

    install("hostile")
    deep = tmp_path / "deep.json"
    deep.write_text('{"mode": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(ValueError, match="nests deeper than 200 levels"):
        run_cmd.build_inputs(ctx.find_tool("hostile"), [], str(deep))


@pytest.mark.parametrize("bad_id", ["evil\x1b[31m", "two\nlines", "nul\x00", "del\x7f", "csi\x9b2J"])
def test_tool_ids_with_control_characters_are_refused_at_parse(bad_id):
    from pixie_desktop.catalog.discovery import id_problem
    from pixie_desktop.manifest.parse import SpecError, parse_tool_dict

    with pytest.raises(SpecError, match="control characters"):
        parse_tool_dict({"id": bad_id, "name": "x", "inputs": [], "outputs": []})
    assert "control characters" in id_problem(bad_id)


def test_oversized_tool_json_is_refused_clearly(tmp_path):
    from pixie_desktop.manifest.parse import SpecError, parse_tool_file

    big = tmp_path / "tool.json"
    big.write_text(json.dumps({"id": "big", "name": "x", "inputs": [], "outputs": [],
                               "description": "d" * (2 * 1024 * 1024)}))
    with pytest.raises(SpecError, match="larger than 1024 KiB"):
        parse_tool_file(big)


def test_a_fifo_tool_json_does_not_block_discovery(tmp_path):
    from pixie_desktop.manifest.parse import SpecError, parse_tool_file

    fifo = tmp_path / "tool.json"
    os.mkfifo(fifo)
    outcome: list = []

    def parse() -> None:
        try:
            parse_tool_file(fifo)
        except SpecError as exc:
            outcome.append(str(exc))

    t = threading.Thread(target=parse, daemon=True)
    t.start()
    t.join(5)
    blocked = t.is_alive()
    if blocked:  # release the reader so the thread ends
        with open(fifo, "w"):
            pass
        t.join(5)
    assert not blocked and outcome and "not a regular file" in outcome[0]


def test_nan_and_infinity_in_answers_become_null(ctx, install, runner):
    install("hostile")
    res = runner.run(ctx.find_tool("hostile"), {"mode": "nan"})
    assert res.status == "ok", res.error
    assert res.outputs["data"] == [None, None, None, 1.5]

    def strict(name):
        raise ValueError(f"non-standard JSON constant {name}")

    stored = json.loads(runs_repo.get_run(ctx.conn, res.run_id).outputs_json, parse_constant=strict)
    assert stored["data"] == [None, None, None, 1.5]
