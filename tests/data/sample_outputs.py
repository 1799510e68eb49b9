"""One good sample value per output type (keyed by type), shaped as the contract's recommended
values (§3.2), plus a malformed value per type. Reused by renderer tests, screenshot scripts and
anyone who needs realistic outputs without running a tool."""

from __future__ import annotations

import base64
import struct
import zlib


def _png(w: int, h: int, rgb: tuple[int, int, int], stripe: tuple[int, int, int] | None = None) -> str:
    rows = b""
    for y in range(h):
        row = bytearray()
        for x in range(w):
            c = stripe if stripe and (x // 8 + y // 8) % 2 else rgb
            row += bytes(c)
        rows += b"\x00" + bytes(row)

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) + \
        chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    return "data:image/png;base64," + base64.b64encode(png).decode()


def _wav(seconds: float = 0.2, rate: int = 8000) -> str:
    n = int(seconds * rate)
    data = b"\x00\x00" * n
    header = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt " + struct.pack(
        "<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16) + b"data" + struct.pack("<I", len(data))
    return "data:audio/wav;base64," + base64.b64encode(header + data).decode()


IMG_A = _png(96, 64, (85, 99, 209), (230, 232, 245))
IMG_B = _png(96, 64, (42, 157, 143), (224, 122, 47))

