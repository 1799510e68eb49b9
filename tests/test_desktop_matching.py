"""Fuzzy ranking for the palette and file→tool matching for drops."""

from __future__ import annotations

from pathlib import Path

from conftest import write_tool

from pixie_desktop.matching.fuzzy import fuzzy_score, rank
from pixie_desktop.matching.suggest import accept_problem, first_matching_input, prefill_for, suggest_tools
from pixie_desktop.catalog.discovery import Discovery
from pixie_desktop.manifest.model import InputSpec


def test_fuzzy_subsequence_required():
    assert fuzzy_score("xyz", "calculator") is None
    assert fuzzy_score("clc", "calculator") is not None
    assert fuzzy_score("", "anything") == 0.0
    assert fuzzy_score("  ", "x") == 0.0


def test_fuzzy_prefers_prefix_word_starts_and_runs():
    assert fuzzy_score("calc", "Calculator") > fuzzy_score("calc", "Recalculate")
    assert fuzzy_score("csum", "CSV Summary") > fuzzy_score("csum", "Calculator summary")
    assert fuzzy_score("it", "image-thumbnail") > fuzzy_score("it", "edit")
    assert fuzzy_score("CS", "csv summary") == fuzzy_score("cs", "CSV Summary")


def test_rank_orders_and_limits_and_title_beats_subtitle():
    items = [("Slow counter", "counts slowly"), ("CSV summary", "summarise a csv"),
             ("Image thumbnail", "shrinks images"), ("Notes", "counter-intuitive")]
    got = rank("count", items, lambda i: i)
    assert got[0][0] == "Slow counter" and got[-1][0] == "Notes"
    assert rank("count", items, lambda i: i, limit=1) == [items[0]]
    assert rank("zzz", items, lambda i: i) == []


def _inp(**kw) -> InputSpec:
    base = {"key": "f", "type": "file", "label": "File"}
    base.update(kw)
    return InputSpec(**base)


def test_accept_rules(tmp_path):
    csv = tmp_path / "data.csv"
    csv.write_text("a,b\n1,2\n")
    png = tmp_path / "pic.PNG"
    png.write_bytes(b"\x89PNG" + b"0" * 2048)
    assert accept_problem(_inp(accept=[".csv"]), csv) is None
    assert accept_problem(_inp(accept=["csv"]), csv) is None
    assert accept_problem(_inp(accept=["text/csv"]), csv) is None
    assert "not one of" in accept_problem(_inp(accept=[".csv"]), png)
    assert accept_problem(_inp(accept=["image/*"]), png) is None
    assert accept_problem(_inp(accept=[".txt, .csv"]), csv) is None
    assert accept_problem(_inp(), png) is None  # no accept: any file
    assert accept_problem(_inp(type="image"), png) is None
    assert "not an image" in accept_problem(_inp(type="image"), csv)
    assert "not an audio" in accept_problem(_inp(type="audio"), png)
    assert "limit is 0.001 MB" in accept_problem(_inp(max_size_mb=0.001), png)


def test_suggest_tools_ranks_specific_inputs_first(tools_dir, tmp_path):
    out = [{"key": "o", "type": "text", "label": "O"}]
    write_tool(tools_dir, "any-file", {"id": "any-file", "name": "Any file", "outputs": out,
                                      "inputs": [{"key": "x", "type": "text", "label": "X"},
                                                 {"key": "f", "type": "file", "label": "Anything"}]})
    write_tool(tools_dir, "csv", {"id": "csv", "name": "CSV summary", "outputs": out,
                                 "inputs": [{"key": "data", "type": "file", "label": "CSV", "accept": [".csv"]}]})
    write_tool(tools_dir, "img", {"id": "img", "name": "Thumbnail", "outputs": out,
                                 "inputs": [{"key": "im", "type": "image", "label": "Image", "multiple": True}]})
    write_tool(tools_dir, "none", {"id": "none", "name": "No files", "outputs": out,
                                  "inputs": [{"key": "t", "type": "text", "label": "T"}]})
    write_tool(tools_dir, "broken", "{not json")
    tools = Discovery(tools_dir).scan()
    csv = tmp_path / "a.csv"
    csv.write_text("x\n")
    got = suggest_tools(tools, [csv])
    assert [(s.tool.tool_id, s.input_key) for s in got] == [("csv", "data"), ("any-file", "f")]
    pngs = [tmp_path / "a.png", tmp_path / "b.png"]
    for p in pngs:
        p.write_bytes(b"x")
    got = suggest_tools(tools, pngs)
    assert [s.tool.tool_id for s in got] == ["img", "any-file"]
    assert got[0].takes_all and not got[1].takes_all
    assert suggest_tools(tools, [tmp_path]) == []  # folders are not files
    img = next(t for t in tools if t.tool_id == "img")
    inp, reasons = first_matching_input(img.spec, [csv])
    assert inp is None and "not an image" in reasons[0]
    assert prefill_for(img.spec.input("im"), pngs) == {"im": [str(p) for p in pngs]}
    csv_tool = next(t for t in tools if t.tool_id == "csv")
    assert prefill_for(csv_tool.spec.input("data"), [Path("rel.csv")]) == {"data": str(Path("rel.csv").absolute())}
