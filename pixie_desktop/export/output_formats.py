"""One output exported on its own (no Qt): which formats fit each output type and the bytes of
each. Charts: PNG, SVG, PDF (matplotlib) and CSV of the data; tables: CSV and JSON; maps:
GeoJSON and PNG; text-like outputs: a file with the right extension; images: the original
bytes or PNG (converted with Pillow); anything else: JSON. Media bytes come through the
caller's `media` resolver (the GUI passes its run-scoped reader, so an output can never name a
file outside its run)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any, Callable

from pixie_desktop.export.charts import MAP_TYPES, _draw, chart_table

Media = Callable[[str], "tuple[str, bytes] | None"]
CODE_EXT = {"python": "py", "py": "py", "javascript": "js", "js": "js", "typescript": "ts", "json": "json",
            "html": "html", "css": "css", "bash": "sh", "shell": "sh", "sh": "sh", "sql": "sql", "yaml": "yaml",
            "yml": "yaml", "rust": "rs", "go": "go", "c": "c", "cpp": "cpp", "java": "java", "r": "r",
            "markdown": "md", "toml": "toml", "xml": "xml"}
IMAGE_EXT = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp",
             "image/svg+xml": "svg", "image/bmp": "bmp"}
CHART_KINDS = ("chart_line", "chart_area", "chart_bar", "chart_scatter", "chart_pie", "chart_histogram",
               "chart_boxplot", "chart_heatmap", "chart_candlestick")


class ExportUnavailable(ValueError):
    """This value cannot be written in that format (missing media, undrawable shape)."""


def text_extension(kind: str, spec: Any = None) -> str:
    if kind == "markdown":
        return "md"
    if kind == "latex":
        return "tex"
    if kind == "code":
        lang = str(getattr(spec, "language", "") or "").lower()
        return CODE_EXT.get(lang, "txt")
    return "txt"


def formats_for(kind: str, spec: Any = None) -> list[tuple[str, str]]:
    """(format id, menu label) pairs that fit an output of type `kind`."""
    if kind in CHART_KINDS:
        return [("png", "PNG image"), ("svg", "SVG image"), ("pdf", "PDF"), ("csv", "CSV of the data")]
    if kind.startswith("chart_") or kind == "gantt":
        return [("csv", "CSV of the data"), ("json", "JSON")]
    if kind == "table":
        return [("csv", "CSV"), ("json", "JSON")]
    if kind in ("map_points", "map_heatmap", "map_route", "map_polygons"):
        return [("geojson", "GeoJSON"), ("png", "PNG image")]
    if kind == "map_choropleth":
        return [("geojson", "GeoJSON"), ("csv", "CSV of the values")]
    if kind in ("text", "markdown", "code", "latex", "stream_text"):
        ext = text_extension(kind, spec)
        return [(ext, f".{ext} file")]
    if kind == "image":
        return [("original", "Original image"), ("png", "PNG image")]
    return [("json", "JSON")]


def _csv(headers: list[str], rows: list[list[Any]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(headers)
    for r in rows:
        w.writerow(["" if c is None else (json.dumps(c, ensure_ascii=False) if isinstance(c, (dict, list)) else c)
                    for c in r])
    return buf.getvalue().encode("utf-8")


def _table_rows(value: Any, spec: Any) -> tuple[list[str], list[str], list[list[Any]]]:
    v = value if isinstance(value, dict) else {}
    cols = getattr(spec, "columns", None) or v.get("columns") or []
    keys: list[str] = []
    labels: list[str] = []
    for c in cols if isinstance(cols, list) else []:
        key = c.get("key") if isinstance(c, dict) else (c if isinstance(c, str) else getattr(c, "key", None))
        if key is None:
            continue
        label = (c.get("label") if isinstance(c, dict) else getattr(c, "label", None)) or key
        keys.append(str(key))
        labels.append(str(label))
    rows = v.get("rows") if isinstance(v.get("rows"), list) else []
    if not keys and rows and isinstance(rows[0], dict):
        keys = labels = [str(k) for k in rows[0]]
    body = [[(r.get(k) if isinstance(r, dict) else (r[i] if isinstance(r, list) and i < len(r) else None))
             for i, k in enumerate(keys)] for r in rows]
    return keys, labels, body


def _geojson(kind: str, value: Any) -> dict:
    v = value if isinstance(value, dict) else {}
    if kind == "map_choropleth" and isinstance(v.get("geojson"), dict):
        return v["geojson"]
    features = []
    if kind == "map_polygons":
        for p in v.get("polygons") or []:
            if not isinstance(p, dict):
                continue
            ring = [[c[1], c[0]] for c in p.get("coords") or [] if isinstance(c, list) and len(c) >= 2]
            if ring and ring[0] != ring[-1]:
                ring.append(ring[0])
            features.append({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]},
                             "properties": {k: p[k] for k in ("label", "colour") if k in p}})
    else:
        pts = [p for p in v.get("points") or [] if isinstance(p, dict)]
        if kind == "map_route":
            features.append({"type": "Feature", "properties": {},
                             "geometry": {"type": "LineString", "coordinates": [[p.get("lng"), p.get("lat")] for p in pts]}})
        else:
            for p in pts:
                props = {k: p[k] for k in p if k not in ("lat", "lng")}
                features.append({"type": "Feature", "properties": props,
                                 "geometry": {"type": "Point", "coordinates": [p.get("lng"), p.get("lat")]}})
    return {"type": "FeatureCollection", "features": features}


def _figure_bytes(kind: str, value: Any, spec: Any, fmt: str) -> bytes:
    fig = _draw(kind, value if isinstance(value, dict) else {}, spec)
    if fig is None:
        raise ExportUnavailable(f"a {kind} output cannot be drawn as {fmt}")
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=150 if fmt == "png" else "figure")
    return buf.getvalue()


def render_output(kind: str, value: Any, fmt: str, *, spec: Any = None, media: Media | None = None) -> bytes:
    """The bytes of one output in format `fmt` (one of formats_for(kind))."""
    if fmt in ("png", "svg", "pdf") and (kind in CHART_KINDS or kind in MAP_TYPES):
        return _figure_bytes(kind, value, spec, fmt)
    if fmt == "csv":
        if kind == "table":
            _keys, labels, body = _table_rows(value, spec)
            return _csv(labels, body)
        if kind == "map_choropleth":
            vals = value.get("values") if isinstance(value, dict) else None
            return _csv(["feature", "value"], [[k, x] for k, x in (vals or {}).items()])
        headers, rows = chart_table(kind, value)
        return _csv(headers, rows)
    if fmt == "geojson":
        return json.dumps(_geojson(kind, value), indent=2, ensure_ascii=False).encode("utf-8")
    if fmt in ("original", "png") and kind == "image":
        src = value
        if isinstance(src, dict):
            src = src.get("url") or src.get("data") or src.get("src") or src.get("value")
        got = media(src) if (media is not None and isinstance(src, str)) else None
        if got is None:
            raise ExportUnavailable("the image is not available (remote, gone or outside the run)")
        return got[1] if fmt == "original" else to_png(got[1])
    if kind in ("text", "markdown", "code", "latex", "stream_text"):
        text = value.get("text", value.get("value")) if isinstance(value, dict) else value
        return str("" if text is None else text).encode("utf-8")
    if fmt == "json":
        if kind == "table":
            keys, _labels, body = _table_rows(value, spec)
            value = [dict(zip(keys, r)) for r in body]
        return json.dumps(value, indent=2, ensure_ascii=False, default=str).encode("utf-8")
    raise ExportUnavailable(f"{fmt} does not fit a {kind} output")


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_CONVERT_PIXELS = 100_000_000  # a hostile image's header cannot make the export allocate gigabytes


def to_png(data: bytes) -> bytes:
    """The image as PNG bytes (a PNG is returned as it is). Decoded with Pillow, which comes
    with matplotlib; the first frame of an animation; ExportUnavailable for what Pillow cannot
    read (SVG among them)."""
    if data.startswith(PNG_SIGNATURE):
        return data
    try:
        from PIL import Image
    except ImportError as exc:  # pragma: no cover - Pillow is a matplotlib dependency
        raise ExportUnavailable("converting images needs Pillow") from exc
    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.width * img.height > MAX_CONVERT_PIXELS:
                raise ExportUnavailable(f"the image is too large to convert ({img.width}×{img.height})")
            img.seek(0)
            frame = img.convert("RGBA") if img.mode not in ("RGB", "RGBA", "L", "LA", "1", "P") else img.copy()
            buf = io.BytesIO()
            frame.save(buf, format="PNG")
            return buf.getvalue()
    except ExportUnavailable:
        raise
    except Exception as exc:  # noqa: BLE001 - untrusted bytes: any decoder failure is "cannot convert"
        raise ExportUnavailable(f"this image cannot be converted to PNG ({type(exc).__name__})") from exc


def file_extension(kind: str, fmt: str, value: Any = None) -> str:
    """The extension a file of this format gets; an original image keeps its own type, read from
    the data URL's header or the file name (no I/O: this runs when the save dialog opens)."""
    if fmt != "original":
        return fmt
    src = (value.get("url") or value.get("data") or value.get("src")) if isinstance(value, dict) else value
    if not isinstance(src, str):
        return "bin"
    if src.startswith("data:"):
        return IMAGE_EXT.get(src[5:src.find(",") if "," in src[:200] else 5].split(";")[0], "bin")
    suffix = src.rsplit("/", 1)[-1].rpartition(".")[2].lower()
    return suffix if suffix.isalnum() and 0 < len(suffix) <= 5 else "bin"
