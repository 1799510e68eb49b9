"""Per-output export: the formats offered per output type and the bytes of each (charts as
PNG/SVG/PDF/CSV, tables as CSV/JSON, maps as GeoJSON/PNG, text with the right extension, images
as the original bytes through a run-scoped reader), and the output card's Export menu."""

from __future__ import annotations

import base64
import csv
import io
import json
import sys
from pathlib import Path

import pytest

from pixie_desktop.export.output_formats import (ExportUnavailable, file_extension, formats_for,
                                                 render_output)
from pixie_desktop.manifest.parse import parse_tool_file

DATA = Path(__file__).parent / "data"
sys.path.insert(0, str(DATA))
from sample_outputs import IMG_A, SAMPLES  # noqa: E402

LINE = {"x": [1, 2, 3], "series": [{"name": "a", "y": [2, 4, 8]}, {"name": "b", "y": [1, 1, 2]}]}
TABLE = {"columns": [{"key": "k", "label": "Key"}, {"key": "v", "label": "Value"}],
         "rows": [{"k": "x, with comma", "v": 1}, {"k": "y", "v": None}]}


def fmts(kind: str, spec=None) -> list[str]:
    return [f for f, _label in formats_for(kind, spec)]


def test_formats_fit_each_type():
    assert fmts("chart_line") == ["png", "svg", "pdf", "csv"]
    assert fmts("table") == ["csv", "json"]
    assert fmts("map_points") == ["geojson", "png"]
    assert fmts("markdown") == ["md"] and fmts("text") == ["txt"] and fmts("latex") == ["tex"]
    assert fmts("code", type("S", (), {"language": "python"})()) == ["py"]
    assert fmts("image") == ["original", "png"]
    assert fmts("kv") == ["json"]
    spec = parse_tool_file(DATA / "all-outputs.tool.json")
    for out in spec.outputs:  # every type offers something, and each offered format renders
        for fmt in fmts(out.type, out):
            if out.type == "image":
                continue  # needs the run's media reader: test_image_as_png
            assert render_output(out.type, SAMPLES[out.type], fmt, spec=out), (out.type, fmt)


def test_chart_images_and_csv():
    assert render_output("chart_line", LINE, "png").startswith(b"\x89PNG")
    svg = render_output("chart_line", LINE, "svg")
    assert b"<svg" in svg and b"<script" not in svg
    assert render_output("chart_bar", LINE, "pdf").startswith(b"%PDF")
    rows = list(csv.reader(io.StringIO(render_output("chart_line", LINE, "csv").decode())))
    assert rows == [["x", "a", "b"], ["1", "2", "1"], ["2", "4", "1"], ["3", "8", "2"]]


def test_table_csv_and_json():
    rows = list(csv.reader(io.StringIO(render_output("table", TABLE, "csv").decode())))
    assert rows == [["Key", "Value"], ["x, with comma", "1"], ["y", ""]]
    assert json.loads(render_output("table", TABLE, "json")) == [{"k": "x, with comma", "v": 1}, {"k": "y", "v": None}]


def test_map_geojson_and_png():
    value = {"points": [{"lat": 51.5, "lng": -0.1, "label": "London"}, {"lat": 48.9, "lng": 2.35}]}
    gj = json.loads(render_output("map_points", value, "geojson"))
    assert gj["type"] == "FeatureCollection"
    assert gj["features"][0]["geometry"] == {"type": "Point", "coordinates": [-0.1, 51.5]}
    assert gj["features"][0]["properties"] == {"label": "London"}
    route = json.loads(render_output("map_route", value, "geojson"))
    assert route["features"][0]["geometry"]["type"] == "LineString"
    assert render_output("map_points", value, "png").startswith(b"\x89PNG")


def test_text_and_original_image():
    assert render_output("markdown", "# Title", "md") == b"# Title"
    assert render_output("code", {"text": "print(1)"}, "py") == b"print(1)"
    raw = base64.b64decode(IMG_A.split(",", 1)[1])
    assert render_output("image", IMG_A, "original", media=lambda s: ("image/png", raw)) == raw
    assert file_extension("image", "original", IMG_A) == "png"
    assert file_extension("image", "original", "file:///run/photo.jpeg") == "jpeg"
    with pytest.raises(ExportUnavailable):
        render_output("image", "https://example.com/x.png", "original", media=lambda s: None)


def test_image_as_png():
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (5, 3), (200, 10, 10)).save(buf, format="JPEG")
    jpeg = buf.getvalue()
    png = render_output("image", "file:///run/photo.jpg", "png", media=lambda s: ("image/jpeg", jpeg))
    assert png.startswith(b"\x89PNG") and png != jpeg
    with Image.open(io.BytesIO(png)) as img:
        assert img.format == "PNG" and img.size == (5, 3)
    raw = base64.b64decode(IMG_A.split(",", 1)[1])  # already a PNG: the same bytes
    assert render_output("image", IMG_A, "png", media=lambda s: ("image/png", raw)) == raw
    assert file_extension("image", "png", "file:///run/photo.jpg") == "png"
    with pytest.raises(ExportUnavailable):  # not an image Pillow can read (an SVG, garbage)
        render_output("image", "x.svg", "png", media=lambda s: ("image/svg+xml", b"<svg xmlns='x'/>"))


def test_card_export_menu_writes_the_file(qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    from pixie_desktop.ui import workers
    from pixie_desktop.ui.outputs.panel import OutputCard, OutputPanel

    spec = parse_tool_file(DATA / "all-outputs.tool.json")
    panel = OutputPanel(spec)
    qtbot.addWidget(panel)
    key = next(o.key for o in spec.outputs if o.type == "table")
    panel.show_outputs({key: SAMPLES["table"]})
    card = next(c for c in panel.findChildren(OutputCard) if c.spec.key == key)
    card.refresh_export_menu()
    names = [a.objectName() for a in card.export_menu.actions()]
    assert names == ["export.csv", "export.json"]
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "t.csv"), ""))
    next(a for a in card.export_menu.actions() if a.objectName() == "export.csv").trigger()
    qtbot.waitUntil(lambda: (tmp_path / "t.csv").is_file(), timeout=10_000)
    qtbot.waitUntil(lambda: workers.live_tasks() == 0, timeout=10_000)
    out = next(o for o in spec.outputs if o.key == key)
    assert (tmp_path / "t.csv").read_bytes() == render_output("table", SAMPLES["table"], "csv", spec=out)
    assert (tmp_path / "t.csv").read_text().count("\n") > 2   # header + rows
