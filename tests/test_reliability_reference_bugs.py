"""One test per bug of the reference runtime (shared/spec/reference-runtime.md §9 "Ten
non-obvious behaviours", plus the related §2–§8 notes) that is not already pinned elsewhere,
each proving Pixie Desktop does not have it. The map of every bug → test is in the README's
"Reliability tests" paragraph and in each test's docstring ("§9.n")."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
from conftest import write_tool

from pixie_desktop.store import artefacts_repo, runs_repo, tool_state_repo, validation_repo
from pixie_desktop.store.db import iso_ago


# §9.1 -------------------------------------------------------------------------------------
def test_9_1_one_spill_threshold_and_replay_reads_what_was_stored(ctx, install, runner):
    """The reference spilled at 1 000 000 chars, ignored inline_output_max_bytes and replayed
    oversize runs as blank. Here the setting is the threshold and replay returns the outputs."""
    install("bad-tool")
    tool = ctx.find_tool("bad-tool")
    ctx.settings.values["inline_output_max_bytes"] = 300_000
    small = runner.run(tool, {"mode": "huge", "size_mb": 0.25})   # 262 144 chars: inline
    big = runner.run(tool, {"mode": "huge", "size_mb": 0.3})      # 314 572 chars: spilled
    assert not small.spilled and runs_repo.get_run(ctx.conn, small.run_id).outputs_json is not None
    rec = runs_repo.get_run(ctx.conn, big.run_id)
    assert big.spilled and rec.outputs_json is None and rec.meta["outputs_oversize"] is True
    from pixie_desktop.runtime.runner import load_outputs

    replay = load_outputs(ctx.conn, ctx.settings, rec)
    assert replay == big.outputs and len(replay["text"]) == int(0.3 * 1024 * 1024)


# §9.2 -------------------------------------------------------------------------------------
def test_9_2_prune_honours_stars_labels_starred_artefacts_and_unlinks_files(ctx):
    """The reference's post-run prune and sweeper deleted everything past 100 runs, starred
    included, and the FK cascade left their files orphaned on disk."""
    from pixie_desktop.artefacts.storage import register_file
    from pixie_desktop.artefacts.sweeper import SweepReport, prune_runs

    root = ctx.settings.artefacts_root
    for i in range(8):
        rid = f"r{i}"
        runs_repo.create_run(ctx.conn, rid, "t", {}, started_at=f"2026-01-0{i + 1}T00:00:00+00:00")
        runs_repo.finish_run(ctx.conn, rid, "ok", outputs_json="{}")
        (root / "t" / rid).mkdir(parents=True)
        (root / "t" / rid / "out.txt").write_text(rid)
        register_file(ctx.conn, ctx.settings, run_id=rid, tool_id="t", output_key="", path=root / "t" / rid / "out.txt")
    runs_repo.set_starred(ctx.conn, "r0", True)
    runs_repo.set_label(ctx.conn, "r1", "keep me")
    artefacts_repo.set_starred(ctx.conn, artefacts_repo.for_run(ctx.conn, "r2")[0].id, True)
    report = SweepReport()
    prune_runs(ctx.conn, root, {"t": 2}, 100, report)
    left = {r.id for r in runs_repo.list_runs(ctx.conn, tool_id="t")}
    assert left == {"r0", "r1", "r2", "r6", "r7"}
    assert sorted(report.pruned_runs) == ["r3", "r4", "r5"]
    for rid in ("r3", "r4", "r5"):
        assert not (root / "t" / rid).exists()  # files went with the rows: no orphans
    assert artefacts_repo.for_run(ctx.conn, "r0")[0].filename == "out.txt"


def test_9_2_a_run_never_triggers_a_star_blind_prune(ctx, install, runner):
    install("calculator")
    tool = ctx.find_tool("calculator")
    first = runner.run(tool, {"a": 1, "b": 1, "op": "add"})
    runs_repo.set_starred(ctx.conn, first.run_id, True)
    spec = json.loads((tool.path / "tool.json").read_text())
    spec["retain_runs"] = 1
    (tool.path / "tool.json").write_text(json.dumps(spec))
    tool = ctx.find_tool("calculator")
    for i in range(3):
        assert runner.run(tool, {"a": i, "b": 1, "op": "add"}).status == "ok"
    assert runs_repo.get_run(ctx.conn, first.run_id) is not None


# §9.3 -------------------------------------------------------------------------------------
@pytest.mark.skipif(not Path("/proc/self/limits").exists(), reason="needs /proc")
def test_9_3_spawn_works_with_no_lifetime_cpu_or_address_space_rlimit(ctx, install, runner):
    """start_new_session + setsid() made every spawn fail with EPERM; RLIMIT_CPU capped a warm
    tool's *lifetime* CPU and RLIMIT_AS broke BLAS/torch."""
    install("bad-tool")
    res = runner.run(ctx.find_tool("bad-tool"), {"mode": "ok"})
    assert res.status == "ok"
    pid = res.outputs["pid"]
    import os

    assert os.getpgid(pid) == pid  # its own process group (one mechanism: start_new_session)

    def limit(path: str, name: str) -> str:
        line = next(ln for ln in Path(path).read_text().splitlines() if ln.startswith(name))
        return line[len(name):].split()[0]

    for name in ("Max cpu time", "Max address space"):
        assert limit(f"/proc/{pid}/limits", name) == limit("/proc/self/limits", name)


