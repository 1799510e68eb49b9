"""Type-aware comparators for reference fixtures (tool-contract §6 table).

`compare(out_type, expected, actual, tol)` → `Verdict(status, message)` where status is
pass | fail | skip. Unlike the reference, an effective `compare: skip` (explicit, or the default
for progress and video) is a *skip*, not a failing diff. Every failure message carries a JSON
pointer to the first difference so the author can find it.

Each comparator reads every value shape the renderers (ui/outputs) draw, so a fixture written in
one shape matches a tool answering in another: `kv` as a plain object, `{pairs: {...}}` or a
list of `{key|label, value}` / `[k, v]`; `table` as a bare list of rows or `{columns, rows}` with
rows as objects or as lists in column order; `log` as a string, a list of lines or `{lines}`
with `message|msg|text`; `timeline`/`gantt` as a bare list or `{events}`/`{tasks}` with their
key aliases (t|time|date, title|label, description|desc, name|label); candlestick `t|time`."""

from __future__ import annotations

import base64
import binascii
import csv
import hashlib
import io
import json
import math
import re
from dataclasses import dataclass
from typing import Any, Callable

PASS, FAIL, SKIP = "pass", "fail", "skip"


@dataclass
class Verdict:
    status: str
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.status != FAIL


OK = Verdict(PASS)


class _Diff(Exception):
    """First difference found while walking two values."""

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}" if path else message)
        self.path, self.msg = path, message


