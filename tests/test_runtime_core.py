"""Runtime acceptance tests with real tool subprocesses: bundled tools through the core Runner,
and every failure mode ending as a readable error with no process left behind."""

from __future__ import annotations

import base64
import threading
import time

import pytest

from pixie_desktop.runtime.runner import InputError, RunEvent, load_outputs
from pixie_desktop.store import artefacts_repo, runs_repo, tool_state_repo


def _png(width: int, height: int) -> bytes:
    from pixie_desktop.sdk_png import Image, encode_png

    pixels = bytearray()
    for y in range(height):
        for x in range(width):
            pixels += bytes(((x * 255) // width, (y * 255) // height, 128))
    return encode_png(Image(width, height, 3, pixels))


def _data_url(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


# -- bundled tools ----------------------------------------------------------------------------

def test_calculator_runs_and_records_everything(ctx, install, runner):
    install("calculator")
    tool = ctx.find_tool("calculator")
    res = runner.run(tool, {"a": "7", "b": 2, "op": "divide"})
    assert res.status == "ok", res.error
    assert res.outputs["result"] == 3.5
    assert len(res.outputs["breakdown"]["rows"]) == 5
    assert res.outputs["comparison"]["x"][0] == "Add"
    rec = runs_repo.get_run(ctx.conn, res.run_id)
    assert rec.status == "ok" and rec.meta["duration_s"] > 0 and rec.meta["owner_pid"] > 0
    assert load_outputs(ctx.conn, ctx.settings, rec)["result"] == 3.5
    state = tool_state_repo.get(ctx.conn, "calculator")
    assert state.run_count_total == 1 and state.last_run_at
    assert state.last_inputs == {"a": 7, "op": "divide", "b": 2, "precision": 4}
    # warm: second run reuses the process
    res2 = runner.run(tool, {"a": 1, "b": 0, "op": "divide"})
    assert res2.status == "error" and "rejected the input" in res2.error and "HTTP 422" in res2.error and "undefined" in res2.error
    assert runner.pool.spawn_count == 1
    assert tool_state_repo.get(ctx.conn, "calculator").run_count_total == 2


def test_invalid_inputs_write_no_row(ctx, install, runner):
    install("calculator")
    tool = ctx.find_tool("calculator")
    with pytest.raises(InputError) as err:
        runner.run(tool, {"a": "seven", "op": "nope"})
    keys = {k for k, _ in err.value.problems}
    assert keys == {"a", "op"}
    assert runs_repo.count_runs(ctx.conn) == 0
    assert tool_state_repo.get(ctx.conn, "calculator").last_inputs_json is None


def test_csv_summary_returns_native_charts(ctx, install, runner):
    install("csv-summary")
    csv = b"city,temp,rain\nParis,21.5,3\nOslo,12,7\nRome,27,\n"
    res = runner.run(ctx.find_tool("csv-summary"), {"file": _data_url(csv, "text/csv")})
    assert res.status == "ok", res.error
    rows = {r["column"]: r for r in res.outputs["summary"]["rows"]}
    assert rows["temp"]["kind"] == "number" and rows["temp"]["mean"] == pytest.approx(20.1666, rel=1e-3)
    assert rows["rain"]["missing"] == 1
    assert res.outputs["overview"]["pairs"]["Rows"] == 3
    # charts are data the app draws, not pictures: no PNG artefact any more
    assert res.outputs["means"]["x"] == ["temp", "rain"]
    assert res.outputs["means"]["series"][0]["y"] == pytest.approx([20.1667, 5.0], rel=1e-3)
    assert res.outputs["histogram"]["values"] == [21.5, 12.0, 27.0]
    assert not [a for a in res.artefacts if a.mime == "image/png"]
    bad = runner.run(ctx.find_tool("csv-summary"), {"file": _data_url(csv, "text/csv"), "histogram_column": "city"})
    assert bad.status == "error" and "not a numeric column" in bad.error


def test_image_thumbnail_resizes_png_and_jpeg(ctx, install, runner):
    install("image-thumbnail")
    tool = ctx.find_tool("image-thumbnail")
    res = runner.run(tool, {"image": _data_url(_png(64, 32), "image/png"), "max_edge": 16, "greyscale": True})
    assert res.status == "ok", res.error
    from pixie_desktop.sdk_png import decode_png

    art = next(a for a in res.artefacts if a.output_key == "thumbnail")
    img = decode_png((ctx.settings.artefacts_root / art.rel_path).read_bytes())
    assert (img.width, img.height, img.channels) == (16, 8, 1)
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QImage

    src = QImage(90, 60, QImage.Format.Format_RGB32)
    src.fill(0xFF336699)
    ba = QByteArray()
    buf = QBuffer(ba)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    assert src.save(buf, "JPEG", 80)
    jpeg = runner.run(tool, {"image": _data_url(bytes(ba.data()), "image/jpeg"), "max_edge": 48})
    assert jpeg.status == "ok", jpeg.error
    assert jpeg.outputs["info"]["pairs"]["Thumbnail"] == "48 × 32 px JPEG"
    art = next(a for a in jpeg.artefacts if a.output_key == "thumbnail")
    assert art.mime == "image/jpeg"
    bad = runner.run(tool, {"image": _data_url(b"\xff\xd8\xff\xe0not really a jpeg", "image/jpeg")})
    assert bad.status == "error" and "cannot read this image" in bad.error


def test_slow_counter_streams_events(ctx, install, runner):
    install("slow-counter")
    events: list[RunEvent] = []
    res = runner.run(ctx.find_tool("slow-counter"), {"steps": 4, "delay": 0.05}, on_event=events.append)
    assert res.status == "ok", res.error
    kinds = [e.kind for e in events]
    assert kinds[0] == "started"
    assert [e.fraction for e in events if e.kind == "progress"] == [0.25, 0.5, 0.75, 1.0]
    assert "".join(e.value for e in events if e.kind == "stream") == res.outputs["narration"]
    assert res.outputs["narration"].count("sheep") == 4
    assert res.outputs["counted"] == 4
    assert any(e.kind == "log" and "counting 4 sheep" in e.message for e in events)
    assert res.outputs["log"]["lines"][0]["message"].startswith("counting")


# -- cancel -----------------------------------------------------------------------------------

def _start(runner, tool, inputs, run_id):
    box: dict = {}
    t = threading.Thread(target=lambda: box.setdefault("r", runner.run(tool, inputs, run_id=run_id)))
    t.start()
    return t, box


def _wait_running(runner, run_id, timeout=10.0):
    """Until the run has been handed to a live tool process."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        active = runner._active.get(run_id)  # noqa: SLF001 - test looks inside on purpose
        if active is not None and active.proc is not None:
            return
        time.sleep(0.01)


def test_cancel_one_of_two_concurrent_runs(ctx, install, runner):
    install("slow-counter")
    tool = ctx.find_tool("slow-counter")
    t1, b1 = _start(runner, tool, {"steps": 8, "delay": 0.1}, "run-keep")
    t2, b2 = _start(runner, tool, {"steps": 200, "delay": 0.1}, "run-cancel")
    _wait_running(runner, "run-cancel")
    time.sleep(0.4)
    assert runner.cancel("run-cancel")
    t2.join(10)
    t1.join(10)
    assert b2["r"].status == "cancelled"
    assert b1["r"].status == "ok" and b1["r"].outputs["counted"] == 8
    assert runs_repo.get_run(ctx.conn, "run-cancel").status == "cancelled"
    assert runner.pool.spawn_count == 1  # the process was never killed


def test_hard_cancel_keeps_process_serving_other_run(ctx, install, runner):
    install("misbehave")
    tool = ctx.find_tool("misbehave")
    t1, b1 = _start(runner, tool, {"mode": "sleep", "seconds": 1.5}, "other")
    _wait_running(runner, "other")
    t2, b2 = _start(runner, tool, {"mode": "hang"}, "stuck")
    _wait_running(runner, "stuck")
    time.sleep(0.3)
    runner.cancel("stuck")
    t2.join(10)
    t1.join(10)
    assert b2["r"].status == "cancelled"
    assert b1["r"].status == "ok", b1["r"].error


def test_hard_cancel_kills_process_when_alone(ctx, install, runner):
    install("misbehave")
    tool = ctx.find_tool("misbehave")
    t, box = _start(runner, tool, {"mode": "hang"}, "alone")
    _wait_running(runner, "alone")
    time.sleep(0.3)
    runner.cancel("alone")
    t.join(10)
    assert box["r"].status == "cancelled"
    assert not runner.pool.is_warm("misbehave")
    again = runner.run(tool, {"mode": "ok"})  # respawned lazily
    assert again.status == "ok"


# -- failures ---------------------------------------------------------------------------------

def test_crash_is_readable_and_includes_this_runs_stderr(ctx, install, runner):
    install("misbehave")
    res = runner.run(ctx.find_tool("misbehave"), {"mode": "crash"})
    assert res.status == "error"
    assert "exited with code 3" in res.error and "boom" in res.error
    assert runs_repo.get_run(ctx.conn, res.run_id).error_text == res.error
    assert runner.run(ctx.find_tool("misbehave"), {"mode": "ok"}).status == "ok"


def test_hang_times_out_per_run_and_kills(ctx, install, runner):
    install("misbehave")
    tool = ctx.find_tool("misbehave")
    tool_state_repo.set_overrides(ctx.conn, "misbehave", {"max_runtime_seconds": 1})  # overrides apply
    t0 = time.monotonic()
    res = runner.run(tool, {"mode": "hang"})
    assert res.status == "error" and "timed out after 1 s" in res.error
    assert time.monotonic() - t0 < 1 + 1.0 + 4
    assert not runner.pool.is_warm("misbehave")
    # the limit is per run, not per process lifetime: a fresh process serves the next runs
    assert runner.run(tool, {"mode": "sleep", "seconds": 0.6}).status == "ok"
    assert runner.run(tool, {"mode": "sleep", "seconds": 0.6}).status == "ok"


def test_exit_before_healthy_hints_main_guard(ctx, install, runner):
    install("early-exit")
    res = runner.run(ctx.find_tool("early-exit"), {})
    assert res.status == "error"
    assert "exited with code 0" in res.error and "__main__" in res.error


def test_invalid_json_response(ctx, install, runner):
    install("bad-json")
    res = runner.run(ctx.find_tool("bad-json"), {})
    assert res.status == "error" and "invalid JSON" in res.error and "definitely not json" in res.error


def test_user_error_422_is_unwrapped(ctx, install, runner):
    install("misbehave")
    res = runner.run(ctx.find_tool("misbehave"), {"mode": "fail"})
    assert res.error.startswith("tool 'misbehave' rejected the input: that input is not acceptable")
    assert res.error.endswith("(HTTP 422)")


def test_big_output_is_spilled_and_read_back(ctx, install, runner):
    install("misbehave")
    res = runner.run(ctx.find_tool("misbehave"), {"mode": "big", "size_mb": 5})
    assert res.status == "ok" and res.spilled
    rec = runs_repo.get_run(ctx.conn, res.run_id)
    assert rec.outputs_json is None
    assert rec.meta["outputs_oversize"] is True and rec.meta["bytes"] > 5 * 1024 * 1024
    back = load_outputs(ctx.conn, ctx.settings, rec)
    assert len(back["text"]) == 5 * 1024 * 1024
    spilled = [a for a in artefacts_repo.for_run(ctx.conn, res.run_id) if a.filename == "outputs.json"]
    assert len(spilled) == 1 and spilled[0].tags == "_pixie_run_outputs"


def test_oversize_response_refused(ctx, install, runner, monkeypatch):
    import pixie_desktop.runtime.runner as runner_mod

    monkeypatch.setattr(runner_mod, "MAX_RESPONSE_BYTES", 1024 * 1024)
    install("misbehave")
    res = runner.run(ctx.find_tool("misbehave"), {"mode": "big", "size_mb": 2})
    assert res.status == "error" and "was refused" in res.error


def test_spill_enospc_leaves_no_rows(ctx, install, runner, monkeypatch):
    import errno

    import pixie_desktop.artefacts.spill as spill_mod

    def full(path, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(spill_mod, "atomic_write", full)
    install("misbehave")
    res = runner.run(ctx.find_tool("misbehave"), {"mode": "media"})
    assert res.status == "error" and "No space left on device" in res.error
    assert artefacts_repo.for_run(ctx.conn, res.run_id) == []
    assert runs_repo.get_run(ctx.conn, res.run_id).total_artefact_bytes == 0


def test_media_outputs_become_files(ctx, install, runner):
    install("misbehave")
    res = runner.run(ctx.find_tool("misbehave"), {"mode": "media"})
    assert res.status == "ok", res.error
    assert res.outputs["picture"].startswith("file://") and res.outputs["picture"].endswith("picture.png")
    report = res.outputs["report"]
    assert report["filename"] == "report.txt" and report["size"] == 11 and report["data"].startswith("file://")
    by_key = {a.output_key: a for a in res.artefacts}
    assert by_key["report"].mime == "text/plain"
    folder = ctx.settings.artefacts_root / "misbehave" / res.run_id
    assert (folder / "report.txt").read_text() == "hello world"
    assert "data:" not in (runs_repo.get_run(ctx.conn, res.run_id).outputs_json or "")


@pytest.mark.skipif(not __import__("importlib").util.find_spec("psutil"), reason="needs psutil")
def test_memory_limit_stops_run(ctx, install, runner):
    install("misbehave")
    res = runner.run(ctx.find_tool("misbehave"), {"mode": "memory"})
    assert res.status == "error" and "max_memory_mb of 256 MB" in res.error


# -- secrets ----------------------------------------------------------------------------------

def test_secret_never_reaches_the_database(ctx, install, runner, db_path):
    from pixie_desktop.runtime.secrets import write_secret

    folder = install("misbehave")
    token = "sk-test-9f8e7d6c5b4a"
    write_secret(folder, "API_TOKEN", token)
    tool = ctx.find_tool("misbehave")
    events: list[RunEvent] = []
    ok = runner.run(tool, {"mode": "secret"}, on_event=events.append)
    assert ok.status == "ok" and ok.outputs["text"] == "the token is •••"
    bad = runner.run(tool, {"mode": "secret_error"})
    assert bad.status == "error" and token not in bad.error and "•••" in bad.error
    ctx.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    blob = b"".join(p.read_bytes() for p in db_path.parent.glob(db_path.name + "*"))
    assert token.encode() not in blob
    assert all(token not in repr(e) for e in events)


# -- SDK contract -----------------------------------------------------------------------------

def test_sdk_serves_schema_verbatim_autocomplete_and_cancel(ctx, tools_dir):
    import json as _json

    from conftest import write_tool

    from pixie_desktop.runtime.launcher import spawn

    raw = ('{"id": "ac", "name": "AC", "provides_autocomplete": true, "max_runtime_seconds": 100.0,\n'
           ' "inputs": [{"key": "city", "type": "autocomplete", "label": "City", "endpoint": "cities"}],\n'
           ' "outputs": [{"key": "x", "type": "text", "label": "X"}]}')
    main = ("from pixie_desktop import sdk\ntool = sdk.Tool(__file__)\n"
            "@tool.handler\ndef run(inputs, ctx):\n    return {'x': inputs.get('city')}\n"
            "@tool.autocomplete('cities')\ndef cities(q):\n"
            "    return [{'value': c.lower(), 'label': c} for c in ('Paris', 'Oslo') if q.lower() in c.lower()]\n"
            "if __name__ == '__main__':\n    tool.serve()\n")
    write_tool(tools_dir, "ac", raw, main)
    proc = spawn(ctx.find_tool("ac"), ctx.settings)
    try:
        status, body = proc.client.get("/schema")
        assert status == 200 and body.decode() == raw  # byte-for-byte (100.0 stays 100.0)
        status, body = proc.client.get("/autocomplete/cities?q=pa")
        assert _json.loads(body) == [{"value": "paris", "label": "Paris"}]
        assert proc.client.get("/autocomplete/nope?q=")[0] == 404
        status, body = proc.client.post_json("/run", {"city": "Oslo"})  # flat legacy body
        assert _json.loads(body) == {"x": "Oslo"}
        status, body = proc.client.request("POST", "/cancel?run_id=zz", body=b"")
        assert status == 200 and _json.loads(body) == {"cancelled": True}
    finally:
        assert proc.stop(grace=5) == 0  # SIGTERM → clean exit 0 (validator's clean_shutdown)


def test_concurrent_false_serialises_runs(ctx, tools_dir, runner):
    from conftest import write_tool

    spec = {"id": "serial", "name": "Serial", "concurrent": False, "inputs": [],
            "outputs": [{"key": "t", "type": "code", "label": "T"}]}
    main = ("import time\nfrom pixie_desktop import sdk\ntool = sdk.Tool(__file__)\n"
            "@tool.handler\ndef run(inputs, ctx):\n    a = time.time(); time.sleep(0.3)\n"
            "    return {'t': [a, time.time()]}\n"
            "if __name__ == '__main__':\n    tool.serve()\n")
    write_tool(tools_dir, "serial", spec, main)
    tool = ctx.find_tool("serial")
    boxes = [_start(runner, tool, {}, f"s{i}") for i in range(2)]
    for t, _ in boxes:
        t.join(20)
    (a0, a1), (b0, b1) = sorted(box["r"].outputs["t"] for _, box in boxes)
    assert b0 >= a1 - 0.01  # the second started after the first finished
