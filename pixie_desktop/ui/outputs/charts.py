"""The 14 chart types and gantt, drawn offline with matplotlib's Qt canvas and styled from the
current theme (and redrawn when the theme changes). Axis titles, units and log scales are read
from the VALUE as well as the spec, the value winning (real tools send `x_label`/`y_label` in the
value, which the reference ignored). ISO dates, datetimes and times on the x axis of line, area
and scatter charts give a real time axis; only `chart_bar` draws bars. Sankey, treemap and
network are drawn here with matplotlib patches (squarified treemap, circular/force layout) so no
extra dependency is needed. docs/renderers.md lists every field each chart reads.

Figures are created lazily on the first value, with a small dpi, so rendering every type stays
well under the 3 s budget offscreen."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtWidgets import QSizePolicy

from pixie_desktop.ui.outputs.base import OutputRenderer, active_theme, ShapeError, failure_reason, kind_of, need_dict, need_list, num, register


def _nums(values: Any, what: str) -> list[float]:
    vals = need_list(values, what)
    out = []
    for v in vals:
        if v is None:
            out.append(float("nan"))
        else:
            out.append(num(v, f"{what} items"))
    return out


def _series(value: dict, key: str = "y") -> list[tuple[str, list[float], list | None]]:
    series = need_list(value["series"], "series")
    out = []
    for i, s in enumerate(series):
        if not isinstance(s, dict):
            raise ShapeError(f"expected series items as {{name, {key}}}, got {kind_of(s)}")
        out.append((str(s.get("name", f"Series {i + 1}")), _nums(s.get(key, []), f"series[{i}].{key}"),
                    s.get("x")))
    return out


def _time_or_num(v: Any) -> float:
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return float(v)
    if isinstance(v, str):
        try:
            return datetime.fromisoformat(v.replace("Z", "+00:00")).timestamp() / 86400.0
        except ValueError:  # not a date either: the shape error below names it
            pass
    raise ShapeError(f"expected a number or ISO date, got {kind_of(v)}")


_DATE_RE = None


def _parse_when(v: Any) -> datetime | None:
    """An ISO date, datetime or time-of-day string as a naive datetime (times land on 1 Jan 2000;
    aware datetimes are shown in their own wall-clock time), else None."""
    global _DATE_RE
    if not isinstance(v, str) or not (4 <= len(v) <= 40):
        return None
    import re

    if _DATE_RE is None:
        _DATE_RE = re.compile(r"^(\d{4}-\d{2}(-\d{2})?([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?"
                              r"|\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)$")
    text = v.strip()
    if not _DATE_RE.match(text):
        return None
    try:
        if ":" in text and "-" not in text[:5]:  # a bare time of day
            from datetime import time

            if text.index(":") == 1:
                text = "0" + text
            return datetime.combine(datetime(2000, 1, 1).date(), time.fromisoformat(text))
        if len(text) == 7:  # YYYY-MM
            text += "-01"
        d = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return d.replace(tzinfo=None)


def date_axis_values(x: list) -> list[datetime | None] | None:
    """`x` as datetimes when every non-null item is an ISO date/datetime/time string (and at least
    one is), else None. Null items stay None (a gap)."""
    out: list[datetime | None] = []
    seen = False
    for v in x:
        if v is None:
            out.append(None)
            continue
        d = _parse_when(v)
        if d is None:
            return None
        seen = True
        out.append(d)
    return out if seen else None


def value_field(value: Any, spec: Any, *names: str) -> Any:
    """The first of `names` set in the value (a dict), else in the spec; None if neither has it.
    The value wins: real tools send their axis titles there."""
    if isinstance(value, dict):
        for n in names:
            v = value.get(n)
            if v is not None and v != "":
                return v
    for n in names:
        v = getattr(spec, n, None)
        if v is not None and v != "":
            return v
    return None


_DASHES = {"solid": "-", "dash": "--", "dashed": "--", "dot": ":", "dotted": ":", "dashdot": "-.",
           "dash-dot": "-.", "longdash": (0, (8, 3)), "-": "-", "--": "--", ":": ":", "-.": "-."}
_MARKERS = {"circle": "o", "square": "s", "diamond": "D", "triangle": "^", "triangle-up": "^",
            "triangle-down": "v", "cross": "x", "x": "x", "plus": "+", "star": "*", "point": ".",
            "dot": ".", "o": "o", "s": "s", "D": "D", "^": "^", "v": "v", "+": "+", "*": "*", ".": "."}


def series_style(s: dict, fallback_colour: str) -> dict:
    """Line style a series asks for: colour/color, dash (or line_dash/linestyle), marker (a
    name, or true/false), mode ("lines", "markers", "lines+markers"), width. Unknown values
    fall back to the theme rather than fail."""
    from matplotlib.colors import is_color_like

    col = s.get("colour", s.get("color"))
    style: dict[str, Any] = {"color": col if isinstance(col, str) and is_color_like(col) else fallback_colour}
    dash = s.get("dash", s.get("line_dash", s.get("linestyle", s.get("line_style"))))
    if dash is True:
        dash = "dash"
    if isinstance(dash, str) and dash.lower() in _DASHES:
        style["linestyle"] = _DASHES[dash.lower()]
    elif isinstance(dash, str) and dash in _DASHES:
        style["linestyle"] = _DASHES[dash]
    marker = s.get("marker", s.get("markers"))
    if marker is False or marker == "none":
        style["marker"] = None
    elif marker is True:
        style["marker"] = "o"
    elif isinstance(marker, str) and marker in _MARKERS:
        style["marker"] = _MARKERS[marker]
    mode = s.get("mode")
    if mode == "markers":  # Plotly's word: points only, no line
        style["linestyle"] = "none"
        style.setdefault("marker", "o")
        style["markersize"] = 6
    elif mode == "lines":
        style["marker"] = None
    elif mode == "lines+markers":
        style.setdefault("marker", "o")
    width = s.get("width", s.get("line_width"))
    if isinstance(width, (int, float)) and not isinstance(width, bool) and 0 < width <= 12:
        style["linewidth"] = float(width)
    return style


def _thin_ticks(ax, labels: list[str], axis: str = "x", most: int = 12) -> None:
    """Category ticks at every n-th position so at most `most` labels show (first one kept)."""
    step = max(1, math.ceil(len(labels) / most))
    pos = list(range(0, len(labels), step))
    getattr(ax, f"set_{axis}ticks")(pos)
    getattr(ax, f"set_{axis}ticklabels")([labels[i] for i in pos], fontsize=8)


def times_only(x: list) -> bool:
    """True when the x strings are times of day without a date ("09:30")."""
    return all(not isinstance(v, str) or "-" not in v for v in x)


def time_axis(ax, t: Any, clock_only: bool = False) -> None:
    """A date x axis with a few readable ticks: AutoDateLocator picks days/months/hours to fit,
    ConciseDateFormatter writes only what changes (the year once, in the offset). Times of day
    alone are written as HH:MM with no date (their day is a placeholder)."""
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    if clock_only:
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M"))
    else:
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.xaxis.get_offset_text().set_color(t.muted)
    ax.xaxis.get_offset_text().set_fontsize(8)


def _short(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


EXTREME = 1e300  # beyond this matplotlib's scaling overflows (ticks, ranges, areas)


def check_drawable(data: Any, limit: int = 200_000) -> None:
    """Raise ShapeError when a parsed chart has numbers but none finite (all NaN/∞: the chart
    would be blank) or numbers too large to scale (|v| > 1e300, e.g. 1e308)."""
    seen = finite = 0
    stack = [data]
    while stack and seen < limit:
        item = stack.pop()
        if isinstance(item, bool):
            continue
        if isinstance(item, (int, float)):
            seen += 1
            f = float(item)
            if math.isfinite(f):
                finite += 1
                if abs(f) > EXTREME:
                    raise ShapeError(f"the value {f:g} is too extreme to draw (beyond ±1e300)")
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    if seen and not finite:
        raise ShapeError("there is nothing to draw: every value is NaN or infinite")


class ChartRenderer(OutputRenderer):
    min_height = 300

    def _build(self) -> None:
        from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
        from matplotlib.figure import Figure

        renderer = self

        class _GuardedCanvas(FigureCanvasQTAgg):
            """Matplotlib draws lazily (at paint time): values it cannot scale (1e308, ranges
            that overflow) fail *there*, which used to leave a blank card. Overflow is an
            error here, and any drawing failure turns into the card's error view."""

            def draw(self) -> None:
                import warnings

                import numpy as np

                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("error", RuntimeWarning)
                        with np.errstate(over="raise", invalid="ignore", divide="ignore", under="ignore"):
                            super().draw()
                except Exception as exc:  # noqa: BLE001 - shown in the card, never raised into paint
                    self.figure.clear()
                    from PySide6.QtCore import QTimer

                    QTimer.singleShot(0, lambda e=exc: renderer._draw_failed(e))

        self.figure = Figure(figsize=(6.4, 3.2), dpi=90, layout="constrained")
        self.canvas = _GuardedCanvas(self.figure)
        self.canvas.setParent(self.body)
        self.canvas.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.canvas.setMinimumHeight(self.min_height - 10)
        self.body_layout.addWidget(self.canvas)
        self.follow_theme()

    def retheme(self) -> None:
        """Draw the shown value again with the current theme (no-op when empty or failed)."""
        if self.current is not None and self.error is None:
            try:
                self.set_value(self.current)
            except RuntimeError:  # the Qt side is already gone (window closing)
                pass

    def _style(self, ax, polar: bool = False) -> None:
        t = self.t
        ax.set_facecolor(t.surface)
        for side, spine in ax.spines.items():
            spine.set_color(t.border)
            if side in ("top", "right") and not polar:
                spine.set_visible(False)
        ax.tick_params(colors=t.muted, labelsize=8)
        ax.xaxis.label.set_color(t.muted)
        ax.yaxis.label.set_color(t.muted)
        if not polar:
            ax.grid(True, color=t.border, linewidth=0.6, alpha=0.8)
            ax.set_axisbelow(True)

    def _legend(self, ax, n: int) -> None:
        if n > 6:  # many series (e.g. Monte Carlo paths): beside the plot, not over the lines
            leg = ax.legend(fontsize=7 if n > 12 else 8, frameon=False, labelcolor=self.t.text,
                            loc="upper left", bbox_to_anchor=(1.01, 1.0), ncols=1 if n <= 16 else 2)
            if leg is not None:
                leg.set_draggable(False)
        elif n > 1:
            leg = ax.legend(fontsize=8, frameon=False, labelcolor=self.t.text)
            if leg is not None:
                leg.set_draggable(False)

    def field(self, *names: str) -> Any:
        """A field of the shown value, else of the spec (see `value_field`)."""
        return value_field(getattr(self, "_value", None), self.spec, *names)

    def axis_title(self, axis: str) -> str | None:
        """`x_label`/`x_title` (value first, then spec) with `x_unit` appended, e.g. "Price (£)";
        for y, a plain `unit` in the value counts too."""
        title = self.field(f"{axis}_label", f"{axis}_title", f"{axis}_axis_label")
        unit = self.field(f"{axis}_unit", *(("unit",) if axis == "y" and isinstance(getattr(self, "_value", None), dict)
                                             and "unit" in self._value else ()))
        title = str(title) if title is not None else None
        if unit not in (None, "") and not isinstance(unit, (dict, list)):
            unit = str(unit)
            if title is None:
                title = unit
            elif unit not in title:
                title = f"{title} ({unit})"
        return title

    def _axes_labels(self, ax, logs: bool = True) -> None:
        for axis in ("x", "y"):
            title = self.axis_title(axis)
            if title:
                getattr(ax, f"set_{axis}label")(title[:120], fontsize=9, color=self.t.muted)
            if logs and self.field(f"log_{axis}") is True:
                getattr(ax, f"set_{axis}scale")("log")

    def _draw_failed(self, exc: BaseException) -> None:
        if self.current is None or self.error is not None:
            return
        detail = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else type(exc).__name__
        self._fail(self.current, f"the values are too extreme to draw ({detail})")

    def _render(self, value: Any) -> None:
        self.t = active_theme()
        self._value = value
        data = self.parse(value)  # raises ShapeError before the old chart is cleared
        check_drawable(data)
        self.figure.clear()
        self.figure.patch.set_facecolor(self.t.surface)
        self.draw(data)
        self.canvas.draw_idle()

    def parse(self, value: Any) -> Any:
        return value

    def draw(self, data: Any) -> None:
        raise NotImplementedError

    def copy_text(self) -> str:
        return super().copy_text()


