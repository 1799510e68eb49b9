"""Set up a tool's own environment (`.venv` in the tool folder):

- `uv sync` when `uv` is on PATH and the tool has a pyproject.toml;
- otherwise `python -m venv .venv`, then `.venv/bin/python -m pip install …`:
  `pip install .` when pyproject.toml declares a [build-system] (an installable package),
  else only its `[project].dependencies` (a "virtual" project, which is how uv treats a
  pyproject without a build system — building it would try to package main.py);
  `pip install -r requirements.txt` when there is no pyproject.toml.
- finally a check that the new interpreter starts.

Every step is a subprocess in its own process group whose output lines are streamed to a
callback; `cancel` (a threading.Event) kills the whole group. A `.venv` this run created is
removed again on failure or cancel, so a tool is never left looking "set up" with a broken env.
Qt-free; the GUI runs `run_setup` on a pool thread."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from pixie_desktop.catalog.discovery import venv_python

LineFn = Callable[[str], None]
PhaseFn = Callable[[int, int, str], None]  # (index, total, label)

_ENV_DROP = ("VIRTUAL_ENV", "PYTHONHOME", "PYTHONPATH", "UV_PROJECT_ENVIRONMENT", "CONDA_PREFIX",
             "PIP_REQUIRE_VIRTUALENV", "PIP_USER")


@dataclass
class Step:
    label: str
    argv: list[str]
    cwd: Path


@dataclass
class SetupResult:
    ok: bool
    cancelled: bool = False
    error: str | None = None
    returncode: int | None = None
    duration_s: float = 0.0
    tail: list[str] = field(default_factory=list)  # the last log lines, for error panels
    python: Path | None = None


class SetupError(Exception):
    """The tool folder cannot be set up (nothing to install from, or bad pyproject)."""


def _venv_bin(venv: Path, name: str) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin") / (name + (".exe" if os.name == "nt" else ""))


def read_pyproject(tool_dir: Path) -> dict | None:
    path = tool_dir / "pyproject.toml"
    if not path.is_file():
        return None
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10: treat as an installable project
        return {"build-system": {}}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SetupError(f"pyproject.toml could not be read: {exc}") from None


def plan_setup(tool_dir: Path, *, use_uv: bool | None = None, base_python: str | None = None) -> list[Step]:
    """The commands that will set the tool up, in order. `use_uv=None` means "if uv is on PATH"."""
    tool_dir = Path(tool_dir).resolve()
    pyproject = read_pyproject(tool_dir)
    requirements = tool_dir / "requirements.txt"
    if pyproject is None and not requirements.is_file():
        raise SetupError(f"'{tool_dir.name}' has neither pyproject.toml nor requirements.txt, so there is "
                         "nothing to install; it runs on the app's own Python")
    uv = shutil.which("uv") if use_uv in (None, True) else None
    if use_uv and not uv:
        raise SetupError("uv was requested but is not on PATH")
    venv = tool_dir / ".venv"
    py = str(_venv_bin(venv, "python"))
    check = Step("Checking the environment", [py, "-c", "import sys; print('Python', sys.version.split()[0], 'ready')"],
                 tool_dir)
    if uv and pyproject is not None:
        return [Step("Syncing with uv", [uv, "sync"], tool_dir), check]
    steps = [Step("Creating .venv", [base_python or sys.executable, "-m", "venv", str(venv)], tool_dir)]
    pip = [py, "-m", "pip", "install", "--disable-pip-version-check", "--no-input", "--progress-bar", "off"]
    if pyproject is not None:
        if "build-system" in pyproject:
            steps.append(Step("Installing the tool and its dependencies", [*pip, "."], tool_dir))
        else:
            deps = [str(d) for d in (pyproject.get("project", {}) or {}).get("dependencies", []) or []]
            if deps:
                steps.append(Step(f"Installing {len(deps)} dependenc{'y' if len(deps) == 1 else 'ies'}",
                                  [*pip, *deps], tool_dir))
    if requirements.is_file():
        steps.append(Step("Installing requirements.txt", [*pip, "-r", str(requirements)], tool_dir))
    steps.append(check)
    return steps


def _child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _ENV_DROP}
    env.update(PYTHONUNBUFFERED="1", PIP_NO_INPUT="1", PIP_DISABLE_PIP_VERSION_CHECK="1",
               UV_NO_PROGRESS="1", NO_COLOR="1")
    return env


def kill_group(proc: subprocess.Popen, grace: float = 2.0) -> None:
    """Stop the installer and everything it started (pip spawns build backends)."""
    if proc.poll() is not None:
        return
    try:
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGTERM)
        else:
            proc.terminate()
        proc.wait(timeout=grace)
    except (ProcessLookupError, PermissionError):  # already gone, or no longer ours to stop
        pass
    except subprocess.TimeoutExpired:
        try:
            if os.name == "posix":
                os.killpg(proc.pid, signal.SIGKILL)
            else:
                proc.kill()
        except (ProcessLookupError, PermissionError):  # already gone, or no longer ours to stop
            pass
        proc.wait(timeout=5)
    # the group leader is gone; make sure no grandchild keeps going
    if os.name == "posix":
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):  # already gone, or no longer ours to stop
            pass


def _run_step(step: Step, on_line: LineFn, cancel: threading.Event, tail: list[str],
              timeout_s: float) -> tuple[int | None, bool]:
    """Run one step; returns (returncode, cancelled)."""
    on_line(f"$ {' '.join(step.argv)}")
    kwargs: dict = {}
    if os.name == "posix":
        kwargs["start_new_session"] = True
    else:  # pragma: no cover - Windows
        kwargs["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP  # type: ignore[attr-defined]
    try:
        proc = subprocess.Popen(step.argv, cwd=step.cwd, env=_child_env(), stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **kwargs)
    except OSError as exc:
        on_line(f"could not start {step.argv[0]}: {exc}")
        tail.append(str(exc))
        return None, False
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for raw in iter(proc.stdout.readline, b""):
            lines.put(raw.decode("utf-8", "replace").rstrip("\r\n"))
        lines.put(None)

    reader = threading.Thread(target=pump, name="setup-log", daemon=True)
    reader.start()
    deadline = time.monotonic() + timeout_s
    cancelled = False
    eof = False
    try:
        while not eof:
            if cancel.is_set():
                cancelled = True
                kill_group(proc)
                break
            if time.monotonic() > deadline:
                on_line(f"timed out after {timeout_s:.0f} s")
                tail.append(f"timed out after {timeout_s:.0f} s")
                kill_group(proc)
                break
            try:
                line = lines.get(timeout=0.1)
            except queue.Empty:
                continue
            if line is None:
                eof = True
                break
            tail.append(line)
            del tail[:-40]
            on_line(line)
    finally:
        if proc.poll() is None and (cancelled or not eof):
            kill_group(proc)
        rc = proc.wait()
        reader.join(timeout=2)
        if proc.stdout:
            proc.stdout.close()
    # drain whatever arrived between the last poll and EOF
    while True:
        try:
            line = lines.get_nowait()
        except queue.Empty:
            break
        if line is not None and not cancelled:
            tail.append(line)
            on_line(line)
    return rc, cancelled


def run_setup(tool_dir: Path, *, on_line: LineFn | None = None, on_phase: PhaseFn | None = None,
              cancel: threading.Event | None = None, use_uv: bool | None = None,
              step_timeout_s: float = 900.0, base_python: str | None = None) -> SetupResult:
    """Create the tool's environment. Never raises for install failures: they come back as
    `SetupResult(ok=False, error=…)` with the log tail."""
    on_line = on_line or (lambda _l: None)
    on_phase = on_phase or (lambda _i, _n, _l: None)
    cancel = cancel or threading.Event()
    tool_dir = Path(tool_dir).resolve()
    started = time.monotonic()
    try:
        steps = plan_setup(tool_dir, use_uv=use_uv, base_python=base_python)
    except SetupError as exc:
        return SetupResult(False, error=str(exc))
    venv = tool_dir / ".venv"
    existed = venv.exists()
    tail: list[str] = []
    for index, step in enumerate(steps):
        on_phase(index, len(steps), step.label)
        rc, cancelled = _run_step(step, on_line, cancel, tail, step_timeout_s)
        if cancelled or rc != 0:
            if not existed:
                shutil.rmtree(venv, ignore_errors=True)
            took = time.monotonic() - started
            if cancelled:
                on_line("cancelled")
                return SetupResult(False, cancelled=True, error="setup was cancelled", returncode=rc,
                                   duration_s=took, tail=tail[-20:])
            last = next((ln for ln in reversed(tail) if ln.strip()), "")
            return SetupResult(False, error=f"{step.label} failed (exit {rc})" + (f": {last}" if last else ""),
                               returncode=rc, duration_s=took, tail=tail[-20:])
    on_phase(len(steps), len(steps), "Done")
    return SetupResult(True, returncode=0, duration_s=time.monotonic() - started, tail=tail[-20:],
                       python=venv_python(tool_dir))


def needs_setup(tool_dir: Path) -> bool:
    """A tool that declares dependencies (pyproject/requirements) and has no .venv yet."""
    tool_dir = Path(tool_dir)
    if venv_python(tool_dir) is not None:
        return False
    if (tool_dir / "requirements.txt").is_file():
        return True
    try:
        data = read_pyproject(tool_dir)
    except SetupError:
        return False
    if data is None:
        return False
    deps = (data.get("project", {}) or {}).get("dependencies", []) or []
    return bool(deps) or "build-system" in data
