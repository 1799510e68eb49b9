"""Shared fixtures for the runtime tests: copy bundled/fixture tools into the test's tools dir,
and a Runner (short cancel grace) that is always shut down."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BUNDLED = REPO / "tools"
FIXTURE_TOOLS = Path(__file__).resolve().parent / "fixtures" / "tools"


def install_tool(tools_dir: Path, name: str) -> Path:
    """Copy tools/<name> (bundled) or tests/fixtures/tools/<name> into the temp tools dir."""
    src = BUNDLED / name if (BUNDLED / name).is_dir() else FIXTURE_TOOLS / name
    dst = tools_dir / name
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__", ".venv"))
    return dst


@pytest.fixture
def install(tools_dir: Path):
    return lambda name: install_tool(tools_dir, name)


@pytest.fixture
def runner(ctx):
    from pixie_desktop.runtime.runner import Runner

    ctx.settings.values["run_cancel_grace_seconds"] = 1.0
    r = Runner(ctx.settings)
    yield r
    r.shutdown()