@register("chart_line", "chart_area", "chart_bar")
class XYChart(ChartRenderer):
    """Line, area and bar. The x axis is a time axis (ISO dates/datetimes/times), numbers, or
    ordered categories (other strings); only `chart_bar` draws bars — a line chart over
    categories is still a line. Each series may set colour/color, dash, marker and width."""

    def parse(self, value: Any) -> Any:
        d = need_dict(value, "series")
        series = _series(d)
        styles = [s if isinstance(s, dict) else {} for s in d["series"]]
        x = d.get("x")
        if x is None:
            x = series[0][2] if series and series[0][2] is not None else None
        if x is None:
            x = list(range(max((len(s[1]) for s in series), default=0)))
        x = need_list(x, "x")
        if series and any(s[1] for s in series) and not any(math.isfinite(v) for s in series for v in s[1]):
            raise ShapeError("there is nothing to draw: every y value is empty or NaN")
        check_drawable([s[1] for s in series])
        dates = date_axis_values(x)
        if dates is not None:
            kind = "time"
        elif any(isinstance(v, str) for v in x):
            kind = "category"
        else:
            x = [float("nan") if v is None else num(v, "x items") for v in x]
            kind = "number"
        return x, series, styles, kind, dates

    def draw(self, data: Any) -> None:
        x, series, styles, xkind, dates = data
        ax = self.figure.add_subplot(111)
        self._style(ax)
        t = self.t
        kind = self.spec.type
        if xkind == "time":
            import matplotlib.dates as mdates

            xs: list[Any] = [mdates.date2num(d) if d is not None else float("nan") for d in dates]
        elif xkind == "category":
            xs = list(range(len(x)))
        else:
            xs = list(x)
        if kind == "chart_bar":
            n = max(1, len(series))
            width = 0.8 / n
            for i, (name, ys, _) in enumerate(series):
                m = min(len(x), len(ys))
                pos = [j + (i - (n - 1) / 2) * width for j in range(m)]
                st = series_style(styles[i], t.series_colour(i))
                ax.bar(pos, ys[:m], width=width * 0.95, label=name, color=st["color"])
            labels = [d.strftime("%Y-%m-%d") if d is not None else "" for d in dates] if xkind == "time" \
                else [_short(v) for v in x]
            if len(labels) <= 12:
                ax.set_xticks(range(len(labels)))
                ax.set_xticklabels(labels, fontsize=8)
            else:
                _thin_ticks(ax, labels)
                for lab in ax.get_xticklabels():
                    lab.set_rotation(30)
                    lab.set_horizontalalignment("right")
        elif kind == "chart_area":
            m = min([len(xs)] + [len(s[1]) for s in series]) if series else 0
            if series and m:
                ys = [[0.0 if math.isnan(v) else v for v in s[1][:m]] for s in series]
                cols = [series_style(styles[i], t.series_colour(i))["color"] for i in range(len(series))]
                ax.stackplot(xs[:m], *ys, labels=[s[0] for s in series], colors=cols, alpha=0.75)
        else:
            for i, (name, ys, _) in enumerate(series):
                m = min(len(xs), len(ys))
                st = {"linewidth": 1.8, "marker": "o" if m <= 30 else None, "markersize": 3}
                st.update(series_style(styles[i], t.series_colour(i)))
                ax.plot(xs[:m], ys[:m], label=name, **st)
        if kind != "chart_bar":
            if xkind == "time":
                self._time_axis(ax, x)
            elif xkind == "category":
                _thin_ticks(ax, [_short(v) for v in x])
        self._axes_labels(ax, logs=kind != "chart_bar")
        self._legend(ax, len(series))

    def _time_axis(self, ax, x: list) -> None:
        time_axis(ax, self.t, times_only(x))

    def append_stream(self, chunk: Any) -> None:
        """Deltas {x:[…], series:[{name, y:[…]}]} extend the current chart; so does one point
        {x, y, <name>_y…} (a training loop's per-epoch frame): `y` goes to the first series and
        `val_y` to a series "val <first name>". The value's other fields (axis titles) stay."""
        try:
            if isinstance(chunk, dict) and "output_key" in chunk:
                chunk = chunk.get("value")
            cur = self.current if isinstance(self.current, dict) and self.error is None else None
            if isinstance(chunk, dict) and "x" in chunk and not isinstance(chunk["x"], list) and "series" not in chunk:
                chunk = point_frame(chunk, cur)
            if cur is None or not isinstance(chunk, dict):
                self.set_value(chunk)
                return
            merged = {**cur, "x": list(cur.get("x", [])) + list(chunk.get("x", [])), "series": []}
            by_name = {s.get("name"): dict(s) for s in cur.get("series", []) if isinstance(s, dict)}
            for s in chunk.get("series", []):
                if isinstance(s, dict):
                    base = by_name.setdefault(s.get("name"), {"name": s.get("name"), "y": []})
                    base["y"] = list(base.get("y", [])) + list(s.get("y", []))
            merged["series"] = list(by_name.values())
            self.set_value(merged)
        except Exception as exc:  # noqa: BLE001
            self._fail(chunk, failure_reason(exc))


