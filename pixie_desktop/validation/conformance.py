"""Output conformance (validator check 9, tool-contract §3.2 column V): the /run response must be
an object with every declared output key present, non-null and of the declared shape; extra keys
are a warning. Messages always name the output key so the author knows what to fix."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pixie_desktop.manifest.jsonkind import describe_kind
from pixie_desktop.manifest.model import ToolSpec

TEXT_LIKE = ("text", "markdown", "latex", "code", "stream_text")
MEDIA = ("image", "audio", "video")

REQUIRED_KEYS: dict[str, tuple[str, ...]] = {
    "table": ("columns", "rows"), "kv": ("pairs",), "log": ("lines",), "diff": ("before", "after"),
    "tree": ("root",), "timeline": ("events",), "gantt": ("tasks",),
    "chart_line": ("x", "series"), "chart_area": ("x", "series"), "chart_bar": ("x", "series"),
    "chart_scatter": ("series",), "chart_pie": ("slices",), "chart_histogram": ("values",),
    "chart_boxplot": ("series",), "chart_heatmap": ("z",), "chart_candlestick": ("points",),
    "chart_radar": ("axes", "series"), "chart_sankey": ("nodes", "links"), "chart_treemap": ("nodes",),
    "chart_network": ("nodes", "edges"),
    "map_points": ("points",), "map_heatmap": ("points",), "map_route": ("points",),
    "map_choropleth": ("geojson", "values"), "map_polygons": ("polygons",),
    "image_grid": ("images",), "image_compare": ("before", "after"), "file": ("filename", "data"),
}


@dataclass
class Conformance:
    problems: list[str] = field(default_factory=list)   # each a fail
    extra_keys: list[str] = field(default_factory=list)  # a warning

    @property
    def ok(self) -> bool:
        return not self.problems


def _kind(v: Any) -> str:
    return describe_kind(v)


def _is_media_url(v: Any) -> bool:
    return isinstance(v, str) and v.startswith(("data:", "http://", "https://", "file://"))


def value_problem(out_type: str, value: Any) -> str | None:
    """None when `value` is an acceptable shape for `out_type`, else a short description."""
    if value is None:
        return "is null"
    scalar = out_type in TEXT_LIKE or out_type in MEDIA or out_type in ("number", "boolean", "progress")
    if scalar and isinstance(value, dict):
        return None if "value" in value else f"is an object without a 'value' key (keys: {_keys(value)})"
    if out_type in TEXT_LIKE:
        return None if isinstance(value, str) else f"should be a string, got {_kind(value)}"
    if out_type == "number":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return None if ok else f"should be a number, got {_kind(value)}"
    if out_type == "boolean":
        ok = isinstance(value, bool) or (isinstance(value, int) and value in (0, 1))
        return None if ok else f"should be true/false, got {_kind(value)}"
    if out_type == "progress":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return None if ok else f"should be a number between 0 and 1, got {_kind(value)}"
    if out_type in MEDIA:
        return None if _is_media_url(value) else \
            f"should be a data: or http(s) URL string, got {_kind(value)}"
    required = REQUIRED_KEYS.get(out_type)
    if required is None:
        return None  # unknown types pass, as in the reference
    if not isinstance(value, dict):
        return f"should be an object with {', '.join(repr(k) for k in required)}, got {_kind(value)}"
    missing = [k for k in required if k not in value]
    if missing:
        return f"is missing {', '.join(repr(k) for k in missing)} (a {out_type} needs " \
               f"{', '.join(repr(k) for k in required)})"
    return None


def _keys(d: dict) -> str:
    keys = list(d)[:6]
    return ", ".join(repr(k) for k in keys) + (" …" if len(d) > 6 else "") if keys else "none"


def check_outputs(spec: ToolSpec, body: Any) -> Conformance:
    result = Conformance()
    if not isinstance(body, dict):
        result.problems.append(f"the response should be a JSON object keyed by output, got {_kind(body)}")
        return result
    # Accept the `{"outputs": {...}}` envelope some tools use, like the runtime does.
    declared = {o.key for o in spec.outputs}
    if "outputs" in body and isinstance(body["outputs"], dict) and "outputs" not in declared \
            and not declared & set(body):
        body = body["outputs"]
    for out in spec.outputs:
        if out.key not in body:
            result.problems.append(f"output '{out.key}' ({out.type}) is missing from the response")
            continue
        value = body[out.key]
        if out.type == "table" and out.columns and isinstance(value, dict) and "columns" not in value:
            # The spec's columns win over the value's in every renderer, so rows alone are enough.
            value = {**value, "columns": [c.key for c in out.columns]}
        problem = value_problem(out.type, value)
        if problem:
            result.problems.append(f"output '{out.key}' ({out.type}) {problem}")
    ignorable = {"run_id", "id", "_pixie"}
    result.extra_keys = [k for k in body if k not in declared and k not in ignorable]
    return result