# §9.4 -------------------------------------------------------------------------------------
def test_9_4_eviction_spares_the_new_tool_busy_tools_and_pinned_ones(ctx, install, runner):
    for name in ("misbehave", "bad-tool", "calculator"):
        install(name)
    tools = {t.tool_id: t for t in ctx.tools()}
    ctx.settings.values["warm_keep_max"] = 1
    box: dict = {}
    busy = threading.Thread(target=lambda: box.setdefault(
        "r", runner.run(tools["misbehave"], {"mode": "sleep", "seconds": 1.2})))
    busy.start()
    time.sleep(0.6)
    # over the cap with a busy tool: the new one must survive its own spawn, the busy one too
    assert runner.run(tools["bad-tool"], {"mode": "ok"}).status == "ok"
    busy.join(10)
    assert box["r"].status == "ok", box["r"].error
    # every other tool pinned: the new tool still is not killed right after spawning
    runner.pool.stop_all()
    runner.pool.set_pinned("bad-tool", True)
    runner.run(tools["bad-tool"], {"mode": "ok"})
    res = runner.run(tools["calculator"], {"a": 1, "b": 2, "op": "add"})
    assert res.status == "ok" and runner.pool.is_warm("calculator") and runner.pool.is_warm("bad-tool")


# §9.5 -------------------------------------------------------------------------------------
def test_9_5_ttl_is_per_tool_overrides_apply_and_pinned_is_exempt(ctx, tools_dir, install, runner):
    install("bad-tool")
    install("misbehave")
    spec = json.loads((tools_dir / "bad-tool" / "tool.json").read_text())
    spec["warm_keep_seconds"] = 0
    (tools_dir / "bad-tool" / "tool.json").write_text(json.dumps(spec))
    tools = {t.tool_id: t for t in ctx.tools()}
    runner.run(tools["bad-tool"], {"mode": "ok"})
    runner.run(tools["misbehave"], {"mode": "ok"})
    time.sleep(0.05)
    runner.pool.reap()
    assert not runner.pool.is_warm("bad-tool")      # its own TTL of 0 s
    assert runner.pool.is_warm("misbehave")         # the global 300 s
    runner.pool.set_pinned("misbehave", True)
    ctx.settings.values["warm_keep_seconds"] = 0
    runner.pool.reap()
    assert runner.pool.is_warm("misbehave")         # pinned: exempt from the TTL too
    # a DB override of max_runtime_seconds is applied (the reference only displayed it)
    tool_state_repo.set_overrides(ctx.conn, "bad-tool", {"max_runtime_seconds": 1})
    t0 = time.monotonic()
    res = runner.run(tools["bad-tool"], {"mode": "hang"})
    assert res.status == "error" and "timed out after 1 s" in res.error and time.monotonic() - t0 < 1 + 1 + 4


