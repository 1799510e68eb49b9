"""tool.json parsing: both contract fixtures parse completely; every type is accepted; every
invalid case gives an error naming the file, the path and what was expected; fuzzed files never
make discovery raise."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import DATA
from pixie_desktop.manifest import INPUT_TYPES, OUTPUT_TYPES, SpecError, coherence_problems, parse_tool_dict, parse_tool_file
from pixie_desktop.catalog.discovery import Discovery
from pixie_desktop.manifest.model import INPUT_TYPE_FIELDS, OUTPUT_TYPE_FIELDS


def test_counts():
    assert len(INPUT_TYPES) == 28
    assert len(OUTPUT_TYPES) == 39
    assert set(INPUT_TYPE_FIELDS) == set(INPUT_TYPES)
    assert set(OUTPUT_TYPE_FIELDS) == set(OUTPUT_TYPES)


def test_all_inputs_fixture_parses_completely():
    spec = parse_tool_file(DATA / "all-inputs.tool.json")
    assert spec.id == "all-inputs-tool"
    assert [i.type for i in spec.inputs] == list(INPUT_TYPES)
    num = spec.input("t_number")
    assert (num.min, num.max, num.step, num.unit, num.default) == (0, 100, 1, "ms", 42)
    assert spec.input("t_select").options[1].label == "Bravo"
    assert spec.input("t_file").multiple is True and spec.input("t_file").required is False
    assert spec.input("t_table").columns[1].type == "number" and spec.input("t_table").min_rows == 1
    assert spec.input("t_tags").suggestions == ["alpha", "beta", "gamma"]
    assert spec.input("t_autocomplete").endpoint == "cities"
    assert spec.input("t_code").language == "python"
    assert spec.input("t_text").required is True  # required defaults to true
    assert spec.max_runtime_seconds == 10 and spec.max_memory_mb == 256
    assert coherence_problems(spec) == []


def test_all_outputs_fixture_parses_completely():
    spec = parse_tool_file(DATA / "all-outputs.tool.json")
    assert sorted(o.type for o in spec.outputs) == sorted(OUTPUT_TYPES)
    assert spec.output("o_number").format == "currency" and spec.output("o_number").precision == 2
    assert spec.output("o_boolean").true_label == "Yes"
    assert spec.output("o_table").downloadable is True
    assert spec.is_streaming  # progress / log / stream_text switch to SSE
    assert spec.raw["id"] == "all-outputs"


def base(**extra):
    d = {"id": "t", "name": "T", "inputs": [], "outputs": []}
    d.update(extra)
    return d


def err(data, file="tools/x/tool.json") -> SpecError:
    with pytest.raises(SpecError) as exc:
        parse_tool_dict(data, file)
    return exc.value


@pytest.mark.parametrize("itype", INPUT_TYPES)
def test_every_input_type_with_its_own_fields(itype):
    inp = {"key": "k", "type": itype, "label": "L"}
    samples = {
        "placeholder": "p", "max_length": 5, "monospace": True, "min": 0, "max": 10, "step": 0.5, "unit": "m",
        "range": True, "options": [{"value": 1, "label": "one"}], "searchable": True, "accept": [".csv"],
        "max_size_mb": 2, "multiple": True, "schema": {"type": "object"}, "language": "sql",
        "suggestions": ["a"], "endpoint": "e", "columns": [{"key": "a", "label": "A", "type": "text"}],
        "min_rows": 0, "max_rows": 3, "default_center": [51.5, -0.1], "default_zoom": 4,
    }
    for f in INPUT_TYPE_FIELDS[itype]:
        inp[f] = "2026-01-01" if (itype == "date" and f in ("min", "max")) else samples[f]
    spec = parse_tool_dict(base(inputs=[inp]))
    assert spec.inputs[0].type == itype


@pytest.mark.parametrize("otype", OUTPUT_TYPES)
def test_every_output_type_with_its_own_fields(otype):
    out = {"key": "k", "type": otype, "label": "L", "caption": "c", "unit": "u", "layout": "tab", "streaming": False}
    samples = {"format": "percent", "precision": 1, "true_label": "y", "false_label": "n",
               "columns": [{"key": "a", "label": "A", "type": "number"}], "downloadable": True,
               "x_label": "x", "y_label": "y", "log_x": False, "log_y": True, "default_center": [0, 0],
               "default_zoom": 3, "language": "python"}
    for f in OUTPUT_TYPE_FIELDS[otype]:
        out[f] = samples[f]
    spec = parse_tool_dict(base(outputs=[out]))
    assert spec.outputs[0].type == otype and spec.outputs[0].layout == "tab"


def test_unknown_top_level_key():
    e = err(base(colour="red"))
    assert e.file == "tools/x/tool.json"
    assert "colour: unknown key" in str(e) and "tools/x/tool.json" in str(e)


def test_unknown_input_type_names_path_and_choices():
    e = err(base(inputs=[{"key": "a", "type": "text", "label": "A"}, {"key": "b", "type": "txt", "label": "B"}]))
    assert e.first.path == "inputs[1].type"
    assert "expected one of: text, textarea" in e.first.message and '"txt"' in e.first.message


def test_type_specific_key_on_wrong_type():
    e = err(base(inputs=[{"key": "a", "type": "number", "label": "A", "placeholder": "x"}]))
    assert e.first.path == "inputs[0].placeholder"
    assert "only text, textarea take 'placeholder'" in e.first.message
    e = err(base(inputs=[{"key": "a", "type": "slider", "label": "A", "min": 0, "max": 1, "unit": "m"}]))
    assert e.first.path == "inputs[0].unit"


@pytest.mark.parametrize("inp,path,expect", [
    ({"key": "a", "type": "select", "label": "A"}, "inputs[0].options", "required"),
    ({"key": "a", "type": "slider", "label": "A", "min": 0}, "inputs[0].max", "required"),
    ({"key": "a", "type": "autocomplete", "label": "A"}, "inputs[0].endpoint", "required"),
    ({"key": "a", "type": "table", "label": "A"}, "inputs[0].columns", "required"),
    ({"key": "a", "type": "table", "label": "A", "columns": [{"key": "x", "label": "X"}]},
     "inputs[0].columns[0].type", "required"),
    ({"key": "a", "type": "select", "label": "A", "options": ["x"]}, "inputs[0].options[0]", "expected an object"),
    ({"key": "a", "type": "select", "label": "A", "options": [{"value": "x", "text": "X"}]},
     "inputs[0].options[0].text", "unknown key"),
    ({"key": "a", "type": "text", "label": "A", "required": "yes"}, "inputs[0].required", "expected true or false"),
    ({"key": "a", "type": "text", "label": "A", "max_length": 2.5}, "inputs[0].max_length", "expected an integer"),
    ({"key": "a", "type": "text"}, "inputs[0].label", "required"),
    ({"type": "text", "label": "A"}, "inputs[0].key", "required"),
    ({"key": "a", "type": "text", "label": "A", "show_if": {"key": "b", "value": 1}}, "inputs[0].show_if.value",
     "unknown key"),
    ({"key": "a", "type": "map_point", "label": "A", "default_center": [1]}, "inputs[0].default_center",
     "expected [lat, lng]"),
    ("nope", "inputs[0]", "expected an input object"),
])
def test_invalid_inputs(inp, path, expect):
    e = err(base(inputs=[inp]))
    assert any(p.path == path and expect in p.message for p in e.problems), e.problems


@pytest.mark.parametrize("out,path,expect", [
    ({"key": "o", "type": "number", "label": "O", "format": "money"}, "outputs[0].format", "one of 'currency'"),
    ({"key": "o", "type": "text", "label": "O", "format": "decimal"}, "outputs[0].format", "unknown key"),
    ({"key": "o", "type": "chart_pie", "label": "O", "x_label": "x"}, "outputs[0].x_label", "only chart_line, chart_area"),
    ({"key": "o", "type": "text", "label": "O", "layout": "grid"}, "outputs[0].layout", "one of 'panel'"),
    ({"key": "o", "type": "blob", "label": "O"}, "outputs[0].type", "expected one of: text"),
])
def test_invalid_outputs(out, path, expect):
    e = err(base(outputs=[out]))
    assert any(p.path == path and expect in p.message for p in e.problems), e.problems


def test_top_level_problems():
    e = err({"name": "x", "inputs": [], "outputs": []})
    assert e.first.path == "id" and "required" in e.first.message
    e = err(base(layout="wizard"))
    assert e.first.path == "layout"
    e = err(base(secrets=[{"key": "K", "label": "Key"}]))
    assert e.first.path == "secrets[0].label" and "description" in e.first.message
    e = err(base(inputs={"a": 1}))
    assert e.first.path == "inputs" and "list" in e.first.message
    e = err(base(max_runtime_seconds=0))
    assert e.first.path == "max_runtime_seconds"
    e = err([1, 2])
    assert "top level must be an object" in str(e)


def test_collects_all_problems():
    e = err(base(foo=1, inputs=[{"key": "a", "type": "nope", "label": "A"}], outputs=[{"type": "text"}]))
    paths = {p.path for p in e.problems}
    assert {"foo", "inputs[0].type", "outputs[0].key", "outputs[0].label"} <= paths


def test_json_syntax_error_names_line(tmp_path: Path):
    f = tmp_path / "tool.json"
    f.write_text('{\n  "id": "x",\n  "name": \n}')
    with pytest.raises(SpecError) as exc:
        parse_tool_file(f)
    assert str(f) in str(exc.value) and "line 4" in str(exc.value)


def test_secrets_and_defaults():
    spec = parse_tool_dict(base(secrets=[{"key": "API_KEY", "description": "d", "required": True}]))
    assert spec.secrets[0].required and spec.layout == "form" and spec.concurrent is True
    assert spec.max_runtime_seconds == 60 and spec.retain_runs == 100 and spec.entrypoint == "main.py"


def test_coherence():
    spec = parse_tool_dict(base(
        inputs=[{"key": "a", "type": "text", "label": "A"}, {"key": "a", "type": "text", "label": "A2",
                                                             "show_if": {"key": "zz", "equals": 1}}],
        outputs=[{"key": "o", "type": "text", "label": "O"}, {"key": "o", "type": "text", "label": "O"}]))
    probs = coherence_problems(spec)
    assert any("duplicate input key 'a'" in p for p in probs)
    assert any("duplicate output key 'o'" in p for p in probs)
    assert any("show_if.key: 'zz'" in p for p in probs)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20)


def _mutations():
    good = json.loads((DATA / "all-inputs.tool.json").read_text())
    keys = list(good)
    return st.builds(lambda k, v: {**good, k: v}, st.sampled_from(keys + ["extra"]), json_values)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=st.one_of(json_values, _mutations()), raw=st.binary(max_size=64), use_raw=st.booleans())
def test_fuzzed_tool_json_never_breaks_discovery(tmp_path_factory, doc, raw, use_raw):
    tools = tmp_path_factory.mktemp("fuzz")
    d = tools / "fz"
    d.mkdir()
    if use_raw:
        (d / "tool.json").write_bytes(raw)
    else:
        (d / "tool.json").write_text(json.dumps(doc, allow_nan=True))
    found = Discovery(tools).scan()
    assert len(found) == 1
    t = found[0]
    assert t.ok or (t.error and str(d / "tool.json") in t.error)
