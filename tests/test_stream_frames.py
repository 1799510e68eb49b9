"""Stream frames (issue 12 item 2): a frame naming any declared output key is applied by that
output's type — `{"tool_calls": {"lines": [...]}}` appends to the `log` output `tool_calls` —
not only the fixed shorthands; and the outputs panel draws those events on the right card."""

from __future__ import annotations

import json
import threading
from types import SimpleNamespace

import pytest

from pixie_desktop.manifest.parse import parse_tool_json
from pixie_desktop.runtime.runner import RunEvent, _StreamRelay

SPEC = parse_tool_json(json.dumps({
    "id": "agent", "name": "Agent", "inputs": [],
    "outputs": [{"key": "answer", "type": "stream_text", "label": "Answer"},
                {"key": "events", "type": "log", "label": "Events"},
                {"key": "tool_calls", "type": "log", "label": "Tool calls"},
                {"key": "step", "type": "progress", "label": "Step"},
                {"key": "usage", "type": "kv", "label": "Usage"}]}))


def _no_stream(*_a, **_k):
    raise OSError("no stream in this test")


@pytest.fixture
def relay():
    """A relay whose connection fails at once: frames are fed to it by hand."""
    events: list[RunEvent] = []
    proc = SimpleNamespace(client=SimpleNamespace(stream=_no_stream))
    r = _StreamRelay(events.append, "run-1", SPEC, proc, SimpleNamespace(done=threading.Event()),
                     threading.Event())
    r.thread.join(timeout=5)
    r.events = events
    return r


def test_keyed_frame_appends_to_the_named_log_output(relay):
    relay._handle("message", json.dumps({"tool_calls": {"lines": [{"level": "info", "message": "search(q)"}]}}))
    relay._handle("message", json.dumps({"tool_calls": {"lines": ["fetch(url)"]}}))
    assert [ln["message"] for ln in relay.lines["tool_calls"]] == ["search(q)", "fetch(url)"]
    assert "events" not in relay.lines  # not the first log output
    logs = [e for e in relay.events if e.kind == "log"]
    assert [(e.key, e.message) for e in logs] == [("tool_calls", "search(q)"), ("tool_calls", "fetch(url)")]
    assert relay.merge_into({})["tool_calls"] == {"lines": relay.lines["tool_calls"]}


def test_keyed_frame_with_several_keys_applies_each_by_type(relay):
    done = relay._handle("message", json.dumps({
        "answer": "Hel", "usage": {"pairs": {"tokens": 12}}, "step": 0.5, "message": "halfway",
        "events": "started", "level": "warn"}))
    assert not done
    relay._handle("message", json.dumps({"answer": "lo", "done": True}))
    assert relay.text["answer"] == "Hello"
    assert relay.values["usage"] == {"pairs": {"tokens": 12}}
    assert relay.values["step"] == {"value": 0.5, "message": "halfway"}
    assert relay.lines["events"] == [{"level": "warn", "message": "started"}]
    kinds = {(e.kind, e.key) for e in relay.events}
    assert {("stream", "answer"), ("output", "usage"), ("progress", "step"), ("log", "events")} <= kinds
    assert relay._handle("message", json.dumps({"answer": "!", "done": True}))  # done ends the stream


def test_unknown_keys_and_shorthands_keep_working(relay):
    relay._handle("message", json.dumps({"not_declared": 1}))
    assert relay.values == {} and relay.lines == {}
    relay._handle("message", json.dumps({"log": "plain", "level": "error"}))  # shorthand: first log output
    assert relay.lines["events"] == [{"level": "error", "message": "plain"}]
    relay._handle("message", json.dumps({"output_key": "tool_calls", "value": {"lines": [{"msg": "m"}]}}))
    assert relay.lines["tool_calls"][-1]["message"] == "m"


def test_panel_draws_keyed_log_frames_on_their_card(qtbot, relay):
    from pixie_desktop.ui.outputs.panel import OutputPanel

    panel = OutputPanel(SPEC)
    qtbot.addWidget(panel)
    relay._handle("message", json.dumps({"tool_calls": {"lines": ["search(q)", "fetch(url)"]}}))
    for ev in relay.events:
        panel.apply_event(ev)
    calls, events = panel.renderers["tool_calls"], panel.renderers["events"]
    assert [ln["message"] for ln in calls.lines] == ["search(q)", "fetch(url)"]
    assert getattr(events, "lines", []) == []  # built lazily: untouched


def test_resent_whole_log_adds_only_new_lines_and_done_frame_with_chunk(relay):
    """A real agent resends every tool call so far on each frame, then a final frame with all
    lines, an empty chunk and done: each call must show once."""
    first = {"t": 1.5, "level": "tool", "message": '{"tool": "calculator"}'}
    second = {"t": 2.5, "level": "tool", "message": '{"result": 56}'}
    relay._handle("message", json.dumps({"chunk": "Let me compute. ", "done": False}))
    relay._handle("message", json.dumps({"tool_calls": {"lines": [first]}, "done": False}))
    relay._handle("message", json.dumps({"tool_calls": {"lines": [first, second]}, "done": False}))
    assert relay._handle("message", json.dumps({"tool_calls": {"lines": [first, second]}, "chunk": "56",
                                                "done": True}))
    assert [ln["message"] for ln in relay.lines["tool_calls"]] == [first["message"], second["message"]]
    assert [e.message for e in relay.events if e.kind == "log"] == [first["message"], second["message"]]
    assert relay.text["answer"] == "Let me compute. 56"
    # a frame that does not start with what was received is new lines, appended
    relay._handle("message", json.dumps({"tool_calls": {"lines": [{"level": "tool", "message": "other"}]}}))
    assert relay.lines["tool_calls"][-1]["message"] == "other" and len(relay.lines["tool_calls"]) == 3