# §9.6 -------------------------------------------------------------------------------------
def test_9_6_bookkeeping_counters_and_error_shapes(ctx, install, runner):
    """Counters were never bumped; a 4xx was shown as a *spawn* error; a timeout left the tool
    running. (No-row-on-invalid-input: tests/test_runtime_core.py::test_invalid_inputs_write_no_row.)"""
    install("bad-tool")
    tool = ctx.find_tool("bad-tool")
    runner.run(tool, {"mode": "ok"})
    err = runner.run(tool, {"mode": "http500"})
    state = tool_state_repo.get(ctx.conn, "bad-tool")
    assert state.run_count_total == 2 and state.last_run_at
    assert err.error.startswith("tool 'bad-tool' failed")  # a run error, not "could not start"
    hang = runner.run(tool, {"mode": "hang"})
    assert "timed out" in hang.error and not runner.pool.is_warm("bad-tool")


# §9.7 -------------------------------------------------------------------------------------
def test_9_7_first_final_status_wins(ctx):
    """The hard kill made the request write `error` and then cancel overwrote it (or vice versa);
    here the first final writer wins and an `ok` run cannot become `cancelled`."""
    runs_repo.create_run(ctx.conn, "c", "t", {})
    assert runs_repo.finish_run(ctx.conn, "c", "cancelled", error_text="cancelled by the user")
    assert not runs_repo.finish_run(ctx.conn, "c", "error", error_text="connection reset")
    assert runs_repo.get_run(ctx.conn, "c").status == "cancelled"
    runs_repo.create_run(ctx.conn, "o", "t", {})
    runs_repo.finish_run(ctx.conn, "o", "ok", outputs_json="{}")
    assert not runs_repo.finish_run(ctx.conn, "o", "cancelled")
    assert runs_repo.get_run(ctx.conn, "o").status == "ok"


# §9.8 -------------------------------------------------------------------------------------
def test_9_8_error_text_holds_only_this_runs_stderr(ctx, install, runner):
    """The reference put the process's whole 64 KiB stderr ring (earlier runs included) into
    error_text."""
    install("bad-tool")
    tool = ctx.find_tool("bad-tool")
    runner.run(tool, {"mode": "leak"})  # writes "debug: token=…" to stderr
    res = runner.run(tool, {"mode": "forkexit"})
    assert "grandchild" in res.error and "debug: token" not in res.error


def test_9_8_saving_a_secret_keeps_comments_and_order(tmp_path):
    from pixie_desktop.runtime.secrets import write_secret

    env = tmp_path / ".env"
    env.write_text("# my notes\nZED=1\n\n# the key\nAPI_TOKEN=old\nALPHA=2\n")
    write_secret(tmp_path, "API_TOKEN", "new value")
    assert env.read_text() == '# my notes\nZED=1\n\n# the key\nAPI_TOKEN="new value"\nALPHA=2\n'


def test_9_8_author_csv_is_not_renamed(ctx, install, runner, tools_dir):
    """The reference renamed any filename matching "auth" (author.csv) on disk."""
    write_tool(tools_dir, "writer", {"id": "writer", "name": "W", "inputs": [],
                                     "outputs": [{"key": "n", "type": "number", "label": "N"}]},
               main_py="from pixie_desktop import sdk\ntool = sdk.Tool(__file__)\n"
                       "@tool.handler\ndef run(inputs, ctx):\n    ctx.artefact('author.csv', 'a,b\\n')\n"
                       "    return {'n': 1}\nif __name__ == '__main__':\n    tool.serve()\n")
    res = runner.run(ctx.find_tool("writer"), {})
    assert res.status == "ok", res.error
    assert [a.filename for a in res.artefacts] == ["author.csv"]


# §9.9 -------------------------------------------------------------------------------------
def test_9_9_report_retention_keeps_each_tools_latest(ctx):
    validation_repo.save_report(ctx.conn, "stable", "pass", {"overall": "pass"}, timestamp=iso_ago(90 * 86400))
    validation_repo.save_report(ctx.conn, "stable", "fail", {"overall": "fail"}, timestamp=iso_ago(120 * 86400))
    validation_repo.prune(ctx.conn)
    latest = validation_repo.latest(ctx.conn, "stable")
    assert latest is not None and latest.overall == "pass"  # not "unchecked" after 30 days
    assert len(validation_repo.history(ctx.conn, "stable")) == 1


