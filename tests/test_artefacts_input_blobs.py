"""Big file inputs are recorded as handles (bytes in artefacts/_inputs), expand back for
re-runs, and are swept once nothing refers to them; the tool still receives the data URL."""

from __future__ import annotations

import base64

from conftest import write_tool
from pixie_desktop.artefacts import input_blobs, sweeper
from pixie_desktop.manifest.parse import parse_tool_dict
from pixie_desktop.store import runs_repo, tool_state_repo

SPEC = parse_tool_dict({"id": "f", "name": "F", "inputs": [
    {"key": "doc", "type": "file", "label": "Doc"}, {"key": "pics", "type": "image", "label": "P", "multiple": True},
    {"key": "note", "type": "text", "label": "N"}], "outputs": []})


def durl(data: bytes, mime: str = "text/csv") -> str:
    return f"data:{mime};base64," + base64.b64encode(data).decode()


def test_compact_and_expand_roundtrip(tmp_path):
    big = b"a,b\n" + b"1,2\n" * 5000
    small = durl(b"x")
    inputs = {"doc": durl(big), "pics": [durl(big, "image/png"), small], "note": "data:" + "y" * 9000}
    rec = input_blobs.compact_inputs(SPEC, inputs, tmp_path)
    assert input_blobs.is_handle(rec["doc"]) and rec["doc"]["size"] == len(big)
    assert input_blobs.is_handle(rec["pics"][0]) and rec["pics"][1] == small
    assert rec["note"] == inputs["note"]  # not a file input: untouched
    assert len(str({k: rec[k] for k in ("doc", "pics")})) < 1000
    assert input_blobs.expand_inputs(rec, tmp_path) == inputs
    # content-addressed: the same bytes (even under another mime) are stored once
    assert len(list((tmp_path / "_inputs").glob("??/*"))) == 1
    # a missing blob leaves the field empty instead of wrong
    input_blobs.blob_path(tmp_path, rec["doc"]["$pixie_input"]).unlink()
    assert "doc" not in input_blobs.expand_inputs(rec, tmp_path)


def test_runner_records_handles_and_sweeper_removes_orphans(ctx, tools_dir):
    from pixie_desktop.runtime.runner import Runner

    write_tool(tools_dir, "echo-size", {
        "id": "echo-size", "name": "Echo size", "inputs": [{"key": "doc", "type": "file", "label": "Doc"}],
        "outputs": [{"key": "n", "type": "number", "label": "N"}]},
        main_py=("from pixie_desktop import sdk\n"
                 "tool = sdk.Tool(__file__)\n"
                 "@tool.handler\n"
                 "def run(inputs, ctx):\n"
                 "    return {'n': len(sdk.decode_data_url(inputs['doc'])[1])}\n"
                 "if __name__ == '__main__':\n    tool.serve()\n"))
    tool = ctx.find_tool("echo-size")
    data = b"z" * 200_000
    runner = Runner(ctx.settings)
    try:
        res = runner.run(tool, {"doc": durl(data)})
    finally:
        runner.shutdown()
    assert res.status == "ok" and res.outputs["n"] == len(data)  # the tool got the real bytes
    rec = runs_repo.get_run(ctx.conn, res.run_id)
    assert len(rec.inputs_json) < 500 and input_blobs.is_handle(rec.inputs["doc"])
    assert input_blobs.is_handle(tool_state_repo.get(ctx.conn, "echo-size").last_inputs["doc"])
    assert input_blobs.expand_inputs(rec.inputs, ctx.settings.artefacts_root)["doc"] == durl(data)
    report = sweeper.sweep(ctx.conn, ctx.settings)
    assert report.input_blobs_removed == 0
    runs_repo.delete_runs(ctx.conn, [res.run_id])
    tool_state_repo.update(ctx.conn, "echo-size", last_inputs_json=None)
    report = sweeper.sweep(ctx.conn, ctx.settings)
    assert report.input_blobs_removed == 1
    assert not list((ctx.settings.artefacts_root / "_inputs").glob("??/*"))
