"""Whether a tool can be run as it stands, in words a user can act on (issue 13, item 5):
"Ready", "Needs setup" (it declares dependencies the app does not have and its own environment
is not built yet) or "Key required" (a required secret declared in tool.json has no value in its
`.env`). The sidebar, Home and the tool page header all ask here so they agree.

The answer reads two small files (pyproject.toml, .env) and stats `.venv`; it is cached per tool
folder and re-read only when one of those changes (mtime), so asking on every refresh is cheap."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

READY, NEEDS_SETUP, KEY_REQUIRED, BROKEN = "ready", "needs_setup", "key_required", "broken"


@dataclass(frozen=True)
class Readiness:
    key: str            # ready | needs_setup | key_required | broken
    text: str           # the badge: "Ready", "Needs setup", "Key required", "Won't load"
    tip: str            # one sentence saying what to do about it
    missing_keys: tuple[str, ...] = ()

    @property
    def ready(self) -> bool:
        return self.key == READY


_cache: dict[str, tuple[tuple, Readiness]] = {}
_lock = threading.Lock()


def _mtime(path: Path) -> tuple[int, int]:
    try:
        st = path.stat()
        return st.st_mtime_ns, st.st_size
    except OSError:
        return -1, -1


def declared_dependencies(tool_dir: Path) -> list[str]:
    """`[project] dependencies` of the tool's pyproject.toml ([] when absent or unreadable)."""
    try:
        import tomllib

        data = tomllib.loads((Path(tool_dir) / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, ValueError, ImportError):
        return []
    deps = data.get("project", {}).get("dependencies", []) if isinstance(data, dict) else []
    return [d for d in deps if isinstance(d, str)] if isinstance(deps, list) else []


def needs_own_environment(declared: list[str]) -> bool:
    """False when every declared dependency is one the app already has: such a tool runs on the
    app's interpreter and needs no setup."""
    if not declared:
        return False
    from pixie_desktop.validation import deps as deps_mod

    reqs = [r for r in (deps_mod.parse_requirement(d) for d in declared) if r is not None]
    return len(reqs) < len(declared) or bool(deps_mod.needs_own_environment(reqs))


def _compute(info: Any) -> Readiness:
    if not getattr(info, "ok", False):
        return Readiness(BROKEN, "Won't load", "Its tool.json has a problem: open the tool to see it.")
    from pixie_desktop.validation.secrets_status import missing_required_secrets

    missing = tuple(missing_required_secrets(info))
    if missing:
        keys = ", ".join(missing[:3]) + ("…" if len(missing) > 3 else "")
        return Readiness(KEY_REQUIRED, "Key required", f"Set {keys} in the tool's secrets before running it.",
                         missing)
    if not info.has_venv and needs_own_environment(declared_dependencies(info.path)):
        return Readiness(NEEDS_SETUP, "Needs setup",
                         "Its dependencies are not installed yet: set it up once from its page.")
    return Readiness(READY, "Ready", "Ready to run.")


def _signature(info: Any) -> tuple[str, tuple]:
    path = Path(getattr(info, "path", "."))
    return str(path), (getattr(info, "discovery_hash", ""), bool(getattr(info, "ok", False)),
                       _mtime(path / "pyproject.toml"), _mtime(path / ".env"), _mtime(path / ".venv"))


def cached_readiness(info: Any) -> Readiness | None:
    """The cached answer when it is still current, else None (nothing is computed: the tool list
    asks this at start and works the rest out off the UI thread)."""
    key, sig = _signature(info)
    with _lock:
        hit = _cache.get(key)
    return hit[1] if hit is not None and hit[0] == sig else None


def readiness_of_all(infos: list[Any]) -> dict[str, Readiness]:
    """tool_id → readiness for many tools (a background job: it may import validation modules)."""
    return {info.tool_id: tool_readiness(info) for info in infos}


def tool_readiness(info: Any) -> Readiness:
    """The tool's readiness, recomputed only when tool.json, pyproject.toml, .env or .venv changed."""
    key, sig = _signature(info)
    with _lock:
        hit = _cache.get(key)
    if hit is not None and hit[0] == sig:
        return hit[1]
    try:
        value = _compute(info)
    except Exception:  # noqa: BLE001 - advisory: an unreadable folder reads as ready; the run says why
        value = Readiness(READY, "Ready", "Ready to run.")
    with _lock:
        _cache[key] = (sig, value)
    return value


def forget(tool_dir: Path | str | None = None) -> None:
    """Drop cached answers (one folder, or all): after a secret was saved or an env was built."""
    with _lock:
        if tool_dir is None:
            _cache.clear()
        else:
            _cache.pop(str(Path(tool_dir)), None)