def point_frame(chunk: dict, cur: dict | None) -> dict:
    """{x, y, val_y} → {x: [x], series: [{name, y: [y]}, {name: "val …", y: [val_y]}]}, named
    after the current chart's series."""
    names = [str(s.get("name")) for s in (cur or {}).get("series", []) if isinstance(s, dict)]
    first = names[0] if names else "y"
    series = []
    for key, v in chunk.items():
        if key == "y":
            series.append({"name": first, "y": [v]})
        elif key.endswith("_y") and key != "x":
            series.append({"name": f"{key[:-2]} {first}", "y": [v]})
    return {"x": [chunk["x"]], "series": series}


@register("chart_scatter")
class ScatterChart(ChartRenderer):
    """Series of points {x, y, label?, size?, colour?}; x may be ISO dates/times (time axis).
    A series may set colour/color and marker; point labels are written beside the points."""

    def parse(self, value: Any) -> Any:
        if isinstance(value, dict) and "series" not in value and "points" in value:
            value = {**value, "series": [{"name": "", "points": value["points"]}]}
        d = need_dict(value, "series")
        raw = []
        for i, s in enumerate(need_list(d["series"], "series")):
            if not isinstance(s, dict):
                raise ShapeError(f"expected series items as {{name, points}}, got {kind_of(s)}")
            pts = need_list(s.get("points", []), f"series[{i}].points")
            xs, ys, sizes, colours, labels = [], [], [], [], []
            for p in pts:
                if isinstance(p, dict):
                    xs.append(p.get("x"))
                    ys.append(num(p.get("y"), "y"))
                    sz = p.get("size")
                    sizes.append(float(sz) * 6 if isinstance(sz, (int, float)) and not isinstance(sz, bool)
                                 and 0 < sz <= 200 else 24.0)
                    colours.append(p.get("colour") or p.get("color"))
                    labels.append(p.get("label"))
                elif isinstance(p, (list, tuple)) and len(p) >= 2:
                    xs.append(p[0])
                    ys.append(num(p[1], "y"))
                    sizes.append(24.0)
                    colours.append(None)
                    labels.append(None)
                else:
                    raise ShapeError(f"expected points as {{x, y}}, got {kind_of(p)}")
            raw.append((str(s.get("name", f"Series {i + 1}")), xs, ys, sizes, colours, labels, s))
        all_x = [x for r in raw for x in r[1]]
        dates = date_axis_values(all_x) if any(isinstance(v, str) for v in all_x) else None
        out = []
        for name, xs, ys, sizes, colours, labels, s in raw:
            if dates is not None:
                import matplotlib.dates as mdates

                xv = [mdates.date2num(_parse_when(v)) for v in xs]
            else:
                xv = [num(v, "x") for v in xs]
            out.append((name, xv, ys, sizes, colours, labels, s))
        return out, dates is not None and times_only(all_x), dates is not None

    def draw(self, data: Any) -> None:
        from matplotlib.colors import is_color_like

        series, clock_only, timed = data
        ax = self.figure.add_subplot(111)
        self._style(ax)
        total = sum(len(s[1]) for s in series)
        for i, (name, xs, ys, sizes, colours, labels, s) in enumerate(series):
            st = series_style(s, self.t.series_colour(i))
            cs = [c if isinstance(c, str) and is_color_like(c) else st["color"] for c in colours]
            if total > 500:  # thousands of points (a trajectory): small dots, not a solid blob
                sizes = [6.0 if sz == 24.0 else sz for sz in sizes]
            ax.scatter(xs, ys, s=sizes, c=cs, label=name or None, alpha=0.85, edgecolors="none",
                       marker=st.get("marker") or "o")
            if total <= 60:
                for x, y, lab in zip(xs, ys, labels):
                    if lab not in (None, ""):
                        ax.annotate(str(lab)[:40], (x, y), xytext=(4, 4), textcoords="offset points",
                                    fontsize=7, color=self.t.text)
        if timed:
            time_axis(ax, self.t, clock_only)
        self._axes_labels(ax)
        self._legend(ax, len(series))


