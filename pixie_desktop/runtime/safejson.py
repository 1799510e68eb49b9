"""Parsing JSON a tool sent (a /run answer, a stream frame, --inputs-json) without letting it
crash, freeze or bloat the app.

Before `json.loads` the raw text is pre-scanned *iteratively* for nesting depth and for the
number of values it would create, so a `[[[[…` a million levels deep is refused with a clear
message instead of hitting the recursion limit (in the parser, or later in any recursive walk
over the value), and a 48 MB answer made of tiny containers (`[{},{},…]`, ~1 GB of Python
objects) is refused instead of eating memory. Lone UTF-16 surrogates (`"\\ud800"`, valid JSON
but not encodable as UTF-8) become U+FFFD. `NaN`, `Infinity` and `-Infinity` (not JSON, but
what Python's json.dumps writes for float('nan')) become `null`: a table with one NaN cell
should still show, and null is what every renderer already treats as "no value".

Answers above COOPERATIVE_BYTES (a 200,000-row table is ~6 MB) are parsed cooperatively: json's C
parser holds the GIL for the whole call (~0.2–0.5 s for 6 MB), which freezes the UI thread
although the parse runs on the run thread. `_cooperative` walks the outer WALK_DEPTH levels of
arrays/objects in Python and hands each element below to the C parser (`raw_decode`), so the GIL
is released between elements. The result (and every error) is the same as the one-shot path:
anything the walk does not accept falls back to it."""

from __future__ import annotations

import contextlib
import gc
import json
import re
import threading
from itertools import accumulate
from typing import Any

MAX_DEPTH = 200
MAX_CONTAINERS = 1_000_000
MAX_VALUES = 5_000_000
COOPERATIVE_BYTES = 1_000_000
WALK_DEPTH = 3

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


class _Fallback(Exception):
    """The cooperative walk met something it leaves to the one-shot path (which then gives the
    exact result or error message json.loads would)."""


_WS = re.compile(r"[ \t\n\r]*")  # JSON whitespace, as json.decoder skips it
_STRING_TEXT = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET_TEXT = re.compile(r"[^\[\]{}]+")
_DECODER = json.JSONDecoder(parse_constant=_no_constants)


def _depth_of(text: str, start: int, end: int) -> int:
    """Nesting depth of the JSON value text[start:end] (strings blanked; an exact count)."""
    brackets = _NOT_BRACKET_TEXT.sub("", _STRING_TEXT.sub('""', text[start:end]))
    return max(accumulate(1 if c in "[{" else -1 for c in brackets), default=0)


def _cooperative(text: str, max_depth: int) -> Any:
    """Parse `text` like json.loads(…, parse_constant=→None), walking the outer WALK_DEPTH
    levels in Python so the GIL is released between elements. The caller has already checked
    that the answer cannot hold too many containers or values; depth is checked per element.
    Raises _Fallback for anything it does not accept (invalid JSON included)."""
    ws = _WS.match
    scan = _DECODER.raw_decode
    scanstring = json.decoder.scanstring
    count = text.count

    def value(idx: int, level: int) -> tuple[Any, int]:
        ch = text[idx:idx + 1]
        if level < WALK_DEPTH and ch == "[":
            if level + 1 > max_depth:
                raise UntrustedJSONError(f"it nests deeper than {max_depth} levels")
            out: list[Any] = []
            idx = ws(text, idx + 1).end()
            if text[idx:idx + 1] == "]":
                return out, idx + 1
            while True:
                item, idx = value(idx, level + 1)
                out.append(item)
                idx = ws(text, idx).end()
                ch = text[idx:idx + 1]
                if ch == "]":
                    return out, idx + 1
                if ch != ",":
                    raise _Fallback
                idx = ws(text, idx + 1).end()
        if level < WALK_DEPTH and ch == "{":
            if level + 1 > max_depth:
                raise UntrustedJSONError(f"it nests deeper than {max_depth} levels")
            obj: dict[str, Any] = {}
            idx = ws(text, idx + 1).end()
            if text[idx:idx + 1] == "}":
                return obj, idx + 1
            while True:
                if text[idx:idx + 1] != '"':
                    raise _Fallback
                key, idx = scanstring(text, idx + 1, True)
                idx = ws(text, idx).end()
                if text[idx:idx + 1] != ":":
                    raise _Fallback
                item, idx = value(ws(text, idx + 1).end(), level + 1)
                obj[key] = item
                idx = ws(text, idx).end()
                ch = text[idx:idx + 1]
                if ch == "}":
                    return obj, idx + 1
                if ch != ",":
                    raise _Fallback
                idx = ws(text, idx + 1).end()
        item, end = scan(text, idx)  # one element: a short GIL hold
        budget = max_depth - level
        if count("[", idx, end) + count("{", idx, end) > budget and _depth_of(text, idx, end) > budget:
            raise UntrustedJSONError(f"it nests deeper than {max_depth} levels")
        return item, end

    try:
        result, end = value(ws(text, 0).end(), 0)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
        if isinstance(exc, UntrustedJSONError):
            raise
        raise _Fallback from None
    if ws(text, end).end() != len(text):
        raise _Fallback
    return result


