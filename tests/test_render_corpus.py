"""Acceptance corpus (issue 12): every value shape real tools send (tests/data/corpus.py) renders
offscreen, and what was drawn is inspected — matplotlib artists for charts (lines not bars on a
date axis, axis titles, tick labels, colours, highlighted edges on top), the overlay data and
hover texts for maps, and the widget content for tables, logs, booleans. Also the small value
fixes: off-step slider defaults, local log times, plain boolean Copy, per-column decimals."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import pytest
from matplotlib.colors import to_hex
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from pixie_desktop.manifest.model import OutputSpec
from pixie_desktop.ui.outputs import create_renderer

sys.path.insert(0, str(Path(__file__).parent / "data"))
from corpus import CASES  # noqa: E402

BY_NAME = {c.name: c for c in CASES}


def render(qtbot, name: str, **spec_extra):
    case = BY_NAME[name]
    spec = OutputSpec(key=case.name, type=case.type, label=case.name, **{**case.spec, **spec_extra})
    card = create_renderer(spec)
    qtbot.addWidget(card)
    card.resize(720, 400)
    card.set_value(case.value)
    assert card.error is None, f"{name}: {card.error}"
    if hasattr(card, "canvas"):
        card.canvas.draw()  # lay the figure out now so tick labels exist
    return card


def main_axes(card):
    return card.figure.axes[0]


def tick_texts(ax, axis: str = "x") -> list[str]:
    labels = ax.get_xticklabels() if axis == "x" else ax.get_yticklabels()
    return [t.get_text() for t in labels if t.get_text()]


def is_date_axis(ax) -> bool:
    import matplotlib.dates as mdates

    return isinstance(ax.xaxis.get_major_locator(), mdates.AutoDateLocator)


def bars(ax) -> list[Rectangle]:
    return [p for p in ax.patches if isinstance(p, Rectangle)]


@pytest.mark.parametrize("name", [c.name for c in CASES])
def test_every_corpus_value_renders(qtbot, name):
    card = render(qtbot, name)
    assert not card.fallback.isVisibleTo(card)


# --- line / area / scatter / bar ---------------------------------------------------------------

def test_iso_dates_draw_lines_on_a_time_axis_with_value_titles(qtbot):
    ax = main_axes(render(qtbot, "line_daily_dates"))
    assert is_date_axis(ax)
    assert not bars(ax)
    assert len([ln for ln in ax.lines if isinstance(ln, Line2D)]) == 3
    assert ax.get_xlabel() == "day"
    assert ax.get_ylabel() == "°C"  # the value wins over the spec's "ignored: the value wins"
    texts = tick_texts(ax)
    assert texts and "Mar" in texts[0]


def test_many_dates_get_few_readable_ticks(qtbot):
    ax = main_axes(render(qtbot, "line_many_dates"))
    assert is_date_axis(ax) and not bars(ax)
    texts = tick_texts(ax)
    assert 3 <= len(texts) <= 10
    assert not any(len(t) > 10 for t in texts)  # concise labels, not full ISO stamps
    assert ax.get_ylabel() == "Equity (£)"


def test_series_dash_colour_and_gaps(qtbot):
    ax = main_axes(render(qtbot, "line_dates_with_gaps"))
    by_label = {ln.get_label(): ln for ln in ax.lines}
    assert by_label["Forecast"].get_linestyle() == "--"
    assert by_label["Lower"].get_linestyle() == ":"
    assert to_hex(by_label["Upper"].get_color()) == "#999999"
    assert by_label["History"].get_linestyle() == "-"


def test_datetimes_colour_marker_titles_and_unit(qtbot):
    ax = main_axes(render(qtbot, "line_datetimes"))
    (line,) = ax.lines
    assert to_hex(line.get_color()) == "#e4572e"
    assert line.get_marker() == "s"
    assert ax.get_xlabel() == "Time (UTC)"
    assert ax.get_ylabel() == "Load (MW)"
    assert is_date_axis(ax)


def test_times_of_day_show_clock_labels_without_a_placeholder_date(qtbot):
    ax = main_axes(render(qtbot, "line_times"))
    assert is_date_axis(ax)
    texts = tick_texts(ax)
    assert texts and all(len(t) == 5 and t[2] == ":" for t in texts)
    assert ax.xaxis.get_offset_text().get_text() == ""


def test_markers_mode_series_is_points_only_on_a_time_axis(qtbot):
    ax = main_axes(render(qtbot, "line_markers_mode"))
    assert is_date_axis(ax)
    by_label = {ln.get_label(): ln for ln in ax.lines}
    assert by_label["anomaly"].get_linestyle() == "None" and by_label["anomaly"].get_marker() == "o"
    assert by_label["value"].get_linestyle() == "-"


def test_streamed_epoch_points_extend_the_chart_and_keep_its_titles(qtbot):
    card = render(qtbot, "line_empty_before_stream")
    for epoch, loss, val in ((1, 0.9, 1.0), (2, 0.6, 0.8), (3, 0.4, 0.7)):
        card.append_stream({"x": epoch, "y": loss, "val_y": val})
    assert card.error is None
    card.canvas.draw()
    ax = main_axes(card)
    by_label = {ln.get_label(): ln for ln in ax.lines}
    assert list(by_label["loss"].get_ydata()) == [0.9, 0.6, 0.4]
    assert list(by_label["val loss"].get_ydata()) == [1.0, 0.8, 0.7]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("Epoch", "Cross-entropy")


def test_many_series_keep_their_legend_beside_the_plot(qtbot):
    card = render(qtbot, "line_many_series")
    ax = main_axes(card)
    assert len(ax.lines) == 13
    renderer = card.figure.canvas.get_renderer()
    legend_box = ax.get_legend().get_window_extent(renderer)
    assert legend_box.x0 >= ax.get_window_extent(renderer).x1  # not drawn over the lines


def test_thousands_of_scatter_points_are_small_dots(qtbot):
    ax = main_axes(render(qtbot, "scatter_phase_portrait"))
    assert len(ax.collections[0].get_offsets()) == 4000
    assert max(ax.collections[0].get_sizes()) <= 6.0
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("x", "z")


def test_numeric_x_keeps_value_axis_titles(qtbot):
    ax = main_axes(render(qtbot, "line_numeric_titles"))
    assert not is_date_axis(ax)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("Spot (£)", "Price (£)")


def test_category_strings_on_a_line_chart_are_an_ordered_line(qtbot):
    ax = main_axes(render(qtbot, "line_categories"))
    assert not bars(ax)
    (line,) = ax.lines
    assert list(line.get_xdata()) == [0, 1, 2, 3, 4]
    assert tick_texts(ax) == ["epoch-a", "epoch-b", "epoch-c", "epoch-d", "epoch-e"]


def test_area_over_dates_is_stacked_on_a_time_axis(qtbot):
    ax = main_axes(render(qtbot, "area_dates"))
    assert is_date_axis(ax)
    assert len(ax.collections) == 2 and not bars(ax)
    assert ax.get_ylabel() == "messages"


def test_only_chart_bar_draws_bars_with_series_colours(qtbot):
    ax = main_axes(render(qtbot, "bar_categories"))
    rects = bars(ax)
    assert len(rects) == 6
    assert to_hex(rects[-1].get_facecolor()) == "#2a9d8f"
    assert tick_texts(ax) == ["alpha", "beta", "gamma"]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("group", "count")
    ax = main_axes(render(qtbot, "bar_dates"))
    assert len(bars(ax)) == 7 and tick_texts(ax)[0] == "2026-03-01"


def test_scatter_labels_colours_and_date_axis(qtbot):
    ax = main_axes(render(qtbot, "scatter_points"))
    notes = [t.get_text() for t in ax.texts]
    assert {"A", "B", "C"} <= set(notes)
    colours = {to_hex(c) for c in ax.collections[0].get_facecolors()}
    assert "#d62828" in colours
    assert {to_hex(c) for c in ax.collections[1].get_facecolors()} == {"#264653"}
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("Volatility", "Return")
    assert is_date_axis(main_axes(render(qtbot, "scatter_dates")))


# --- other charts ---------------------------------------------------------------------------

def test_histogram_axis_titles_from_the_value(qtbot):
    ax = main_axes(render(qtbot, "histogram_titles"))
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("density", "cell count")


def test_heatmap_reads_x_y_axis_values_titles_and_colour_bar_label(qtbot):
    card = render(qtbot, "heatmap_xy")
    ax, bar = card.figure.axes[0], card.figure.axes[1]
    texts = tick_texts(ax)
    assert texts[0] == "60" and 3 <= len(texts) <= 10  # from `x`, thinned
    assert tick_texts(ax, "y")[0] == "7"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("Strike (£)", "Days to expiry")
    assert bar.get_ylabel() == "Price (£)"
    ax = main_axes(render(qtbot, "heatmap_labels"))
    assert tick_texts(ax) == ["Mon", "Tue", "Wed"] and tick_texts(ax, "y") == ["am", "pm"]


def test_network_positions_colours_and_highlighted_edges_on_top(qtbot):
    ax = main_axes(render(qtbot, "network_highlight"))
    offsets = [tuple(map(float, p)) for p in ax.collections[-1].get_offsets()]
    assert offsets == [(0.0, 0.0), (1.0, 0.4), (2.0, 0.0), (1.0, -0.8)]  # the given x/y
    hot = [ln for ln in ax.lines if ln.get_gid() == "edge-highlighted"]
    plain = [ln for ln in ax.lines if ln.get_gid() == "edge"]
    assert len(hot) == 2 and len(plain) == 2
    assert all(to_hex(ln.get_color()) == "#ef4444" for ln in hot)
    assert min(ln.get_zorder() for ln in hot) > max(ln.get_zorder() for ln in plain)
    assert min(ln.get_linewidth() for ln in hot) > max(ln.get_linewidth() for ln in plain)
    assert {"1", "2", "5"} <= {t.get_text() for t in ax.texts}  # weights as edge labels


def test_network_node_colours_groups_sizes_and_edge_width(qtbot):
    ax = main_axes(render(qtbot, "network_groups"))
    nodes = ax.collections[-1]
    colours = [to_hex(c) for c in nodes.get_facecolors()]
    assert colours[0] == colours[1] == "#3b82f6"
    assert colours[2] == colours[3] != "#3b82f6"  # one colour per group
    assert nodes.get_sizes()[2] != nodes.get_sizes()[3]  # n3 has its own size
    widths = sorted(ln.get_linewidth() for ln in ax.lines)
    assert widths[-1] == 3.0
    assert "strong" in {t.get_text() for t in ax.texts}


def test_sankey_treemap_radar_colours_from_the_value(qtbot):
    ax = main_axes(render(qtbot, "sankey"))
    assert "#e76f51" in {to_hex(p.get_facecolor()) for p in ax.patches}
    ax = main_axes(render(qtbot, "treemap"))
    assert "#457b9d" in {to_hex(p.get_facecolor()) for p in ax.patches}
    ax = main_axes(render(qtbot, "radar"))
    assert "#8338ec" in {to_hex(ln.get_color()) for ln in ax.lines}


def test_gantt_over_dates_has_a_time_axis(qtbot):
    ax = main_axes(render(qtbot, "gantt_dates"))
    assert is_date_axis(ax)
    assert len(bars(ax)) == 2 and to_hex(bars(ax)[1].get_facecolor()) == "#2a9d8f"
    assert any("Jan" in t or "Feb" in t for t in tick_texts(ax))
    assert tick_texts(ax, "y") == ["design", "build"]


def test_charts_follow_a_theme_change_live(qtbot):
    from PySide6.QtWidgets import QApplication

    from pixie_desktop.ui import theme

    app = QApplication.instance()
    theme.apply_theme(app, dark=False)
    try:
        card = render(qtbot, "line_daily_dates")
        light = to_hex(card.figure.get_facecolor())
        theme.apply_theme(app, dark=True)
        assert to_hex(card.figure.get_facecolor()) == theme.current(dark=True).surface != light
        assert main_axes(card).get_xlabel() == "day"  # the same value, drawn again
    finally:
        theme.apply_theme(app, dark=False)


# --- maps -----------------------------------------------------------------------------------

def test_map_points_labels_and_escaped_popups_on_hover(qtbot):
    from pixie_desktop.ui.outputs.maps import tip_html

    card = render(qtbot, "map_points_popups")
    texts = [text for _, _, text in card.map.hover]
    assert texts == ["Paris\nCapital of France", "Berlin\nCapital of Germany"]
    card.show()
    q = card.map.to_screen(48.85, 2.35)
    assert card.map.hover_text(q) == texts[0]
    assert "&lt;img" in tip_html("<img src=/dev/zero>")
    one = render(qtbot, "map_one_point_label")
    assert one.map.hover[0][2] == "51.5074, -0.1278"


def test_route_ends_stay_inside_after_the_card_grows(qtbot):
    card = render(qtbot, "map_route")
    card.show()
    qtbot.waitExposed(card)
    for size in ((420, 330), (900, 520)):
        card.resize(*size)
        qtbot.wait(20)
        m = card.map
        for lat, lng in ((51.51, -0.13), (41.90, 12.50)):
            q = m.to_screen(lat, lng)
            assert 6 <= q.x() <= m.width() - 6 and 6 <= q.y() <= m.height() - 6
    assert card.map.hover[0][2].startswith("1. London")


# --- structured and scalar values --------------------------------------------------------------

def test_table_numbers_share_decimals_per_column_and_align_right(qtbot):
    from PySide6.QtCore import Qt

    card = render(qtbot, "table_numbers")
    model = card.model if hasattr(card, "model") else card.view.model()
    shown = [model.data(model.index(r, 1)) for r in range(3)]
    assert shown == ["0.00", "1.50", "12.25"]
    align = model.data(model.index(0, 1), Qt.ItemDataRole.TextAlignmentRole)
    assert align & int(Qt.AlignmentFlag.AlignRight)
    assert model.data(model.index(0, 0)) == "a"


def test_log_epoch_seconds_show_local_time(qtbot):
    card = render(qtbot, "log_epoch_lines")
    text = card.view.toPlainText()
    assert "1780000000" not in text
    assert datetime.fromtimestamp(1780000000).strftime("%H:%M:%S") in text


def test_log_time_formats():
    from pixie_desktop.ui.outputs.structured import log_time

    stamp = datetime(2026, 5, 4, 13, 45, 7).timestamp()
    assert log_time(stamp, now=stamp) == "13:45:07"
    assert log_time(stamp * 1000, now=stamp) == "13:45:07"  # milliseconds
    assert log_time(stamp, now=stamp + 86400 * 3) == "2026-05-04 13:45:07"
    assert log_time("step 3") == "step 3"


def test_boolean_copy_is_plain_text(qtbot):
    card = render(qtbot, "boolean_true")
    assert card.copy_text() == "True"
    spec = OutputSpec(key="b", type="boolean", label="B", true_label="Passed")
    named = create_renderer(spec)
    qtbot.addWidget(named)
    named.set_value({"value": True})
    assert named.copy_text() == "Passed"


def test_kv_both_shapes_show_their_pairs(qtbot):
    for name, expected in (("kv_pairs_dict", ["delta", "gamma", "label"]), ("kv_plain_dict", ["delta", "note"])):
        card = render(qtbot, name)
        keys = [card.grid.itemAtPosition(r, 0).widget().text() for r in range(len(expected))]
        assert keys == expected
        assert card.copy_text().splitlines()[0] == "delta\t0.53"


# --- inputs: slider defaults off their step --------------------------------------------------

def test_slider_keeps_an_off_step_default_until_moved(qtbot):
    from pixie_desktop.manifest.parse import parse_tool_dict
    from pixie_desktop.ui.inputs.form import ToolForm

    spec = parse_tool_dict({
        "id": "s", "name": "S", "description": "d", "version": "0.1.0", "category": "x", "icon": "x",
        "layout": "form", "outputs": [{"key": "o", "type": "text", "label": "O"}],
        "inputs": [{"key": "a", "type": "slider", "label": "A", "min": 0, "max": 1, "step": 0.1, "default": 0.35},
                   {"key": "b", "type": "slider", "label": "B", "min": 1, "max": 16, "step": 1, "default": 7.5},
                   {"key": "c", "type": "slider", "label": "C", "min": 0, "max": 10, "step": 2, "range": True,
                    "default": [3, 7]},
                   {"key": "d", "type": "slider", "label": "D", "min": 0, "max": 10, "step": 1, "default": 3}]})
    form = ToolForm(spec)
    qtbot.addWidget(form)
    assert form.values() == {"a": 0.35, "b": 7.5, "c": [3.0, 7.0], "d": 3.0}
    assert form.validate() == []  # an off-step default is not an error in the form either
    form.widgets["a"].slider.setValue(0.5)  # the user moves it: back on the step grid
    assert form.values()["a"] == 0.5
    form.widgets["b"].slider.setValue(9.2)
    assert form.values()["b"] == 9.0
