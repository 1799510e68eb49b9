"""Test isolation: every test gets a temp data dir, temp database and temp tools dir via the
PIXIE_* variables; XDG dirs and HOME point into tmp so nothing touches the real home or the
repo's pixie.db. Leak guards fail a test that leaves tool processes or pool jobs behind."""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

pytest_plugins = ["fixtures_gallery", "fixtures_validation", "fixtures_ui_shell", "fixtures_runtime"]

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SHARED_SPEC = REPO.parent / "shared" / "spec"


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    root = tmp_path / "pixie-root"
    paths = {
        "root": root,
        "tools": root / "tools",
        "db": root / "pixie.db",
        "artefacts": root / "artefacts",
        "home": tmp_path / "home",
    }
    for key in ("root", "tools", "artefacts", "home"):
        paths[key].mkdir(parents=True, exist_ok=True)
    monkeypatch.setenv("PIXIE_ROOT", str(root))
    monkeypatch.setenv("PIXIE_TOOLS_DIR", str(paths["tools"]))
    monkeypatch.setenv("PIXIE_DB_PATH", str(paths["db"]))
    monkeypatch.setenv("PIXIE_ARTEFACTS_ROOT", str(paths["artefacts"]))
    monkeypatch.setenv("HOME", str(paths["home"]))
    monkeypatch.setenv("PIXIE_LOG_DIR", str(tmp_path / "logs"))  # pixie_desktop.logs never writes to home
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(var, str(paths["home"] / var.lower()))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "run"))
    (tmp_path / "run").mkdir(mode=0o700, exist_ok=True)
    return paths


@pytest.fixture
def tools_dir(isolated_env: dict[str, Path]) -> Path:
    return isolated_env["tools"]


@pytest.fixture
def db_path(isolated_env: dict[str, Path]) -> Path:
    return isolated_env["db"]


@pytest.fixture
def conn(db_path: Path):
    from pixie_desktop.store.db import open_db

    c = open_db(db_path)
    yield c
    c.close()


@pytest.fixture
def ctx(isolated_env):
    from pixie_desktop.context import open_context

    c = open_context()
    yield c
    c.close()


def _children() -> set[int]:
    try:
        import psutil
    except ImportError:  # pragma: no cover
        return set()
    try:
        return {p.pid for p in psutil.Process().children(recursive=True) if p.status() != psutil.STATUS_ZOMBIE}
    except psutil.Error:
        return set()


@pytest.fixture(autouse=True)
def no_leaked_processes():
    """No tool subprocess may outlive its test."""
    before = _children()
    yield
    import time

    deadline = time.monotonic() + 5
    leaked = _children() - before
    while leaked and time.monotonic() < deadline:
        time.sleep(0.05)
        leaked = _children() - before
    if leaked:
        import psutil

        desc = []
        for pid in leaked:
            try:
                p = psutil.Process(pid)
                desc.append(f"{pid} {' '.join(p.cmdline())[:120]}")
                p.kill()
            except psutil.Error:
                pass
        if desc:
            pytest.fail("test leaked child processes: " + "; ".join(desc))


def write_tool(tools_dir: Path, folder: str, tool_json: str | dict, main_py: str | None = None,
               extra: dict[str, str] | None = None) -> Path:
    """Create tools/<folder>/ with tool.json (+ main.py and extra files)."""
    import json

    d = tools_dir / folder
    d.mkdir(parents=True, exist_ok=True)
    (d / "tool.json").write_text(tool_json if isinstance(tool_json, str) else json.dumps(tool_json, indent=2))
    if main_py is not None:
        (d / "main.py").write_text(main_py)
    for name, text in (extra or {}).items():
        (d / name).parent.mkdir(parents=True, exist_ok=True)
        (d / name).write_text(text)
    return d


sys.path.insert(0, str(Path(__file__).resolve().parent))
