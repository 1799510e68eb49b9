"""Charts and maps of a run report drawn with matplotlib's Agg/SVG backends (no Qt), plus the data
table each one is drawn from. `chart_image` returns (mime, bytes) or None when the value's shape
cannot be drawn; `chart_table` always returns the numbers, so a report never loses the data.

Values are untrusted: sizes are capped (points, series, cells) so a huge output cannot make the
export slow, and drawing errors become "no image" instead of a failed export. Text in the SVG is
drawn as paths, so tool-provided labels never become markup."""

from __future__ import annotations

import io
import logging
import math
from typing import Any

log = logging.getLogger(__name__)

MAX_POINTS = 20_000
MAX_TABLE_ROWS = 5_000
MAP_TYPES = ("map_points", "map_heatmap", "map_route", "map_polygons", "map_choropleth")


def _num(v: Any) -> float | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str):
        try:
            return float(v)
        except ValueError:
            return None
    return None


def _list(v: Any) -> list:
    return v[:MAX_POINTS] if isinstance(v, list) else []


def _dict(v: Any) -> dict:
    return v if isinstance(v, dict) else {}


def chart_table(kind: str, value: Any) -> tuple[list[str], list[list[Any]]]:
    """(headers, rows) of the data behind a chart or map output (capped at MAX_TABLE_ROWS)."""
    v = _dict(value)
    headers: list[str] = []
    rows: list[list[Any]] = []
    if kind in ("chart_line", "chart_area", "chart_bar"):
        series = [s for s in _list(v.get("series")) if isinstance(s, dict)]
        xs = _list(v.get("x")) or (_list(series[0].get("x")) if series else [])
        headers = ["x"] + [str(s.get("name", f"series {i + 1}")) for i, s in enumerate(series)]
        for i, x in enumerate(xs):
            rows.append([x] + [(_list(s.get("y"))[i] if i < len(_list(s.get("y"))) else None) for s in series])
    elif kind == "chart_scatter":
        headers = ["series", "x", "y", "label"]
        for s in _list(v.get("series")):
            for p in _list(_dict(s).get("points")):
                p = _dict(p)
                rows.append([_dict(s).get("name", ""), p.get("x"), p.get("y"), p.get("label", "")])
    elif kind == "chart_pie":
        headers = ["label", "value"]
        rows = [[_dict(s).get("label"), _dict(s).get("value")] for s in _list(v.get("slices"))]
    elif kind == "chart_histogram":
        headers = ["value"]
        rows = [[x] for x in _list(v.get("values"))]
    elif kind == "chart_boxplot":
        headers = ["series", "n", "min", "median", "max"]
        for s in _list(v.get("series")):
            nums = sorted(n for n in (_num(x) for x in _list(_dict(s).get("values"))) if n is not None)
            mid = nums[len(nums) // 2] if nums else None
            rows.append([_dict(s).get("name", ""), len(nums), nums[0] if nums else None, mid,
                         nums[-1] if nums else None])
    elif kind == "chart_heatmap":
        z = _list(v.get("z"))
        xl = _list(v.get("x_labels") or v.get("x"))
        yl = _list(v.get("y_labels") or v.get("y"))
        width = max((len(r) for r in z if isinstance(r, list)), default=0)
        headers = [""] + [str(xl[i]) if i < len(xl) else str(i) for i in range(width)]
        rows = [[yl[j] if j < len(yl) else j] + _list(r) for j, r in enumerate(z)]
    elif kind == "chart_candlestick":
        headers = ["t", "open", "high", "low", "close"]
        rows = [[_dict(p).get(k) for k in headers] for p in _list(v.get("points"))]
    elif kind == "chart_radar":
        axes = _list(v.get("axes"))
        series = [s for s in _list(v.get("series")) if isinstance(s, dict)]
        headers = ["axis"] + [str(s.get("name", "")) for s in series]
        rows = [[a] + [(_list(s.get("values"))[i] if i < len(_list(s.get("values"))) else None) for s in series]
                for i, a in enumerate(axes)]
    elif kind == "chart_sankey":
        headers = ["source", "target", "value"]
        rows = [[_dict(lk).get("source"), _dict(lk).get("target"), _dict(lk).get("value")]
                for lk in _list(v.get("links"))]
    elif kind == "chart_treemap":
        headers = ["id", "label", "value", "parent"]
        rows = [[_dict(n).get(k) for k in headers] for n in _list(v.get("nodes"))]
    elif kind == "chart_network":
        headers = ["source", "target", "label"]
        rows = [[_dict(e).get(k) for k in headers] for e in _list(v.get("edges"))]
    elif kind == "gantt":
        headers = ["name", "start", "end"]
        rows = [[_dict(t).get(k) for k in headers] for t in _list(v.get("tasks"))]
    elif kind in ("map_points", "map_heatmap", "map_route"):
        headers = ["lat", "lng", "label", "weight"]
        rows = [[_dict(p).get("lat"), _dict(p).get("lng"), _dict(p).get("label", ""), _dict(p).get("weight", "")]
                for p in _list(v.get("points"))]
    elif kind == "map_polygons":
        headers = ["label", "vertices"]
        rows = [[_dict(p).get("label", ""), len(_list(_dict(p).get("coords")))] for p in _list(v.get("polygons"))]
    elif kind == "map_choropleth":
        headers = ["feature", "value"]
        rows = [[k, x] for k, x in list(_dict(v.get("values")).items())[:MAX_TABLE_ROWS]]
    return headers, rows[:MAX_TABLE_ROWS]


def _figure():
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.0, 3.6), dpi=100)
    return fig, fig.add_subplot(111)


