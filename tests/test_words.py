"""Words a user understands (issue 13, item 5): a tool's HTTP answers are translated with their
detail kept, and input problems name the field by its label."""

from __future__ import annotations

import pytest

from pixie_desktop.runtime.client import describe_status
from pixie_desktop.runtime.inputs import InputError, check_inputs, field_message


@pytest.mark.parametrize("status, start", [
    (422, "tool 'calc' rejected the input: b must not be zero"),
    (400, "tool 'calc' rejected the input: b must not be zero"),
    (413, "tool 'calc' rejected the input as too large: b must not be zero"),
    (500, "tool 'calc' failed: b must not be zero"),
    (503, "tool 'calc' is not available right now: b must not be zero"),
    (404, "tool 'calc' does not serve the run endpoint the app called (wrong endpoint or method)"),
    (405, "tool 'calc' does not serve the run endpoint the app called (wrong endpoint or method)"),
])
def test_http_status_is_translated_and_keeps_the_detail(status, start):
    text = describe_status(status, "b must not be zero", "calc")
    assert text.startswith(start)
    assert "b must not be zero" in text and text.endswith(f"(HTTP {status})")


def test_http_status_without_detail_or_tool():
    assert describe_status(500, "") == "the tool failed (HTTP 500)"


def test_field_message_names_the_field():
    assert field_message("CSV file", "This field is required.") == "Check 'CSV file': this field is required"
    assert field_message("Count", "'Count' must be a number") == "Check 'Count': must be a number"
    assert field_message("Count", "Check 'Count': must be a number") == "Check 'Count': must be a number"
    assert field_message("", "inputs must be an object") == "inputs must be an object"


def test_runtime_input_errors_name_the_field_by_label():
    from pixie_desktop.manifest.parse import parse_tool_dict

    spec = parse_tool_dict({"id": "t", "name": "T", "version": "1.0.0", "description": "d",
                            "inputs": [{"key": "csv", "label": "CSV file", "type": "text", "required": True},
                                       {"key": "n", "label": "Count", "type": "number", "min": 1}],
                            "outputs": [{"key": "o", "label": "O", "type": "text"}]})
    with pytest.raises(InputError) as err:
        check_inputs(spec, {"csv": "", "n": 0})
    messages = dict(err.value.problems)
    assert messages["csv"] == "Check 'CSV file': this field is required"
    assert messages["n"].startswith("Check 'Count': must be at least 1")
