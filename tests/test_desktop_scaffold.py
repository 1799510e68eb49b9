"""New tool from a template: form and chat scaffolds parse, are discovered, and start and
answer /run."""

from __future__ import annotations

import json
import sys

import pytest
from desktop_helpers import run_tool_once

from pixie_desktop.lifecycle.scaffold import ScaffoldError, default_name, scaffold_tool
from pixie_desktop.catalog.discovery import Discovery
from pixie_desktop.manifest.parse import parse_tool_file


@pytest.mark.parametrize("layout", ["form", "chat"])
def test_scaffold_parses_and_is_discovered(tools_dir, layout):
    result = scaffold_tool(tools_dir, f"my-{layout}", layout, description='Says "hi"')
    spec = parse_tool_file(result.path / "tool.json")
    assert spec.id == f"my-{layout}" and spec.layout == layout
    assert spec.name == default_name(f"my-{layout}") == f"My {layout.capitalize()}"
    assert spec.description == 'Says "hi"'
    for name in ("main.py", "pyproject.toml", "README.md", ".gitignore"):
        assert (result.path / name).is_file()
    compile((result.path / "main.py").read_text(), "main.py", "exec")
    if sys.version_info >= (3, 11):
        import tomllib

        assert tomllib.loads((result.path / "pyproject.toml").read_text())["project"]["dependencies"] == []
    listed = [t for t in Discovery(tools_dir).scan() if t.ok]
    assert [t.tool_id for t in listed] == [f"my-{layout}"]
    assert result.vendored_sdk
    if layout == "chat":
        assert {i.key for i in spec.inputs} == {"messages", "history"}
        assert spec.is_streaming


@pytest.mark.parametrize("bad", ["", "Caps", "1abc", "has space", "under_score", "a" * 65])
def test_bad_ids_are_refused(tools_dir, bad):
    with pytest.raises(ScaffoldError):
        scaffold_tool(tools_dir, bad)
    assert list(tools_dir.iterdir()) == []


def test_existing_folder_is_refused(tools_dir):
    scaffold_tool(tools_dir, "dup")
    with pytest.raises(ScaffoldError, match="already exists"):
        scaffold_tool(tools_dir, "dup", "chat")
    assert json.loads((tools_dir / "dup" / "tool.json").read_text())["layout"] == "form"


def test_unknown_layout_is_refused(tools_dir):
    with pytest.raises(ScaffoldError, match="unknown layout"):
        scaffold_tool(tools_dir, "x", "split-screen")


def test_cli_new_tool(tools_dir, capsys):
    from pixie_desktop.cli import main

    assert main(["new-tool", "word-fun", "--layout", "chat", "--name", "Word fun"]) == 0
    assert "created" in capsys.readouterr().out
    assert parse_tool_file(tools_dir / "word-fun" / "tool.json").name == "Word fun"
    assert main(["new-tool", "word-fun"]) == 1
    assert "already exists" in capsys.readouterr().err


def test_scaffolded_form_tool_runs(tools_dir):
    result = scaffold_tool(tools_dir, "shout")
    out = run_tool_once(sys.executable, result.path, {"text": "hello there", "case": "upper", "repeat": 2})
    assert out["result"] == "HELLO THERE\nHELLO THERE"
    assert out["stats"]["pairs"]["Words"] == 2
    assert out["letters"]["x"][0] in ("e", "h", "l")


def test_scaffolded_chat_tool_runs_from_vendored_sdk(tools_dir, tmp_path):
    """Inside a foreign interpreter without the app, main.py falls back to _pixie_sdk.py."""
    import subprocess
    from pathlib import Path

    base = Path(sys.base_prefix) / "bin" / "python3"
    probe = subprocess.run([str(base), "-c", "import pixie_desktop"], capture_output=True, cwd=tmp_path,
                           env={"PATH": "/usr/bin:/bin", "PYTHONNOUSERSITE": "1"})
    if probe.returncode == 0:
        pytest.skip("the base interpreter can import pixie_desktop, so the fallback path is not exercised")
    result = scaffold_tool(tools_dir, "chatty", "chat")
    out = run_tool_once(base, result.path,
                        {"messages": [{"role": "user", "content": "abc def"}], "history": []},
                        env={"PYTHONPATH": "", "PYTHONNOUSERSITE": "1"})
    assert out["reply"].startswith("You said 2 words.") and "fed cba" in out["reply"]
