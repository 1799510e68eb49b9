"""Parsing JSON a tool sent (a /run answer, a stream frame, --inputs-json) without letting it
crash, freeze or bloat the app.

Before `json.loads` the raw text is pre-scanned *iteratively* for nesting depth and for the
number of values it would create, so a `[[[[…` a million levels deep is refused with a clear
message instead of hitting the recursion limit (in the parser, or later in any recursive walk
over the value), and a 48 MB answer made of tiny containers (`[{},{},…]`, ~1 GB of Python
objects) is refused instead of eating memory. Lone UTF-16 surrogates (`"\\ud800"`, valid JSON
but not encodable as UTF-8) become U+FFFD. `NaN`, `Infinity` and `-Infinity` (not JSON, but
what Python's json.dumps writes for float('nan')) become `null`: a table with one NaN cell
should still show, and null is what every renderer already treats as "no value"."""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

MAX_DEPTH = 200
MAX_CONTAINERS = 1_000_000
MAX_VALUES = 5_000_000

# One JSON string (escapes included), so brackets and commas inside strings do not count.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKETS = bytes(range(256)).translate(None, b"[]{}")
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}
_SURROGATE = re.compile("[\ud800-\udfff]")


class UntrustedJSONError(ValueError):
    """The text is not JSON the app will accept; the message says why, readably."""


def check_shape(data: bytes, *, max_depth: int = MAX_DEPTH, max_containers: int = MAX_CONTAINERS,
                max_values: int = MAX_VALUES) -> None:
    """Raise UntrustedJSONError when `data` nests deeper than `max_depth` or would create more
    than `max_containers` arrays/objects or `max_values` values. Cheap byte counts decide most
    inputs; the exact scan (strings blanked out, then only the brackets kept) runs only when
    they cannot."""
    opens = data.count(b"[") + data.count(b"{")
    if opens <= min(max_depth, max_containers) and data.count(b",") <= max_values:
        return
    # Exact counts with strings blanked out; all C-level passes (a 200,000-row table: ~0.3 s).
    bare = _STRING.sub(b'""', data)
    brackets = bare.translate(None, _NOT_BRACKETS)
    values = bare.count(b",")
    del bare
    containers = brackets.count(b"[") + brackets.count(b"{")
    if containers > max_containers:
        raise UntrustedJSONError(f"it has more than {max_containers:,} arrays/objects")
    if values > max_values:
        raise UntrustedJSONError(f"it has more than {max_values:,} values")
    if containers > max_depth and max(accumulate(map(_STEP.__getitem__, brackets)), default=0) > max_depth:
        raise UntrustedJSONError(f"it nests deeper than {max_depth} levels")


def _no_constants(name: str) -> None:
    return None


def _clean(obj: Any) -> Any:
    """Replace lone surrogates in every string and key (iterative: depth is bounded anyway)."""
    if isinstance(obj, str):
        return _SURROGATE.sub("\ufffd", obj)
    root = [obj]
    stack: list[Any] = [root]
    while stack:
        cur = stack.pop()
        if isinstance(cur, list):
            for i, v in enumerate(cur):
                if isinstance(v, str):
                    cur[i] = _SURROGATE.sub("\ufffd", v)
                elif isinstance(v, (list, dict)):
                    stack.append(v)
        elif isinstance(cur, dict):
            for k in list(cur):
                v = cur[k]
                if isinstance(v, str):
                    v = _SURROGATE.sub("\ufffd", v)
                elif isinstance(v, (list, dict)):
                    stack.append(v)
                if isinstance(k, str) and _SURROGATE.search(k):
                    del cur[k]
                    cur[_SURROGATE.sub("\ufffd", k)] = v
                else:
                    cur[k] = v
    return root[0]


def loads(data: bytes | str, *, max_depth: int = MAX_DEPTH, max_containers: int = MAX_CONTAINERS,
          max_values: int = MAX_VALUES) -> Any:
    """json.loads for untrusted text. Raises UntrustedJSONError (a ValueError) with a readable
    reason for invalid UTF-8, invalid JSON, too deep or too many values."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    check_shape(raw, max_depth=max_depth, max_containers=max_containers, max_values=max_values)
    try:
        # bytes straight to json.loads: no decoded str copy of a big answer is kept around
        value = json.loads(raw, parse_constant=_no_constants)
    except UnicodeDecodeError as exc:
        raise UntrustedJSONError(f"it is not valid UTF-8 ({exc.reason} at byte {exc.start})") from None
    except RecursionError:  # pragma: no cover - check_shape refuses this first
        raise UntrustedJSONError(f"it nests deeper than {max_depth} levels") from None
    except ValueError as exc:
        raise UntrustedJSONError(str(exc)) from None
    if b"\\ud" in raw or b"\\uD" in raw:  # only then can a lone surrogate have been decoded
        value = _clean(value)
    return value