@register("chart_pie")
class PieChart(ChartRenderer):
    def parse(self, value: Any) -> Any:
        d = need_dict(value, "slices")
        labels, vals = [], []
        for s in need_list(d["slices"], "slices"):
            if not isinstance(s, dict):
                raise ShapeError(f"expected slices as {{label, value}}, got {kind_of(s)}")
            v = num(s.get("value"), "slice value")
            if v < 0:
                raise ShapeError("pie slice values must not be negative")
            labels.append(str(s.get("label", "")))
            vals.append(v)
        if not vals or sum(vals) <= 0:
            raise ShapeError("the pie has nothing to draw (all slices are zero)")
        return labels, vals, bool(d.get("donut"))

    def draw(self, data: Any) -> None:
        labels, vals, donut = data
        ax = self.figure.add_subplot(111)
        t = self.t
        wedges, texts, autotexts = ax.pie(
            vals, labels=labels, autopct=lambda p: f"{p:.0f}%" if p >= 4 else "",
            colors=[t.series_colour(i) for i in range(len(vals))], startangle=90, counterclock=False,
            wedgeprops={"width": 0.45 if donut else 1, "edgecolor": t.surface, "linewidth": 1.5},
            textprops={"color": t.text, "fontsize": 8}, pctdistance=0.78 if donut else 0.6)
        for a in autotexts:
            a.set_color("#ffffff")
        ax.axis("equal")


@register("chart_histogram")
class HistogramChart(ChartRenderer):
    def parse(self, value: Any) -> Any:
        if isinstance(value, list):
            value = {"values": value}
        d = need_dict(value, "values")
        vals = [v for v in _nums(d["values"], "values") if math.isfinite(v)]
        span = (min(vals), max(vals)) if vals else (0.0, 1.0)
        if not math.isfinite(span[1] - span[0]):
            raise ShapeError("values span a range too wide to bin (beyond ±1.8e308)")
        if span[1] - span[0] <= abs(span[1]) * 1e-9:
            # all values (nearly) equal: give the single bin a width the float type can represent
            pad = max(abs(span[0]) * 0.01, 0.5)
            span = (span[0] - pad, span[1] + pad)
        bins = d.get("bins")
        # Sturges never asks for more bins than log2(n)+1, unlike "auto" (Freedman–Diaconis), which
        # can demand billions of bins for a tiny IQR over a wide range.
        bins = int(bins) if isinstance(bins, (int, float)) and not isinstance(bins, bool) and 1 <= bins <= 500 \
            else "sturges"
        return vals, bins, span

    def draw(self, data: Any) -> None:
        vals, bins, span = data
        ax = self.figure.add_subplot(111)
        self._style(ax)
        if vals:
            col = self.field("colour", "color")
            from matplotlib.colors import is_color_like

            ax.hist(vals, bins=bins, range=span, edgecolor=self.t.surface, alpha=0.9,
                    color=col if isinstance(col, str) and is_color_like(col) else self.t.series_colour(0))
        self._axes_labels(ax)


