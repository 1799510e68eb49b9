"""Validator building blocks without subprocesses: sample inputs, output conformance, schema
diffs, tolerance.yaml loading and the type-aware comparators."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import pytest

from pixie_desktop.manifest.parse import parse_tool_dict, parse_tool_file
from pixie_desktop.validation import comparators, conformance, schema_diff
from pixie_desktop.validation.fixtures import Fixture, compare_outputs, summarise, FixtureResult
from pixie_desktop.validation.model import CheckList, overall_of
from pixie_desktop.validation.samples import CHAT_PROBE, PNG_1X1_DATA_URL, sample_body, sample_inputs
from pixie_desktop.validation.tolerance import ToleranceError, load_tolerance, parse_tolerance

DATA = Path(__file__).resolve().parent / "data"


def _spec(inputs=(), outputs=(), **top):
    return parse_tool_dict({"id": "t", "name": "T", "inputs": list(inputs), "outputs": list(outputs), **top})


# --- samples ---------------------------------------------------------------------------------

def test_sample_inputs_cover_every_input_type_with_contract_fallbacks():
    spec = parse_tool_file(DATA / "all-inputs.tool.json")
    samples = sample_inputs(spec)
    assert set(samples) == {i.key for i in spec.inputs}  # optional inputs included
    by_type = {i.type: samples[i.key] for i in spec.inputs if i.default is None}
    if "file" in by_type:
        assert by_type["file"] == PNG_1X1_DATA_URL
    if "date" in by_type:
        assert by_type["date"] == "2026-01-01"
    if "map_bbox" in by_type:
        assert len(by_type["map_bbox"]) == 4 and all(isinstance(v, float) for v in by_type["map_bbox"])


def test_sample_number_slider_select_rules():
    spec = _spec(inputs=[
        {"key": "n", "type": "number", "label": "N", "min": 2, "max": 4},
        {"key": "m", "type": "number", "label": "M", "min": 3},
        {"key": "z", "type": "number", "label": "Z", "required": False},
        {"key": "s", "type": "slider", "label": "S", "min": 0, "max": 10, "range": True},
        {"key": "c", "type": "select", "label": "C", "options": [{"value": 7, "label": "seven"}]},
        {"key": "d", "type": "text", "label": "D", "default": "hello"},
    ])
    assert sample_inputs(spec) == {"n": 3.0, "m": 3.0, "z": 0, "s": [0.0, 5.0], "c": 7, "d": "hello"}
    body = sample_body(spec, "rid")
    assert body["run_id"] == "rid" and body["inputs"]["d"] == "hello" and body["d"] == "hello"


def test_chat_layout_gets_probe_payload():
    spec = _spec(inputs=[{"key": "messages", "type": "json", "label": "M"}],
                 outputs=[{"key": "reply", "type": "markdown", "label": "R"}], layout="chat")
    assert sample_inputs(spec) == CHAT_PROBE


# --- conformance ----------------------------------------------------------------------------

def test_conformance_names_the_output_key_and_shape():
    spec = _spec(outputs=[{"key": "total", "type": "number", "label": "T"},
                          {"key": "grid", "type": "table", "label": "G"},
                          {"key": "pic", "type": "image", "label": "P"}])
    res = conformance.check_outputs(spec, {"total": "12", "grid": {"rows": []}, "pic": None, "extra": 1})
    text = " | ".join(res.problems)
    assert "output 'total' (number) should be a number, got a string" in text
    assert "output 'grid' (table) is missing 'columns'" in text
    assert "output 'pic' (image) is null" in text
    assert res.extra_keys == ["extra"]


def test_conformance_accepts_value_wrappers_and_run_id_echo():
    spec = _spec(outputs=[{"key": "n", "type": "number", "label": "N"},
                          {"key": "b", "type": "boolean", "label": "B"},
                          {"key": "p", "type": "progress", "label": "P"}])
    res = conformance.check_outputs(spec, {"n": {"value": 1}, "b": 1, "p": {"value": None}, "run_id": "x"})
    assert res.ok and res.extra_keys == []
    assert not conformance.check_outputs(spec, {"n": True, "b": 1, "p": 0.5}).ok  # bool is not a number


def test_conformance_knows_every_output_type():
    from pixie_desktop.manifest.model import OUTPUT_TYPES

    scalar = set(conformance.TEXT_LIKE) | set(conformance.MEDIA) | {"number", "boolean", "progress"}
    for t in OUTPUT_TYPES:
        assert t in scalar or t in conformance.REQUIRED_KEYS, t
        assert conformance.value_problem(t, None) == "is null"
        if t in conformance.REQUIRED_KEYS:
            assert "should be an object" in conformance.value_problem(t, [1])
            full = {k: [] for k in conformance.REQUIRED_KEYS[t]}
            assert conformance.value_problem(t, full) is None


# --- schema diff ------------------------------------------------------------------------------

def test_schema_diff_reports_pointers_and_type_changes():
    disk = {"id": "t", "inputs": [{"key": "a", "max": 100}], "x/y": 1}
    live = {"id": "t", "inputs": [{"key": "a", "max": 100.0}], "extra": True}
    diffs = schema_diff.json_diffs(disk, live)
    assert "/inputs/0/max: tool.json has 100, /schema has 100.0" in diffs
    assert any(d.startswith("/x~1y: missing from /schema") for d in diffs)
    assert any(d.startswith("/extra: only in /schema") for d in diffs)
    many = schema_diff.summarise([f"/a/{i}" for i in range(25)])
    assert len(many) == 21 and many[-1] == "…and 5 more"


# --- tolerance.yaml -------------------------------------------------------------------------

def test_tolerance_yaml_loads_and_merges_by_priority(tmp_path: Path):
    (tmp_path / "tolerance.yaml").write_text(
        "defaults:\n  number: {rtol: 1.0e-3, atol: 0}\noverrides:\n  price: {rtol: 0.01}\n"
        "options:\n  on_extra_output_key: fail\n")
    cfg = load_tolerance(tmp_path)
    assert cfg.effective("number", "x") == {"rtol": 1e-3, "atol": 0}
    assert cfg.effective("number", "price") == {"rtol": 0.01, "atol": 0}
    assert cfg.effective("number", "price", {"price": {"atol": 5}}) == {"rtol": 0.01, "atol": 5}
    assert cfg.options["on_extra_output_key"] == "fail" and cfg.options["on_missing_expected_key"] == "fail"


@pytest.mark.parametrize("text, fragment", [
    ("price: {abs: 1}\n", "unknown top-level key"),
    ("defaults:\n  number: {tolerance: 1}\n", "unknown field(s) tolerance"),
    ("defaults:\n  numbr: {rtol: 1}\n", "not an output type"),
    ("options:\n  on_extra_output_key: shout\n", "must be one of"),
    ("defaults: [1, 2\n", "not valid YAML"),
    ("defaults:\n  number: {rtol: -1}\n", "non-negative"),
])
def test_tolerance_yaml_errors_are_readable(tmp_path: Path, text: str, fragment: str):
    (tmp_path / "tolerance.yaml").write_text(text)
    with pytest.raises(ToleranceError) as err:
        load_tolerance(tmp_path)
    assert fragment in str(err.value)


# --- comparators ----------------------------------------------------------------------------

def _png(colour: tuple[int, int, int], size=(16, 16), dot=None) -> str:
    from PIL import Image

    img = Image.new("RGB", size, colour)
    if dot:
        for x in range(4):
            for y in range(4):
                img.putpixel((x, y), dot)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


@pytest.mark.parametrize("out_type, expected, actual, tol, status", [
    ("number", 2.0, 2.0000001, {}, "pass"),
    ("number", 1.41, 1.41421, {}, "fail"),
    ("number", 1.41, 1.41421, {"rtol": 0.01}, "pass"),
    ("number", {"value": 3}, 3, {}, "pass"),
    ("number", 1, True, {}, "fail"),
    ("number", float("nan"), float("nan"), {}, "pass"),
    ("boolean", True, {"value": True}, {}, "pass"),
    ("boolean", True, 1, {}, "fail"),
    ("text", "a  b", "a b", {}, "fail"),
    ("text", "a  b", "a b\n", {"compare": "exact_after_normalize_whitespace"}, "pass"),
    ("markdown", "# T\n\nx", "# T x", {}, "pass"),
    ("latex", r"$a\,b$", "$a b$", {}, "pass"),
    ("code", '{"a": 1}', '{ "a" : 1 }', {"compare": "json_normalized"}, "pass"),
    ("kv", {"pairs": {"a": 1.0}}, {"pairs": {"a": 1.0000000001, "b": 2}}, {}, "fail"),
    ("kv", {"pairs": {"a": 1.0}}, {"pairs": [{"key": "a", "value": 1.0}, {"key": "b", "value": 2}]},
     {"allow_extra": True}, "pass"),
    ("table", {"columns": [{"key": "a"}], "rows": [{"a": 1}, {"a": 2}]},
     {"columns": [{"key": "a"}], "rows": [{"a": 2}, {"a": 1.0000000001}]}, {}, "pass"),
    ("table", {"rows": [{"a": 1}, {"a": 2}]}, {"rows": [{"a": 2}, {"a": 1}]}, {"compare": "rows_ordered"}, "fail"),
    ("tree", {"root": {"name": "r", "children": [{"name": "a"}, {"name": "b"}]}},
     {"root": {"name": "r", "children": [{"name": "b"}, {"name": "a"}]}}, {}, "pass"),
    ("tree", {"root": {"name": "r", "children": [{"name": "a"}, {"name": "b"}]}},
     {"root": {"name": "r", "children": [{"name": "b"}, {"name": "a"}]}}, {"children_order": "ordered"}, "fail"),
    ("chart_line", {"x": [1, 2], "series": [{"name": "s", "y": [1, 2]}, {"name": "t", "y": [3, 4]}]},
     {"x": [1, 2], "series": [{"name": "t", "y": [3, 4]}, {"name": "s", "y": [1, 2.0000000001]}]}, {}, "pass"),
    ("chart_bar", {"x": ["a"], "series": [{"name": "s", "y": [1]}]},
     {"x": ["a"], "series": [{"name": "s", "y": [2]}]}, {}, "fail"),
    ("chart_pie", {"slices": [{"label": "a", "value": 1}, {"label": "b", "value": 2}]},
     {"slices": [{"label": "b", "value": 2}, {"label": "a", "value": 1}]}, {}, "pass"),
    ("chart_histogram", {"values": [3, 1, 2]}, {"values": [1, 2, 3], "bins": 4}, {}, "pass"),
    ("chart_boxplot", {"series": [{"name": "s", "median": 2, "values": [1]}]},
     {"series": [{"name": "s", "median": 2, "values": [9]}]}, {}, "pass"),
    ("chart_heatmap", {"z": [[1, 2]]}, {"z": [[1, 2.5]]}, {}, "fail"),
    ("chart_sankey", {"nodes": [{"id": "a"}, {"id": "b"}], "links": [{"source": "a", "target": "b", "value": 1}]},
     {"nodes": [{"id": "b"}, {"id": "a"}], "links": [{"source": "a", "target": "b", "value": 1}]}, {}, "pass"),
    ("map_points", {"points": [{"lat": 1.00001, "lng": 2}, {"lat": 3, "lng": 4}]},
     {"points": [{"lat": 3, "lng": 4}, {"lat": 1.00002, "lng": 2}]}, {}, "pass"),
    ("map_route", {"points": [{"lat": 1, "lng": 2}, {"lat": 3, "lng": 4}]},
     {"points": [{"lat": 3, "lng": 4}, {"lat": 1, "lng": 2}]}, {}, "fail"),
    ("log", {"lines": [{"level": "info", "message": "step 1", "t": 1}]},
     {"lines": [{"level": "info", "message": "step 1", "t": 99}]}, {}, "pass"),
    ("log", {"lines": [{"message": "re:step \\d+"}]}, {"lines": [{"message": "step 42"}]},
     {"allow_regex": True}, "pass"),
    ("progress", 0.5, 0.1, {}, "skip"),
    ("video", "a", "b", {}, "skip"),
    ("number", 1, 2, {"compare": "skip"}, "skip"),
])
def test_comparators(out_type, expected, actual, tol, status):
    verdict = comparators.compare(out_type, expected, actual, tol)
    assert verdict.status == status, verdict.message


def test_image_comparator_uses_ssim_then_falls_back_to_hashes():
    red = _png((200, 30, 30))
    almost = _png((200, 30, 30), dot=(201, 30, 30))
    blue = _png((30, 30, 200), dot=(0, 0, 0))
    assert comparators.compare("image", red, almost, {}).status == "pass"
    bad = comparators.compare("image", red, blue, {})
    assert bad.status == "fail" and "SSIM" in bad.message
    assert comparators.compare("image", red, almost, {"compare": "sha256"}).status == "fail"
    assert comparators.compare("image", "https://x/a.png", "https://x/a.png", {}).status == "pass"


def test_file_comparator_dispatches_on_mime():
    def data_url(text: str, mime: str) -> str:
        return f"data:{mime};base64," + base64.b64encode(text.encode()).decode()
    e = {"filename": "a.json", "mime": "application/json", "data": data_url('{"a": [1, 2]}', "application/json")}
    a = {"filename": "a.json", "mime": "application/json", "data": data_url('{"a":[1,2.0]}', "application/json")}
    assert comparators.compare("file", e, a, {}).status == "pass"
    e = {"filename": "t.csv", "data": data_url("x,y\n1,2\n3,4\n", "text/csv")}
    a = {"filename": "t.csv", "data": data_url("x,y\n3,4\n1,2.0\n", "text/csv")}
    assert comparators.compare("file", e, a, {}).status == "pass"
    a = {"filename": "t.csv", "data": data_url("x,y\n3,5\n1,2\n", "text/csv")}
    assert comparators.compare("file", e, a, {}).status == "fail"


def test_fixture_comparison_applies_options_and_names_keys():
    spec = _spec(outputs=[{"key": "result", "type": "number", "label": "R"},
                          {"key": "bar", "type": "progress", "label": "P"}])
    cfg = parse_tolerance({"options": {"on_extra_output_key": "fail"}})
    fx = Fixture("fixture_a.json", "a", {}, {"result": 2.0, "bar": 0.5})
    res = compare_outputs(spec, fx, {"result": 2.5, "bar": 0.1}, cfg)
    assert res.status == "fail" and "output 'result' (number)" in res.message
    res = compare_outputs(spec, fx, {"result": 2.0, "bar": 0.1, "junk": 1}, cfg)
    assert res.status == "fail" and "junk" in res.message
    only_skipped = Fixture("fixture_b.json", "b", {}, {"bar": 0.5})
    assert compare_outputs(spec, only_skipped, {"result": 1, "bar": 0.2}, parse_tolerance(None)).status == "skip"
    outcome = summarise([FixtureResult("f", "f", "skip", "")])
    assert outcome.status == "warn"


def test_overall_rule():
    assert overall_of(["pass", "skip"]) == "pass"
    assert overall_of(["pass", "warn", "skip"]) == "warn"
    assert overall_of(["warn", "fail"]) == "fail"
    cl = CheckList()
    cl.add("a", "skip", "")
    assert cl.overall == "pass" and json.dumps([c.to_dict() for c in cl.checks])


def test_file_sample_matches_accept():
    spec = _spec(inputs=[
        {"key": "csv", "type": "file", "label": "CSV", "accept": [".csv"]},
        {"key": "any", "type": "file", "label": "Any"},
        {"key": "img", "type": "file", "label": "Img", "accept": "image/*"},
    ])
    samples = sample_inputs(spec)
    mime, payload = samples["csv"].split(",", 1)
    assert mime == "data:text/csv;base64" and base64.b64decode(payload).startswith(b"name,value")
    assert samples["any"] == PNG_1X1_DATA_URL and samples["img"] == PNG_1X1_DATA_URL


def test_table_rows_suffice_when_the_spec_declares_columns():
    cols = [{"key": "a", "label": "A", "type": "number"}]
    with_cols = _spec(outputs=[{"key": "t", "type": "table", "label": "T", "columns": cols}])
    without = _spec(outputs=[{"key": "t", "type": "table", "label": "T"}])
    assert conformance.check_outputs(with_cols, {"t": {"rows": [{"a": 1}]}}).ok
    assert not conformance.check_outputs(without, {"t": {"rows": [{"a": 1}]}}).ok


def test_app_dependencies_are_provided_to_zero_setup_tools(tmp_path: Path):
    """A tool without a .venv may name the app's own packages (Qt, matplotlib); only others call
    for an environment."""
    from pixie_desktop.validation import deps

    provided = deps.app_provided()
    assert {"pyside6", "matplotlib", "pixie-desktop"} <= provided
    assert "pytest" not in provided  # test extras are not promised to tools
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "t"\ndependencies = '
                                             '["PySide6>=6.8", "matplotlib", "requests>=2"]\n')
    reqs = deps.read_pyproject(tmp_path).requirements
    assert [r.name for r in deps.needs_own_environment(reqs)] == ["requests"]
    assert deps.needs_own_environment(reqs[:2]) == []
