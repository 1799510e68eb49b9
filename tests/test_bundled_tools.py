"""Every bundled tool run through the real runtime (subprocess + Runner) with its own reference
fixtures, plus what each tool is meant to show beyond them (native charts, maps, streaming,
files, images in several formats)."""

from __future__ import annotations

import base64

import pytest

from fixtures_runtime import BUNDLED
from pixie_desktop.validation.fixtures import compare_outputs, fixture_files, load_fixture
from pixie_desktop.validation.tolerance import load_tolerance


def _data_url(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def run_fixtures(ctx, install, runner, tool_id: str, on_event=None) -> dict:
    """Run every reference/fixture_*.json of a bundled tool through the Runner and compare the
    outputs with the validator's comparators; returns {fixture file: RunResult}."""
    install(tool_id)
    tool = ctx.find_tool(tool_id)
    files = fixture_files(tool.path / "reference")
    assert files, f"{tool_id} ships no fixtures"
    cfg = load_tolerance(tool.path / "reference")
    results = {}
    for path in files:
        fixture = load_fixture(path, tool.spec)
        res = runner.run(tool, fixture.inputs, on_event=on_event)
        assert res.status == "ok", f"{path.name}: {res.error}"
        verdict = compare_outputs(tool.spec, fixture, res.outputs, cfg)
        assert verdict.status == "pass", f"{path.name}: {verdict.message} {verdict.outputs}"
        results[path.name] = res
    return results


def test_every_bundled_tool_ships_fixtures():
    tools = sorted(p.name for p in BUNDLED.iterdir() if (p / "tool.json").is_file())
    assert len(tools) >= 9
    assert [t for t in tools if not list((BUNDLED / t / "reference").glob("fixture_*.json"))] == []


def test_csv_summary_fixtures(ctx, install, runner):
    results = run_fixtures(ctx, install, runner, "csv-summary")
    out = results["fixture_weather.json"].outputs
    assert out["means"]["x"] == ["temp", "rain"] and out["overview"]["pairs"]["Distribution of"] == "temp"


def test_image_thumbnail_fixtures(ctx, install, runner):
    results = run_fixtures(ctx, install, runner, "image-thumbnail")
    jpeg = results["fixture_jpeg_to_png.json"]
    assert [a.mime for a in jpeg.artefacts if a.output_key == "thumbnail"] == ["image/png"]


def test_photo_resize_fixtures_show_grid_compare_and_table(ctx, install, runner):
    results = run_fixtures(ctx, install, runner, "photo-resize")
    out = results["fixture_two_photos_sepia.json"].outputs
    assert len(out["grid"]["images"]) == 2
    assert out["compare"]["before"] and out["compare"]["after"]
    assert [r["resized"] for r in out["files"]["rows"]] == ["64 × 42 PNG", "64 × 48 PNG"]
    assert [r["original"] for r in out["files"]["rows"]] == ["120 × 80 JPEG", "64 × 48 WebP"]


def test_route_planner_fixtures_and_map_outputs(ctx, install, runner):
    results = run_fixtures(ctx, install, runner, "route-planner")
    out = results["fixture_tour_miles.json"].outputs
    assert out["stops_map"]["points"][0]["label"] == "1. Paris"  # the first stop stays first
    route = out["route"]["points"]
    assert route[0] == route[-1] and len(route) > 10  # a closed tour, legs drawn as arcs
    bad = runner.run(ctx.find_tool("route-planner"), {"stops": ["Paris", "Atlantis"]})
    assert bad.status == "error" and "unknown place 'Atlantis'" in bad.error


def test_text_stats_streams_progress_log_and_narration(ctx, install, runner):
    events = []
    results = run_fixtures(ctx, install, runner, "text-stats", on_event=events.append)
    last = max(i for i, e in enumerate(events) if e.kind == "started")
    events = events[last:]  # fixture_short.json runs last (fixtures are sorted by file name)
    streamed = "".join(e.value for e in events if e.kind == "stream")
    assert streamed == results["fixture_short.json"].outputs["narration"]
    assert streamed.count("\n") == 4
    assert [e.fraction for e in events if e.kind == "progress"] == pytest.approx([1 / 3, 2 / 3, 1.0])
    assert any(e.kind == "log" and "3 sentences to read" in e.message for e in events)


def test_text_echo_chat_fixtures_stream_the_reply(ctx, install, runner):
    events = []
    results = run_fixtures(ctx, install, runner, "text-echo", on_event=events.append)
    assert ctx.find_tool("text-echo").spec.layout == "chat"
    last = max(i for i, e in enumerate(events) if e.kind == "started")
    chunks = [e.value for e in events[last:] if e.kind == "stream"]
    assert len(chunks) > 1 and "".join(chunks) == results["fixture_reverse_later.json"].outputs["reply"]


def test_loan_report_fixtures_and_file_outputs(ctx, install, runner):
    results = run_fixtures(ctx, install, runner, "loan-report")
    res = results["fixture_zero_rate.json"]
    files = {a.filename: a for a in res.artefacts}
    assert set(files) == {"zero.md", "zero-schedule.csv"} and files["zero.md"].mime.startswith("text/markdown")
    assert res.outputs["report"]["filename"] == "zero.md" and res.outputs["report"]["data"].startswith("file://")
    report = (ctx.settings.artefacts_root / files["zero.md"].rel_path).read_text(encoding="utf-8")
    assert report.startswith("# Zero") and "| 1 | £1,200.00 |" in report
    schedule = (ctx.settings.artefacts_root / files["zero-schedule.csv"].rel_path).read_text(encoding="utf-8")
    assert schedule.splitlines()[0] == "month,payment,interest,principal,balance" and len(schedule.splitlines()) == 13


@pytest.mark.parametrize("tool_id", ["calculator", "slow-counter"])
def test_original_tools_pass_their_fixtures(ctx, install, runner, tool_id):
    assert run_fixtures(ctx, install, runner, tool_id)


def test_tool_page_asks_for_an_environment_only_beyond_the_apps_packages():
    from pixie_desktop.ui.views.tool_page import _needs_own_environment

    assert _needs_own_environment(["PySide6>=6.8", "matplotlib"]) is False
    assert _needs_own_environment(["PySide6>=6.8", "requests"]) is True
    assert _needs_own_environment(["git+https://example.org/x.git"]) is True
