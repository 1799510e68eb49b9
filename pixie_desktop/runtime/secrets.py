"""Tool secrets: read and edit a tool's `.env` (comments and order kept, atomic, mode 0600) and
redact secret values from any text or JSON-like object before it reaches the database, a log
or the UI.

Secret values only ever travel into the child process environment (see launcher.tool_env)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any, Iterable

from pixie_desktop.logs import MASK, remember_secrets

MIN_SECRET_LEN = 4  # shorter values ("1", "yes") would mangle ordinary text
_LINE_KEY = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.\-]*)\s*=")
_KEY_OK = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")


def env_path(tool_dir: Path) -> Path:
    return Path(tool_dir) / ".env"


def read_env(tool_dir: Path) -> dict[str, str]:
    """Every KEY=value of the tool's .env (missing file → {}; valueless keys → "")."""
    path = env_path(tool_dir)
    if not path.is_file():
        return {}
    from dotenv import dotenv_values

    try:
        values = dotenv_values(path)
    except (OSError, UnicodeDecodeError, ValueError):
        return {}
    return {str(k): ("" if v is None else str(v)) for k, v in values.items() if k}


def _quote(value: str) -> str:
    escaped = (value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
               .replace("\r", "\\r"))
    return f'"{escaped}"'


def _atomic_write_text(path: Path, text: str) -> None:
    """`.env` files: atomic (temp + fsync + rename) and owner-only (0600) from the first byte."""
    from pixie_desktop.artefacts.storage import atomic_write

    atomic_write(path, text.encode("utf-8"), mode=0o600, symlink_within=path.parent)  # linked .env: see atomic_write


def _lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []


def write_secret(tool_dir: Path, key: str, value: str) -> None:
    """Set KEY in the tool's .env. Other lines (comments, blank lines, order) are kept; the first
    line for KEY is replaced and later duplicates dropped; a new key is appended."""
    if not _KEY_OK.match(key or ""):
        raise ValueError(f"not a valid environment variable name: {key!r}")
    if value is None:
        raise ValueError("a secret value is required")
    path = env_path(tool_dir)
    out: list[str] = []
    done = False
    for line in _lines(path):
        m = _LINE_KEY.match(line)
        if m and m.group(1) == key:
            if not done:
                out.append(f"{key}={_quote(str(value))}")
                done = True
            continue
        out.append(line)
    if not done:
        out.append(f"{key}={_quote(str(value))}")
    _atomic_write_text(path, "\n".join(out) + "\n")


def delete_secret(tool_dir: Path, key: str) -> None:
    """Remove every line for KEY; a no-op when the key (or the file) is absent."""
    path = env_path(tool_dir)
    lines = _lines(path)
    kept = [ln for ln in lines if not ((m := _LINE_KEY.match(ln)) and m.group(1) == key)]
    if len(kept) != len(lines):
        _atomic_write_text(path, "\n".join(kept) + ("\n" if kept else ""))


# (.env path, declared keys) → ((st_mtime_ns, st_size, st_ino), values): a tool's secrets are
# read before every run; the file is parsed again only when its stat changes
_SECRETS_SEEN: dict[tuple[str, frozenset], tuple[tuple[int, int, int], list[str]]] = {}


def secret_values(tool: Any) -> list[str]:
    """Values to redact for a tool: every .env value of at least MIN_SECRET_LEN characters, plus
    declared secrets' values from the .env even when a little shorter (≥ 3)."""
    path = os.path.join(os.fspath(getattr(tool, "path", tool)), ".env")
    spec = getattr(tool, "spec", None)
    declared = frozenset(s.key for s in spec.secrets) if spec is not None else frozenset()
    try:
        st = os.stat(path)
    except OSError:
        return []  # no .env: nothing to redact
    ident = (st.st_mtime_ns, st.st_size, st.st_ino)
    hit = _SECRETS_SEEN.get((path, declared))
    if hit is not None and hit[0] == ident:
        return list(hit[1])
    env = read_env(Path(path).parent)
    values = {v for k, v in env.items() if len(v) >= MIN_SECRET_LEN or (k in declared and len(v) >= 3)}
    remember_secrets(values)  # the app's log masks them too, wherever they turn up
    ordered = sorted(values, key=len, reverse=True)
    if len(_SECRETS_SEEN) > 1000:
        _SECRETS_SEEN.clear()
    _SECRETS_SEEN[(path, declared)] = (ident, ordered)
    return list(ordered)


def _variants(values: Iterable[str]) -> list[str]:
    """Each value as-is plus its JSON-escaped form (a secret with a quote or backslash appears
    escaped inside a serialised response)."""
    out: set[str] = set()
    for v in values:
        if not v:
            continue
        out.add(v)
        esc = json.dumps(v, ensure_ascii=False)[1:-1]
        if esc != v:
            out.add(esc)
    return sorted(out, key=len, reverse=True)


def redact(text: str, values: Iterable[str]) -> str:
    """Replace every occurrence of any secret value with •••."""
    if not text:
        return text
    for v in _variants(values):
        if v in text:
            text = text.replace(v, MASK)
    return text


def redact_obj(obj: Any, values: Iterable[str]) -> Any:
    """Recursively redact strings (and dict keys) inside lists/dicts; other values unchanged."""
    vals = _variants(values)
    if not vals:
        return obj

    def walk(o: Any) -> Any:
        if isinstance(o, str):
            return redact(o, vals)
        if isinstance(o, dict):
            return {walk(k) if isinstance(k, str) else k: walk(v) for k, v in o.items()}
        if isinstance(o, (list, tuple)):
            return [walk(v) for v in o]
        return o

    return walk(obj)


def longest_variant(values: Iterable[str]) -> int:
    """Length of the longest form (plain or JSON-escaped) of any secret: how much text a
    streaming redactor must hold back."""
    return max((len(v) for v in _variants(values)), default=0)


class StreamRedactor:
    """Redacts text that arrives in chunks, where a secret may be split across two (or more)
    chunks. Per stream key it holds back a tail one character shorter than the longest secret:
    every complete occurrence in the text seen so far is masked, and a partial one can only sit
    in that tail, which is released by the next chunk or by `flush`."""

    def __init__(self, values: Iterable[str]):
        self._values = _variants(values)
        self._keep = max(0, longest_variant(self._values) - 1)
        self._pending: dict[Any, str] = {}

    @property
    def active(self) -> bool:
        return bool(self._values)

    def feed(self, key: Any, chunk: str) -> str:
        """The part of (held-back tail + chunk) that is safe to show now, redacted."""
        if not self._values:
            return chunk
        text = redact(self._pending.get(key, "") + chunk, self._values)
        cut = max(0, len(text) - self._keep)
        self._pending[key] = text[cut:]
        return text[:cut]

    def flush(self) -> dict[Any, str]:
        """Every key's held-back tail (redacted), emptied."""
        out = {k: redact(v, self._values) for k, v in self._pending.items() if v}
        self._pending.clear()
        return out


def redact_then_cut(text: str, values: Iterable[str], max_chars: int, *, keep: str = "head") -> str:
    """Redact first, then shorten to `max_chars` (the head or the tail): cutting first could
    leave half a secret that no longer matches."""
    text = redact(text, values)
    if len(text) <= max_chars:
        return text
    return text[:max_chars] if keep == "head" else text[-max_chars:]


def redact_filename(name: str, values: Iterable[str]) -> str:
    """A file or folder name with secret values replaced by `REDACTED` (no bullets in paths)."""
    return redact(name, values).replace(MASK, "REDACTED")