@register("chart_boxplot")
class BoxplotChart(ChartRenderer):
    def parse(self, value: Any) -> Any:
        d = need_dict(value, "series")
        out = []
        for i, s in enumerate(need_list(d["series"], "series")):
            if not isinstance(s, dict):
                raise ShapeError(f"expected series items as {{name, values}}, got {kind_of(s)}")
            vals = [v for v in _nums(s.get("values", []), f"series[{i}].values") if not math.isnan(v)]
            out.append((str(s.get("name", f"Series {i + 1}")), vals or [0.0], s))
        if not out:
            raise ShapeError("no series to draw")
        return out

    def draw(self, data: Any) -> None:
        ax = self.figure.add_subplot(111)
        self._style(ax)
        t = self.t
        bp = ax.boxplot([v for _, v, _ in data], patch_artist=True, widths=0.5,
                        medianprops={"color": t.text}, whiskerprops={"color": t.muted},
                        capprops={"color": t.muted}, flierprops={"markeredgecolor": t.muted, "markersize": 3})
        ax.set_xticks(range(1, len(data) + 1))
        ax.set_xticklabels([n for n, _, _ in data], fontsize=8)
        for i, box in enumerate(bp["boxes"]):
            box.set_facecolor(series_style(data[i][2], t.series_colour(i))["color"])
            box.set_alpha(0.75)
            box.set_edgecolor(t.muted)
        self._axes_labels(ax)


@register("chart_heatmap")
class HeatmapChart(ChartRenderer):
    """`z` rows (top to bottom) with axis values from `x_labels`/`y_labels` or `x`/`y` (the
    black-scholes shape), axis titles, a colour bar titled by the value's `z_label`/`colorbar_label`/
    `value_label`/`label`, and an optional `colorscale` (a matplotlib colormap name)."""

    def parse(self, value: Any) -> Any:
        d = need_dict(value, "z")
        z = need_list(d["z"], "z")
        rows = []
        for r in z:
            rows.append(_nums(r, "z rows"))
        if not rows or not rows[0]:
            raise ShapeError("z is empty")
        width = max(len(r) for r in rows)
        rows = [r + [float("nan")] * (width - len(r)) for r in rows]

        def axis(*names: str) -> list | None:
            for n in names:
                v = d.get(n)
                if isinstance(v, list) and v:
                    return v
            return None
        return rows, axis("x_labels", "x"), axis("y_labels", "y")

    def draw(self, data: Any) -> None:
        z, xl, yl = data
        ax = self.figure.add_subplot(111)
        self._style(ax)
        ax.grid(False)
        cmap = self.field("colorscale", "colormap", "cmap")
        import matplotlib

        if not (isinstance(cmap, str) and cmap in matplotlib.colormaps):
            cmap = "magma" if self.t.dark else "viridis"
        im = ax.imshow(z, aspect="auto", cmap=cmap, origin="upper", interpolation="nearest")
        cb = self.figure.colorbar(im, ax=ax, shrink=0.9)
        cb.ax.tick_params(colors=self.t.muted, labelsize=8)
        cb.outline.set_edgecolor(self.t.border)
        bar_title = self.field("z_label", "colorbar_label", "colorbar_title", "value_label", "z_title")
        if bar_title is None and isinstance(self._value, dict) and isinstance(self._value.get("label"), str):
            bar_title = self._value["label"]
        if bar_title is not None:
            cb.set_label(str(bar_title)[:80], color=self.t.muted, fontsize=9)
        if xl and len(xl) == len(z[0]):
            _thin_ticks(ax, [_short(v) for v in xl], "x", most=10)
            if len(xl) > 6:
                for lab in ax.get_xticklabels():
                    lab.set_rotation(30)
                    lab.set_horizontalalignment("right")
        if yl and len(yl) == len(z):
            _thin_ticks(ax, [_short(v) for v in yl], "y", most=12)
        self._axes_labels(ax, logs=False)