def _surrogates_possible(raw: bytes) -> bool:
    """Whether a lone surrogate can be in the decoded text: an escape, or (input that came as
    a str, or bytes decoded with surrogatepass) a UTF-8-encoded surrogate."""
    return b"\\ud" in raw or b"\\uD" in raw or (b"\xed" in raw and _ENCODED_SURROGATE.search(raw) is not None)


_ENCODED_SURROGATE = re.compile(rb"\xed[\xa0-\xbf]")


def loads(data: bytes | str, *, max_depth: int = MAX_DEPTH, max_containers: int = MAX_CONTAINERS,
          max_values: int = MAX_VALUES, cooperative_bytes: int = COOPERATIVE_BYTES) -> Any:
    """json.loads for untrusted text. Raises UntrustedJSONError (a ValueError) with a readable
    reason for invalid UTF-8, invalid JSON, too deep or too many values. Answers of more than
    `cooperative_bytes` are parsed cooperatively (same result, the GIL released between
    elements)."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if len(raw) > cooperative_bytes:
        value = _loads_cooperative(raw, max_depth, max_containers, max_values)
        if value is not _NOT_DONE:
            return value
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
    if _surrogates_possible(raw):  # only then can a lone surrogate have been decoded
        value = _clean(value)
    return value


_NOT_DONE = object()
_GC_LOCK = threading.Lock()
_gc_pause: dict[str, Any] = {"depth": 0, "was_enabled": True}


@contextlib.contextmanager
def gc_paused_for_big_answer(size: int, threshold: int = COOPERATIVE_BYTES) -> Any:
    """Around the parse of a big answer (more than `threshold` bytes): no garbage collection
    during it, and afterwards everything alive is moved out of the collector's sight
    (gc.freeze). Why: a 200,000-row table is 200,000 new lists; while they are created, and
    whenever the collector later does a full pass, CPython's cyclic GC walks all of them in one
    go holding the GIL (measured 90–130 ms per pass, several passes per run, on this loaded
    machine), which froze the UI thread more than the parse did. JSON values hold no reference
    cycles, so refcounting frees them normally when the page lets go. The price: reference
    cycles already garbage (or alive and later dropped) when a freeze happens are not collected
    until gc.unfreeze(); the young ones are collected first (a cheap gc.collect(1)) to keep
    that small. Smaller answers: nothing changes."""
    if size <= threshold:
        yield
        return
    with _GC_LOCK:  # two big parses at once: one pause, ended by the last
        _gc_pause["depth"] += 1
        if _gc_pause["depth"] == 1:
            _gc_pause["was_enabled"] = gc.isenabled()
            gc.collect(1)
            gc.disable()
    try:
        yield
    finally:
        with _GC_LOCK:
            _gc_pause["depth"] -= 1
            if _gc_pause["depth"] == 0:
                gc.freeze()
                if _gc_pause["was_enabled"]:
                    gc.enable()


def _loads_cooperative(raw: bytes, max_depth: int, max_containers: int, max_values: int) -> Any:
    """The cooperative parse of a big answer, or _NOT_DONE to let the one-shot path decide
    (invalid JSON, undecodable bytes, or so many brackets/commas that only the exact pre-scan
    can tell whether the limits hold). Each step here is a short C call."""
    opens = raw.count(b"[") + raw.count(b"{")
    if opens > max_containers or raw.count(b",") > max_values:
        return _NOT_DONE
    try:
        text = raw.decode(json.detect_encoding(raw), "surrogatepass")
    except (UnicodeDecodeError, LookupError):
        return _NOT_DONE
    try:
        value = _cooperative(text, max_depth)
    except _Fallback:
        return _NOT_DONE
    del text
    if _surrogates_possible(raw):
        value = _clean(value)
    return value
