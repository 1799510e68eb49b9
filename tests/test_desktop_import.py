"""Importing a tool folder (copy or link) into tools/: discovery lists it, collisions get a
suffix, a folder without tool.json is refused with a clear message."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import write_tool

from pixie_desktop.lifecycle.importer import ImportProblem, import_tool, is_tool_folder, plan_import
from pixie_desktop.catalog.discovery import Discovery

SPEC = {"id": "hello", "name": "Hello", "inputs": [], "outputs": [{"key": "o", "type": "text", "label": "O"}]}


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    d = tmp_path / "elsewhere"
    d.mkdir()
    return d


def _ids(tools_dir: Path) -> dict[str, str]:
    return {t.folder: t.tool_id for t in Discovery(tools_dir).scan() if t.ok}


def test_copy_import_is_discovered_without_venv(tools_dir, outside):
    src = write_tool(outside, "hello", SPEC, main_py="print('hi')\n")
    (src / ".venv" / "bin").mkdir(parents=True)
    (src / ".venv" / "bin" / "python").write_text("")
    result = import_tool(src, tools_dir, "copy")
    assert result.path == tools_dir / "hello" and result.mode == "copy" and not result.renamed
    assert _ids(tools_dir) == {"hello": "hello"}
    assert not (result.path / ".venv").exists()  # a venv has absolute paths: never copied
    assert (src / "tool.json").is_file()  # source untouched
    assert not [p for p in tools_dir.iterdir() if p.name.startswith(".")]  # no staging left


def test_link_import_is_a_symlink_and_discovered(tools_dir, outside):
    src = write_tool(outside, "hello", SPEC, main_py="")
    result = import_tool(src, tools_dir, "link")
    assert result.path.is_symlink() and result.path.resolve() == src.resolve()
    assert _ids(tools_dir) == {"hello": "hello"}


def test_name_collision_gets_suffix_and_copy_gets_new_id(tools_dir, outside):
    write_tool(tools_dir, "hello", SPEC)
    src = write_tool(outside, "hello", SPEC, main_py="")
    plan = plan_import(src, tools_dir)
    assert plan.dest_folder == "hello-2" and plan.id_taken and plan.new_id == "hello-2"
    result = import_tool(src, tools_dir, "copy")
    assert result.path.name == "hello-2" and result.tool_id == "hello-2" and result.renamed
    assert json.loads((result.path / "tool.json").read_text())["id"] == "hello-2"
    assert _ids(tools_dir) == {"hello": "hello", "hello-2": "hello-2"}
    # a third import keeps counting
    assert import_tool(src, tools_dir, "copy").path.name == "hello-3"


def test_folder_collision_with_distinct_id_keeps_id(tools_dir, outside):
    write_tool(tools_dir, "hello", {**SPEC, "id": "other"})
    src = write_tool(outside, "hello", SPEC)
    result = import_tool(src, tools_dir, "link")
    assert result.path.name == "hello-2" and result.tool_id == "hello"
    assert _ids(tools_dir) == {"hello": "other", "hello-2": "hello"}


def test_link_with_taken_id_is_refused(tools_dir, outside):
    write_tool(tools_dir, "hello", SPEC)
    src = write_tool(outside, "mine", SPEC)
    with pytest.raises(ImportProblem, match="import a copy instead"):
        import_tool(src, tools_dir, "link")
    assert sorted(p.name for p in tools_dir.iterdir()) == ["hello"]


def test_folder_without_tool_json_is_refused(tools_dir, outside):
    d = outside / "just-a-folder"
    d.mkdir()
    (d / "main.py").write_text("")
    assert not is_tool_folder(d)
    with pytest.raises(ImportProblem, match="no tool.json"):
        plan_import(d, tools_dir)
    assert list(tools_dir.iterdir()) == []


@pytest.mark.parametrize("text, needle", [("{nope", "not valid JSON"), ("[1, 2]", "JSON object"),
                                          (json.dumps({**SPEC, "id": "a/../evil"}), "folder name")])
def test_bad_manifest_is_refused(tools_dir, outside, text, needle):
    src = write_tool(outside, "bad", text)
    with pytest.raises(ImportProblem, match=needle):
        import_tool(src, tools_dir, "copy")
    assert list(tools_dir.iterdir()) == []


def test_spec_errors_import_with_a_warning(tools_dir, outside):
    src = write_tool(outside, "broken", {**SPEC, "id": "broken", "bogus_key": 1})
    plan = plan_import(src, tools_dir)
    assert plan.warnings and "problems" in plan.warnings[0]
    import_tool(src, tools_dir, "copy", plan)
    listed = {t.folder: t for t in Discovery(tools_dir).scan()}
    assert "broken" in listed and listed["broken"].error


def test_refuses_folders_already_in_tools_or_containing_it(tools_dir, isolated_env):
    inside = write_tool(tools_dir, "hello", SPEC)
    with pytest.raises(ImportProblem, match="already in the tools folder"):
        plan_import(inside, tools_dir)
    (isolated_env["root"] / "tool.json").write_text(json.dumps(SPEC))
    with pytest.raises(ImportProblem, match="contains the tools folder"):
        plan_import(isolated_env["root"], tools_dir)


def test_file_is_refused(tools_dir, outside):
    f = outside / "x.json"
    f.write_text("{}")
    with pytest.raises(ImportProblem, match="is a file"):
        plan_import(f, tools_dir)


def test_failed_copy_leaves_nothing(tools_dir, outside, monkeypatch):
    src = write_tool(outside, "hello", SPEC)
    import pixie_desktop.lifecycle.importer as imp

    def boom(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(imp.os, "rename", boom)
    with pytest.raises(ImportProblem, match="No space left"):
        import_tool(src, tools_dir, "copy")
    assert list(os.scandir(tools_dir)) == []
