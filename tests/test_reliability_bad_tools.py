"""Bad tools through the real core Runner: every fault ends the run with a readable message
within its timeout and leaves no process behind (the autouse guard in conftest also fails any
test that leaks a child). Fixture: tests/fixtures/tools/bad-tool (a raw stdlib server)."""

from __future__ import annotations

import threading
import time

import psutil
import pytest

from pixie_desktop.store import artefacts_repo, runs_repo


def _descendants() -> set[int]:
    return {p.pid for p in psutil.Process().children(recursive=True)
            if p.status() != psutil.STATUS_ZOMBIE}


def _wait_no_descendants(timeout: float = 5.0) -> set[int]:
    end = time.monotonic() + timeout
    left = _descendants()
    while left and time.monotonic() < end:
        time.sleep(0.05)
        left = _descendants()
    return left


@pytest.fixture
def bad(ctx, install, runner):
    install("bad-tool")
    ctx.settings.values["spawn_timeout_seconds"] = 2.0
    return ctx.find_tool("bad-tool")


def _run(runner, tool, mode, **extra):
    t0 = time.monotonic()
    res = runner.run(tool, {"mode": mode, **extra})
    return res, time.monotonic() - t0


def _startup_fault(ctx, tools_dir, kind: str):
    (tools_dir / "bad-tool" / ".env").write_text(f"BAD_STARTUP={kind}\n")
    return ctx.find_tool("bad-tool")


@pytest.mark.parametrize("kind", ["nobind", "wrongport"])
def test_tool_that_never_answers_healthz_times_out_and_is_killed(ctx, bad, runner, tools_dir, kind):
    tool = _startup_fault(ctx, tools_dir, kind)
    res, took = _run(runner, tool, "ok")
    assert res.status == "error"
    assert "did not answer GET /healthz within 2 s" in res.error and "127.0.0.1" in res.error
    assert took < 2 + 4
    assert _wait_no_descendants(1.0) == set()
    assert runs_repo.get_run(ctx.conn, res.run_id).error_text == res.error


def test_http_500_is_a_run_error_with_the_body(ctx, bad, runner):
    res, _ = _run(runner, bad, "http500")
    assert res.status == "error"
    assert res.error.startswith("tool 'bad-tool' failed: Internal Server Error: the database exploded")
    # reference §9.6: a tool-side 5xx is a *run* error and the tool stays usable
    assert runner.run(bad, {"mode": "ok"}).status == "ok"
    assert runner.pool.spawn_count == 1


def test_invalid_json_body(bad, runner):
    res, _ = _run(runner, bad, "badjson")
    assert res.status == "error" and "invalid JSON" in res.error and "{not json at all" in res.error


def test_50_mb_body_is_refused_without_storing_it(ctx, bad, runner):
    res, took = _run(runner, bad, "huge", size_mb=50)
    assert res.status == "error" and "more than 50 MB" in res.error and "refused" in res.error
    rec = runs_repo.get_run(ctx.conn, res.run_id)
    assert rec.outputs_json is None and artefacts_repo.for_run(ctx.conn, res.run_id) == []
    assert took < 3 + 10


def test_wrong_shape_runs_ok_but_the_validator_flags_it(ctx, bad, runner):
    from pixie_desktop.validation.conformance import check_outputs

    res, _ = _run(runner, bad, "wrongshape")
    assert res.status == "ok", res.error
    conf = check_outputs(bad.spec, res.outputs)
    assert not conf.ok
    text = " ".join(str(p) for p in conf.problems)
    assert "table" in text and "pid" in text


def test_10_mb_of_stderr_neither_blocks_nor_bloats(ctx, bad, runner):
    res, took = _run(runner, bad, "stderr", size_mb=10)
    assert res.status == "ok", res.error
    assert took < 3 + 2
    proc = runner.pool._entries["bad-tool"].proc  # noqa: SLF001 - looking at the ring on purpose
    # the pump thread drains stderr concurrently with the run; give it a moment to catch up
    deadline = time.monotonic() + 3
    while proc._ring.written < 10 * 1024 * 1024 and time.monotonic() < deadline:  # noqa: SLF001
        time.sleep(0.02)
    assert len(proc._ring.buf) <= 64 * 1024  # noqa: SLF001
    assert proc._ring.written >= 10 * 1024 * 1024  # noqa: SLF001 - all of it was drained


def test_stderr_flood_in_a_failing_run_gives_a_bounded_excerpt(ctx, bad, runner):
    runner.run(bad, {"mode": "stderr", "size_mb": 2})
    res, _ = _run(runner, bad, "http500")
    assert res.status == "error" and len(res.error) < 6000


def test_fork_grandchild_and_exit_leaves_no_process(ctx, bad, runner):
    before = _descendants()
    res, took = _run(runner, bad, "forkexit")
    assert res.status == "error" and "exited with code 7" in res.error
    assert "grandchild" in res.error  # this run's stderr is quoted
    assert took < 3 + 2
    # the grandchild stayed in the tool's process group; it dies with the run, not at shutdown
    assert _wait_no_descendants(2.0) - before == set()
    assert _wait_no_descendants(2.0) == set()


def test_tool_that_ignores_cancel_is_killed_within_the_grace(ctx, bad, runner):
    box: dict = {}
    t = threading.Thread(target=lambda: box.setdefault("r", runner.run(bad, {"mode": "hang"}, run_id="stuck")))
    t.start()
    end = time.monotonic() + 10
    while time.monotonic() < end and not (runner._active.get("stuck") and runner._active["stuck"].proc):  # noqa: SLF001
        time.sleep(0.01)
    time.sleep(0.2)
    t0 = time.monotonic()
    assert runner.cancel("stuck")
    t.join(10)
    assert not t.is_alive()
    assert box["r"].status == "cancelled" and box["r"].error == "cancelled by the user"
    assert time.monotonic() - t0 < 1.0 + 2.0 + 2.0  # grace 1 s, then a hard stop
    assert not runner.pool.is_warm("bad-tool")
    assert _wait_no_descendants(2.0) == set()
    assert runs_repo.get_run(ctx.conn, "stuck").status == "cancelled"


def test_hanging_tool_times_out_per_run(ctx, bad, runner):
    res, took = _run(runner, bad, "hang")
    assert res.status == "error" and "timed out after 3 s" in res.error
    assert took < 3 + 1 + 4
    assert _wait_no_descendants(2.0) == set()
