"""Set up a tool's own environment (`.venv` in the tool folder):

- `uv sync` when `uv` is on PATH and the tool has a pyproject.toml, with `--python <spec>` when
  the pyproject says `requires-python`, so uv picks (or fetches) a matching interpreter;
- otherwise `python -m venv .venv` with an interpreter that satisfies `requires-python` — the
  app's own, else the newest matching `python3.N` on PATH (its version checked by running it);
  with none, a SetupError says exactly which Python to install — then
  `.venv/bin/python -m pip install …`:
  `pip install .` when pyproject.toml declares a [build-system] (an installable package),
  else only its `[project].dependencies` (a "virtual" project, which is how uv treats a
  pyproject without a build system — building it would try to package main.py);
  `pip install -r requirements.txt` when there is no pyproject.toml.
- installing only the dependencies is the fallback when building the tool itself fails
  (`uv sync --no-install-project`, or pip with the dependency list);
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
from pixie_desktop.frozen import base_python_for_venv, is_frozen

LineFn = Callable[[str], None]
PhaseFn = Callable[[int, int, str], None]  # (index, total, label)

_ENV_DROP = ("VIRTUAL_ENV", "PYTHONHOME", "PYTHONPATH", "UV_PROJECT_ENVIRONMENT", "CONDA_PREFIX",
             "PIP_REQUIRE_VIRTUALENV", "PIP_USER")


@dataclass
class Step:
    label: str
    argv: list[str]
    cwd: Path
    fallback: "Step | None" = None  # run instead when this step fails (not when cancelled)


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


# -- requires-python ------------------------------------------------------------------------

Version = tuple[int, ...]
NEWEST_MINOR, OLDEST_MINOR = 20, 8  # python3.20 … python3.8 are looked for on PATH


def requires_python(pyproject: dict | None) -> str | None:
    spec = ((pyproject or {}).get("project", {}) or {}).get("requires-python")
    return str(spec).strip() or None if isinstance(spec, str) else None


def _parse_version(text: str) -> Version:
    return tuple(int(p) for p in text.strip().split(".") if p.isdigit())


def _clause_ok(clause: str, v: Version) -> bool:
    clause = clause.strip()
    if not clause:
        return True
    op = next((o for o in ("~=", "==", "!=", ">=", "<=", ">", "<") if clause.startswith(o)), None)
    if op is None:  # a bare version: treat like ==
        op, text = "==", clause
    else:
        text = clause[len(op):].strip()
    wildcard = text.endswith(".*")
    want = _parse_version(text[:-2] if wildcard else text)
    if not want:
        raise ValueError(f"cannot read the version in '{clause}'")
    if op in ("==", "!=") and wildcard:
        hit = v[:len(want)] == want
        return hit if op == "==" else not hit
    width = max(len(want), len(v), 3)
    a, b = v + (0,) * (width - len(v)), want + (0,) * (width - len(want))
    if op == "~=":
        return a >= b and v[:len(want) - 1] == want[:-1]
    return {"==": a == b, "!=": a != b, ">=": a >= b, "<=": a <= b, ">": a > b, "<": a < b}[op]


def version_matches(spec: str, version: Version) -> bool:
    """A PEP 440 specifier set (the subset requires-python uses) against a Python version."""
    return all(_clause_ok(c, tuple(version)) for c in spec.split(","))


def suggested_python(spec: str) -> str | None:
    """The oldest 3.N release line that satisfies `spec` (what to tell the user to install)."""
    for minor in range(OLDEST_MINOR, NEWEST_MINOR + 1):
        if any(version_matches(spec, (3, minor, patch)) for patch in (0, 50)):
            return f"3.{minor}"
    return None


def probe_version(exe: str) -> Version | None:
    """Run the interpreter to learn its real version (a `python3` may be any 3.N)."""
    try:
        out = subprocess.run([exe, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"],
                             capture_output=True, text=True, timeout=15, env=_child_env(),
                             stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return None
    return _parse_version(out.stdout) or None if out.returncode == 0 else None


def find_python(spec: str, *, which: Callable[[str], str | None] = shutil.which,
                version_of: Callable[[str], Version | None] = probe_version,
                current: tuple[str, Version] | None = None) -> str | None:
    """An interpreter satisfying `spec`: the app's own, else the newest matching one on PATH."""
    if current is None and not is_frozen():  # the frozen app's executable cannot make a venv
        current = (sys.executable, tuple(sys.version_info[:3]))
    if current is not None and version_matches(spec, current[1]):
        return current[0]
    seen: set[str] = set()
    names = [f"python3.{m}" for m in range(NEWEST_MINOR, OLDEST_MINOR - 1, -1)] + ["python3", "python"]
    for name in names:
        path = which(name)
        if not path or os.path.realpath(path) in seen:
            continue
        seen.add(os.path.realpath(path))
        found = version_of(path)
        if found and version_matches(spec, found):
            return path
    return None


