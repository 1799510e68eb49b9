"""Import a tool folder from anywhere into tools/: validate it, choose a free folder name
(suffix `-2`, `-3`… on a collision), then copy it (without its `.venv`, which holds absolute
paths and would break) or symlink it. A copy is staged in a hidden folder and renamed into
place, so discovery never sees half a tool."""

from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Literal

from pixie_desktop.catalog.discovery import Discovery, id_problem
from pixie_desktop.manifest.parse import SpecError, parse_tool_file

Mode = Literal["copy", "link"]
COPY_IGNORE = (".venv", "venv", "__pycache__", "*.pyc", ".mypy_cache", ".pytest_cache", ".ruff_cache")


class ImportProblem(Exception):
    """The folder cannot be imported; the message says why in words a user understands."""


@dataclass
class ImportPlan:
    source: Path
    tool_id: str
    name: str
    dest_folder: str  # the folder name under tools/
    id_taken: bool  # an existing tool already uses this id (a copy gets a new id)
    new_id: str  # id the copy will carry (== tool_id unless id_taken)
    warnings: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    path: Path
    tool_id: str
    mode: Mode
    renamed: bool


def is_tool_folder(path: Path) -> bool:
    try:
        return path.is_dir() and (path / "tool.json").is_file()
    except OSError:
        return False


def _safe_folder_name(name: str) -> str:
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "tool"
    return name[:80]


def _free_name(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _existing(tools_dir: Path) -> tuple[set[str], set[str]]:
    """(folder names incl. hidden/broken ones, ids of tools discovery lists)."""
    try:
        folders = {e.name for e in os.scandir(tools_dir)}
    except OSError:
        folders = set()
    ids = {t.tool_id for t in Discovery(tools_dir).scan()}
    return folders, ids


def plan_import(source: Path, tools_dir: Path) -> ImportPlan:
    """Check a folder and work out where it would go. Raises ImportProblem with a clear reason."""
    source = Path(source).expanduser()
    if not source.exists():
        raise ImportProblem(f"{source} does not exist")
    if not source.is_dir():
        raise ImportProblem(f"{source.name} is a file, not a tool folder")
    manifest = source / "tool.json"
    if not manifest.is_file():
        raise ImportProblem(f"'{source.name}' is not a Pixie tool: it has no tool.json "
                            "(a tool folder holds tool.json and main.py)")
    src = source.resolve()
    tools = Path(tools_dir).resolve()
    if src == tools or tools.is_relative_to(src):
        raise ImportProblem(f"'{source.name}' contains the tools folder itself and cannot be imported")
    if src.parent == tools or src.is_relative_to(tools):
        raise ImportProblem(f"'{source.name}' is already in the tools folder")
    warnings: list[str] = []
    try:
        raw = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ImportProblem(f"'{source.name}/tool.json' is not valid JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise ImportProblem(f"'{source.name}/tool.json' must hold a JSON object")
    tool_id = str(raw.get("id") or source.name)
    name = str(raw.get("name") or tool_id)
    try:
        parse_tool_file(manifest)
    except SpecError as exc:
        # Still importable: discovery lists broken tools with their error, and the user can fix it.
        warnings.append(f"tool.json has problems and the tool will show its error until fixed: {exc}")
    problem = id_problem(tool_id)
    if problem:
        raise ImportProblem(f"'{source.name}': {problem}")
    if not (source / "main.py").is_file() and "entrypoint" not in raw:
        warnings.append("there is no main.py, so the tool cannot run yet")
    folders, ids = _existing(Path(tools_dir))
    dest = _free_name(_safe_folder_name(source.name), folders)
    id_taken = tool_id in ids
    new_id = tool_id
    if id_taken:
        new_id = _free_name(tool_id, ids | folders)
    return ImportPlan(source, tool_id, name, dest, id_taken, new_id, warnings)


def import_tool(source: Path, tools_dir: Path, mode: Mode = "copy", plan: ImportPlan | None = None) -> ImportResult:
    """Copy or link `source` into `tools_dir`. A copy whose id is already used gets a new id in
    its copied tool.json; a link cannot be renamed, so that case is refused."""
    tools_dir = Path(tools_dir)
    tools_dir.mkdir(parents=True, exist_ok=True)
    plan = plan or plan_import(source, tools_dir)
    dest = tools_dir / plan.dest_folder
    if dest.exists() or dest.is_symlink():  # raced with another import: re-plan once
        plan = plan_import(source, tools_dir)
        dest = tools_dir / plan.dest_folder
    if mode == "link":
        if plan.id_taken:
            raise ImportProblem(f"a tool with id '{plan.tool_id}' is already installed; import a copy "
                                f"instead (the copy gets the id '{plan.new_id}')")
        try:
            os.symlink(plan.source.resolve(), dest, target_is_directory=True)
        except OSError as exc:
            raise ImportProblem(f"could not create a link: {exc}") from None
        return ImportResult(dest, plan.tool_id, "link", renamed=dest.name != plan.source.name)
    if mode != "copy":
        raise ValueError(f"unknown import mode {mode!r}")
    staging = tools_dir / f".import-{uuid.uuid4().hex[:8]}"
    try:
        shutil.copytree(plan.source, staging, symlinks=True, ignore=shutil.ignore_patterns(*COPY_IGNORE))
        if plan.id_taken:
            _rewrite_id(staging / "tool.json", plan.new_id)
        os.rename(staging, dest)
    except (OSError, shutil.Error) as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise ImportProblem(f"could not copy '{plan.source.name}': {exc}") from None
    return ImportResult(dest, plan.new_id, "copy", renamed=plan.id_taken or dest.name != plan.source.name)


def _rewrite_id(manifest: Path, new_id: str) -> None:
    raw = json.loads(manifest.read_text(encoding="utf-8"))
    raw["id"] = new_id  # dict order is kept, so the file reads the same apart from the id
    manifest.write_text(json.dumps(raw, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def tool_folders(paths: Iterable[Path]) -> list[Path]:
    return [Path(p) for p in paths if is_tool_folder(Path(p))]
