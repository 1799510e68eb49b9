"""Dependency checks for validator checks 4–5 (`pyproject_ok`, `venv_exists`).

Unlike the reference (which demands fastapi, uvicorn, pydantic and python-dotenv in every
pyproject), a tool is fine when every dependency it *declares* is installed for the interpreter
that will run it: the tool's `.venv` python, else the app's own. A missing pyproject.toml means
"no dependencies". The interpreter is probed once (version + installed distributions)."""

from __future__ import annotations

import functools

import json
import re
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_DIRECT_REF = re.compile(r"(git\+|hg\+|svn\+|bzr\+|file://|@\s*https?://|\burl\s*=|^\.{0,2}/|\.whl\b|\.tar\.gz\b|\.zip\b)")

_PROBE = r"""
import json, sys, importlib.metadata as md
names = json.loads(sys.argv[1])
out = {"version": sys.version.split()[0], "dists": {}}
for n in names:
    try:
        out["dists"][n] = md.version(n)
    except Exception:
        out["dists"][n] = None
print(json.dumps(out))
"""


def canonical(name: str) -> str:
    """PEP 503 normalisation."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass
class Requirement:
    raw: str
    name: str
    specifier: str = ""
    direct: bool = False       # git/url/path reference: cannot be checked reliably → warn
    applies: bool = True       # environment marker true for this platform


@dataclass
class Pyproject:
    path: Path
    exists: bool
    error: str | None = None
    requirements: list[Requirement] = field(default_factory=list)


def parse_requirement(raw: str) -> Requirement | None:
    try:
        from packaging.requirements import InvalidRequirement
        from packaging.requirements import Requirement as PReq
    except ImportError:  # packaging is nearly always present (pip, matplotlib); fall back to a regex
        m = _NAME.match(raw)
        return Requirement(raw, canonical(m.group(1)), direct=bool(_DIRECT_REF.search(raw))) if m else None
    try:
        req = PReq(raw)
    except InvalidRequirement:
        m = _NAME.match(raw)
        if not m:
            return None
        return Requirement(raw, canonical(m.group(1)), direct=True)
    applies = True
    if req.marker is not None:
        try:
            applies = bool(req.marker.evaluate())
        except Exception:  # noqa: BLE001 - an odd marker must not break validation
            applies = True
    return Requirement(raw, canonical(req.name), str(req.specifier), bool(req.url) or bool(_DIRECT_REF.search(raw)),
                       applies)


def read_pyproject(tool_dir: Path) -> Pyproject:
    path = tool_dir / "pyproject.toml"
    if not path.is_file():
        return Pyproject(path, False)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        return Pyproject(path, True, f"cannot be read: {exc}")
    except tomllib.TOMLDecodeError as exc:
        return Pyproject(path, True, f"not valid TOML: {exc}")
    project = data.get("project") or {}
    deps = project.get("dependencies") if isinstance(project, dict) else None
    if deps is None:
        deps = []
    if not isinstance(deps, list) or not all(isinstance(d, str) for d in deps):
        return Pyproject(path, True, "[project].dependencies must be a list of requirement strings")
    out = Pyproject(path, True)
    for raw in deps:
        req = parse_requirement(raw)
        if req is None:
            out.error = f"cannot read the dependency {raw!r}"
            return out
        out.requirements.append(req)
    return out


@dataclass
class Probe:
    python: Path
    ok: bool
    version: str = ""
    dists: dict[str, str | None] = field(default_factory=dict)
    error: str | None = None


def probe_interpreter(python: Path, names: list[str], timeout: float = 5.0) -> Probe:
    """Python version and installed distribution versions of `python` (in-process when it is the
    app's own interpreter: no subprocess needed)."""
    if _same_interpreter(python):
        import importlib.metadata as md

        dists: dict[str, str | None] = {}
        for n in names:
            try:
                dists[n] = md.version(n)
            except md.PackageNotFoundError:
                dists[n] = None
        return Probe(python, True, sys.version.split()[0], dists)
    if not python.exists():
        return Probe(python, False, error=f"{python} does not exist")
    try:
        proc = subprocess.run([str(python), "-I", "-c", _PROBE, json.dumps(names)], capture_output=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return Probe(python, False, error=f"{python} did not answer within {timeout:g} s")
    except OSError as exc:
        return Probe(python, False, error=f"{python} cannot be run: {exc}")
    if proc.returncode != 0:
        tail = proc.stderr.decode("utf-8", "replace").strip()[-500:]
        return Probe(python, False, error=f"{python} exited with code {proc.returncode}: {tail}")
    try:
        data: dict[str, Any] = json.loads(proc.stdout.decode("utf-8", "replace").strip().splitlines()[-1])
    except (ValueError, IndexError):
        return Probe(python, False, error=f"{python} gave an unreadable answer")
    return Probe(python, True, str(data.get("version", "")), dict(data.get("dists") or {}))


def _same_interpreter(python: Path) -> bool:
    # Compare the paths as given, not resolved: a tool's .venv python is usually a symlink to the
    # same base interpreter, yet sees different site-packages.
    return str(python) == sys.executable


def version_ok(req: Requirement, installed: str) -> bool:
    if not req.specifier:
        return True
    try:
        from packaging.specifiers import SpecifierSet

        return SpecifierSet(req.specifier).contains(installed, prereleases=True)
    except Exception:  # noqa: BLE001 - an unparsable version is reported as present
        return True


# The app's own runtime dependencies, used when its distribution metadata cannot be read (running
# from a source checkout that was never `pip install`ed). Keep in step with pyproject.toml.
_APP_DEPENDENCIES_FALLBACK = ("pyside6", "python-dotenv", "superqt", "pygments", "matplotlib", "psutil",
                              "platformdirs", "pyyaml")


@functools.lru_cache(maxsize=1)  # the app's own metadata does not change while it runs; reading it scans site-packages
def app_provided() -> frozenset[str]:
    """Canonical names of the distributions the app itself depends on (plus the app).

    A tool without a `.venv` runs on the app's interpreter, so it may import these (Qt's image
    I/O, matplotlib, …) without any setup; declaring them in its pyproject is documentation, not
    a reason to create an environment."""
    import importlib.metadata as md

    names = {"pixie-desktop"}
    try:
        raw = md.requires("pixie-desktop") or []
    except md.PackageNotFoundError:
        raw = []
    for line in raw:
        if "extra ==" in line.replace('"', "").replace("'", ""):
            continue  # optional extras (test tools) are not promised to tools
        req = parse_requirement(line.split(";", 1)[0])
        if req is not None:
            names.add(req.name)
    if len(names) == 1:
        names.update(_APP_DEPENDENCIES_FALLBACK)
    return frozenset(names)


def needs_own_environment(requirements: list[Requirement]) -> list[Requirement]:
    """The requirements the app's interpreter does not promise: only these call for a `.venv`."""
    provided = app_provided()
    return [r for r in requirements if r.applies and (r.direct or r.name not in provided)]
