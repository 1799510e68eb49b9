"""Tool environment setup: the plan (uv / venv+pip / requirements), a real setup of a fixture
tool with one small dependency (skipped when no package index answers), cancel killing the
installer's whole process group, and clean-up of a half-made .venv."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest
from desktop_helpers import run_tool_once

from pixie_desktop.lifecycle.envsetup import (SetupError, Step, _run_step, needs_setup, plan_setup,
                                            read_pyproject, run_setup)
from pixie_desktop.catalog.discovery import Discovery, venv_python

FIXTURE = Path(__file__).parent / "fixtures" / "tools" / "six-echo"


def _tool(tmp: Path, pyproject: str | None = None, requirements: str | None = None) -> Path:
    d = tmp / "t"
    d.mkdir()
    if pyproject is not None:
        (d / "pyproject.toml").write_text(pyproject)
    if requirements is not None:
        (d / "requirements.txt").write_text(requirements)
    return d


def test_plan_virtual_project_installs_only_dependencies(tmp_path):
    d = _tool(tmp_path, '[project]\nname="t"\nversion="1"\ndependencies=["six>=1", "attrs"]\n')
    steps = plan_setup(d, use_uv=False)
    assert [s.label for s in steps] == ["Creating .venv", "Installing 2 dependencies", "Checking the environment"]
    assert steps[0].argv[1:] == ["-m", "venv", str(d.resolve() / ".venv")]
    assert steps[1].argv[0] == str(d.resolve() / ".venv" / "bin" / "python")
    assert steps[1].argv[-2:] == ["six>=1", "attrs"] and "." not in steps[1].argv
    assert needs_setup(d)


def test_plan_package_installs_dot_and_requirements(tmp_path):
    d = _tool(tmp_path, '[build-system]\nrequires=["setuptools"]\n[project]\nname="t"\nversion="1"\n',
              "six\n")
    steps = plan_setup(d, use_uv=False)
    assert steps[1].argv[-1] == "." and steps[2].argv[-2:] == ["-r", str(d.resolve() / "requirements.txt")]


def test_plan_prefers_uv_when_on_path(tmp_path, monkeypatch):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    fake = bindir / "uv"
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    d = _tool(tmp_path, '[project]\nname="t"\nversion="1"\ndependencies=["six"]\n')
    steps = plan_setup(d)
    assert steps[0].argv == [str(fake), "sync"] and steps[0].cwd == d.resolve()
    assert plan_setup(d, use_uv=False)[0].label == "Creating .venv"


def test_plan_refuses_nothing_to_install_and_bad_toml(tmp_path):
    d = _tool(tmp_path)
    with pytest.raises(SetupError, match="nothing to install"):
        plan_setup(d)
    assert not needs_setup(d)
    (d / "pyproject.toml").write_text("[project\nbroken")
    with pytest.raises(SetupError, match="could not be read"):
        read_pyproject(d)
    result = run_setup(d)
    assert not result.ok and "could not be read" in result.error


def test_no_deps_virtual_project_does_not_need_setup(tmp_path):
    d = _tool(tmp_path, '[project]\nname="t"\nversion="1"\ndependencies=[]\n')
    assert not needs_setup(d)


def test_cancel_kills_the_whole_process_group(tmp_path):
    lines: list[str] = []
    cancel = threading.Event()
    step = Step("sleepy", ["/bin/sh", "-c", "sleep 30 & echo child=$!; wait"], tmp_path)
    timer = threading.Timer(0.5, cancel.set)
    timer.start()
    started = time.monotonic()
    rc, cancelled = _run_step(step, lines.append, cancel, [], 60)
    timer.join()
    assert cancelled and time.monotonic() - started < 10
    child = int(next(ln for ln in lines if ln.startswith("child=")).split("=")[1])
    deadline = time.monotonic() + 5
    while psutil.pid_exists(child) and time.monotonic() < deadline:
        try:
            if psutil.Process(child).status() == psutil.STATUS_ZOMBIE:
                break
        except psutil.NoSuchProcess:
            break
        time.sleep(0.05)
    alive = psutil.pid_exists(child) and psutil.Process(child).status() != psutil.STATUS_ZOMBIE
    assert not alive, "the installer's grandchild survived cancel"


def test_cancelled_setup_removes_the_half_made_venv(tmp_path):
    """A fake base python that creates .venv and then hangs, as a slow `venv`/`ensurepip` would."""
    d = _tool(tmp_path, '[project]\nname="t"\nversion="1"\ndependencies=["six"]\n')
    fake = tmp_path / "slowpy"
    fake.write_text('#!/bin/sh\nmkdir -p "$3/bin"\necho made\nsleep 30\n')
    fake.chmod(0o755)
    cancel = threading.Event()
    phases: list[tuple[int, int, str]] = []

    def on_line(line: str) -> None:
        if line == "made":
            cancel.set()

    result = run_setup(d, on_line=on_line, on_phase=lambda *p: phases.append(p), cancel=cancel,
                       use_uv=False, base_python=str(fake))
    assert result.cancelled and not result.ok
    assert not (d / ".venv").exists()
    assert phases == [(0, 3, "Creating .venv")]


def test_failed_step_reports_and_keeps_an_older_venv(tmp_path):
    d = _tool(tmp_path, '[project]\nname="t"\nversion="1"\ndependencies=["six"]\n')
    (d / ".venv").mkdir()
    (d / ".venv" / "keep").write_text("x")
    result = run_setup(d, use_uv=False, base_python="/bin/false")
    assert not result.ok and not result.cancelled and "Creating .venv failed (exit 1)" in result.error
    assert (d / ".venv" / "keep").is_file()  # it existed before: not ours to delete


def _index_reachable() -> str | None:
    """None if pip can fetch a tiny package, else the reason."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        try:
            proc = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check",
                                   "-q", "-d", tmp, "six"], capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"pip download failed: {exc}"
        return None if proc.returncode == 0 else f"no package index reachable: {proc.stderr.strip()[-200:]}"