def no_python_message(tool: str, spec: str, current: Version | None = None) -> str:
    cur = ".".join(map(str, current or sys.version_info[:3]))
    want = suggested_python(spec)
    what = f"Python {want}" if want else f"a Python matching '{spec}'"
    return (f"'{tool}' needs Python {spec} (requires-python in its pyproject.toml), but this app runs "
            f"Python {cur} and no python3.N on PATH matches. Install {what} (python.org, your package "
            f"manager, or `uv python install {want or spec}`), or install uv, which fetches a matching "
            "Python by itself; then set the tool up again.")


def plan_setup(tool_dir: Path, *, use_uv: bool | None = None, base_python: str | None = None,
               probe: bool = True) -> list[Step]:
    """The commands that will set the tool up, in order. `use_uv=None` means "if uv is on PATH".
    `probe=False` skips running interpreters to check their versions (for a quick description
    on the UI thread)."""
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
    spec = requires_python(pyproject)
    if spec:
        try:
            version_matches(spec, (3, 0, 0))
        except ValueError as exc:
            raise SetupError(f"pyproject.toml: requires-python '{spec}': {exc}") from None
    if uv and pyproject is not None:
        pin = ["--python", spec] if spec else []
        only_deps = Step("Installing only the dependencies (building the tool failed)",
                         [uv, "sync", "--no-install-project", *pin], tool_dir)
        return [Step("Syncing with uv", [uv, "sync", *pin], tool_dir, fallback=only_deps), check]
    if base_python is None and spec and probe:
        base_python = find_python(spec)
        if base_python is None:
            raise SetupError(no_python_message(tool_dir.name, spec))
    base_python = base_python or base_python_for_venv()
    if base_python is None:  # the frozen app has no Python of its own to make a venv with
        raise SetupError(f"'{tool_dir.name}' needs its own environment, and creating one needs Python: "
                         "install python3 (with its venv module) or uv, then set the tool up again")
    steps = [Step("Creating .venv", [base_python, "-m", "venv", str(venv)], tool_dir)]
    pip = [py, "-m", "pip", "install", "--disable-pip-version-check", "--no-input", "--progress-bar", "off"]
    if pyproject is not None:
        deps = [str(d) for d in (pyproject.get("project", {}) or {}).get("dependencies", []) or []]
        if "build-system" in pyproject:
            # main.py runs from the folder either way: if the package does not build, its
            # dependencies are what the tool needs
            only_deps = Step("Installing only the dependencies (building the tool failed)",
                             [*pip, *deps] if deps else [py, "-c", "pass"], tool_dir)
            steps.append(Step("Installing the tool and its dependencies", [*pip, "."], tool_dir, fallback=only_deps))
        else:
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
        if not cancelled and rc != 0 and step.fallback is not None:
            on_line(f"{step.label} failed (exit {rc}); trying: {step.fallback.label}")
            on_phase(index, len(steps), step.fallback.label)
            step = step.fallback
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