# §9.10 ------------------------------------------------------------------------------------
def test_9_10_start_record_is_idempotent(ctx):
    runs_repo.create_run(ctx.conn, "dup", "t", {"a": 1})
    runs_repo.create_run(ctx.conn, "dup", "t", {"a": 2})
    assert runs_repo.count_runs(ctx.conn) == 1 and runs_repo.get_run(ctx.conn, "dup").inputs == {"a": 1}


def test_9_10_sse_frames_split_across_chunks_are_parsed(tmp_path):
    """The reference rewrote `event:` lines per chunk and broke on split lines."""
    import socket
    import threading as th

    from pixie_desktop.runtime.client import ToolClient

    frames = (b"event: narration\ndata: hello wor\n\nevent: output:counted\ndata: 3\n\n"
              b"event: done\ndata: {}\n\n")
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)

    def serve():
        conn, _ = srv.accept()
        conn.recv(65536)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n")
        for i in range(len(frames)):  # one byte per TCP write
            conn.sendall(frames[i:i + 1])
            time.sleep(0.001)
        conn.close()

    t = th.Thread(target=serve, daemon=True)
    t.start()
    stream = ToolClient(srv.getsockname()[1]).stream("/stream?run_id=x", timeout=5)
    events = [(e.event, e.data) for e in stream]
    stream.close()
    srv.close()
    assert events[:3] == [("narration", "hello wor"), ("output:counted", "3"), ("done", "{}")]


def test_9_10_concurrent_false_serialises_streaming_runs_too(ctx, install, runner, tools_dir):
    install("slow-counter")
    spec = json.loads((tools_dir / "slow-counter" / "tool.json").read_text())
    spec["concurrent"] = False
    (tools_dir / "slow-counter" / "tool.json").write_text(json.dumps(spec))
    tool = ctx.find_tool("slow-counter")
    spans: dict = {}

    def go(rid):
        t0 = time.monotonic()
        res = runner.run(tool, {"steps": 4, "delay": 0.1}, run_id=rid)
        spans[rid] = (t0, time.monotonic(), res.status)

    ts = [threading.Thread(target=go, args=(r,)) for r in ("s1", "s2")]
    for t in ts:
        t.start()
    for t in ts:
        t.join(20)
    assert {s[2] for s in spans.values()} == {"ok"}
    (a0, a1, _), (b0, b1, _) = sorted(spans.values())
    assert max(a1, b1) - min(a0, b0) >= 0.75  # two 0.4 s runs one after the other, not overlapped


def test_9_10_artefact_layout_and_idempotent_registration(ctx, install, runner):
    install("misbehave")
    res = runner.run(ctx.find_tool("misbehave"), {"mode": "media"})
    for art in res.artefacts:
        assert art.rel_path.startswith(f"misbehave/{res.run_id}/")
    from pixie_desktop.artefacts.storage import register_file

    again = register_file(ctx.conn, ctx.settings, run_id=res.run_id, tool_id="misbehave", output_key="picture",
                          path=ctx.settings.artefacts_root / res.artefacts[0].rel_path)
    assert again.id == res.artefacts[0].id and len(artefacts_repo.for_run(ctx.conn, res.run_id)) == len(res.artefacts)
    total = sum(a.size_bytes for a in res.artefacts)
    assert runs_repo.get_run(ctx.conn, res.run_id).total_artefact_bytes == total  # not double-counted


def test_9_10_real_env_var_name_for_the_warm_cap(monkeypatch):
    from pixie_desktop.config import load_settings

    monkeypatch.setenv("PIXIE_WARM_KEEP_MAX", "3")
    assert load_settings().warm_keep_max == 3


# §2.3 / §2.4 -------------------------------------------------------------------------------
def test_2_3_both_response_shapes_are_accepted():
    from pixie_desktop.artefacts.spill import normalise_response

    assert normalise_response({"a": 1}, ["a"]) == {"a": 1}
    assert normalise_response({"outputs": {"a": 1}}, ["a"]) == {"a": 1}
    assert normalise_response({"outputs": 5}, ["outputs"]) == {"outputs": 5}