def _short(v: Any, n: int = 80) -> str:
    try:
        text = json.dumps(v, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(v)
    return text if len(text) <= n else text[: n - 1] + "…"


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _close(a: float, b: float, rtol: float, atol: float) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    try:
        return math.isclose(float(a), float(b), rel_tol=rtol, abs_tol=atol)
    except (OverflowError, ValueError):
        return False


def _tols(tol: dict[str, Any], prefix: str = "") -> tuple[float, float]:
    rtol = tol.get(f"{prefix}rtol", tol.get("rtol", tol.get("float_rtol", 1e-6)))
    atol = tol.get(f"{prefix}atol", tol.get("atol", tol.get("float_atol", 1e-9)))
    return float(rtol), float(atol)


def deep_compare(exp: Any, act: Any, rtol: float, atol: float, path: str = "") -> None:
    """Raise _Diff at the first difference; numbers compared with isclose, dict keys exactly."""
    if _is_num(exp) and _is_num(act):
        if not _close(exp, act, rtol, atol):
            raise _Diff(path, f"expected {exp!r}, got {act!r} (rtol {rtol:g}, atol {atol:g})")
        return
    if isinstance(exp, dict) and isinstance(act, dict):
        for k in exp:
            if k not in act:
                raise _Diff(f"{path}/{_esc(k)}", "missing")
        for k in act:
            if k not in exp:
                raise _Diff(f"{path}/{_esc(k)}", f"unexpected key (value {_short(act[k], 40)})")
        for k in exp:
            deep_compare(exp[k], act[k], rtol, atol, f"{path}/{_esc(k)}")
        return
    if isinstance(exp, list) and isinstance(act, list):
        if len(exp) != len(act):
            raise _Diff(path, f"expected {len(exp)} items, got {len(act)}")
        for i, (e, a) in enumerate(zip(exp, act)):
            deep_compare(e, a, rtol, atol, f"{path}/{i}")
        return
    if type(exp) is not type(act) and not (_is_num(exp) and _is_num(act)):
        raise _Diff(path, f"expected {_short(exp, 40)}, got {_short(act, 40)}")
    if exp != act:
        raise _Diff(path, f"expected {_short(exp)}, got {_short(act)}")


def _esc(k: Any) -> str:
    return str(k).replace("~", "~0").replace("/", "~1")


def _unwrap(v: Any, *keys: str) -> Any:
    if isinstance(v, dict):
        for k in keys or ("value",):
            if k in v:
                return v[k]
    return v


# --- scalars ---------------------------------------------------------------------------------

def _number(exp: Any, act: Any, tol: dict) -> None:
    exp, act = _unwrap(exp), _unwrap(act)
    for name, v in (("expected", exp), ("actual", act)):
        if not _is_num(v):
            raise _Diff("", f"{name} value is not a number: {_short(v, 40)}")
    rtol, atol = _tols(tol)
    if not _close(exp, act, rtol, atol):
        raise _Diff("", f"expected {exp!r}, got {act!r} (rtol {rtol:g}, atol {atol:g})")


def _boolean(exp: Any, act: Any, tol: dict) -> None:
    exp, act = _unwrap(exp), _unwrap(act)
    if not isinstance(exp, bool) or not isinstance(act, bool):
        raise _Diff("", f"both values must be true/false, got {_short(exp, 20)} and {_short(act, 20)}")
    if exp != act:
        raise _Diff("", f"expected {exp}, got {act}")


_WS = re.compile(r"\s+")
_LATEX_SPACING = re.compile(r"\\[,;:! ]|~")


def _normalise_text(s: str, mode: str) -> str:
    if mode == "exact_after_normalize_whitespace":
        return _WS.sub(" ", s).strip()
    if mode == "latex":
        return _WS.sub("", _LATEX_SPACING.sub(" ", s))
    return s


def _text_factory(default_mode: str) -> Callable[[Any, Any, dict], None]:
    def compare_text(exp: Any, act: Any, tol: dict) -> None:
        exp, act = _unwrap(exp, "value", "text"), _unwrap(act, "value", "text")
        mode = tol.get("compare", default_mode)
        if mode == "json_normalized":
            try:
                e = json.loads(exp) if isinstance(exp, str) else exp
                a = json.loads(act) if isinstance(act, str) else act
            except ValueError as exc:
                raise _Diff("", f"not JSON: {exc}") from None
            rtol, atol = _tols(tol)
            deep_compare(e, a, rtol, atol)
            return
        if not isinstance(exp, str) or not isinstance(act, str):
            raise _Diff("", f"both values must be strings, got {_short(exp, 30)} and {_short(act, 30)}")
        if _normalise_text(exp, mode) != _normalise_text(act, mode):
            raise _Diff("", _text_diff(exp, act, tol))
    return compare_text


def _text_diff(exp: str, act: str, tol: dict) -> str:
    limit = int(tol.get("_truncate", 400))
    i = next((n for n, (a, b) in enumerate(zip(exp, act)) if a != b), min(len(exp), len(act)))
    lo = max(0, i - 20)
    return (f"texts differ at character {i}: expected …{exp[lo:i + 40]!r}…, got …{act[lo:i + 40]!r}…")[:limit]


def _diff_value(exp: Any, act: Any, tol: dict) -> None:
    if isinstance(exp, dict) and isinstance(act, dict):
        for side in ("before", "after"):
            if exp.get(side) != act.get(side):
                raise _Diff(f"/{side}", _text_diff(str(exp.get(side)), str(act.get(side)), tol))
        return
    _text_factory("exact")(exp, act, tol)


# --- structured ------------------------------------------------------------------------------

def _kv(exp: Any, act: Any, tol: dict) -> None:
    e, a = _pairs(exp), _pairs(act)
    if e is None or a is None:
        raise _Diff("/pairs", "pairs must be an object (or a list of {key, value})")
    rtol, atol = _tols(tol, "float_")
    for k, v in e.items():
        if k not in a:
            raise _Diff(f"/pairs/{_esc(k)}", "missing")
        deep_compare(v, a[k], rtol, atol, f"/pairs/{_esc(k)}")
    if not tol.get("allow_extra", False):
        extra = [k for k in a if k not in e]
        if extra:
            raise _Diff("/pairs", f"unexpected key(s) {', '.join(map(repr, extra[:5]))} (set allow_extra to permit)")


def _pairs(v: Any) -> dict | None:
    if isinstance(v, dict) and "pairs" in v and isinstance(v["pairs"], (dict, list)):
        v = v["pairs"]
    if isinstance(v, dict):  # a plain object is the pairs themselves
        return v
    if isinstance(v, list):
        out: dict = {}
        for item in v:
            if isinstance(item, dict) and ("key" in item or "label" in item):
                out[str(item.get("key", item.get("label")))] = item.get("value")
            elif isinstance(item, (list, tuple)) and len(item) == 2:
                out[str(item[0])] = item[1]
            else:
                return None
        return out
    return None


def _col_keys(cols: Any) -> list[str] | None:
    if not isinstance(cols, list):
        return None
    return [c.get("key") if isinstance(c, dict) else str(c) for c in cols]


def _rows_match(exp_rows: list, act_rows: list, ordered: bool, rtol: float, atol: float, path: str) -> None:
    if len(exp_rows) != len(act_rows):
        raise _Diff(path, f"expected {len(exp_rows)} rows, got {len(act_rows)}")
    if ordered:
        for i, (e, a) in enumerate(zip(exp_rows, act_rows)):
            deep_compare(e, a, rtol, atol, f"{path}/{i}")
        return
    unused = list(range(len(act_rows)))
    for i, e in enumerate(exp_rows):
        for j in unused:
            try:
                deep_compare(e, act_rows[j], rtol, atol)
            except _Diff:
                continue
            unused.remove(j)
            break
        else:
            raise _Diff(f"{path}/{i}", f"no matching row in the output for {_short(e)}")


def _table_value(v: Any) -> Any:
    """A bare list of rows → {rows}; rows given as lists (in column order) → objects."""
    if isinstance(v, list):
        v = {"rows": v}
    if isinstance(v, dict) and isinstance(v.get("rows"), list) and v["rows"] and \
            all(isinstance(r, list) for r in v["rows"]):
        keys = _col_keys(v.get("columns"))
        if keys is not None:
            v = {**v, "rows": [dict(zip(keys, r)) for r in v["rows"]]}
    return v


def _table(exp: Any, act: Any, tol: dict) -> None:
    exp, act = _table_value(exp), _table_value(act)
    if not isinstance(exp, dict) or not isinstance(act, dict):
        raise _Diff("", "table values must be objects with columns and rows")
    ek, ak = _col_keys(exp.get("columns")), _col_keys(act.get("columns"))
    if ek is not None and ak is not None and ek != ak:
        raise _Diff("/columns", f"expected columns {ek}, got {ak}")
    rows_e, rows_a = exp.get("rows"), act.get("rows")
    if not isinstance(rows_e, list) or not isinstance(rows_a, list):
        raise _Diff("/rows", "rows must be lists")
    rtol, atol = _tols(tol, "float_")
    _rows_match(rows_e, rows_a, tol.get("compare", "rows_unordered") == "rows_ordered", rtol, atol, "/rows")


def _tree(exp: Any, act: Any, tol: dict) -> None:
    rtol, atol = _tols(tol)
    ordered = tol.get("children_order", "unordered") == "ordered"
    e = exp.get("root") if isinstance(exp, dict) and "root" in exp else exp
    a = act.get("root") if isinstance(act, dict) and "root" in act else act
    _tree_nodes(e if isinstance(e, list) else [e], a if isinstance(a, list) else [a], ordered, rtol, atol, "/root")


def _node_id(n: Any) -> Any:
    return n.get("id", n.get("name")) if isinstance(n, dict) else n


def _tree_nodes(exp: list, act: list, ordered: bool, rtol: float, atol: float, path: str) -> None:
    if len(exp) != len(act):
        raise _Diff(path, f"expected {len(exp)} nodes, got {len(act)}")
    if ordered:
        pairs = list(zip(exp, act))
    else:
        by_id = {}
        for n in act:
            by_id.setdefault(_short(_node_id(n)), []).append(n)
        pairs = []
        for n in exp:
            bucket = by_id.get(_short(_node_id(n))) or []
            if not bucket:
                raise _Diff(path, f"node {_short(_node_id(n), 40)} is missing")
            pairs.append((n, bucket.pop(0)))
    for i, (e, a) in enumerate(pairs):
        here = f"{path}/{_short(_node_id(e), 30)}" if not ordered else f"{path}/{i}"
        if not isinstance(e, dict) or not isinstance(a, dict):
            deep_compare(e, a, rtol, atol, here)
            continue
        deep_compare({k: v for k, v in e.items() if k != "children"},
                     {k: v for k, v in a.items() if k != "children"}, rtol, atol, here)
        _tree_nodes(list(e.get("children") or []), list(a.get("children") or []), ordered, rtol, atol,
                    here + "/children")


def _series_match(exp: list, act: list, by_name: bool, path: str) -> list[tuple[int, dict, dict]]:
    if not isinstance(exp, list) or not isinstance(act, list):
        raise _Diff(path, "series must be lists")
    if len(exp) != len(act):
        raise _Diff(path, f"expected {len(exp)} series, got {len(act)}")
    out = []
    for i, e in enumerate(exp):
        if by_name and isinstance(e, dict) and "name" in e:
            a = next((s for s in act if isinstance(s, dict) and s.get("name") == e["name"]), None)
            if a is None:
                raise _Diff(f"{path}/{i}", f"series {e['name']!r} is missing")
        else:
            a = act[i]
        if not isinstance(e, dict) or not isinstance(a, dict):
            raise _Diff(f"{path}/{i}", "each series must be an object")
        out.append((i, e, a))
    return out


def _chart_data(fields: tuple[str, ...], top: tuple[str, ...]) -> Callable[[Any, Any, dict], None]:
    def compare_chart(exp: Any, act: Any, tol: dict) -> None:
        if not isinstance(exp, dict) or not isinstance(act, dict):
            raise _Diff("", "chart values must be objects")
        rtol, atol = _tols(tol)
        for key in top:
            if key in exp:
                deep_compare(exp[key], act.get(key), rtol, atol, f"/{key}")
        by_name = tol.get("match_series", "by_name") != "by_index"
        for i, e, a in _series_match(exp.get("series", []), act.get("series", []), by_name, "/series"):
            for f in fields:
                if f in e:
                    if f not in a:
                        raise _Diff(f"/series/{i}/{f}", "missing")
                    deep_compare(e[f], a[f], rtol, atol, f"/series/{i}/{f}")
    return compare_chart


def _boxplot(exp: Any, act: Any, tol: dict) -> None:
    rtol, atol = _tols(tol)
    by_name = tol.get("match_series", "by_name") != "by_index"
    stats = ("q1", "q2", "q3", "min", "max", "median")
    for i, e, a in _series_match(_get(exp, "series"), _get(act, "series"), by_name, "/series"):
        for s in stats:
            if s in e:
                deep_compare(e[s], a.get(s), rtol, atol, f"/series/{i}/{s}")


def _get(v: Any, key: str) -> Any:
    return v.get(key) if isinstance(v, dict) else None


def _pie(exp: Any, act: Any, tol: dict) -> None:
    rtol, atol = _tols(tol)
    e = {s.get("label"): s.get("value") for s in _get(exp, "slices") or [] if isinstance(s, dict)}
    a = {s.get("label"): s.get("value") for s in _get(act, "slices") or [] if isinstance(s, dict)}
    if set(e) != set(a):
        raise _Diff("/slices", f"expected labels {sorted(map(str, e))}, got {sorted(map(str, a))}")
    for label, v in e.items():
        deep_compare(v, a[label], rtol, atol, f"/slices/{_esc(label)}")


def _histogram(exp: Any, act: Any, tol: dict) -> None:
    rtol, atol = _tols(tol)
    e, a = _get(exp, "values"), _get(act, "values")
    if not isinstance(e, list) or not isinstance(a, list):
        raise _Diff("/values", "values must be lists")
    try:
        deep_compare(sorted(e), sorted(a), rtol, atol, "/values(sorted)")
    except TypeError:
        raise _Diff("/values", "values must be numbers") from None


def _heatmap(exp: Any, act: Any, tol: dict) -> None:
    rtol, atol = _tols(tol)
    deep_compare(_get(exp, "z"), _get(act, "z"), rtol, atol, "/z")


def _candlestick(exp: Any, act: Any, tol: dict) -> None:
    rtol, atol = _tols(tol)
    pick = ("open", "high", "low", "close")

    def points(v: Any) -> list:
        return [{"t": p.get("t", p.get("time")), **{k: p.get(k) for k in pick}}
                for p in _get(v, "points") or [] if isinstance(p, dict)]
    e, a = points(exp), points(act)
    _rows_match(e, a, True, rtol, atol, "/points")


def _graph(edge_key: str) -> Callable[[Any, Any, dict], None]:
    def compare_graph(exp: Any, act: Any, tol: dict) -> None:
        rtol, atol = _tols(tol)
        ids = lambda v: sorted(str(n.get("id") if isinstance(n, dict) else n) for n in _get(v, "nodes") or [])
        if ids(exp) != ids(act):
            raise _Diff("/nodes", f"expected node ids {ids(exp)[:10]}, got {ids(act)[:10]}")

        def edges(v: Any) -> list:
            out = []
            for e in _get(v, edge_key) or []:
                if isinstance(e, dict):
                    w = e.get("value", e.get("weight"))
                    out.append({"source": str(e.get("source")), "target": str(e.get("target")), "weight": w})
            return sorted(out, key=lambda d: (d["source"], d["target"], _short(d["weight"])))
        _rows_match(edges(exp), edges(act), True, rtol, atol, f"/{edge_key}")
    return compare_graph


def _treemap(exp: Any, act: Any, tol: dict) -> None:
    rtol, atol = _tols(tol)
    key = lambda n: str(n.get("id", n.get("label")))
    e = {key(n): n for n in _get(exp, "nodes") or [] if isinstance(n, dict)}
    a = {key(n): n for n in _get(act, "nodes") or [] if isinstance(n, dict)}
    if set(e) != set(a):
        raise _Diff("/nodes", f"expected node ids {sorted(e)[:10]}, got {sorted(a)[:10]}")
    for k, n in e.items():
        pick = lambda d: {f: d.get(f) for f in ("parent", "value", "label")}
        deep_compare(pick(n), pick(a[k]), rtol, atol, f"/nodes/{_esc(k)}")


def _latlng(p: Any, digits: int) -> tuple:
    if isinstance(p, dict):
        lat, lng = p.get("lat"), p.get("lng", p.get("lon"))
    elif isinstance(p, (list, tuple)) and len(p) >= 2:
        lat, lng = p[0], p[1]
    else:
        return (_short(p),)
    try:
        return round(float(lat), digits), round(float(lng), digits)
    except (TypeError, ValueError):
        return (_short(p),)


def _map_points(weighted: bool, ordered: bool) -> Callable[[Any, Any, dict], None]:
    def compare_points(exp: Any, act: Any, tol: dict) -> None:
        digits = int(tol.get("round_digits", 4))
        rtol, atol = _tols(tol)

        def norm(v: Any) -> list:
            out = []
            for p in _get(v, "points") or []:
                item = _latlng(p, digits)
                if weighted and isinstance(p, dict):
                    w = p.get("weight", p.get("intensity"))
                    item = item + (round(float(w), 6) if _is_num(w) else w,)
                out.append(item)
            return out if ordered else sorted(out, key=_short)
        e, a = norm(exp), norm(act)
        if len(e) != len(a):
            raise _Diff("/points", f"expected {len(e)} points, got {len(a)}")
        for i, (pe, pa) in enumerate(zip(e, a)):
            deep_compare(list(pe), list(pa), rtol, atol, f"/points/{i}")
    return compare_points


def _choropleth(exp: Any, act: Any, tol: dict) -> None:
    rtol, atol = _tols(tol)
    deep_compare(_get(exp, "values"), _get(act, "values"), rtol, atol, "/values")


def _polygons(exp: Any, act: Any, tol: dict) -> None:
    digits = int(tol.get("round_digits", 4))

    def norm(v: Any) -> list:
        out = []
        for poly in _get(v, "polygons") or []:
            coords = poly.get("coords", poly.get("vertices")) if isinstance(poly, dict) else poly
            out.append(sorted({_latlng(p, digits) for p in coords or []}, key=_short))
        return sorted(out, key=_short)
    e, a = norm(exp), norm(act)
    if e != a:
        raise _Diff("/polygons", f"vertex sets differ (rounded to {digits} digits)")


# the renderers' key aliases, per list: canonical key ← the names it may come under
_EVENT_ALIASES = {"events": {"t": ("t", "time", "date"), "title": ("title", "label"),
                             "description": ("description", "desc")},
                  "tasks": {"name": ("name", "label")}}


def _event_items(v: Any, list_key: str) -> Any:
    items = v if isinstance(v, list) else _get(v, list_key)
    if not isinstance(items, list):
        return items
    aliases = _EVENT_ALIASES.get(list_key, {})
    out = []
    for item in items:
        if isinstance(item, dict):
            item = dict(item)
            for canon, names in aliases.items():
                found = next((n for n in names if n in item), None)
                if found is not None and found != canon:
                    item[canon] = item.pop(found)
        out.append(item)
    return out


def _events(list_key: str) -> Callable[[Any, Any, dict], None]:
    def compare_events(exp: Any, act: Any, tol: dict) -> None:
        rtol, atol = _tols(tol)
        e, a = _event_items(exp, list_key), _event_items(act, list_key)
        if not isinstance(e, list) or not isinstance(a, list):
            raise _Diff(f"/{list_key}", f"{list_key} must be lists")
        _rows_match(e, a, True, rtol, atol, f"/{list_key}")
    return compare_events


def _log(exp: Any, act: Any, tol: dict) -> None:
    """Ordered lines; `t` timestamps are ignored (they differ on every run by nature)."""
    allow_regex = bool(tol.get("allow_regex", False))

    def lines(v: Any) -> list[tuple[str, str]]:
        if isinstance(v, str):
            v = v.splitlines()
        out = []
        for line in (v if isinstance(v, list) else _get(v, "lines") or []):
            if isinstance(line, dict):
                msg = line.get("message", line.get("msg", line.get("text", "")))
                level = str(line.get("level", "info")).lower()
                out.append(("warn" if level == "warning" else level, str(msg)))
            else:
                out.append(("info", str(line)))
        return out
    e, a = lines(exp), lines(act)
    if len(e) != len(a):
        raise _Diff("/lines", f"expected {len(e)} lines, got {len(a)}")
    for i, ((le, me), (la, ma)) in enumerate(zip(e, a)):
        if allow_regex and me.startswith("re:"):
            if not re.fullmatch(me[3:], ma):
                raise _Diff(f"/lines/{i}", f"{ma!r} does not match /{me[3:]}/")
        elif (le, me) != (la, ma):
            raise _Diff(f"/lines/{i}", f"expected [{le}] {me!r}, got [{la}] {ma!r}")


# --- media & files ---------------------------------------------------------------------------

def _decode_data_url(v: Any) -> tuple[str, bytes] | None:
    v = _unwrap(v, "value", "data", "url")
    if not isinstance(v, str) or not v.startswith("data:") or "," not in v:
        return None
    head, payload = v.split(",", 1)
    mime = head[5:].split(";")[0] or "application/octet-stream"
    try:
        data = base64.b64decode(payload, validate=False) if ";base64" in head else payload.encode()
    except (binascii.Error, ValueError):
        return None
    return mime, data


def _ssim(a: bytes, b: bytes) -> float | None:
    """Mean SSIM of two images (greyscale, 7×7 uniform window like scikit-image's default); None
    when Pillow/numpy are missing or the images cannot be decoded."""
    try:
        import numpy as np
        from PIL import Image
    except ImportError:
        return None
    try:
        ia = Image.open(io.BytesIO(a)).convert("L")
        ib = Image.open(io.BytesIO(b)).convert("L")
    except Exception:  # noqa: BLE001 - undecodable bytes fall back to hashing
        return None
    if ia.size != ib.size:
        return 0.0
    x = np.asarray(ia, dtype=np.float64)
    y = np.asarray(ib, dtype=np.float64)
    win = 7 if min(x.shape) >= 7 else (min(x.shape) if min(x.shape) % 2 == 1 else min(x.shape) - 1)
    if win < 1:
        return 1.0 if np.array_equal(x, y) else 0.0

    def box(m: Any) -> Any:
        c = np.pad(m, ((1, 0), (1, 0))).cumsum(0).cumsum(1)
        return (c[win:, win:] - c[:-win, win:] - c[win:, :-win] + c[:-win, :-win]) / (win * win)
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    mx, my = box(x), box(y)
    n = win * win
    cov_norm = n / (n - 1) if n > 1 else 1.0
    vx = (box(x * x) - mx * mx) * cov_norm
    vy = (box(y * y) - my * my) * cov_norm
    vxy = (box(x * y) - mx * my) * cov_norm
    s = ((2 * mx * my + c1) * (2 * vxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
    return float(s.mean())


def _bytes_compare(e: tuple[str, bytes], a: tuple[str, bytes], path: str) -> None:
    if len(e[1]) != len(a[1]) or hashlib.sha256(e[1]).digest() != hashlib.sha256(a[1]).digest():
        raise _Diff(path, f"content differs (sha256 {hashlib.sha256(e[1]).hexdigest()[:12]}… "
                          f"vs {hashlib.sha256(a[1]).hexdigest()[:12]}…, {len(e[1])} vs {len(a[1])} bytes)")


def _one_image(exp: Any, act: Any, tol: dict, path: str) -> None:
    de, da = _decode_data_url(exp), _decode_data_url(act)
    if de is None or da is None:  # http URLs (or anything else) compare as strings
        e, a = _unwrap(exp, "url", "data", "value"), _unwrap(act, "url", "data", "value")
        if e != a:
            raise _Diff(path, f"expected {_short(e, 60)}, got {_short(a, 60)}")
        return
    if tol.get("compare") != "sha256":
        score = _ssim(de[1], da[1])
        if score is not None:
            min_ssim = float(tol.get("min_ssim", 0.95))
            if score < min_ssim:
                raise _Diff(path, f"images differ: SSIM {score:.4f} < min_ssim {min_ssim}")
            return
    _bytes_compare(de, da, path)


def _image(exp: Any, act: Any, tol: dict) -> None:
    _one_image(exp, act, tol, "")


def _image_grid(exp: Any, act: Any, tol: dict) -> None:
    e = _get(exp, "images") if isinstance(exp, dict) else exp
    a = _get(act, "images") if isinstance(act, dict) else act
    if not isinstance(e, list) or not isinstance(a, list):
        raise _Diff("/images", "images must be lists")
    if len(e) != len(a):
        raise _Diff("/images", f"expected {len(e)} images, got {len(a)}")
    for i, (ie, ia) in enumerate(zip(e, a)):
        _one_image(ie, ia, tol, f"/images/{i}")


def _image_compare(exp: Any, act: Any, tol: dict) -> None:
    for side in ("before", "after"):
        _one_image(_get(exp, side), _get(act, side), tol, f"/{side}")


def _audio(exp: Any, act: Any, tol: dict) -> None:
    de, da = _decode_data_url(exp), _decode_data_url(act)
    if de is None or da is None:
        if _unwrap(exp, "url", "data") != _unwrap(act, "url", "data"):
            raise _Diff("", "audio URLs differ")
        return
    # A mel-spectrogram distance needs librosa, which the desktop does not ship: compare bytes.
    _bytes_compare(de, da, "")


def _file(exp: Any, act: Any, tol: dict) -> None:
    if not isinstance(exp, dict) or not isinstance(act, dict):
        raise _Diff("", "file values must be objects with filename and data")
    de, da = _decode_data_url(exp.get("data")), _decode_data_url(act.get("data"))
    if de is None or da is None:
        if exp.get("data") != act.get("data"):
            raise _Diff("/data", "file data differs")
        return
    mime = str(exp.get("mime") or exp.get("content_type") or de[0])
    name = str(exp.get("filename", ""))
    rtol, atol = _tols(tol)
    if tol.get("compare") == "sha256":
        _bytes_compare(de, da, "/data")
    elif mime == "application/json" or name.endswith(".json"):
        try:
            deep_compare(json.loads(de[1]), json.loads(da[1]), rtol, atol, "/data(json)")
        except ValueError:
            _bytes_compare(de, da, "/data")
    elif mime == "text/csv" or name.endswith(".csv"):
        try:
            e_rows = list(csv.reader(io.StringIO(de[1].decode("utf-8"))))
            a_rows = list(csv.reader(io.StringIO(da[1].decode("utf-8"))))
        except UnicodeDecodeError:
            _bytes_compare(de, da, "/data")
            return
        if (e_rows[:1] or [[]]) != (a_rows[:1] or [[]]):
            raise _Diff("/data(csv)", f"header differs: {e_rows[:1]} vs {a_rows[:1]}")
        _rows_match([_num_cells(r) for r in e_rows[1:]], [_num_cells(r) for r in a_rows[1:]],
                    False, rtol, atol, "/data(csv)")
    else:
        _bytes_compare(de, da, "/data")


def _num_cells(row: list[str]) -> list[Any]:
    out: list[Any] = []
    for cell in row:
        try:
            out.append(float(cell))
        except ValueError:
            out.append(cell)
    return out


_SKIP = object()

COMPARATORS: dict[str, Any] = {
    "number": _number, "boolean": _boolean,
    "text": _text_factory("exact"), "code": _text_factory("exact"), "stream_text": _text_factory("exact"),
    "markdown": _text_factory("exact_after_normalize_whitespace"), "latex": _text_factory("latex"),
    "diff": _diff_value, "kv": _kv, "table": _table, "tree": _tree,
    "chart_line": _chart_data(("y", "x"), ("x",)), "chart_area": _chart_data(("y", "x"), ("x",)),
    "chart_bar": _chart_data(("y", "x"), ("x",)), "chart_scatter": _chart_data(("points",), ()),
    "chart_radar": _chart_data(("values",), ("axes",)), "chart_pie": _pie, "chart_histogram": _histogram,
    "chart_boxplot": _boxplot, "chart_heatmap": _heatmap, "chart_candlestick": _candlestick,
    "chart_sankey": _graph("links"), "chart_network": _graph("edges"), "chart_treemap": _treemap,
    "map_points": _map_points(False, False), "map_heatmap": _map_points(True, False),
    "map_route": _map_points(False, True), "map_choropleth": _choropleth, "map_polygons": _polygons,
    "image": _image, "image_grid": _image_grid, "image_compare": _image_compare,
    "audio": _audio, "video": _SKIP, "progress": _SKIP, "file": _file,
    "timeline": _events("events"), "gantt": _events("tasks"), "log": _log,
}


def compare(out_type: str, expected: Any, actual: Any, tol: dict[str, Any] | None = None) -> Verdict:
    tol = dict(tol or {})
    fn = COMPARATORS.get(out_type)
    if tol.get("compare") == "skip" or fn is _SKIP:
        return Verdict(SKIP, f"{out_type} outputs are not compared")
    if fn is None:
        fn = lambda e, a, t: deep_compare(e, a, *_tols(t))  # noqa: E731 - unknown type: structural
    try:
        fn(expected, actual, tol)
    except _Diff as diff:
        limit = int(tol.get("_truncate", 400))
        return Verdict(FAIL, str(diff)[:limit])
    except (TypeError, ValueError, AttributeError) as exc:
        return Verdict(FAIL, f"values cannot be compared: {exc}")
    return OK
