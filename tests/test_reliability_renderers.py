"""Every output renderer, headless, against fuzzed /run values: showing outputs never raises,
a value of the wrong shape gets the readable fallback card (never a blank card or a crash), and
a renderer bug never surfaces as a raw Python exception message."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

DATA = Path(__file__).resolve().parent / "data"
RAW_EXC = re.compile(r"^[A-Z][A-Za-z]*(Error|Exception|Warning): ")

scalar = st.one_of(st.none(), st.booleans(), st.integers(-10**15, 10**15), st.floats(), st.text(max_size=20),
                   st.sampled_from(["data:image/png;base64,iVBORw0KGgo=", "data:,x", "file:///nope.png",
                                    "http://127.0.0.1:9/x.png", "", "NaN", "-1e309"]))
value = st.recursive(scalar, lambda inner: st.one_of(
    st.lists(inner, max_size=5),
    st.dictionaries(st.sampled_from(["value", "x", "y", "series", "rows", "columns", "points", "lat", "lng",
                                     "nodes", "links", "edges", "z", "slices", "label", "name", "values",
                                     "lines", "pairs", "before", "after", "root", "children", "events",
                                     "tasks", "images", "url", "data", "filename", "mime", "geojson",
                                     "polygons", "coords", "axes", "t", "open", "high", "low", "close",
                                     "source", "target", "id", "parent", "text", "level", "message"]),
                    inner, max_size=5)), max_leaves=25)


@pytest.fixture(scope="module")
def spec():
    from pixie_desktop.manifest.parse import parse_tool_file

    return parse_tool_file(DATA / "all-outputs.tool.json")


@pytest.fixture
def panel(qtbot, spec):
    from pixie_desktop.ui.outputs.panel import OutputPanel

    p = OutputPanel(spec)
    qtbot.addWidget(p)
    p.resize(900, 700)
    return p


def _no_raw_exceptions(panel) -> list[str]:
    return [f"{k} ({r.spec.type}): {r.error}" for k, r in panel.renderers.items()
            if r.error and RAW_EXC.match(r.error)]


def test_every_renderer_survives_fuzzed_values(panel, spec):
    keys = [o.key for o in spec.outputs]

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(body=st.one_of(st.dictionaries(st.sampled_from(keys), value, max_size=len(keys)),
                          st.fixed_dictionaries({k: value for k in keys}), value))
    def check(body):
        panel.show_outputs(body)
        assert _no_raw_exceptions(panel) == []
        for r in panel.renderers.values():
            r.copy_text()

    check()


def test_every_renderer_survives_fuzzed_stream_events(panel, spec):
    from pixie_desktop.runtime.runner import RunEvent

    keys = [o.key for o in spec.outputs] + [None, "nope"]

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(events=st.lists(st.builds(RunEvent, run_id=st.just("r"),
                                     kind=st.sampled_from(["stream", "output", "log", "progress", "status", "?"]),
                                     key=st.sampled_from(keys), value=value,
                                     fraction=st.one_of(st.none(), st.floats()),
                                     message=st.one_of(st.none(), st.text(max_size=10))), max_size=12))
    def check(events):
        panel.begin_run()
        for ev in events:
            panel.apply_event(ev)
        assert _no_raw_exceptions(panel) == []

    check()


def test_wrong_shape_shows_the_fallback_card(panel, spec):
    """A run can be `ok` with outputs of the wrong shape (the validator flags it); the card must
    say so readably rather than draw nothing."""
    by_type = {o.type: o.key for o in spec.outputs}
    wrong = {by_type["table"]: "not a table", by_type["chart_line"]: {"x": "abc"},
             by_type["kv"]: 42, by_type["map_points"]: {"points": "nowhere"}}
    panel.show_outputs(wrong)
    for key in wrong:
        r = panel.renderer(key)
        assert r.error, f"{key} accepted {wrong[key]!r}"
        assert not RAW_EXC.match(r.error)