SAMPLES: dict[str, object] = {
    "text": "Hello from Pixie Desktop.\nA second line of plain text.",
    "markdown": "## Summary\n\nThe run **succeeded** with *3 warnings*.\n\n- alpha\n- beta\n\n`inline code`",
    "code": "def greet(name: str) -> str:\n    \"\"\"Say hello.\"\"\"\n    return f'Hello, {name}!'\n",
    "latex": r"Euler's identity $e^{i\pi} + 1 = 0$ and $$\int_0^1 x^2\,dx = \frac{1}{3}$$",
    "stream_text": "Streaming text arrives here…",
    "number": 1234567.891,
    "boolean": True,
    "progress": {"value": 0.62, "label": "Processing rows"},
    "image": IMG_A,
    "audio": _wav(),
    "video": "file:///tmp/pixie-sample-video.mp4",
    "table": {"columns": [{"key": "name", "label": "Name", "type": "text"},
                          {"key": "score", "label": "Score", "type": "number"}],
              "rows": [{"name": "Ada", "score": 93.5}, {"name": "Grace", "score": 88},
                       {"name": "Linus", "score": 71.25}, {"name": "Margaret", "score": 97}]},
    "kv": {"pairs": {"Strike": 100, "Spot": 105.2, "Volatility": 0.2, "Model": "Black-Scholes", "Converged": True}},
    "log": {"lines": [{"level": "info", "message": "Starting run", "t": "12:00:01"},
                      {"level": "warn", "message": "Column 'x' has 3 blanks", "t": "12:00:02"},
                      {"level": "error", "message": "Row 17 could not be parsed", "t": "12:00:03"},
                      {"level": "info", "message": "Done in 1.2 s", "t": "12:00:04"}]},
    "diff": {"before": "alpha\nbeta\ngamma\ndelta\n", "after": "alpha\nBETA\ngamma\ndelta\nepsilon\n",
             "filename_before": "a.txt", "filename_after": "b.txt"},
    "tree": {"root": {"name": "project", "children": [
        {"name": "src", "meta": "3 files", "children": [{"name": "main.py", "meta": "2 KB"}, {"name": "util.py"}]},
        {"name": "README.md", "meta": "1 KB"}]}},
    "timeline": {"events": [{"t": "2026-01-01", "title": "Kick-off", "description": "Project starts"},
                            {"t": "2026-02-15", "title": "Beta", "description": "First users"},
                            {"t": "2026-04-01", "title": "Launch"}]},
    "gantt": {"tasks": [{"name": "Design", "start": "2026-01-01", "end": "2026-01-20"},
                        {"name": "Build", "start": "2026-01-15", "end": "2026-03-01"},
                        {"name": "Test", "start": "2026-02-20", "end": "2026-03-15", "colour": "#d1495b"}]},
    "chart_line": {"x": [1, 2, 3, 4, 5, 6], "series": [{"name": "Revenue", "y": [3, 4, 6, 5, 8, 9]},
                                                       {"name": "Cost", "y": [2, 3, 3, 4, 4, 5]}]},
    "chart_area": {"x": [1, 2, 3, 4, 5], "series": [{"name": "A", "y": [1, 2, 3, 2, 1]}, {"name": "B", "y": [2, 2, 1, 3, 4]}]},
    "chart_bar": {"x": ["Q1", "Q2", "Q3", "Q4"], "series": [{"name": "2025", "y": [10, 14, 9, 17]},
                                                           {"name": "2026", "y": [12, 15, 13, 20]}]},
    "chart_scatter": {"series": [{"name": "Group A", "points": [{"x": 1, "y": 2}, {"x": 2, "y": 3.5}, {"x": 3, "y": 2.8}]},
                                 {"name": "Group B", "points": [{"x": 1.5, "y": 1}, {"x": 2.5, "y": 1.7, "size": 6}]}]},
    "chart_pie": {"slices": [{"label": "Rent", "value": 45}, {"label": "Food", "value": 25},
                             {"label": "Travel", "value": 15}, {"label": "Other", "value": 15}], "donut": True},
    "chart_histogram": {"values": [1, 2, 2, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 6, 6, 7], "bins": 7},
    "chart_boxplot": {"series": [{"name": "Control", "values": [1, 2, 2, 3, 4, 5, 9]},
                                 {"name": "Treated", "values": [3, 4, 4, 5, 6, 6, 7]}]},
    "chart_heatmap": {"z": [[1, 2, 3], [4, 5, 6], [7, 8, 9]], "x_labels": ["a", "b", "c"], "y_labels": ["x", "y", "z"]},
    "chart_candlestick": {"points": [{"t": "2026-01-0%d" % (i + 1), "open": o, "high": o + 3, "low": o - 2, "close": c}
                                     for i, (o, c) in enumerate([(10, 12), (12, 11), (11, 14), (14, 13), (13, 16)])]},
    "chart_radar": {"axes": ["Speed", "Power", "Range", "Cost", "Comfort"],
                    "series": [{"name": "Model X", "values": [4, 3, 5, 2, 4]}, {"name": "Model Y", "values": [3, 5, 3, 4, 3]}]},
    "chart_sankey": {"nodes": [{"id": "a", "label": "Salary"}, {"id": "b", "label": "Budget"},
                               {"id": "c", "label": "Rent"}, {"id": "d", "label": "Savings"}],
                     "links": [{"source": "a", "target": "b", "value": 100}, {"source": "b", "target": "c", "value": 60},
                               {"source": "b", "target": "d", "value": 40}]},
    "chart_treemap": {"nodes": [{"id": "root", "label": "All", "value": 100},
                                {"id": "a", "label": "Apps", "value": 60, "parent": "root"},
                                {"id": "b", "label": "Docs", "value": 40, "parent": "root"},
                                {"id": "a1", "label": "Editor", "value": 35, "parent": "a"},
                                {"id": "a2", "label": "Viewer", "value": 25, "parent": "a"}]},
    "chart_network": {"nodes": [{"id": "1", "label": "Ada"}, {"id": "2", "label": "Bob"}, {"id": "3", "label": "Cy"},
                                {"id": "4", "label": "Di"}],
                      "edges": [{"source": "1", "target": "2"}, {"source": "2", "target": "3"},
                                {"source": "3", "target": "1"}, {"source": "3", "target": "4", "label": "mentor"}]},
    "map_points": {"points": [{"lat": 51.5, "lng": -0.12, "label": "London"}, {"lat": 48.85, "lng": 2.35, "label": "Paris"},
                              {"lat": 52.52, "lng": 13.4, "label": "Berlin", "colour": "#d1495b"}]},
    "map_heatmap": {"points": [{"lat": 40.7, "lng": -74.0, "weight": 5}, {"lat": 34.05, "lng": -118.2, "weight": 3},
                               {"lat": 41.9, "lng": -87.6, "weight": 2}, {"lat": 29.7, "lng": -95.3, "weight": 1}]},
    "map_choropleth": {"geojson": {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": "A", "properties": {"name": "West"},
         "geometry": {"type": "Polygon", "coordinates": [[[-10, 40], [0, 40], [0, 50], [-10, 50], [-10, 40]]]}},
        {"type": "Feature", "id": "B", "properties": {"name": "East"},
         "geometry": {"type": "Polygon", "coordinates": [[[0, 40], [10, 40], [10, 50], [0, 50], [0, 40]]]}}]},
        "values": {"A": 10, "B": 30}},
    "map_polygons": {"polygons": [{"coords": [[51, -1], [52, 0], [51, 1]], "colour": "#2a9d8f", "label": "Zone 1"},
                                  {"coords": [[49, 1], [50, 3], [48.5, 4]], "label": "Zone 2"}]},
    "map_route": {"points": [{"lat": 51.5, "lng": -0.12}, {"lat": 50.9, "lng": 1.4}, {"lat": 48.85, "lng": 2.35},
                             {"lat": 45.76, "lng": 4.84}]},
    "image_grid": {"images": [{"data": IMG_A, "alt": "First"}, {"data": IMG_B, "alt": "Second"}, IMG_A]},
    "image_compare": {"before": IMG_A, "after": IMG_B},
    "file": {"filename": "report.csv", "mime": "text/csv", "size": 24,
             "data": "data:text/csv;base64," + base64.b64encode(b"name,score\nAda,93\nBob,71\n").decode()},
}

# A value of the wrong shape for every type (each must show the fallback card, never raise).
MALFORMED: dict[str, object] = {t: ([1, 2, 3] if t not in ("text", "markdown", "code", "latex", "stream_text")
                                   else {"unexpected": [1, 2]}) for t in SAMPLES}
MALFORMED.update({"number": "not a number", "boolean": [True], "progress": "half", "image": 42, "audio": 42,
                  "video": 42, "chart_histogram": {"values": "abc"}, "kv": {"pairs": 7}, "log": {"lines": 3}, "file": {"filename": "x"},
                  "image_grid": {"images": 5}, "table": {"rows": 5}, "map_points": {"points": [{"lat": "x"}]}})


def sample_outputs(spec) -> dict:
    """{output key: good sample} for every output of a ToolSpec."""
    return {o.key: SAMPLES.get(o.type) for o in spec.outputs}
