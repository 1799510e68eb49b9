"""Sample inputs for the validator's sample run (tool-contract §2.2, reference-runtime §4.1):
every declared input gets a value — optional ones included — its declared default when that is
not null, else a fixed per-type fallback. Chat-layout tools get the synthetic probe payload."""

from __future__ import annotations

from typing import Any

from pixie_desktop.manifest.model import InputSpec, ToolSpec

# A 1×1 transparent PNG; the reference sends it for file, image and audio inputs alike.
PNG_1X1_DATA_URL = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkY"
                    "PhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")

CHAT_PROBE = {"messages": [{"role": "user", "content": "Validation probe message"}], "history": []}

_FIXED: dict[str, Any] = {
    "text": "", "textarea": "", "code": "", "markdown": "", "autocomplete": "",
    "checkbox": False, "toggle": False,
    "date": "2026-01-01", "time": "12:00", "datetime": "2026-01-01T12:00:00",
    "date_range": ["2026-01-01", "2026-01-08"], "colour": "#000000",
    "json": {}, "tags": [], "multiselect": [], "table": [],
}


def _midpoint(inp: InputSpec) -> float:
    return (float(inp.min) + float(inp.max)) / 2


def sample_for_input(inp: InputSpec) -> Any:
    if inp.default is not None:
        return inp.default
    t = inp.type
    if t in _FIXED:
        value = _FIXED[t]
        return list(value) if isinstance(value, list) else (dict(value) if isinstance(value, dict) else value)
    if t == "number":
        if _is_num(inp.min) and _is_num(inp.max):
            return _midpoint(inp)
        if _is_num(inp.min):
            return float(inp.min)
        return 0
    if t == "slider":
        mid = _midpoint(inp) if _is_num(inp.min) and _is_num(inp.max) else 0.0
        return [float(inp.min), mid] if inp.range and _is_num(inp.min) else mid
    if t in ("select", "radio"):
        return inp.options[0].value if inp.options else None
    if t == "file":
        return _file_sample(inp)
    if t in ("image", "audio"):
        return PNG_1X1_DATA_URL
    if t.startswith("map_"):
        lat, lng = _centre(inp)
        if t == "map_point":
            return [lat, lng]
        if t == "map_bbox":
            return [lat - 0.01, lng - 0.01, lat + 0.01, lng + 0.01]
        return [[lat, lng]]
    return None  # hidden (and anything unknown): its default, which was null


# Beyond the reference: a `file` input that accepts only non-image types gets a tiny file of an
# accepted type instead of the PNG, so a CSV tool is exercised with a CSV.
_TEXT_SAMPLES: tuple[tuple[tuple[str, ...], str, bytes], ...] = (
    ((".csv", "text/csv"), "text/csv", b"name,value\nalpha,1\nbeta,2\n"),
    ((".tsv", "text/tab-separated-values"), "text/tab-separated-values", b"name\tvalue\nalpha\t1\n"),
    ((".json", "application/json"), "application/json", b'{"sample": true}'),
    ((".txt", ".md", ".log", "text/plain", "text/markdown", "text/*"), "text/plain", b"Validation sample text.\n"),
)


def _file_sample(inp: InputSpec) -> str:
    accept = [a.strip().lower() for a in (inp.accept or []) if isinstance(a, str)]
    if not accept or any(a.startswith("image/") or a in (".png", "image/*", "*/*", "*") for a in accept):
        return PNG_1X1_DATA_URL
    for exts, mime, data in _TEXT_SAMPLES:
        if any(a in exts for a in accept):
            import base64

            return f"data:{mime};base64,{base64.b64encode(data).decode()}"
    return PNG_1X1_DATA_URL


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _centre(inp: InputSpec) -> tuple[float, float]:
    c = inp.default_center
    if isinstance(c, (list, tuple)) and len(c) == 2 and all(_is_num(x) for x in c):
        return float(c[0]), float(c[1])
    return 0.0, 0.0


def sample_inputs(spec: ToolSpec) -> dict[str, Any]:
    if spec.layout == "chat":
        return {"messages": [dict(m) for m in CHAT_PROBE["messages"]], "history": []}
    return {inp.key: sample_for_input(inp) for inp in spec.inputs}


def sample_body(spec: ToolSpec, run_id: str) -> dict[str, Any]:
    """The sample-run body: `{run_id, inputs}` plus flat top-level copies of every input, the
    legacy shim the reference's validator sends so old tools reading top-level keys pass too."""
    inputs = sample_inputs(spec)
    body: dict[str, Any] = {}
    for key, value in inputs.items():
        if key not in ("run_id", "inputs", "_pixie"):
            body[key] = value
    body["run_id"] = run_id
    body["inputs"] = inputs
    return body