@register("chart_candlestick")
class CandlestickChart(ChartRenderer):
    def parse(self, value: Any) -> Any:
        d = need_dict(value, "points")
        out = []
        for p in need_list(d["points"], "points"):
            if not isinstance(p, dict):
                raise ShapeError(f"expected points as {{t, open, high, low, close}}, got {kind_of(p)}")
            out.append((p.get("t", p.get("time", len(out))), num(p.get("open"), "open"), num(p.get("high"), "high"),
                        num(p.get("low"), "low"), num(p.get("close"), "close")))
        return out

    def draw(self, data: Any) -> None:
        from matplotlib.patches import Rectangle

        ax = self.figure.add_subplot(111)
        self._style(ax)
        up, down = self.t.success, self.t.danger
        for i, (_, o, h, lo, c) in enumerate(data):
            col = up if c >= o else down
            ax.plot([i, i], [lo, h], color=col, linewidth=1)
            ax.add_patch(Rectangle((i - 0.3, min(o, c)), 0.6, max(abs(c - o), 1e-9), facecolor=col, edgecolor=col))
        if data:
            ax.set_xlim(-1, len(data))
            lows = [d[3] for d in data]
            highs = [d[2] for d in data]
            pad = (max(highs) - min(lows)) * 0.05 or 1
            ax.set_ylim(min(lows) - pad, max(highs) + pad)
            step = max(1, len(data) // 8)
            ax.set_xticks(range(0, len(data), step))
            ax.set_xticklabels([str(data[i][0])[:10] for i in range(0, len(data), step)], fontsize=7, rotation=30)
        self._axes_labels(ax, logs=False)


@register("chart_radar")
class RadarChart(ChartRenderer):
    def parse(self, value: Any) -> Any:
        d = need_dict(value, "axes", "series")
        axes = [str(a) for a in need_list(d["axes"], "axes")]
        if len(axes) < 3:
            raise ShapeError("a radar chart needs at least 3 axes")
        series = []
        for i, s in enumerate(need_list(d["series"], "series")):
            if not isinstance(s, dict):
                raise ShapeError(f"expected series items as {{name, values}}, got {kind_of(s)}")
            vals = _nums(s.get("values", []), f"series[{i}].values")
            vals = (vals + [0.0] * len(axes))[: len(axes)]
            series.append((str(s.get("name", f"Series {i + 1}")), vals, s))
        return axes, series

    def draw(self, data: Any) -> None:
        axes, series = data
        ax = self.figure.add_subplot(111, projection="polar")
        self._style(ax, polar=True)
        ax.grid(color=self.t.border)
        n = len(axes)
        angles = [2 * math.pi * i / n for i in range(n)] + [0]
        for i, (name, vals, raw) in enumerate(series):
            st = series_style(raw, self.t.series_colour(i))
            col = st["color"]
            ax.plot(angles, vals + vals[:1], color=col, linewidth=1.6, label=name,
                    linestyle=st.get("linestyle", "-"), marker=st.get("marker"))
            ax.fill(angles, vals + vals[:1], color=col, alpha=0.2)
        ax.set_xticks(angles[:-1])
        ax.set_xticklabels(axes, fontsize=8, color=self.t.text)
        self._legend(ax, len(series))


@register("chart_sankey")
class SankeyChart(ChartRenderer):
    def parse(self, value: Any) -> Any:
        d = need_dict(value, "nodes", "links")
        from matplotlib.colors import is_color_like

        nodes = {}
        self._node_colours: dict[str, str] = {}
        for n in need_list(d["nodes"], "nodes"):
            if isinstance(n, dict) and "id" in n:
                nodes[str(n["id"])] = str(n.get("label", n["id"]))
                col = n.get("color", n.get("colour"))
                if isinstance(col, str) and is_color_like(col):
                    self._node_colours[str(n["id"])] = col
            elif isinstance(n, str):
                nodes[n] = n
            else:
                raise ShapeError(f"expected nodes as {{id, label}}, got {kind_of(n)}")
        links = []
        for ln in need_list(d["links"], "links"):
            if not isinstance(ln, dict):
                raise ShapeError(f"expected links as {{source, target, value}}, got {kind_of(ln)}")
            s, t = str(ln.get("source")), str(ln.get("target"))
            v = num(ln.get("value"), "link value")
            if v <= 0 or s == t:
                continue
            nodes.setdefault(s, s)
            nodes.setdefault(t, t)
            col = ln.get("color", ln.get("colour"))
            links.append((s, t, v, col if isinstance(col, str) and is_color_like(col) else None))
        return nodes, links

    def draw(self, data: Any) -> None:
        from matplotlib.patches import PathPatch, Rectangle
        from matplotlib.path import Path as MPath

        nodes, links = data
        ax = self.figure.add_subplot(111)
        ax.set_axis_off()
        # column = longest path from a source (cycles are cut by a depth cap)
        depth = {n: 0 for n in nodes}
        for _ in range(len(nodes)):
            changed = False
            for s, t, _v, _c in links:
                if depth[t] < depth[s] + 1 and depth[s] + 1 < len(nodes):
                    depth[t] = depth[s] + 1
                    changed = True
            if not changed:
                break
        throughput = {n: max(sum(v for s, _, v, _c in links if s == n), sum(v for _, t, v, _c in links if t == n))
                      for n in nodes}
        cols: dict[int, list[str]] = {}
        for n in nodes:
            cols.setdefault(depth[n], []).append(n)
        ncols = max(cols) + 1 if cols else 1
        total = max((sum(throughput[n] for n in ns) for ns in cols.values()), default=1) or 1
        gap = 0.04
        pos: dict[str, tuple[float, float, float]] = {}  # x, y0, height
        for c, ns in cols.items():
            scale = (1 - gap * (len(ns) - 1)) / total
            y = 0.0
            for n in ns:
                h = max(throughput[n] * scale, 0.005)
                pos[n] = (c / max(1, ncols - 1) if ncols > 1 else 0.5, y, h)
                y += h + gap
        out_off = {n: 0.0 for n in nodes}
        in_off = {n: 0.0 for n in nodes}
        w = 0.02
        colours = {n: self._node_colours.get(n, self.t.series_colour(i)) for i, n in enumerate(nodes)}
        for s, t_, v, link_colour in sorted(links, key=lambda l: (pos[l[0]][1], pos[l[1]][1])):
            xs, ys, hs = pos[s]
            xt, yt, ht = pos[t_]
            scale_s = hs / (throughput[s] or 1)
            scale_t = ht / (throughput[t_] or 1)
            h1, h2 = v * scale_s, v * scale_t
            y1 = ys + out_off[s]
            y2 = yt + in_off[t_]
            out_off[s] += h1
            in_off[t_] += h2
            x1, x2 = xs + w, xt
            mx = (x1 + x2) / 2
            verts = [(x1, y1), (mx, y1), (mx, y2), (x2, y2), (x2, y2 + h2), (mx, y2 + h2), (mx, y1 + h1), (x1, y1 + h1),
                     (x1, y1)]
            codes = [MPath.MOVETO, MPath.CURVE4, MPath.CURVE4, MPath.CURVE4, MPath.LINETO, MPath.CURVE4, MPath.CURVE4,
                     MPath.CURVE4, MPath.CLOSEPOLY]
            ax.add_patch(PathPatch(MPath(verts, codes), facecolor=link_colour or colours[s], alpha=0.35,
                                   edgecolor="none"))
        for n, (x, y, h) in pos.items():
            ax.add_patch(Rectangle((x, y), w, h, facecolor=colours[n], edgecolor="none"))
            right = x > 0.5
            ax.text(x - 0.01 if right else x + w + 0.01, y + h / 2, nodes[n], va="center",
                    ha="right" if right else "left", fontsize=8, color=self.t.text)
        ax.set_xlim(-0.02, 1.04)
        ax.set_ylim(1.02, -0.02)


def squarify(values: list[float], x: float, y: float, w: float, h: float) -> list[tuple[float, float, float, float]]:
    """Squarified treemap layout (Bruls et al.): rectangles for `values` (sorted desc) in the box."""
    total = sum(values)
    if total <= 0 or not values:
        return [(x, y, 0, 0) for _ in values]
    scaled = [v * w * h / total for v in values]
    rects: list[tuple[float, float, float, float]] = []

    def worst(row: list[float], side: float) -> float:
        s = sum(row)
        return max(max(side * side * r / (s * s), (s * s) / (side * side * r)) for r in row) if s > 0 and side > 0 else 1e9

    i = 0
    while i < len(scaled):
        side = min(w, h)
        row = [scaled[i]]
        i += 1
        while i < len(scaled) and worst(row + [scaled[i]], side) <= worst(row, side):
            row.append(scaled[i])
            i += 1
        s = sum(row)
        if w >= h:  # lay the row as a column on the left
            cw = s / h if h else 0
            cy = y
            for r in row:
                rh = r / cw if cw else 0
                rects.append((x, cy, cw, rh))
                cy += rh
            x += cw
            w -= cw
        else:
            rh = s / w if w else 0
            cx = x
            for r in row:
                rw = r / rh if rh else 0
                rects.append((cx, y, rw, rh))
                cx += rw
            y += rh
            h -= rh
    return rects


@register("chart_treemap")
class TreemapChart(ChartRenderer):
    def parse(self, value: Any) -> Any:
        from matplotlib.colors import is_color_like

        d = need_dict(value, "nodes")
        nodes = []
        for n in need_list(d["nodes"], "nodes"):
            if not isinstance(n, dict):
                raise ShapeError(f"expected nodes as {{id, label, value, parent?}}, got {kind_of(n)}")
            col = n.get("color", n.get("colour"))
            nodes.append({"id": str(n.get("id", n.get("label", len(nodes)))), "label": str(n.get("label", n.get("id", ""))),
                          "colour": col if isinstance(col, str) and is_color_like(col) else None,
                          "value": max(0.0, num(n.get("value", 0), "node value")),
                          "parent": None if n.get("parent") in (None, "") else str(n.get("parent"))})
        return nodes

    def draw(self, nodes: Any) -> None:
        from matplotlib.patches import Rectangle

        ax = self.figure.add_subplot(111)
        ax.set_axis_off()
        children: dict[str | None, list[dict]] = {}
        ids = {n["id"] for n in nodes}
        for n in nodes:
            parent = n["parent"] if n["parent"] in ids else None
            children.setdefault(parent, []).append(n)
        t = self.t

        def lay(parent: str | None, box: tuple[float, float, float, float], depth: int, colour_i: int | None) -> None:
            kids = sorted(children.get(parent, []), key=lambda n: -n["value"])
            kids = [k for k in kids if k["value"] > 0]
            if not kids or depth > 8:
                return
            rects = squarify([k["value"] for k in kids], *box)
            for j, (k, (x, y, w, h)) in enumerate(zip(kids, rects)):
                ci = colour_i if colour_i is not None else (j if len(kids) > 1 else None)
                ax.add_patch(Rectangle((x, y), w, h, facecolor=k["colour"] or t.series_colour(ci if ci is not None else 0),
                                       alpha=0.85 if depth == 0 else 0.6, edgecolor=t.surface, linewidth=1.5))
                if w > 0.06 and h > 0.04:
                    ax.text(x + 0.008, y + 0.008, f'{k["label"]}  {k["value"]:g}', va="top", ha="left", fontsize=8,
                            color="#ffffff", clip_on=True, fontweight="bold" if depth == 0 else "normal")
                pad = 0.012
                if children.get(k["id"]) and w > 3 * pad and h > 5 * pad:
                    lay(k["id"], (x + pad, y + 4 * pad, w - 2 * pad, h - 5 * pad), depth + 1, ci)
        lay(None, (0, 0, 1, 1), 0, None)
        ax.set_xlim(0, 1)
        ax.set_ylim(1, 0)


def network_layout(ids: list[str], edges: list[tuple[str, str]], iterations: int = 60) -> dict[str, tuple[float, float]]:
    """Circle start + a short Fruchterman-Reingold relaxation (numpy), deterministic."""
    import numpy as np

    n = len(ids)
    if n == 0:
        return {}
    ang = np.linspace(0, 2 * np.pi, n, endpoint=False)
    pos = np.c_[np.cos(ang), np.sin(ang)]
    if n > 2 and n <= 400 and edges:
        index = {k: i for i, k in enumerate(ids)}
        e = np.array([(index[a], index[b]) for a, b in edges if a in index and b in index], dtype=int).reshape(-1, 2)
        k = 1.6 / math.sqrt(n)
        temp = 0.2
        for _ in range(iterations):
            delta = pos[:, None, :] - pos[None, :, :]
            dist = np.maximum(np.linalg.norm(delta, axis=2), 1e-3)
            disp = ((k * k / dist ** 2)[:, :, None] * delta).sum(axis=1)
            if len(e):
                d = pos[e[:, 0]] - pos[e[:, 1]]
                dl = np.maximum(np.linalg.norm(d, axis=1), 1e-3)
                f = (dl / k)[:, None] * d
                np.add.at(disp, e[:, 0], -f)
                np.add.at(disp, e[:, 1], f)
            length = np.maximum(np.linalg.norm(disp, axis=1), 1e-6)
            pos += disp / length[:, None] * np.minimum(length, temp)[:, None]
            temp *= 0.95
    return {k: (float(x), float(y)) for k, (x, y) in zip(ids, pos)}


@dataclass
class NetNode:
    label: str
    colour: str | None = None
    group: Any = None
    size: float | None = None
    pos: tuple[float, float] | None = None


@dataclass
class NetEdge:
    source: str
    target: str
    label: str | None = None
    colour: str | None = None
    width: float | None = None
    highlighted: bool = False
    directed: bool = False


def _opt_num(v: Any) -> float | None:
    if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v):
        return float(v)
    return None


