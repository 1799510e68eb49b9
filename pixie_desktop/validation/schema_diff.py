"""Schema drift (validator check 7): compare the live `/schema` with tool.json on disk, key order
ignored but value types significant (`100` vs `100.0`, `1` vs `true`), reporting JSON pointers."""

from __future__ import annotations

import json
from typing import Any

MAX_DIFFS = 20


def _esc(k: Any) -> str:
    return str(k).replace("~", "~0").replace("/", "~1")


def _kind(v: Any) -> str:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    return type(v).__name__


def _show(v: Any) -> str:
    text = json.dumps(v, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:59] + "…"


def json_diffs(disk: Any, live: Any, path: str = "") -> list[str]:
    """Every difference as "<pointer>: <what>", in a stable order."""
    out: list[str] = []
    _walk(disk, live, path, out)
    return out


def _walk(a: Any, b: Any, path: str, out: list[str]) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b), key=str):
            p = f"{path}/{_esc(k)}"
            if k not in b:
                out.append(f"{p}: missing from /schema (tool.json has {_show(a[k])})")
            elif k not in a:
                out.append(f"{p}: only in /schema ({_show(b[k])})")
            else:
                _walk(a[k], b[k], p, out)
        return
    if isinstance(a, list) and isinstance(b, list):
        for i in range(max(len(a), len(b))):
            p = f"{path}/{i}"
            if i >= len(b):
                out.append(f"{p}: missing from /schema (tool.json has {_show(a[i])})")
            elif i >= len(a):
                out.append(f"{p}: only in /schema ({_show(b[i])})")
            else:
                _walk(a[i], b[i], p, out)
        return
    if _kind(a) != _kind(b) or a != b:
        out.append(f"{path or '/'}: tool.json has {_show(a)}, /schema has {_show(b)}")


def summarise(diffs: list[str], limit: int = MAX_DIFFS) -> list[str]:
    shown = diffs[:limit]
    if len(diffs) > limit:
        shown.append(f"…and {len(diffs) - limit} more")
    return shown
