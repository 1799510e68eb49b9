"""Contract agreements (issue 12 item 4): `run` (CLI and GUI) and `validate` apply one rule for
required inputs; the CLI refuses numbers outside min/max/step by name instead of clamping; the
validator's comparators read every value shape the renderers draw."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import write_tool
from pixie_desktop.manifest.parse import parse_tool_json
from pixie_desktop.runtime.inputs import InputError, check_inputs, input_warnings
from pixie_desktop.validation.comparators import FAIL, PASS, compare
from pixie_desktop.validation.fixtures import run_fixtures


def spec_of(inputs, outputs=None):
    return parse_tool_json(json.dumps({
        "id": "t", "name": "T", "inputs": inputs,
        "outputs": outputs or [{"key": "out", "type": "text", "label": "Out"}]}))


NAME = {"key": "name", "type": "text", "label": "Name"}  # required by default (tool-contract §2)
COUNT = {"key": "count", "type": "number", "label": "Count", "min": 1, "max": 10, "step": 1, "default": 2,
         "required": False}


# --- one rule for required inputs ------------------------------------------------------------

def test_left_out_required_input_is_accepted_with_a_warning():
    spec = spec_of([NAME, COUNT])
    assert check_inputs(spec, {}) == {"count": 2}          # the tool decides what no name means
    warnings = input_warnings(spec, {})
    assert [k for k, _ in warnings] == ["name"] and "required" in warnings[0][1]
    assert input_warnings(spec, {"name": "Ada"}) == []


def test_required_input_given_empty_is_refused():
    spec = spec_of([NAME])
    with pytest.raises(InputError) as err:
        check_inputs(spec, {"name": ""})                    # what the form sends for a cleared field
    assert err.value.problems[0][0] == "name" and "required" in err.value.problems[0][1]


# --- min / max / step ------------------------------------------------------------------------

@pytest.mark.parametrize("value, words", [("0", "at least 1"), ("11", "at most 10"), ("2.5", "multiple of 1")])
def test_number_outside_min_max_step_is_refused_by_name(value, words):
    spec = spec_of([COUNT])
    with pytest.raises(InputError) as err:
        check_inputs(spec, {"count": value})
    key, msg = err.value.problems[0]
    assert key == "count" and "'Count'" in msg and words in msg


def test_in_range_values_and_off_step_defaults_pass():
    spec = spec_of([COUNT, {"key": "ratio", "type": "slider", "label": "Ratio", "min": 0, "max": 1,
                            "step": 0.1, "default": 0.25}])
    assert check_inputs(spec, {"count": "10", "ratio": "0.3"}) == {"count": 10, "ratio": 0.3}
    # a real tool's own default that is off its step is kept, never refused or rounded
    assert check_inputs(spec, {})["ratio"] == 0.25
    with pytest.raises(InputError) as err:
        check_inputs(spec, {"ratio": "0.25"})
    assert err.value.problems[0][0] == "ratio"


def test_range_slider_checks_both_ends():
    spec = spec_of([{"key": "span", "type": "slider", "label": "Span", "min": 0, "max": 100, "range": True}])
    assert check_inputs(spec, {"span": "[10, 20]"}) == {"span": [10.0, 20.0]}
    with pytest.raises(InputError, match="at most 100"):
        check_inputs(spec, {"span": [10, 200]})


MAIN = """from pixie_desktop import sdk
tool = sdk.Tool(__file__)

@tool.handler
def run(inputs, ctx):
    return {"out": "hello " + str(inputs.get("name", "nobody")) + " x" + str(inputs.get("count"))}

if __name__ == "__main__":
    tool.serve()
