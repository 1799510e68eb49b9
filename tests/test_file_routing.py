"""File routing (issue 12 item 7): one accept rule (manifest/accept.py) for the form, the window
drop and `run` — `accept` is honoured on image inputs too, an image input without one takes the
common raster types, a JPEG is never routed to a PNG-only tool."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from conftest import write_tool
from pixie_desktop.manifest.accept import DEFAULT_IMAGE, file_problem
from pixie_desktop.manifest.model import InputSpec
from pixie_desktop.manifest.parse import parse_tool_json
from pixie_desktop.matching.suggest import suggest_tools
from pixie_desktop.runtime.inputs import InputError, check_inputs

REPO_TOOLS = Path(__file__).resolve().parent.parent / "tools"
OUT = [{"key": "o", "type": "text", "label": "O"}]


def _inp(**kw) -> InputSpec:
    return InputSpec(**{"key": "f", "type": "image", "label": "Picture", **kw})


@pytest.mark.parametrize("name", ["a.png", "b.JPG", "c.jpeg", "d.gif", "e.bmp", "f.webp"])
def test_image_without_accept_takes_common_raster_types(name):
    assert file_problem(_inp(), name) is None


@pytest.mark.parametrize("name, words", [("v.svg", "not one of"), ("p.heic", "not one of"),
                                         ("data.csv", "not an image"), ("song.mp3", "not an image")])
def test_image_without_accept_refuses_the_rest(name, words):
    assert words in file_problem(_inp(), name)


def test_declared_accept_is_honoured_on_image_inputs():
    png_only = _inp(accept=[".png"])
    assert file_problem(png_only, "a.png") is None
    assert "not one of .png" in file_problem(png_only, "a.jpg")
    assert file_problem(_inp(accept=["image/svg+xml"]), "v.svg") is None  # declared: taken


def test_data_urls_follow_the_same_rule():
    png_only = _inp(accept=[".png"])
    assert file_problem(png_only, None, "image/png") is None
    assert "image/jpeg" in file_problem(png_only, None, "image/jpeg")
    assert file_problem(_inp(), None, "image/svg+xml") is not None
    assert file_problem(_inp(), None, "application/octet-stream") is None  # unknown: the tool decides
    assert file_problem(InputSpec(key="f", type="file", label="F", accept=[".parquet2"]), None,
                        "application/octet-stream") is None


def test_run_refuses_a_file_its_input_does_not_accept():
    spec = parse_tool_json(json.dumps({"id": "t", "name": "T", "outputs": OUT, "inputs": [
        {"key": "pic", "type": "image", "label": "Picture", "accept": ["image/png"]}]}))
    jpeg = "data:image/jpeg;base64," + base64.b64encode(b"\xff\xd8\xff").decode()
    png = "data:image/png;base64," + base64.b64encode(b"\x89PNG").decode()
    assert check_inputs(spec, {"pic": png}) == {"pic": png}
    with pytest.raises(InputError) as err:
        check_inputs(spec, {"pic": jpeg})
    assert err.value.problems[0][0] == "pic" and "not accepted" in err.value.problems[0][1]


def test_window_drop_never_routes_a_jpeg_to_a_png_only_tool(tools_dir, tmp_path, ctx):
    write_tool(tools_dir, "png-only", {"id": "png-only", "name": "PNG only", "outputs": OUT, "inputs": [
        {"key": "im", "type": "image", "label": "PNG", "accept": [".png"]}]})
    write_tool(tools_dir, "any-image", {"id": "any-image", "name": "Any image", "outputs": OUT, "inputs": [
        {"key": "im", "type": "image", "label": "Image"}]})
    jpg, png, svg = tmp_path / "photo.jpg", tmp_path / "pic.png", tmp_path / "logo.svg"
    for f in (jpg, png, svg):
        f.write_bytes(b"0" * 64)
    tools = ctx.tools()
    assert [s.tool.tool_id for s in suggest_tools(tools, [jpg])] == ["any-image"]
    assert {s.tool.tool_id for s in suggest_tools(tools, [png])} == {"png-only", "any-image"}
    assert suggest_tools(tools, [svg]) == []
    assert suggest_tools(tools, [png, jpg]) == [s for s in suggest_tools(tools, [png, jpg])
                                                if s.tool.tool_id == "any-image"]


def test_bundled_tools_declare_their_accept_lists():
    for manifest in sorted(REPO_TOOLS.glob("*/tool.json")):
        spec = parse_tool_json(manifest.read_text())
        for inp in spec.file_inputs:
            if inp.type in ("file", "image"):
                assert inp.accept, f"{manifest.parent.name}: input '{inp.key}' declares no accept list"
    thumb = parse_tool_json((REPO_TOOLS / "image-thumbnail" / "tool.json").read_text())
    image = next(i for i in thumb.file_inputs if i.key == "image")
    assert file_problem(image, "photo.jpg") is None and file_problem(image, "pic.png") is None
    assert file_problem(image, "notes.txt") is not None  # only the formats its image reader takes


def test_form_file_zone_uses_the_same_rule(qtbot, tmp_path):
    from pixie_desktop.ui.inputs.files import FileInput

    jpg, png = tmp_path / "photo.jpg", tmp_path / "pic.png"
    for f in (jpg, png):
        f.write_bytes(b"0" * 64)
    png_only = FileInput(_inp(accept=[".png"]))
    qtbot.addWidget(png_only)
    assert png_only.problem_with(png) is None and "not accepted" in png_only.problem_with(jpg)
    assert not png_only.accepts_files([jpg])
    generic = FileInput(_inp())
    qtbot.addWidget(generic)
    assert generic.accept_patterns() == list(DEFAULT_IMAGE)
    assert generic.accepts_files([jpg]) and not generic.accepts_files([tmp_path / "missing.svg"])
