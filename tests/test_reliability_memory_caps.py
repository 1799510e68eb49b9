"""Issue 11, medium 7: the app's memory does not follow tool output. A 48 MB answer (a plain
string, or 16 million tiny objects that would be ~1 GB of Python objects) never makes the
process grow by gigabytes; a stream that never ends an event is cut at a limit with an error.
Fixture: tests/fixtures/tools/hostile. Bounds are generous: behaviour, not tuning."""

from __future__ import annotations

import threading

import psutil
import pytest

from pixie_desktop.store import runs_repo

GROWTH_BOUND_MB = 600


@pytest.fixture
def hostile(ctx, install, runner):
    install("hostile")
    return ctx.find_tool("hostile")


def _peak_growth_mb(fn) -> tuple[object, float]:
    """Run fn() while sampling this process's RSS; (result, peak growth in MB)."""
    proc = psutil.Process()
    base = proc.memory_info().rss
    peak = [base]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], proc.memory_info().rss)
            stop.wait(0.01)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    try:
        result = fn()
    finally:
        stop.set()
        t.join()
    peak[0] = max(peak[0], proc.memory_info().rss)
    return result, (peak[0] - base) / 2 ** 20


def test_48_mb_of_tiny_values_is_refused_without_gigabytes(ctx, hostile, runner):
    res, growth = _peak_growth_mb(lambda: runner.run(hostile, {"mode": "tinyvalues", "n": 48}))
    assert res.status == "error" and "more than 1,000,000 arrays/objects" in res.error
    assert runs_repo.get_run(ctx.conn, res.run_id).status == "error"
    assert growth < GROWTH_BOUND_MB, f"RSS grew {growth:.0f} MB for a 48 MB answer"


def test_48_mb_string_answer_is_kept_within_bounds(ctx, hostile, runner):
    res, growth = _peak_growth_mb(lambda: runner.run(hostile, {"mode": "bigstring", "n": 48}))
    assert res.status == "ok", res.error
    assert res.spilled and len(res.outputs["text"]) == 48 * 1024 * 1024
    assert growth < GROWTH_BOUND_MB, f"RSS grew {growth:.0f} MB for a 48 MB answer"


def test_a_stream_without_blank_lines_is_cut_with_an_error(ctx, hostile, runner):
    statuses: list[str] = []
    res, growth = _peak_growth_mb(lambda: runner.run(
        hostile, {"mode": "noblank", "n": 64},
        on_event=lambda ev: statuses.append(ev.message or "") if ev.kind == "status" else None))
    assert res.status == "error"
    assert "without ending an event" in res.error and "cut" in res.error
    assert any("cut" in m for m in statuses)
    assert growth < GROWTH_BOUND_MB


def test_endless_log_frames_share_the_stream_budget(monkeypatch):
    from pixie_desktop.manifest.parse import parse_tool_dict
    from pixie_desktop.runtime import runner as runner_mod

    monkeypatch.setattr(runner_mod, "MAX_STREAM_TEXT_CHARS", 10_000)
    spec = parse_tool_dict({"id": "t", "name": "T", "inputs": [],
                            "outputs": [{"key": "log", "type": "log", "label": "L"}]})
    relay = runner_mod._StreamRelay.__new__(runner_mod._StreamRelay)
    relay.emit, relay.run_id = (lambda ev: None), "r"
    relay.types = {o.key: o.type for o in spec.outputs}
    relay.first_stream_key = relay.first_progress_key = None
    relay.first_log_key = "log"
    relay.text, relay.lines, relay.values, relay.error = {}, {}, {}, None
    with pytest.raises(runner_mod._StreamTextTooLarge):
        for _ in range(1000):
            relay._handle("log", '{"lines": [{"message": "' + "m" * 100 + '"}]}')
    assert len(relay.lines["log"]) < 100
