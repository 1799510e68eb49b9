"""First start of an installed app: give the user the bundled example tools.

A checkout uses its own `tools/` folder as the tools dir, so there is nothing to do. An app
installed from a wheel keeps its data in the user data dir, whose tools dir does not exist on
the first start: the tools shipped in `pixie_desktop.bundled_tools` are copied there once.
Later starts never copy again, so a tool the user deleted or edited stays as they left it."""

from __future__ import annotations

import shutil
from pathlib import Path

from pixie_desktop.config import running_from_checkout
from pixie_desktop.integration.paths import bundled_tools_dir

# A tool's virtual env, secrets and caches are the user's machine state, never part of a copy.
_IGNORE = shutil.ignore_patterns(".venv", ".env", "__pycache__", "*.pyc")


def bundled_tool_folders(source: Path | None = None) -> list[Path]:
    """The bundled tool folders (each holds a tool.json)."""
    source = source or bundled_tools_dir()
    return sorted(p for p in source.iterdir()
                  if p.is_dir() and not p.name.startswith((".", "_")) and (p / "tool.json").is_file())


def seed_bundled_tools(tools_dir: Path, *, installed: bool | None = None,
                       source: Path | None = None) -> list[str]:
    """Copy the bundled tools into `tools_dir` if the app is installed (not a checkout) and
    `tools_dir` does not exist yet. Returns the folder names copied (empty when nothing was
    done). The copy is made next to `tools_dir` and renamed into place, so an interrupted first
    start is retried on the next one instead of leaving half a tools dir behind."""
    if installed is None:
        installed = not running_from_checkout()
    if not installed or tools_dir.exists():
        return []
    folders = bundled_tool_folders(source)
    staging = tools_dir.with_name(tools_dir.name + ".seeding")
    shutil.rmtree(staging, ignore_errors=True)  # left by an interrupted earlier start
    staging.mkdir(parents=True)
    for folder in folders:
        shutil.copytree(folder, staging / folder.name, ignore=_IGNORE)
    staging.rename(tools_dir)
    return [f.name for f in folders]