"""


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pixie_desktop", *args], capture_output=True, text=True,
                          timeout=90, env=dict(os.environ))


def test_cli_refuses_out_of_range_and_warns_on_left_out_required(tools_dir):
    write_tool(tools_dir, "greet", {"id": "greet", "name": "Greet", "inputs": [NAME, COUNT],
                                    "outputs": [{"key": "out", "type": "text", "label": "Out"}]}, MAIN)
    bad = cli("run", "greet", "-i", "name=Ada", "-i", "count=50")
    assert bad.returncode == 2 and "Check 'Count': must be at most 10 (got 50)" in bad.stderr
    ok = cli("run", "greet", "-i", "count=3", "--json")
    assert ok.returncode == 0, ok.stderr
    assert "warning: 'Name' (name) is required but was left out" in ok.stderr
    assert json.loads(ok.stdout)["outputs"]["out"] == "hello nobody x3"


# --- validate says the same ------------------------------------------------------------------

def _fixture(tool_dir, name, inputs, expected):
    ref = tool_dir / "reference"
    ref.mkdir(exist_ok=True)
    (ref / f"fixture_{name}.json").write_text(json.dumps({"name": name, "inputs": inputs,
                                                          "expected_outputs": expected}))


def test_fixtures_get_the_same_warnings_as_run(tmp_path):
    spec = spec_of([NAME, COUNT])
    _fixture(tmp_path, "omits", {"count": 3}, {"out": "hello nobody x3"})
    _fixture(tmp_path, "refused", {"name": "Ada", "count": 99}, {"out": "hello Ada x99"})
    _fixture(tmp_path, "clean", {"name": "Ada", "count": 3}, {"out": "hello Ada x3"})

    def post(_path, body, _timeout):
        i = body["inputs"]
        return 200, json.dumps({"out": f"hello {i.get('name', 'nobody')} x{i.get('count')}"}).encode()

    outcome = run_fixtures(spec, tmp_path, post)
    by = {r.name: r for r in outcome.results}
    assert by["clean"].status == PASS
    assert by["omits"].status == "warn" and "'Name' (name) is required but was left out" in by["omits"].message
    assert by["refused"].status == "warn" and "`pixie run` refuses" in by["refused"].message \
        and "at most 10" in by["refused"].message
    assert outcome.status == "warn"


# --- comparators read the renderers' shapes --------------------------------------------------

SAME_SHAPES = [
    ("kv", {"pairs": {"a": 1, "b": "x"}}, {"a": 1, "b": "x"}),
    ("kv", {"a": 1}, {"pairs": [{"key": "a", "value": 1}]}),
    ("kv", {"pairs": [{"label": "a", "value": 1}]}, {"pairs": [["a", 1]]}),
    ("table", [{"x": 1, "y": 2}], {"columns": [{"key": "x", "label": "X", "type": "number"},
                                               {"key": "y", "label": "Y", "type": "number"}],
                                   "rows": [[1, 2]]}),
    ("table", {"columns": ["x"], "rows": [[1], [2]]}, {"rows": [{"x": 2}, {"x": 1}]}),
    ("log", "one\ntwo", {"lines": [{"level": "info", "message": "one"}, {"level": "INFO", "msg": "two"}]}),
    ("log", ["a"], {"lines": [{"text": "a", "t": 1700000000}]}),
    ("timeline", [{"time": "2024-01-01", "label": "Start"}], {"events": [{"t": "2024-01-01", "title": "Start"}]}),
    ("gantt", {"tasks": [{"label": "Build", "start": "2024-01-01", "end": "2024-01-03"}]},
     [{"name": "Build", "start": "2024-01-01", "end": "2024-01-03"}]),
    ("chart_candlestick", {"points": [{"time": "d1", "open": 1, "high": 2, "low": 0, "close": 1.5}]},
     {"points": [{"t": "d1", "open": 1, "high": 2, "low": 0, "close": 1.5}]}),
]


@pytest.mark.parametrize("out_type, expected, actual", SAME_SHAPES)
def test_comparators_accept_every_renderer_shape(out_type, expected, actual):
    assert compare(out_type, expected, actual).status == PASS
    assert compare(out_type, actual, expected).status == PASS


DIFFERENT = [
    ("kv", {"a": 1}, {"pairs": {"a": 2}}),
    ("table", [{"x": 1}], {"columns": ["x"], "rows": [[3]]}),
    ("log", "one", {"lines": [{"level": "error", "message": "one"}]}),
    ("timeline", [{"time": "2024-01-01", "label": "Start"}], {"events": [{"t": "2024-01-02", "title": "Start"}]}),
    ("chart_candlestick", {"points": [{"time": "d1", "open": 1, "high": 2, "low": 0, "close": 1.5}]},
     {"points": [{"t": "d2", "open": 1, "high": 2, "low": 0, "close": 1.5}]}),
]


@pytest.mark.parametrize("out_type, expected, actual", DIFFERENT)
def test_comparators_still_see_differences_across_shapes(out_type, expected, actual):
    assert compare(out_type, expected, actual).status == FAIL
