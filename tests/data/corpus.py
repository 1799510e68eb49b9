"""Compatibility corpus: output values in the shapes real Pixie tools send (learned from reading
the public AlexKapadia/Pixie tools; every value here is written for this corpus, none copied).

Each entry is (name, output type, spec extras, value). `tests/test_render_corpus.py` renders each
one offscreen and inspects what was drawn; `scripts/shots/corpus.py` takes a picture of each.
The comment on an entry says which kind of real tool sends that shape."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any


@dataclass
class Case:
    name: str
    type: str
    value: Any
    spec: dict[str, Any] = field(default_factory=dict)


def _days(n: int, start: date = date(2026, 3, 1)) -> list[str]:
    return [(start + timedelta(days=i)).isoformat() for i in range(n)]


def _wave(n: int, base: float, amp: float, k: float = 0.3) -> list[float]:
    return [round(base + amp * math.sin(i * k), 3) for i in range(n)]


CASES: list[Case] = [
    # --- line / area / scatter / bar ---------------------------------------------------------
    # weather forecast: ISO dates, three series, axis titles in the value, unit in the spec
    Case("line_daily_dates", "chart_line", {
        "x": _days(10),
        "series": [{"name": "high", "y": _wave(10, 14, 3)}, {"name": "average", "y": _wave(10, 10, 2)},
                   {"name": "low", "y": _wave(10, 6, 2)}],
        "x_label": "day", "y_label": "°C"}, {"y_label": "ignored: the value wins"}),
    # equity curve: ~250 business-day ISO dates, two series
    Case("line_many_dates", "chart_line", {
        "x": _days(250, date(2024, 1, 1)),
        "series": [{"name": "Strategy", "y": _wave(250, 100_000, 8_000, 0.05)},
                   {"name": "Benchmark", "y": _wave(250, 100_000, 5_000, 0.03)}],
        "x_label": "Date", "y_label": "Equity (£)"}),
    # forecast: history then forecast with null padding and a dashed band
    Case("line_dates_with_gaps", "chart_line", {
        "x": _days(40),
        "series": [{"name": "History", "y": _wave(25, 50, 5) + [None] * 15},
                   {"name": "Forecast", "y": [None] * 25 + _wave(15, 52, 2), "dash": "dash"},
                   {"name": "Lower", "y": [None] * 25 + _wave(15, 47, 2), "dash": "dot", "color": "#999999"},
                   {"name": "Upper", "y": [None] * 25 + _wave(15, 57, 2), "dash": "dot", "color": "#999999"}],
        "x_label": "Date", "y_label": "Value"}),
    # datetimes with a zone (hourly readings)
    Case("line_datetimes", "chart_line", {
        "x": [f"2026-05-04T{h:02d}:00:00Z" for h in range(24)],
        "series": [{"name": "load", "y": _wave(24, 40, 15, 0.26), "colour": "#e4572e", "marker": "square"}],
        "x_title": "Time (UTC)", "y_title": "Load", "y_unit": "MW"}),
    # times of day only
    Case("line_times", "chart_line", {
        "x": ["08:00", "09:30", "11:00", "12:30", "14:00", "15:30"],
        "series": [{"name": "queue", "y": [3, 8, 5, 9, 4, 2]}]}),
    # anomaly detector: "YYYY-MM-DD HH:MM:SS" stamps, flagged points as a markers-only series
    Case("line_markers_mode", "chart_line", {
        "x": [f"2025-01-{1 + h // 24:02d} {h % 24:02d}:00:00" for h in range(72)],
        "series": [{"name": "value", "y": _wave(72, 10, 2, 0.26)},
                   {"name": "anomaly", "y": [None if h % 17 else round(10 + 2 * math.sin(h * 0.26), 3)
                                             for h in range(72)], "mode": "markers"}],
        "x_label": "timestamp", "y_label": "value"}),
    # training loop: the /run answer is an empty chart with titles; epochs stream in as points
    Case("line_empty_before_stream", "chart_line", {
        "x": [], "series": [{"name": "loss", "y": []}], "x_label": "Epoch", "y_label": "Cross-entropy"}),
    # numeric x with axis titles in the value (option pricing curves)
    Case("line_numeric_titles", "chart_line", {
        "x": [80 + i * 2.5 for i in range(17)],
        "series": [{"name": "Call price", "y": [max(0.0, round((80 + i * 2.5 - 100) * 0.8 + 3, 3)) for i in range(17)]}],
        "x_label": "Spot (£)", "y_label": "Price (£)"}),
    # Monte Carlo: ten sample paths plus median and percentile bands over trading days
    Case("line_many_series", "chart_line", {
        "x": list(range(31)),
        "series": [{"name": f"Path {i + 1}", "y": _wave(31, 100 + i, 3 + i / 2, 0.1 + i / 50)} for i in range(10)]
        + [{"name": "Median", "y": _wave(31, 104, 1, 0.1)}, {"name": "5th pct", "y": _wave(31, 95, 1, 0.1)},
           {"name": "95th pct", "y": _wave(31, 113, 1, 0.1)}],
        "x_label": "Trading day", "y_label": "Price (£)"}),
    # ODE phase portrait: thousands of points in one scatter series, titles in the value
    Case("scatter_phase_portrait", "chart_scatter", {
        "series": [{"name": "trajectory", "points": [{"x": round(15 * math.sin(i / 40) * math.cos(i / 170), 3),
                                                      "y": round(25 + 15 * math.cos(i / 37), 3)} for i in range(4000)]}],
        "x_label": "x", "y_label": "z"}),
    # non-date strings on a line: an ordered category axis, still a line
    Case("line_categories", "chart_line", {
        "x": ["epoch-a", "epoch-b", "epoch-c", "epoch-d", "epoch-e"],
        "series": [{"name": "loss", "y": [0.9, 0.6, 0.45, 0.4, 0.38]}]}),
    # stacked area over dates
    Case("area_dates", "chart_area", {
        "x": _days(30),
        "series": [{"name": "positive", "y": _wave(30, 5, 2)}, {"name": "negative", "y": _wave(30, 3, 1)}],
        "y_label": "messages"}),
    # bar over categories
    Case("bar_categories", "chart_bar", {
        "x": ["alpha", "beta", "gamma"],
        "series": [{"name": "2025", "y": [3, 5, 2]}, {"name": "2026", "y": [4, 4, 3], "color": "#2a9d8f"}],
        "x_label": "group", "y_label": "count"}),
    # bar over dates: bars are right only here
    Case("bar_dates", "chart_bar", {
        "x": _days(7), "series": [{"name": "rain", "y": [0, 2.5, 7.1, 0.4, 0, 0, 3.2]}],
        "y_label": "mm"}),
    # scatter with per-point colour, size and label
    Case("scatter_points", "chart_scatter", {
        "series": [{"name": "assets", "points": [
            {"x": 0.12, "y": 0.08, "label": "A", "size": 4},
            {"x": 0.18, "y": 0.11, "label": "B", "size": 6, "color": "#d62828"},
            {"x": 0.25, "y": 0.14, "label": "C"}]},
            {"name": "frontier", "color": "#264653", "points": [{"x": 0.1 + i / 50, "y": 0.05 + i / 80} for i in range(8)]}],
        "x_label": "Volatility", "y_label": "Return"}),
    # scatter over ISO dates
    Case("scatter_dates", "chart_scatter", {
        "series": [{"name": "events", "points": [{"x": d, "y": v} for d, v in zip(_days(12), _wave(12, 0, 1))]}]}),
    # --- other charts ------------------------------------------------------------------------
    Case("histogram_titles", "chart_histogram", {
        "values": [round(math.sin(i) * 3 + i / 40, 3) for i in range(200)], "x_label": "density",
        "y_label": "cell count"}),
    Case("pie", "chart_pie", {"slices": [{"label": "yes", "value": 62}, {"label": "no", "value": 38}]}),
    Case("boxplot", "chart_boxplot", {"series": [{"name": "A", "values": [1, 2, 2, 3, 9]},
                                                 {"name": "B", "values": [2, 3, 4, 4, 5]}]}),
    # heatmap with x/y axis values (option price grid), not x_labels/y_labels
    Case("heatmap_xy", "chart_heatmap", {
        "x": [round(60 + i * 3.33, 2) for i in range(25)], "y": [7 + i * 2 for i in range(25)],
        "z": [[round(max(0.0, 100 - (60 + j * 3.33)) + i * 0.2, 3) for j in range(25)] for i in range(25)],
        "x_label": "Strike (£)", "y_label": "Days to expiry", "z_label": "Price (£)"}),
    Case("heatmap_labels", "chart_heatmap", {
        "x_labels": ["Mon", "Tue", "Wed"], "y_labels": ["am", "pm"], "z": [[1, 2, 3], [4, 5, 6]]}),
    Case("candlestick", "chart_candlestick", {"points": [
        {"t": d, "open": 10 + i, "high": 12 + i, "low": 9 + i, "close": 11 + i - (i % 3)} for i, d in enumerate(_days(12))]}),
    Case("radar", "chart_radar", {"axes": ["speed", "cost", "quality", "risk"],
                                  "series": [{"name": "plan A", "values": [3, 4, 2, 5]},
                                             {"name": "plan B", "values": [4, 2, 4, 2], "color": "#8338ec"}]}),
    # graph algorithms: given positions, weights, highlighted shortest-path edges
    Case("network_highlight", "chart_network", {
        "nodes": [{"id": "a", "label": "a", "x": 0.0, "y": 0.0}, {"id": "b", "label": "b", "x": 1.0, "y": 0.4},
                  {"id": "c", "label": "c", "x": 2.0, "y": 0.0}, {"id": "d", "label": "d", "x": 1.0, "y": -0.8}],
        "edges": [{"source": "a", "target": "b", "weight": 1, "color": "#ef4444", "highlighted": True},
                  {"source": "b", "target": "c", "weight": 2, "color": "#ef4444", "highlighted": True},
                  {"source": "a", "target": "d", "weight": 5}, {"source": "d", "target": "c", "weight": 1}]}),
    # community detection: node colours and groups, no positions
    Case("network_groups", "chart_network", {
        "nodes": [{"id": "n1", "label": "n1", "color": "#3b82f6"}, {"id": "n2", "label": "n2", "color": "#3b82f6"},
                  {"id": "n3", "label": "n3", "group": "g2", "size": 14}, {"id": "n4", "label": "n4", "group": "g2"}],
        "edges": [{"source": "n1", "target": "n2", "label": "strong", "width": 3},
                  {"source": "n3", "target": "n4"}, {"source": "n2", "target": "n3"}]}),
    Case("sankey", "chart_sankey", {
        "nodes": [{"id": "in", "label": "Income"}, {"id": "rent", "label": "Rent", "color": "#e76f51"},
                  {"id": "save", "label": "Savings"}],
        "links": [{"source": "in", "target": "rent", "value": 40}, {"source": "in", "target": "save", "value": 20}]}),
    Case("treemap", "chart_treemap", {"nodes": [
        {"id": "all", "label": "All", "value": 10}, {"id": "x", "label": "X", "value": 6, "parent": "all"},
        {"id": "y", "label": "Y", "value": 4, "parent": "all", "color": "#457b9d"}]}),
    Case("gantt_dates", "gantt", {"tasks": [
        {"name": "design", "start": "2026-01-05", "end": "2026-01-20"},
        {"name": "build", "start": "2026-01-15", "end": "2026-02-20", "colour": "#2a9d8f"}]}),
    # --- maps --------------------------------------------------------------------------------
    Case("map_one_point_label", "map_points", {"points": [{"lat": 51.5074, "lng": -0.1278,
                                                          "label": "51.5074, -0.1278"}]}),
    Case("map_points_popups", "map_points", {"points": [
        {"lat": 48.85, "lng": 2.35, "label": "Paris", "popup": "Capital of France"},
        {"lat": 52.52, "lng": 13.40, "label": "Berlin", "popup": "Capital of Germany", "color": "#d62828"}]}),
    # route optimiser: ordered labelled points, ends far apart
    Case("map_route", "map_route", {"points": [
        {"lat": 51.51, "lng": -0.13, "label": "London"}, {"lat": 48.85, "lng": 2.35, "label": "Paris"},
        {"lat": 45.46, "lng": 9.19, "label": "Milan"}, {"lat": 41.90, "lng": 12.50, "label": "Rome"}]}),
    Case("map_heat", "map_heatmap", {"points": [{"lat": 51.5 + i / 200, "lng": -0.12 + i / 150, "weight": i % 5}
                                                for i in range(30)]}),
    # --- structured / text -------------------------------------------------------------------
    Case("kv_pairs_dict", "kv", {"pairs": {"delta": 0.53, "gamma": 0.041, "label": "call"}}),
    Case("kv_plain_dict", "kv", {"delta": 0.53, "note": "plain object"}),
    Case("table_numbers", "table", {
        "columns": [{"key": "node", "label": "Node", "type": "string"},
                    {"key": "distance", "label": "Distance", "type": "number"}],
        "rows": [{"node": "a", "distance": 0}, {"node": "b", "distance": 1.5}, {"node": "c", "distance": 12.25}],
        "downloadable": True}),
    Case("log_epoch_lines", "log", {"lines": [
        {"level": "info", "message": "started", "t": 1780000000.0},
        {"level": "tool", "message": "called search", "t": 1780000001.5}]}),
    Case("boolean_true", "boolean", True),
    Case("number_value", "number", {"value": 3.14159}),
    Case("text_raw", "text", "A plain answer."),
]
