"""Create a new tool folder from a template (`new-tool ID --layout form|chat`). The id rule and
the placeholder names follow the reference's `scaffold-tool`. The folder is built in a hidden
staging dir and renamed into place, so discovery never lists half a tool."""

from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from pixie_desktop.config import PACKAGE_DIR
from pixie_desktop.lifecycle import templates

ID_RE = re.compile(r"^[a-z][a-z0-9-]*$")


class ScaffoldError(Exception):
    """A readable reason the tool could not be created."""


@dataclass
class ScaffoldResult:
    path: Path
    tool_id: str
    layout: str
    vendored_sdk: bool


def id_problem(tool_id: str) -> str | None:
    if not ID_RE.match(tool_id or ""):
        return ("a tool id starts with a lower-case letter and holds only lower-case letters, digits "
                "and '-' (e.g. 'csv-cleaner')")
    if len(tool_id) > 64:
        return "a tool id is at most 64 characters"
    return None


def default_name(tool_id: str) -> str:
    return " ".join(w.capitalize() for w in tool_id.split("-") if w) or tool_id


def _fill(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    return text


def _fill_json(obj: object, values: dict[str, str]) -> object:
    if isinstance(obj, str):
        return _fill(obj, values)
    if isinstance(obj, list):
        return [_fill_json(v, values) for v in obj]
    if isinstance(obj, dict):
        return {k: _fill_json(v, values) for k, v in obj.items()}
    return obj


def sdk_source() -> Path | None:
    p = PACKAGE_DIR / "sdk.py"
    return p if p.is_file() else None


def scaffold_tool(tools_dir: Path, tool_id: str, layout: str = "form", name: str | None = None,
                  description: str | None = None) -> ScaffoldResult:
    problem = id_problem(tool_id)
    if problem:
        raise ScaffoldError(f"'{tool_id}': {problem}")
    if layout not in templates.LAYOUTS:
        raise ScaffoldError(f"unknown layout '{layout}' (choose {' or '.join(templates.LAYOUTS)})")
    tools_dir = Path(tools_dir)
    dest = tools_dir / tool_id
    if dest.exists() or dest.is_symlink():
        raise ScaffoldError(f"a folder named '{tool_id}' already exists in {tools_dir}")
    name = (name or "").strip() or default_name(tool_id)
    description = (description or "").strip() or (
        "A chat tool made with Pixie Desktop." if layout == "chat" else "A new tool made with Pixie Desktop.")
    values = {"TOOL_ID": tool_id, "TOOL_NAME": name, "DESCRIPTION": description}
    spec = templates.CHAT_TOOL_JSON if layout == "chat" else templates.FORM_TOOL_JSON
    main = templates.CHAT_MAIN if layout == "chat" else templates.FORM_MAIN
    files = {
        "tool.json": json.dumps(_fill_json(spec, values), indent=2, ensure_ascii=False) + "\n",
        "main.py": _fill(main, values),
        "pyproject.toml": _fill(templates.PYPROJECT, {**values, "DESCRIPTION": description.replace('"', "'")}),
        "README.md": _fill(templates.README, values),
        ".gitignore": templates.GITIGNORE,
    }
    tools_dir.mkdir(parents=True, exist_ok=True)
    staging = tools_dir / f".new-{tool_id}-{uuid.uuid4().hex[:6]}"
    try:
        staging.mkdir()
        for rel, text in files.items():
            (staging / rel).write_text(text, encoding="utf-8")
        sdk = sdk_source()
        if sdk is not None:
            shutil.copyfile(sdk, staging / "_pixie_sdk.py")
        os.rename(staging, dest)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise ScaffoldError(f"could not create the tool: {exc}") from None
    return ScaffoldResult(dest, tool_id, layout, vendored_sdk=sdk is not None)
