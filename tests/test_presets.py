"""Presets: named input sets per tool in their own table (the seed's tables untouched), written
through ops.presets (a Change naming the tool, announced as presetsChanged), read through
queries.presets; the tool page's Presets menu saves, loads, renames, deletes and sets a default
(which pre-fills a never-run tool's form); the palette offers "Load preset"; the CLI's `preset`
command and `run --preset` use the same rows."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from fixtures_ui_shell import copy_bundled
from pixie_desktop.ops import presets as preset_ops
from pixie_desktop.queries import presets as preset_queries
from pixie_desktop.store.db import connect, init_db


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pixie_desktop", *args], capture_output=True, text=True,
                          timeout=60, env=dict(os.environ))


def test_presets_table_is_additive_and_ops_round_trip(tmp_path):
    conn = connect(tmp_path / "p.db")
    init_db(conn)
    init_db(conn)  # idempotent
    cols = [r[1] for r in conn.execute("PRAGMA table_info(presets)")]
    assert cols == ["tool_id", "name", "inputs_json", "is_default", "created_at", "updated_at"]
    preset, change = preset_ops.save(conn, "calc", "  big   numbers ", {"a": 100, "b": 200})
    assert preset.name == "big numbers" and change.preset_tool_ids == {"calc"} and bool(change)
    preset_ops.save(conn, "calc", "small", {"a": 1})
    preset_ops.save(conn, "other", "small", {"x": 1})
    assert [p.name for p in preset_queries.list_for(conn, "calc")] == ["big numbers", "small"]
    preset_ops.set_default(conn, "calc", "small")
    preset_ops.set_default(conn, "calc", "big numbers")
    assert preset_queries.default_for(conn, "calc").name == "big numbers"
    assert [p.is_default for p in preset_queries.list_for(conn, "calc")] == [True, False]
    preset_ops.rename(conn, "calc", "big numbers", "huge")
    assert preset_queries.get(conn, "calc", "huge").inputs == {"a": 100, "b": 200}
    assert preset_queries.default_for(conn, "calc").name == "huge"
    with pytest.raises(preset_ops.PresetError, match="already exists"):
        preset_ops.rename(conn, "calc", "huge", "small")
    with pytest.raises(preset_ops.PresetError, match="needs a name"):
        preset_ops.save(conn, "calc", "   ", {})
    assert preset_queries.merged_inputs(conn, "calc", "huge", {"b": 5}) == {"a": 100, "b": 5}
    with pytest.raises(preset_ops.PresetError, match="no preset 'nope'"):
        preset_queries.merged_inputs(conn, "calc", "nope", {})
    preset_ops.delete(conn, "calc", "huge")
    assert preset_queries.default_for(conn, "calc") is None
    with pytest.raises(preset_ops.PresetError):
        preset_ops.delete(conn, "calc", "huge")


def test_presets_round_trip_in_the_tool_page(qtbot, ctx, tools_dir, make_window):
    copy_bundled(tools_dir, "calculator")
    win = make_window()
    hub_seen: list[str] = []
    win.events.presetsChanged.connect(hub_seen.append)
    assert win.open_tool("calculator")
    page = win.tool_pages["calculator"]
    button = page.presets_button
    page.form.set_values({"a": 6, "b": 7, "op": "add"})
    button.ask_text = lambda *_a: "six and seven"
    assert button.save_dialog()
    assert hub_seen == ["calculator"]
    page.form.set_values({"a": 1, "b": 1, "op": "divide"})
    menu = button.rebuild_menu()
    load = next(a for a in menu.actions() if a.objectName() == "preset.load.six and seven")
    load.trigger()
    values = page.form.values()
    assert (values["a"], values["b"], values["op"]) == (6, 7, "add")
    assert button.rename("six and seven", "6+7") and button.names() == ["6+7"]
    assert button.set_default("6+7")
    default = next(a for a in button.rebuild_menu().actions() if a.text() == "6+7")
    assert not default.icon().isNull()  # the default is marked with a drawn star, not a glyph
    # the palette offers the preset
    from pixie_desktop.ui.views.command_palette import preset_commands

    items = preset_commands(win, ctx)
    assert [i.title for i in items] == ["Load preset “6+7”"] and items[0].subtitle == "Calculator"
    page.form.set_values({"a": 0})
    items[0].trigger()
    assert page.form.values()["a"] == 6
    button.confirm = lambda _text: True
    assert button.delete_dialog("6+7") and button.names() == []


def test_default_preset_prefills_a_never_run_tool(qtbot, ctx, tools_dir, make_window):
    copy_bundled(tools_dir, "calculator")
    preset_ops.save(ctx.conn, "calculator", "fav", {"a": 41, "b": 1, "op": "add"})
    preset_ops.set_default(ctx.conn, "calculator", "fav")
    win = make_window()
    assert win.open_tool("calculator")
    values = win.tool_pages["calculator"].form.values()
    assert (values["a"], values["b"], values["op"]) == (41, 1, "add")


def test_presets_cli_round_trip(install):
    install("calculator")
    p = cli("preset", "save", "calculator", "mul", "--input", "a=6", "--input", "b=7", "--input", "op=multiply")
    assert p.returncode == 0, p.stderr
    listed = cli("preset", "list", "calculator", "--json")
    data = json.loads(listed.stdout)
    assert [d["name"] for d in data] == ["mul"] and data[0]["inputs"] == {"a": "6", "b": "7", "op": "multiply"}
    run = cli("run", "calculator", "--preset", "mul", "--json")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["outputs"]["result"] == 42
    override = cli("run", "calculator", "--preset", "mul", "--input", "b=10", "--json")
    assert json.loads(override.stdout)["outputs"]["result"] == 60
    missing = cli("run", "calculator", "--preset", "nope")
    assert missing.returncode == 2 and "no preset 'nope'" in missing.stderr
    text = cli("preset", "list", "calculator")
    assert "mul" in text.stdout
    assert cli("preset", "delete", "calculator", "mul").returncode == 0
    assert json.loads(cli("preset", "list", "calculator", "--json").stdout) == []
    assert cli("preset", "delete", "calculator", "mul").returncode == 1
