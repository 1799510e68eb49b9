"""A Pixie-style FastAPI tool with its own .venv runs unchanged. The venv is built in the test
(python -m venv --without-pip) and sees fastapi+uvicorn either from this interpreter or from
PIXIE_TEST_FASTAPI_SITE (a `pip install --target` folder); otherwise the test is skipped."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest


def _fastapi_site() -> str | None:
    spec = importlib.util.find_spec("fastapi")
    if spec is not None and importlib.util.find_spec("uvicorn") is not None and spec.origin:
        return str(Path(spec.origin).parent.parent)
    site = os.environ.get("PIXIE_TEST_FASTAPI_SITE")
    if site and (Path(site) / "fastapi").is_dir() and (Path(site) / "uvicorn").is_dir():
        return site
    return None


SITE = _fastapi_site()
pytestmark = pytest.mark.skipif(SITE is None, reason="fastapi + uvicorn not importable (set PIXIE_TEST_FASTAPI_SITE "
                                                     "to a `pip install --target` folder holding them)")


def test_fastapi_tool_with_own_venv(ctx, install, runner):
    folder = install("fastapi-echo")
    venv = folder / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    ver = f"python{sys.version_info.major}.{sys.version_info.minor}"
    (venv / "lib" / ver / "site-packages" / "_pixie_test_deps.pth").write_text(SITE + "\n")
    tool = ctx.find_tool("fastapi-echo")
    assert tool.has_venv
    res = runner.run(tool, {"name": "Pixie"})
    assert res.status == "ok", res.error
    assert res.outputs["greeting"] == "Hello, Pixie!"
    assert res.outputs["artefacts_dir"].endswith(f"fastapi-echo/{res.run_id}")
    snap = runner.pool.snapshot()[0]
    import psutil

    assert Path(psutil.Process(snap["pid"]).exe()).resolve() != Path(sys.executable).resolve() or \
        str(venv) in " ".join(psutil.Process(snap["pid"]).cmdline())