@register("chart_network")
class NetworkChart(ChartRenderer):
    """Nodes {id, label, color/colour, group, size, x, y} and edges {source, target, label,
    weight, color/colour, width, highlighted, directed}. Given positions are used when every
    node has them (else a force layout); a group without a colour picks a palette colour;
    highlighted edges are drawn on top, thicker and opaque; an edge label (or its weight) is
    written at its middle."""

    def parse(self, value: Any) -> Any:
        from matplotlib.colors import is_color_like

        d = need_dict(value, "nodes", "edges")
        nodes: dict[str, NetNode] = {}
        for n in need_list(d["nodes"], "nodes"):
            if isinstance(n, dict) and "id" in n:
                col = n.get("color", n.get("colour"))
                x, y = _opt_num(n.get("x")), _opt_num(n.get("y"))
                nodes[str(n["id"])] = NetNode(
                    label=str(n.get("label", n["id"])),
                    colour=col if isinstance(col, str) and is_color_like(col) else None,
                    group=n.get("group") if isinstance(n.get("group"), (str, int, float)) else None,
                    size=_opt_num(n.get("size")),
                    pos=(x, y) if x is not None and y is not None else None)
            elif isinstance(n, (str, int)):
                nodes[str(n)] = NetNode(str(n))
            else:
                raise ShapeError(f"expected nodes as {{id, label}}, got {kind_of(n)}")
        edges = []
        directed_all = d.get("directed") is True
        for e in need_list(d["edges"], "edges"):
            if not isinstance(e, dict):
                raise ShapeError(f"expected edges as {{source, target}}, got {kind_of(e)}")
            s, t = str(e.get("source")), str(e.get("target"))
            nodes.setdefault(s, NetNode(s))
            nodes.setdefault(t, NetNode(t))
            lab = e.get("label")
            if lab in (None, "") and _opt_num(e.get("weight")) is not None:
                lab = _short(float(e["weight"]))
            col = e.get("color", e.get("colour"))
            edges.append(NetEdge(s, t, str(lab) if lab not in (None, "") else None,
                                 col if isinstance(col, str) and is_color_like(col) else None,
                                 _opt_num(e.get("width")), e.get("highlighted") is True,
                                 directed_all or e.get("directed") is True))
        return nodes, edges

    def draw(self, data: Any) -> None:
        from matplotlib.patches import FancyArrowPatch

        nodes, edges = data
        ax = self.figure.add_subplot(111)
        ax.set_axis_off()
        ids = list(nodes)[:1000]
        if ids and all(nodes[i].pos is not None for i in ids):
            pos = {i: nodes[i].pos for i in ids}
        else:
            pos = network_layout(ids, [(e.source, e.target) for e in edges])
        t = self.t
        xs = [pos[i][0] for i in ids]
        ys = [pos[i][1] for i in ids]
        span = max(max(xs) - min(xs), max(ys) - min(ys), 1e-9) if ids else 1.0
        groups: dict[Any, int] = {}
        for i in ids:
            if nodes[i].group is not None and nodes[i].group not in groups:
                groups[nodes[i].group] = len(groups)
        # plain edges first, highlighted ones over them
        for e in sorted(edges, key=lambda e: e.highlighted):
            if e.source not in pos or e.target not in pos:
                continue
            (x1, y1), (x2, y2) = pos[e.source], pos[e.target]
            width = e.width if e.width is not None and 0 < e.width <= 20 else (3.0 if e.highlighted else 1.2)
            colour = e.colour or (t.accent if e.highlighted else t.muted)
            z = 3 if e.highlighted else 1
            alpha = 1.0 if e.highlighted else 0.6
            if e.directed:
                ax.add_patch(FancyArrowPatch((x1, y1), (x2, y2), arrowstyle="-|>", mutation_scale=12,
                                             color=colour, linewidth=width, alpha=alpha, zorder=z,
                                             shrinkA=9, shrinkB=9, gid="edge-highlighted" if e.highlighted else "edge"))
            else:
                ax.plot([x1, x2], [y1, y2], color=colour, linewidth=width, alpha=alpha, zorder=z,
                        solid_capstyle="round", gid="edge-highlighted" if e.highlighted else "edge")
            if e.label and len(edges) <= 150:
                ax.text((x1 + x2) / 2, (y1 + y2) / 2, e.label[:30], fontsize=7, zorder=5, ha="center", va="center",
                        color=t.text if e.highlighted else t.muted, fontweight="bold" if e.highlighted else "normal",
                        bbox={"boxstyle": "round,pad=0.15", "facecolor": t.surface, "edgecolor": "none", "alpha": 0.8})
        if not ids:
            return
        colours = []
        for i in ids:
            n = nodes[i]
            if n.colour:
                colours.append(n.colour)
            elif n.group is not None:
                colours.append(t.series_colour(groups[n.group]))
            else:
                colours.append(t.accent)
        sizes = [min(max(nodes[i].size, 1.0), 60.0) ** 2 if nodes[i].size is not None else 220.0 for i in ids]
        ax.scatter(xs, ys, s=sizes, c=colours, edgecolors=t.surface, linewidths=1.5, zorder=6)
        off = span * 0.06
        if len(ids) <= 200:
            for i in ids:
                ax.text(pos[i][0], pos[i][1] - off, nodes[i].label[:40], ha="center", va="top", fontsize=8,
                        color=t.text, zorder=7)
        ax.set_xlim(min(xs) - span * 0.15, max(xs) + span * 0.15)
        ax.set_ylim(min(ys) - span * 0.2, max(ys) + span * 0.12)