@pytest.mark.network
def test_real_setup_creates_working_venv_and_tool_runs(tools_dir):
    reason = _index_reachable()
    if reason:
        pytest.skip(reason)
    tool = tools_dir / "six-echo"
    shutil.copytree(FIXTURE, tool)
    info = next(t for t in Discovery(tools_dir).scan() if t.tool_id == "six-echo")
    assert info.ok and not info.has_venv and needs_setup(tool)
    lines: list[str] = []
    phases: list[tuple[int, int, str]] = []
    result = run_setup(tool, on_line=lines.append, on_phase=lambda *p: phases.append(p), use_uv=False)
    assert result.ok, (result.error, result.tail)
    assert phases[0] == (0, 3, "Creating .venv") and phases[-1] == (3, 3, "Done")
    assert any("six" in ln for ln in lines)
    py = venv_python(tool)
    assert py is not None and result.python == py and not needs_setup(tool)
    # a real venv, not one borrowing the app's site-packages
    cfg = (tool / ".venv" / "pyvenv.cfg").read_text()
    assert "include-system-site-packages = false" in cfg
    out = run_tool_once(py, tool, {"text": "abc"})
    assert out == {"echo": "cba", "six_version": out["six_version"]} and out["six_version"].startswith("1.")
    # the app's own interpreter cannot run it (proves the venv is what makes it work)
    if subprocess.run([sys.executable, "-c", "import six"], capture_output=True).returncode != 0:
        with pytest.raises(RuntimeError, match="exited"):
            run_tool_once(sys.executable, tool, {"text": "abc"}, timeout=10)


# -- requires-python (issue 12 item 6) -----------------------------------------------------------

from pixie_desktop.lifecycle import envsetup  # noqa: E402


def _fake_uv(tmp_path, monkeypatch):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    fake = bindir / "uv"
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    return fake


@pytest.mark.parametrize("spec, version, ok", [
    (">=3.12", (3, 12, 0), True), (">=3.12", (3, 11, 9), False), (">=3.10,<3.13", (3, 13, 1), False),
    ("==3.11.*", (3, 11, 4), True), ("==3.11.*", (3, 12, 0), False), ("~=3.10", (3, 14, 0), True),
    ("~=3.10", (4, 0, 0), False), ("!=3.12.0,>=3.9", (3, 12, 0), False), (">3.9", (3, 9, 0), False)])
def test_version_matches_requires_python(spec, version, ok):
    assert envsetup.version_matches(spec, version) is ok


def test_uv_gets_the_requires_python_spec(tmp_path, monkeypatch):
    fake = _fake_uv(tmp_path, monkeypatch)
    d = _tool(tmp_path, '[project]\nname="t"\nversion="1"\nrequires-python=">=3.12"\ndependencies=["six"]\n')
    sync = plan_setup(d)[0]
    assert sync.argv == [str(fake), "sync", "--python", ">=3.12"]
    assert sync.fallback is not None and sync.fallback.argv == [str(fake), "sync", "--no-install-project",
                                                                "--python", ">=3.12"]


