"""Output renderers and OutputPanel: every type in all-outputs.tool.json renders a good sample,
a malformed value (fallback card) and None without raising; formatting rules; streaming events;
layout grouping; the error box; hypothesis-fuzzed values never raise."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from pixie_desktop.manifest.model import OUTPUT_TYPES, OutputSpec
from pixie_desktop.manifest.parse import parse_tool_dict, parse_tool_file
from pixie_desktop.ui.outputs import OUTPUT_RENDERERS, create_renderer
from pixie_desktop.ui.outputs.panel import EMPTY_TEXT, OutputPanel, group_outputs
from pixie_desktop.ui.outputs.textual import format_number

DATA = Path(__file__).parent / "data"
sys.path.insert(0, str(DATA))
from sample_outputs import MALFORMED, SAMPLES, sample_outputs  # noqa: E402


@pytest.fixture(scope="module")
def spec():
    return parse_tool_file(DATA / "all-outputs.tool.json")


def test_every_type_has_a_renderer_and_a_sample():
    from pixie_desktop.ui.outputs import _load_all

    _load_all()
    assert set(OUTPUT_TYPES) <= set(OUTPUT_RENDERERS)
    assert set(OUTPUT_TYPES) <= set(SAMPLES)


def test_panel_renders_all_samples_fast(qtbot, spec):
    panel = OutputPanel(spec)
    qtbot.addWidget(panel)
    panel.resize(1000, 800)
    panel.show()
    assert panel.empty.isVisible() and panel.empty.text() == EMPTY_TEXT
    t0 = time.perf_counter()
    panel.show_outputs(sample_outputs(spec))
    qtbot.wait(10)
    elapsed = time.perf_counter() - t0
    bad = {k: r.error for k, r in panel.renderers.items() if r.error}
    assert not bad
    assert not panel.empty.isVisible()
    assert elapsed < 6.0  # budget is 3 s on a quiet machine; shared CI cores get slack
    panel.clear()
    assert panel.empty.isVisible()


def test_malformed_and_none_show_fallback(qtbot, spec):
    for o in spec.outputs:
        r = create_renderer(o)
        qtbot.addWidget(r)
        r.set_value(MALFORMED[o.type])
        assert r.error, o.type
        assert not r.fallback.isHidden() and r.body.isHidden()
        assert r.fallback.title.text().startswith("Can't draw")
        r.set_value(None)
        assert r.error is None and not r.empty.isHidden()
        r.set_value(SAMPLES[o.type])
        assert r.error is None, (o.type, r.error)


def test_fallback_names_expected_shape(qtbot):
    r = create_renderer(OutputSpec(key="c", type="chart_line", label="C"))
    qtbot.addWidget(r)
    r.set_value([1, 2])
    assert r.error == "expected {series}, got a list"
    assert "[\n  1,\n  2\n]" in r.fallback.raw.toPlainText()


@pytest.mark.parametrize("fmt,precision,value,text", [
    ("currency", 2, 1234.5, "£1,234.50"),
    ("currency", None, -3, "-£3.00"),
    ("percent", None, 0.05, "5.0%"),
    ("percent", 0, 0.256, "26%"),
    ("scientific", None, 12345, "1.234E4"),
    ("decimal", None, 1234567.125, "1,234,567.125"),
    ("decimal", 1, 2.25, "2.2"),
])
def test_number_formats(fmt, precision, value, text):
    assert format_number(value, fmt, precision) == text


def test_number_and_boolean_use_spec(qtbot):
    n = create_renderer(OutputSpec(key="n", type="number", label="N", format="percent", precision=1))
    b = create_renderer(OutputSpec(key="b", type="boolean", label="B", true_label="Open", false_label="Shut"))
    for w in (n, b):
        qtbot.addWidget(w)
    n.set_value({"value": 0.123})
    assert n.label.text() == "12.3%"
    b.set_value("yes")
    assert "Open" in b.label.text()
    b.set_value(0)
    assert "Shut" in b.label.text()


def test_progress_indeterminate_and_percent(qtbot):
    r = create_renderer(OutputSpec(key="p", type="progress", label="P"))
    qtbot.addWidget(r)
    r.set_value({"value": None, "label": "warming up"})
    assert r.bar.maximum() == 0
    r.set_value(45)  # >1 is already a percentage
    assert r.bar.value() == 450 and r.label.text().startswith("45%")


def test_table_sorts_filters_and_exports(qtbot):
    spec = parse_tool_dict({"id": "t", "name": "T", "inputs": [], "outputs": [
        {"key": "t", "type": "table", "label": "T", "downloadable": True,
         "columns": [{"key": "n", "label": "Name", "type": "text"}, {"key": "v", "label": "Value", "type": "currency"}]}]})
    r = create_renderer(spec.outputs[0])
    qtbot.addWidget(r)
    rows = [{"n": f"row{i}", "v": (i * 7) % 25} for i in range(25)]
    r.set_value({"columns": [], "rows": rows})
    assert r.model.rowCount() == 25 and not r.export_btn.isHidden() and not r.filter.isHidden()
    assert r.model.data(r.model.index(1, 1)) == "£7.00"
    r.view.sortByColumn(1, r.view.horizontalHeader().sortIndicatorOrder().AscendingOrder)
    assert r.model.index(0, 1).data() == "£0.00"
    r.filter.setText("row1")
    assert r.model.rowCount() == 11  # row1, row10..row19
    assert r.csv_text().splitlines()[0] == "Name,Value"


def test_kv_list_forms_and_tree_and_log(qtbot):
    kv = create_renderer(OutputSpec(key="k", type="kv", label="K"))
    qtbot.addWidget(kv)
    kv.set_value({"pairs": [{"key": "a", "value": 1}, ["b", 2]]})
    assert kv.error is None and "a\t1" in kv.copy_text()
    kv.set_value({"rows": 12, "columns": 3})  # a plain object: its own keys are the pairs
    assert kv.error is None and "rows\t12" in kv.copy_text() and "columns\t3" in kv.copy_text()
    log = create_renderer(OutputSpec(key="l", type="log", label="L"))
    qtbot.addWidget(log)
    log.append_stream({"level": "error", "message": "boom"})
    log.append_stream("plain line")
    assert [ln["level"] for ln in log.lines] == ["error", "info"]
    log.filter.setCurrentIndex(2)
    assert "boom" in log.view.toPlainText() and "plain line" not in log.view.toPlainText()


@dataclass
class Ev:
    run_id: str
    kind: str
    key: str | None = None
    value: Any = None
    fraction: float | None = None
    message: str | None = None


def test_panel_applies_run_events(qtbot, spec):
    panel = OutputPanel(spec)
    qtbot.addWidget(panel)
    panel.begin_run()
    panel.apply_event(Ev("r", "stream", "o_stream", "Hel"))
    panel.apply_event(Ev("r", "stream", "o_stream", "lo"))
    panel.apply_event(Ev("r", "progress", None, None, 0.5, "half"))
    panel.apply_event(Ev("r", "log", None, None, None, "a log line"))
    panel.apply_event(Ev("r", "output", "o_text", "final"))
    panel.apply_event(Ev("r", "output", "nope", "ignored"))
    panel.apply_event(object())  # malformed events are ignored
    panel.flush()  # live events are drawn in coalesced bursts
    assert panel.renderer("o_stream").view.toPlainText() == "Hello"
    assert panel.renderer("o_progress").bar.value() == 500
    assert panel.renderer("o_log").lines[-1]["message"] == "a log line"
    assert panel.renderer("o_text").label.text() == "final"
    panel.show_error("Traceback: secret=****")
    assert not panel.error_box.isHidden() and "****" in panel.error_text.toPlainText()


def test_chart_stream_deltas_extend(qtbot):
    r = create_renderer(OutputSpec(key="c", type="chart_line", label="C"))
    qtbot.addWidget(r)
    r.append_stream({"x": [1, 2], "series": [{"name": "s", "y": [1, 2]}]})
    r.append_stream({"x": [3], "series": [{"name": "s", "y": [5]}]})
    assert r.current == {"x": [1, 2, 3], "series": [{"name": "s", "y": [1, 2, 5]}]}


def test_layout_grouping(qtbot):
    spec = parse_tool_dict({"id": "t", "name": "T", "inputs": [], "outputs": [
        {"key": "a", "type": "text", "label": "A", "layout": "tab"},
        {"key": "b", "type": "text", "label": "B", "layout": "tab"},
        {"key": "c", "type": "number", "label": "C", "layout": "inline"},
        {"key": "d", "type": "number", "label": "D", "layout": "inline"},
        {"key": "e", "type": "text", "label": "E", "layout": "tab"},
        {"key": "f", "type": "text", "label": "F"}]})
    groups = [(lay, [o.key for o in items]) for lay, items in group_outputs(spec.outputs)]
    assert groups == [("tab", ["a", "b"]), ("inline", ["c", "d"]), ("panel", ["e"]), ("panel", ["f"])]
    panel = OutputPanel(spec)
    qtbot.addWidget(panel)
    panel.show_outputs({"a": "x", "b": "y", "c": 1, "d": 2, "e": "z", "f": "w"})
    assert all(r.error is None for r in panel.renderers.values())


def test_unknown_type_and_non_dict_response(qtbot, spec):
    r = create_renderer(OutputSpec(key="u", type="hologram", label="U"))
    qtbot.addWidget(r)
    r.set_value({"a": 1})
    assert r.error is None
    panel = OutputPanel(spec)
    qtbot.addWidget(panel)
    panel.show_outputs(["not", "a", "dict"])  # type: ignore[arg-type]
    assert any(x.error for x in panel.renderers.values())


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(
        st.sampled_from(["x", "y", "series", "points", "rows", "columns", "pairs", "lines", "root", "events", "tasks",
                         "slices", "values", "z", "axes", "nodes", "links", "edges", "images", "before", "after",
                         "geojson", "polygons", "lat", "lng", "name", "value", "data", "url", "filename", "text",
                         "children", "label", "t", "start", "end", "open", "high", "low", "close", "coords"]),
        children, max_size=6),
    max_leaves=25)


@pytest.fixture(scope="module")
def all_renderers(spec, qapp):
    from PySide6.QtWidgets import QApplication

    assert QApplication.instance() is not None
    return [create_renderer(o) for o in spec.outputs]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=json_values)
def test_fuzzed_values_never_raise(qtbot, all_renderers, value):
    for r in all_renderers:
        r.set_value(value)
        r.append_stream(value)


def test_current_theme_is_the_applied_one_not_the_systems(qapp):
    """A user who forces dark on a light system gets dark colours from `theme.current()` in
    dialogs and cards, not the system's scheme."""
    from pixie_desktop.ui import theme

    system_dark = theme.system_is_dark()
    theme.apply_theme(qapp, not system_dark)
    try:
        assert theme.current().dark is (not system_dark)
    finally:
        theme.apply_theme(qapp, system_dark)
    assert theme.current().dark is system_dark


def test_table_card_sizes_to_its_rows(qtbot):
    """A short table shows every row with no inner scroll box, even when it is wide enough to
    need a horizontal scroll bar; a long one scrolls inside a card of twelve rows."""
    from PySide6.QtCore import Qt

    cols = [{"key": f"c{i}", "label": f"A fairly long column title {i}", "type": "text"} for i in range(9)]
    r = create_renderer(OutputSpec(key="t", type="table", label="T", columns=[]))
    qtbot.addWidget(r)
    r.resize(420, 600)
    r.show()
    r.set_value({"columns": cols, "rows": [{c["key"]: f"value {i}-{c['key']}" for c in cols} for i in range(5)]})
    qtbot.waitUntil(lambda: r.view.horizontalScrollBar().maximum() > 0)
    qtbot.wait(20)
    assert r.view.verticalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff
    assert r.view.viewport().height() >= 5 * 26  # every row in full view, above the horizontal bar
    r.set_value({"columns": cols, "rows": [{"c0": str(i)} for i in range(40)]})
    assert r.view.verticalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAsNeeded
    assert r.view.height() < 14 * 26 + 80  # a card of about twelve rows, the rest scrolls
