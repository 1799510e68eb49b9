"""Shared fixtures for the validator tests: copy the stdlib fixture tool into the test's tools
dir, optionally switching on faults through its behaviour.json."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any, Callable

import pytest

FIXTURE_TOOLS = Path(__file__).resolve().parent / "fixtures" / "tools"


@pytest.fixture
def make_sqrt_tool(tools_dir: Path) -> Callable[..., Path]:
    """make_sqrt_tool(folder="validate-sqrt", behaviour={...}, spec_changes={...}) -> tool folder."""

    def make(folder: str = "validate-sqrt", behaviour: dict[str, Any] | None = None,
             spec_changes: dict[str, Any] | None = None, reference: bool = True) -> Path:
        dest = tools_dir / folder
        shutil.copytree(FIXTURE_TOOLS / "validate-sqrt", dest,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        if not reference:
            shutil.rmtree(dest / "reference")
        if spec_changes:
            spec = json.loads((dest / "tool.json").read_text())
            spec.update(spec_changes)
            (dest / "tool.json").write_text(json.dumps(spec, indent=2))
        if behaviour:
            (dest / "behaviour.json").write_text(json.dumps(behaviour))
        return dest

    return make


@pytest.fixture
def validate(ctx) -> Callable[..., dict]:
    """validate(folder_or_id, **options) -> report dict (not saved)."""
    from pixie_desktop.validation.validator import ValidateOptions, validate_tool

    def run(name: str, **options: Any) -> dict:
        tool = ctx.find_tool(name)
        assert tool is not None, f"tool {name} not discovered"
        return validate_tool(tool, ctx.settings, ValidateOptions(**options))

    return run


def check(report: dict, name: str) -> dict:
    return next(c for c in report["checks"] if c["name"] == name)