@register("gantt")
class GanttChart(ChartRenderer):
    def parse(self, value: Any) -> Any:
        d = need_dict(value, "tasks")
        tasks = []
        dates = False
        for tk in need_list(d["tasks"], "tasks"):
            if not isinstance(tk, dict):
                raise ShapeError(f"expected tasks as {{name, start, end}}, got {kind_of(tk)}")
            s, e = tk.get("start"), tk.get("end")
            dates = dates or isinstance(s, str)
            a, b = _time_or_num(s), _time_or_num(e)
            tasks.append((str(tk.get("name", tk.get("label", ""))), a, max(b, a), tk.get("colour") or tk.get("color")))
        return tasks, dates

    def draw(self, data: Any) -> None:
        from matplotlib.colors import is_color_like

        tasks, dates = data
        ax = self.figure.add_subplot(111)
        self._style(ax)
        ax.grid(axis="y", visible=False)
        for i, (name, a, b, col) in enumerate(tasks):
            c = col if isinstance(col, str) and is_color_like(col) else self.t.series_colour(i)
            ax.barh(i, b - a, left=a, height=0.55, color=c)
        ax.set_yticks(range(len(tasks)))
        ax.set_yticklabels([t[0] for t in tasks], fontsize=8)
        ax.invert_yaxis()
        if dates and tasks:
            # task times are days since 1970 (UTC), which is matplotlib's date number: the same
            # readable, thinned date axis as line charts
            time_axis(ax, self.t)
        self._axes_labels(ax, logs=False)
        self.canvas.setMinimumHeight(max(self.min_height - 10, 40 + 26 * len(tasks)) if len(tasks) < 40 else 1100)