def _fake_path(pythons: dict[str, tuple]):
    """which/version_of fakes: {name: version} of interpreters 'on PATH'."""
    return (lambda name: f"/fake/bin/{name}" if name in pythons else None,
            lambda exe: pythons.get(Path(exe).name))


def test_without_uv_the_newest_matching_interpreter_on_path_is_used(tmp_path, monkeypatch):
    which, version_of = _fake_path({"python3.13": (3, 13, 1), "python3.12": (3, 12, 7), "python3": (3, 10, 2)})
    assert envsetup.find_python(">=3.12", which=which, version_of=version_of,
                                current=("/app/python", (3, 11, 0))) == "/fake/bin/python3.13"
    assert envsetup.find_python("<3.13,>=3.12", which=which, version_of=version_of,
                                current=("/app/python", (3, 11, 0))) == "/fake/bin/python3.12"
    # the app's own interpreter wins when it matches
    assert envsetup.find_python(">=3.10", which=which, version_of=version_of,
                                current=("/app/python", (3, 11, 0))) == "/app/python"
    # a python3 that is really 3.10 is not taken for >=3.11, whatever its name promises
    which2, version_of2 = _fake_path({"python3": (3, 10, 2)})
    assert envsetup.find_python(">=3.11", which=which2, version_of=version_of2,
                                current=("/app/python", (3, 9, 0))) is None

    real = envsetup.find_python
    monkeypatch.setattr(envsetup, "find_python", lambda spec: real(spec, which=which, version_of=version_of,
                                                                   current=("/app/python", (3, 11, 0))))
    d = _tool(tmp_path, '[project]\nname="t"\nversion="1"\nrequires-python=">=3.12"\ndependencies=["six"]\n')
    steps = plan_setup(d, use_uv=False)
    assert steps[0].label == "Creating .venv" and steps[0].argv[0] == "/fake/bin/python3.13"


def test_without_a_matching_python_says_exactly_what_to_install(tmp_path, monkeypatch):
    which, version_of = _fake_path({"python3": (3, 10, 2)})
    real = envsetup.find_python
    monkeypatch.setattr(envsetup, "find_python", lambda spec: real(spec, which=which, version_of=version_of,
                                                                   current=("/app/python", (3, 10, 2))))
    d = _tool(tmp_path, '[project]\nname="t"\nversion="1"\nrequires-python=">=3.12,<3.14"\ndependencies=["six"]\n')
    with pytest.raises(SetupError) as err:
        plan_setup(d, use_uv=False)
    text = str(err.value)
    assert "needs Python >=3.12,<3.14" in text and "Install Python 3.12" in text and "uv python install 3.12" in text
    result = run_setup(d, use_uv=False)
    assert not result.ok and "Install Python 3.12" in result.error and not (d / ".venv").exists()
    # a description for the UI thread runs nothing and does not refuse
    assert plan_setup(d, use_uv=False, probe=False)[0].label == "Creating .venv"


def test_failed_build_falls_back_to_installing_only_dependencies(tmp_path, monkeypatch):
    d = _tool(tmp_path, '[build-system]\nrequires=["setuptools"]\n[project]\nname="t"\nversion="1"\n'
                        'dependencies=["six>=1"]\n')
    planned = plan_setup(d, use_uv=False)
    build = planned[1]
    assert build.argv[-1] == "." and build.fallback is not None and build.fallback.argv[-1] == "six>=1"

    fails = Step("Installing the tool and its dependencies", [sys.executable, "-c", "import sys; sys.exit(3)"], d,
                 fallback=Step("Installing only the dependencies", [sys.executable, "-c", "print('deps ok')"], d))
    monkeypatch.setattr(envsetup, "plan_setup", lambda *_a, **_k: [fails])
    lines: list[str] = []
    result = run_setup(d, on_line=lines.append)
    assert result.ok, result.error
    assert any("failed (exit 3); trying: Installing only the dependencies" in ln for ln in lines)
    assert "deps ok" in lines

    both_fail = Step("Build", [sys.executable, "-c", "import sys; sys.exit(3)"], d,
                     fallback=Step("Only deps", [sys.executable, "-c", "import sys; sys.exit(4)"], d))
    monkeypatch.setattr(envsetup, "plan_setup", lambda *_a, **_k: [both_fail])
    result = run_setup(d)
    assert not result.ok and result.error.startswith("Only deps failed (exit 4)")