def _draw(kind: str, v: dict, spec: Any) -> Any:
    fig, ax = _figure()
    if kind in ("chart_line", "chart_area", "chart_bar"):
        headers, rows = chart_table(kind, v)
        xs = [r[0] for r in rows]
        numeric = all(_num(x) is not None for x in xs)
        pos = [_num(x) for x in xs] if numeric else list(range(len(xs)))
        n = max(1, len(headers) - 1)
        for j, name in enumerate(headers[1:], start=1):
            ys = [(_num(r[j]) if _num(r[j]) is not None else math.nan) for r in rows]
            if kind == "chart_bar":
                width = 0.8 / n
                ax.bar([p + (j - 1) * width for p in range(len(xs))], ys, width=width, label=name)
            elif kind == "chart_area":
                ax.fill_between(pos, ys, alpha=0.4, label=name)
            else:
                ax.plot(pos, ys, label=name)
        if kind == "chart_bar" or not numeric:
            ticks = list(range(len(xs)))
            step = max(1, len(xs) // 20)
            ax.set_xticks(ticks[::step], [str(x)[:16] for x in xs][::step], rotation=30)
        if n > 1:
            ax.legend()
    elif kind == "chart_scatter":
        for s in _list(v.get("series")):
            pts = [_dict(p) for p in _list(_dict(s).get("points"))]
            ax.scatter([_num(p.get("x")) for p in pts], [_num(p.get("y")) for p in pts], s=12,
                       label=str(_dict(s).get("name", "")))
    elif kind == "chart_pie":
        slices = [_dict(s) for s in _list(v.get("slices"))][:200]
        ax.pie([max(0.0, _num(s.get("value")) or 0.0) for s in slices], labels=[str(s.get("label", ""))[:30] for s in slices])
        ax.set_aspect("equal")
    elif kind == "chart_histogram":
        vals = [x for x in (_num(x) for x in _list(v.get("values"))) if x is not None]
        bins = v.get("bins") if isinstance(v.get("bins"), int) and 0 < v.get("bins") <= 500 else 20
        ax.hist(vals, bins=bins)
    elif kind == "chart_boxplot":
        series = [_dict(s) for s in _list(v.get("series"))][:50]
        data = [[x for x in (_num(x) for x in _list(s.get("values"))) if x is not None] for s in series]
        if data:
            ax.boxplot(data)  # tick labels set apart: the keyword changed name across matplotlib versions
            ax.set_xticks(range(1, len(series) + 1), [str(s.get("name", ""))[:20] for s in series])
    elif kind == "chart_heatmap":
        z = [[(_num(c) if _num(c) is not None else math.nan) for c in _list(r)] for r in _list(v.get("z"))[:500]]
        width = max((len(r) for r in z), default=0)
        z = [r + [math.nan] * (width - len(r)) for r in z]
        if z and width:
            im = ax.imshow(z, aspect="auto")
            fig.colorbar(im, ax=ax)
    elif kind == "chart_candlestick":
        for i, p in enumerate(_dict(p) for p in _list(v.get("points"))):
            o, h, lo, c = (_num(p.get(k)) for k in ("open", "high", "low", "close"))
            if None in (o, h, lo, c):
                continue
            colour = "tab:green" if c >= o else "tab:red"
            ax.vlines(i, lo, h, color=colour)
            ax.bar(i, abs(c - o) or 1e-9, bottom=min(o, c), color=colour, width=0.6)
    elif kind in MAP_TYPES:
        return _draw_map(kind, v, fig, ax)
    else:
        return None
    xl = getattr(spec, "x_label", None) if spec is not None else None
    yl = getattr(spec, "y_label", None) if spec is not None else None
    if isinstance(xl, str):
        ax.set_xlabel(xl[:80])
    if isinstance(yl, str):
        ax.set_ylabel(yl[:80])
    fig.tight_layout()
    return fig


def _draw_map(kind: str, v: dict, fig: Any, ax: Any) -> Any:
    """Maps as images without tiles (no network): points, routes and polygons on lng/lat axes."""
    if kind == "map_polygons":
        for p in _list(v.get("polygons")):
            coords = [c for c in _list(_dict(p).get("coords")) if isinstance(c, list) and len(c) >= 2]
            if coords:
                ax.fill([_num(c[1]) for c in coords], [_num(c[0]) for c in coords], alpha=0.4)
    elif kind == "map_choropleth":
        return None  # the values table is the report's view of it
    else:
        pts = [_dict(p) for p in _list(v.get("points"))]
        lng = [_num(p.get("lng")) for p in pts]
        lat = [_num(p.get("lat")) for p in pts]
        if kind == "map_route":
            ax.plot(lng, lat, marker="o")
        else:
            sizes = [max(4.0, min(200.0, (_num(p.get("weight")) or 1.0) * 12)) for p in pts]
            ax.scatter(lng, lat, s=sizes, alpha=0.7)
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.set_aspect("equal", adjustable="datalim")
    fig.tight_layout()
    return fig


def chart_image(kind: str, value: Any, spec: Any = None, fmt: str = "svg") -> tuple[str, bytes] | None:
    """The chart or map drawn as SVG (fmt="svg") or PNG; None if this kind/shape is not drawable."""
    try:
        fig = _draw(kind, _dict(value), spec)
        if fig is None:
            return None
        buf = io.BytesIO()
        if fmt == "svg":
            fig.savefig(buf, format="svg", metadata={"Date": None})
            return "image/svg+xml", buf.getvalue()
        fig.savefig(buf, format="png", dpi=110)
        return "image/png", buf.getvalue()
    except Exception as exc:  # noqa: BLE001 - a bad shape loses the picture, never the export
        log.info("report: could not draw %s: %s", kind, exc)
        return None
