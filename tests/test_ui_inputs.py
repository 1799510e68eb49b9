"""Input widgets and ToolForm: every contract input type builds, round-trips, validates; form
coercion (§2.2), show_if, file drops (real QDropEvent) with type/size rejection."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from pixie_desktop.manifest.model import INPUT_TYPES
from pixie_desktop.manifest.parse import parse_tool_dict, parse_tool_file
from pixie_desktop.ui.inputs import INPUT_WIDGETS, create_input
from pixie_desktop.ui.inputs.form import ToolForm

DATA = Path(__file__).parent / "data"
PNG_1x1 = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")

# one good wire value per key of all-inputs.tool.json
GOOD = {
    "t_text": "abc", "t_textarea": "line1\nline2", "t_number": 7, "t_slider": 25.0, "t_select": "b",
    "t_multiselect": ["y", "z"], "t_checkbox": False, "t_toggle": True, "t_radio": "two", "t_date": "2026-05-04",
    "t_time": "13:45", "t_datetime": "2026-05-04T13:45:00", "t_date_range": ["2026-05-01", "2026-05-09"],
    "t_file": ["data:image/png;base64," + base64.b64encode(PNG_1x1).decode()],
    "t_image": "data:image/png;base64," + base64.b64encode(PNG_1x1).decode(),
    "t_audio": "data:audio/wav;base64,UklGRiQAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YQAAAAA=",
    "t_colour": "#123abc", "t_json": {"a": [1, 2]}, "t_code": "x = 1\n", "t_markdown": "*hi*",
    "t_tags": ["one", "two"], "t_autocomplete": "Paris", "t_table": [{"name": "a", "count": 3}],
    "t_map_point": [51.5, -0.12], "t_map_bbox": [[10.0, 20.0], [30.0, 40.0]],
    "t_map_polygon": [[1.0, 1.0], [2.0, 3.0], [0.5, 4.0]], "t_map_multipoint": [[1.0, 2.0], [3.0, 4.0]],
    "t_hidden": "other",
}


@pytest.fixture
def spec():
    return parse_tool_file(DATA / "all-inputs.tool.json")


def test_registry_covers_every_type():
    from pixie_desktop.ui.inputs import _load_all

    _load_all()
    assert set(INPUT_TYPES) <= set(INPUT_WIDGETS)


def test_every_input_builds_and_round_trips(qtbot, spec):
    assert {i.type for i in spec.inputs} == set(INPUT_TYPES)
    for ispec in spec.inputs:
        w = create_input(ispec)
        qtbot.addWidget(w)
        w.set_value(GOOD[ispec.key])
        assert w.value() == GOOD[ispec.key], ispec.type
        assert w.validate() is None, (ispec.type, w.validate())


def test_required_empty_gives_message(qtbot, spec):
    for ispec in spec.inputs:
        if ispec.type in ("checkbox", "toggle", "hidden"):
            continue
        ispec.required = True
        w = create_input(ispec)
        qtbot.addWidget(w)
        w.set_value(None)
        if ispec.type in ("slider", "select"):
            assert w.value() is not None  # like the browser: a slider/required select always has a value
            continue
        msg = w.validate()
        assert msg, ispec.type
        w.set_error(msg)
        assert w.error_text() == msg


@pytest.mark.parametrize("bad", [{"x": 1}, [object()], 3.5, "nonsense"])
def test_wrong_shaped_values_never_raise(qtbot, spec, bad):
    for ispec in spec.inputs:
        w = create_input(ispec)
        qtbot.addWidget(w)
        w.set_value(bad)
        w.value()
        w.validate()


def test_map_bbox_accepts_flat_list(qtbot, spec):
    w = create_input(spec.input("t_map_bbox"))
    qtbot.addWidget(w)
    w.set_value([10, 20, 30, 40])
    assert w.value() == [[10.0, 20.0], [30.0, 40.0]]


def test_limits_and_syntax_messages(qtbot):
    spec = parse_tool_dict({"id": "t", "name": "T", "outputs": [], "inputs": [
        {"key": "n", "type": "number", "label": "N", "min": 0, "max": 10, "step": 0.5},
        {"key": "s", "type": "text", "label": "S", "max_length": 3},
        {"key": "j", "type": "json", "label": "J"},
        {"key": "tb", "type": "table", "label": "T", "columns": [{"key": "a", "label": "A", "type": "number"}],
         "min_rows": 2, "max_rows": 3},
        {"key": "p", "type": "map_polygon", "label": "P"},
    ]})
    form = ToolForm(spec)
    qtbot.addWidget(form)
    form.widget_for("n").set_value(2.5)
    assert form.widget_for("n").value() == 2.5
    form.widget_for("n").box.lineEdit().setText("12")  # typed past the maximum is clamped by Qt
    form.widget_for("s").edit.setMaxLength(100)
    form.widget_for("s").edit.setText("abcd")
    assert "At most 3" in form.widget_for("s").validate()
    form.widget_for("j").edit.setPlainText("{bad json")
    assert "JSON error" in form.widget_for("j").validate()
    assert form.widget_for("j").value() == "{bad json"  # the contract: raw text when unparsable
    form.widget_for("tb").set_value([{"a": 1}])
    assert "at least 2" in form.widget_for("tb").validate()
    form.widget_for("p").set_value([[1, 1], [2, 2]])
    assert "at least 3" in form.widget_for("p").validate()
    problems = dict(form.validate())
    assert set(problems) >= {"s", "j", "tb", "p"}


def test_form_values_follow_coercion_rules(qtbot):
    spec = parse_tool_dict({"id": "t", "name": "T", "outputs": [], "inputs": [
        {"key": "sel", "type": "select", "label": "S", "options": [{"value": 1, "label": "one"}, {"value": 2, "label": "two"}]},
        {"key": "rad", "type": "radio", "label": "R", "options": [{"value": 1, "label": "one"}, {"value": 2, "label": "two"}]},
        {"key": "int", "type": "number", "label": "I", "step": 1},
        {"key": "flt", "type": "number", "label": "F", "step": 0.1},
        {"key": "nostep", "type": "number", "label": "NS"},
        {"key": "chk", "type": "checkbox", "label": "C", "required": False},
        {"key": "opt_def", "type": "text", "label": "OD", "required": False, "default": "dflt"},
        {"key": "opt_none", "type": "text", "label": "ON", "required": False},
        {"key": "sld", "type": "slider", "label": "SL", "min": 0, "max": 10, "step": 1, "default": 3},
        {"key": "rng", "type": "slider", "label": "RG", "min": 0, "max": 10, "range": True, "default": [2, 8]},
        {"key": "hid", "type": "hidden", "label": "H", "default": "h1"},
    ]})
    form = ToolForm(spec)
    qtbot.addWidget(form)
    form.set_values({"sel": "2", "rad": 2, "int": 4.0, "flt": 4.0, "nostep": 5, "unknown": 1})
    form.widget_for("opt_def").set_value("")
    v = form.values()
    assert v["sel"] == 2 and isinstance(v["sel"], int)
    assert v["rad"] == "2"
    assert v["int"] == 4 and isinstance(v["int"], int)
    assert v["flt"] == 4.0 and isinstance(v["flt"], float)
    assert v["nostep"] == 5 and isinstance(v["nostep"], int)
    assert v["chk"] is False
    assert v["opt_def"] == "dflt"
    assert "opt_none" not in v
    assert v["sld"] == 3.0 and isinstance(v["sld"], float)
    assert v["rng"] == [2.0, 8.0]
    assert v["hid"] == "h1"
    json.dumps(v)
    form.reset()
    assert "int" not in form.values()


def test_show_if_hides_and_shows(qtbot):
    spec = parse_tool_dict({"id": "t", "name": "T", "outputs": [], "inputs": [
        {"key": "mode", "type": "select", "label": "Mode", "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]},
        {"key": "extra", "type": "text", "label": "Extra", "show_if": {"key": "mode", "equals": "b"}},
        {"key": "flag", "type": "toggle", "label": "Flag", "required": False},
        {"key": "more", "type": "text", "label": "More", "show_if": {"key": "flag", "equals": True}},
    ]})
    form = ToolForm(spec)
    qtbot.addWidget(form)
    form.show()
    assert not form.fields["extra"].isVisible()
    form.widget_for("mode").combo.setCurrentIndex(1)
    assert form.fields["extra"].isVisible()
    assert not form.fields["more"].isVisible()
    form.widget_for("flag").box.setChecked(True)
    assert form.fields["more"].isVisible()
    # a hidden required field does not block the run
    form.widget_for("mode").combo.setCurrentIndex(0)
    assert all(k != "extra" for k, _ in form.validate())


def test_submitted_on_ctrl_enter(qtbot, spec):
    form = ToolForm(spec)
    qtbot.addWidget(form)
    form.show()
    qtbot.waitExposed(form)
    form.widget_for("t_text").edit.setFocus()
    with qtbot.waitSignal(form.submitted, timeout=1000):
        qtbot.keyClick(form.widget_for("t_text").edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)


def _drop(widget, paths):
    md = QMimeData()
    md.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    ev = QDropEvent(QPointF(5, 5), Qt.DropAction.CopyAction, md, Qt.MouseButton.LeftButton,
                    Qt.KeyboardModifier.NoModifier)
    widget.dropEvent(ev)
    return ev


def test_drop_file_fills_and_rejects(qtbot, tmp_path):
    spec = parse_tool_dict({"id": "t", "name": "T", "outputs": [], "inputs": [
        {"key": "img", "type": "image", "label": "Image", "max_size_mb": 1},
        {"key": "doc", "type": "file", "label": "Doc", "accept": [".csv", "text/plain"], "multiple": True},
    ]})
    form = ToolForm(spec)
    qtbot.addWidget(form)
    png = tmp_path / "dot.png"
    png.write_bytes(PNG_1x1)
    w = form.widget_for("img")
    _drop(w.zone, [png])
    assert w.value().startswith("data:image/png;name=dot.png;base64,")  # the name is recorded, not sent
    assert base64.b64decode(w.value().split(",", 1)[1]) == PNG_1x1
    assert w.entries[0].pixels == (1, 1)
    # wrong type: message, value unchanged
    txt = tmp_path / "notes.txt"
    txt.write_text("hello")
    errors = w.drop_files([txt])
    assert errors and "not accepted" in errors[0]
    assert w.error_text() and w.value().startswith("data:image/png")
    # oversize
    big = tmp_path / "big.png"
    big.write_bytes(PNG_1x1 + b"\0" * (1024 * 1024 + 10))
    errors = w.drop_files([big])
    assert errors and "limit" in errors[0]
    # the form routes a csv drop to the first input that takes it
    csv = tmp_path / "data.csv"
    csv.write_text("a,b\n1,2\n")
    assert form.drop_files([csv]) == "doc"
    assert form.widget_for("doc").value() == ["data:text/csv;name=data.csv;base64," + base64.b64encode(b"a,b\n1,2\n").decode()]
    assert form.drop_files([tmp_path / "missing.bin"]) is None


def test_big_file_is_encoded_off_thread(qtbot, tmp_path):
    from pixie_desktop.ui import workers

    spec = parse_tool_dict({"id": "t", "name": "T", "outputs": [], "inputs": [
        {"key": "f", "type": "file", "label": "F"}]})
    form = ToolForm(spec)
    qtbot.addWidget(form)
    blob = tmp_path / "blob.bin"
    blob.write_bytes(b"x" * (900 * 1024))
    w = form.widget_for("f")
    w.drop_files([blob])
    assert w.pending == 1 and w.validate()  # still reading
    qtbot.waitUntil(lambda: w.pending == 0, timeout=5000)
    workers.wait_for_all(2000)
    assert len(base64.b64decode(w.value().split(",", 1)[1])) == 900 * 1024


def test_autocomplete_runs_off_thread_latest_wins(qtbot):
    import threading
    import time

    from pixie_desktop.ui import workers

    calls = []
    main = threading.get_ident()

    def fetch(endpoint, q):
        calls.append((endpoint, q, threading.get_ident() != main))
        time.sleep(0.05 if q == "Pa" else 0)
        return {"results": [{"value": q.lower(), "label": f"{q} city"}]}

    spec = parse_tool_dict({"id": "t", "name": "T", "outputs": [], "inputs": [
        {"key": "c", "type": "autocomplete", "label": "City", "endpoint": "cities"}]})
    form = ToolForm(spec, autocomplete=fetch)
    qtbot.addWidget(form)
    w = form.widget_for("c")
    w.edit.setText("Pa")
    w._query()
    w.edit.setText("Par")
    w._query()
    qtbot.waitUntil(lambda: w.pending == 0, timeout=3000)
    workers.wait_for_all(2000)
    assert all(off for _, _, off in calls) and calls[0][0] == "cities"
    assert w.model.stringList() == ["Par city"]
