"""Issue 11, lows on the rendering side: charts given values they cannot draw (1e308, ±∞, NaN,
ranges matplotlib cannot scale) show the error card — they used to draw a blank card, because
matplotlib fails only later, while painting — and NaN/Infinity values (which Python's JSON
parser accepts) are named plainly wherever a renderer shows a number."""

from __future__ import annotations

import pytest

from pixie_desktop.manifest.model import OutputSpec

EXTREME = {
    "chart_line": {"x": [1, 2, 3], "series": [{"name": "s", "y": [1e308, -1e308, 1e308]}]},
    "chart_area": {"x": [1, 2], "series": [{"name": "s", "y": [1e308, 1e308]}]},
    "chart_bar": {"x": ["a", "b"], "series": [{"name": "s", "y": [1e308, 1e308]}]},
    "chart_scatter": {"points": [{"x": 1e308, "y": -1e308}, {"x": 0, "y": 0}]},
    "chart_pie": {"slices": [{"label": "a", "value": 1e308}, {"label": "b", "value": 1e308}]},
    "chart_boxplot": {"series": [{"name": "s", "values": [1e308, -1e308, 1]}]},
    "chart_radar": {"axes": ["a", "b", "c"], "series": [{"name": "s", "values": [1e308, 1, 2]}]},
    "chart_treemap": {"nodes": [{"id": "a", "value": 1e308}, {"id": "b", "value": 1e308}]},
    "chart_histogram": {"values": [1e308, -1e308, 0]},
}


def _shown(qtbot, type_, value):
    from pixie_desktop.ui.outputs import create_renderer

    r = create_renderer(OutputSpec(key="c", type=type_, label="C"))
    qtbot.addWidget(r)
    r.resize(640, 420)
    r.show()
    r.set_value(value)
    r.grab()  # matplotlib draws while painting: that is where extreme values used to fail
    qtbot.wait(50)
    return r


@pytest.mark.parametrize("type_", sorted(EXTREME))
def test_chart_with_extreme_values_shows_the_error_card(qtbot, type_):
    r = _shown(qtbot, type_, EXTREME[type_])
    assert r.error and "extreme" in r.error or "wide" in (r.error or ""), r.error
    assert not r.fallback.isHidden() and r.body.isHidden()


@pytest.mark.parametrize("value", [
    {"x": [1, 2, 3], "series": [{"name": "s", "y": [None, None, None]}]},   # all gaps: nothing to draw
    {"x": [1, 2, 3], "series": [{"name": "s", "y": ["inf", 1, 2]}]},        # ∞ spelt as a string
    {"x": [1, 2], "series": [{"name": "s", "y": [float("nan"), float("inf")]}]},
    {"x": [1, 2], "series": [{"name": "s", "y": [10 ** 400, 1]}]},          # an int no float can hold
])
def test_line_chart_with_nothing_drawable_is_an_error_not_a_blank(qtbot, value):
    r = _shown(qtbot, "chart_line", value)
    assert r.error, value
    assert not r.fallback.isHidden()


def test_a_failure_while_painting_becomes_the_error_card(qtbot, monkeypatch):
    from matplotlib.figure import Figure

    r = _shown(qtbot, "chart_line", {"x": [1, 2], "series": [{"name": "s", "y": [1, 2]}]})
    assert r.error is None

    def boom(self, renderer):
        raise OverflowError("cannot scale this range")
    monkeypatch.setattr(Figure, "draw", boom)
    r.set_value({"x": [1, 2], "series": [{"name": "s", "y": [1, 3]}]})
    r.grab()
    qtbot.waitUntil(lambda: r.error is not None, timeout=5_000)
    assert "too extreme to draw" in r.error and "cannot scale" in r.error
    assert not r.fallback.isHidden()


def test_nan_and_infinity_are_named_plainly(qtbot):
    from pixie_desktop.ui.outputs import create_renderer
    from pixie_desktop.ui.outputs.table import format_cell

    assert [format_cell(v, t) for v, t in ((float("nan"), "text"), (float("inf"), "number"),
                                           (float("-inf"), "currency"))] == ["NaN", "∞", "−∞"]
    n = create_renderer(OutputSpec(key="n", type="number", label="N"))
    qtbot.addWidget(n)
    n.set_value(float("nan"))
    assert n.label.text() == "NaN" and n.error is None
    n.set_value(float("-inf"))
    assert n.label.text() == "−∞"
    p = create_renderer(OutputSpec(key="p", type="progress", label="P"))
    qtbot.addWidget(p)
    p.set_value(float("inf"))  # not silently "100%"
    assert p.error and "infinite" in p.error
