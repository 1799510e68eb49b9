"""Batches without Qt: folder / CSV / grid expansion, a batch run on the headless lane (results
table, batch_id in each run's meta_json, retry of failed items, cancel dropping queued items),
and `pixie-desktop batch` (--json object, exit codes, --preset, --csv, --over)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from pixie_desktop.batch import plan
from pixie_desktop.batch.local import run_batch
from pixie_desktop.batch.state import Batch
from pixie_desktop.queries import runs as run_queries


def cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pixie_desktop", *args], capture_output=True, text=True,
                          timeout=timeout, env=dict(os.environ))


def _csvs(folder: Path, n: int, bad: int | None = None) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        p = folder / f"data{i}.csv"
        p.write_text("x,y\n" + "".join(f"{j},{j * i}\n" for j in range(i + 1)) if i != bad else "")
        out.append(p)
    (folder / ".hidden.csv").write_text("x\n1\n")
    return out


def test_expand_folder_csv_grid_and_count(tmp_path):
    files = _csvs(tmp_path / "in", 3)
    assert plan.folder_files(tmp_path / "in") == files
    grid = plan.parse_grid(["a=1,2", "op=add,multiply,power"])
    assert grid == {"a": ["1", "2"], "op": ["add", "multiply", "power"]}
    items = plan.expand({"b": 5}, grid=grid)
    assert len(items) == 6 == plan.count(grid=grid)
    assert items[0].inputs == {"b": 5, "a": "1", "op": "add"} and items[0].varying == {"a": "1", "op": "add"}
    (tmp_path / "rows.csv").write_text("a,b\n1,2\n3,\n")
    rows = plan.csv_rows(tmp_path / "rows.csv")
    assert rows == [{"a": "1", "b": "2"}, {"a": "3"}]
    combo = plan.expand({}, over_key="file", files=files, rows=rows)
    assert len(combo) == 6 == plan.count(files=files, rows=rows, over_key="file")
    assert combo[1].varying == {"file": files[0], "a": "3"}
    with pytest.raises(plan.BatchPlanError):
        plan.expand({})
    with pytest.raises(plan.BatchPlanError):
        plan.parse_grid(["nonsense"])
    with pytest.raises(plan.BatchPlanError):
        plan.expand({}, grid={f"k{i}": list(range(10)) for i in range(6)})


def test_grid_batch_results_and_batch_id(ctx, install, runner):
    install("calculator")
    tool = ctx.find_tool("calculator")
    items = plan.expand({"b": 3}, grid=plan.parse_grid(["a=1,2", "op=add,multiply,divide"]))
    batch = Batch(tool.tool_id, items, output_keys=[o.key for o in tool.spec.outputs])
    seen: list[int] = []
    run_batch(runner, tool, batch, parallel=3, on_update=lambda b: seen.append(b.progress().done))
    p = batch.progress()
    assert (p.total, p.ok, p.failed, p.done) == (6, 6, 0, 6) and sorted(seen)[-1] == 6
    headers, rows = batch.results()
    assert headers == ["#", "a", "op", "status", "result"]
    by = {(r[1], r[2]): r[4] for r in rows}
    assert by[("2", "multiply")] == 6 and by[("1", "add")] == 4 and by[("1", "divide")] == pytest.approx(1 / 3, abs=1e-3)
    for i, rid in enumerate(batch.run_ids()):
        rec = run_queries.get_run(ctx.conn, rid)
        assert rec.status == "ok" and rec.meta["batch_id"] == batch.id and rec.meta["batch_index"] == i
    text = batch.to_csv(Path(ctx.settings.db_path).parent / "r.csv")
    assert text.splitlines()[0] == "#,a,op,status,result" and len(text.splitlines()) == 7


def test_folder_batch_retry_failed(ctx, install, runner, tmp_path):
    install("csv-summary")
    tool = ctx.find_tool("csv-summary")
    files = _csvs(tmp_path / "in", 3, bad=1)
    batch = Batch(tool.tool_id, plan.expand({}, over_key="file", files=plan.folder_files(tmp_path / "in")))
    run_batch(runner, tool, batch, parallel=2)
    p = batch.progress()
    assert (p.ok, p.failed) == (2, 1) and batch.failed_indices() == [1]
    headers, rows = batch.results()
    assert headers[:3] == ["#", "file", "status"] and [r[1] for r in rows] == [f.name for f in files]
    files[1].write_text("x,y\n1,2\n")  # fix the bad file, then retry just that item
    first = batch.run_id_of(1)
    run_batch(runner, tool, batch, parallel=2, indices=batch.failed_indices())
    assert batch.progress().ok == 3 and batch.failed_indices() == []
    assert batch.run_id_of(1) != first and first in batch.earlier_runs
    assert run_queries.get_run(ctx.conn, batch.run_id_of(1)).meta["batch_id"] == batch.id
    # the gallery's batch filter: each item's files (and nothing from other runs). CSV Summary
    # draws its charts natively (no files), so a Loan Report grid batch supplies them.
    from pixie_desktop.artefacts.queries import ArtefactQuery, count

    install("loan-report")
    loans = ctx.find_tool("loan-report")
    files_batch = Batch(loans.tool_id, plan.expand({"format": "html"}, grid={"amount": [1100, 2100]}))
    run_batch(runner, loans, files_batch, parallel=2)
    assert files_batch.progress().ok == 2
    before = count(ctx.conn, ArtefactQuery())
    runner.run(loans, {"amount": 3100, "format": "html"})  # a run outside the batch
    q = ArtefactQuery(batch_id=files_batch.id)
    assert q.is_filtered and count(ctx.conn, q) == 4  # report + schedule per item
    assert count(ctx.conn, ArtefactQuery()) == before + 2
    assert count(ctx.conn, ArtefactQuery(batch_id=batch.id)) == 0  # native charts: no files


def test_cancel_drops_queued_and_stops_running(ctx, install, runner):
    install("slow-counter")
    tool = ctx.find_tool("slow-counter")
    batch = Batch(tool.tool_id, plan.expand({"steps": 500, "delay": 0.05}, grid={"label": ["a", "b", "c", "d"]}))
    stop = threading.Event()

    def on_update(_b):
        pass

    t = threading.Thread(target=run_batch, args=(runner, tool, batch), kwargs={"parallel": 1, "stop": stop,
                                                                               "on_update": on_update})
    t.start()
    import time

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not run_queries.list_runs(ctx.conn, status="running"):
        time.sleep(0.05)
    stop.set()
    t.join(60)
    assert not t.is_alive()
    p = batch.progress()
    assert p.cancelled == 4 and p.ok == 0 and batch.is_done
    assert len(batch.run_ids()) == 1  # only the started one has a row
    assert run_queries.get_run(ctx.conn, batch.run_ids()[0]).status == "cancelled"


def test_cli_batch_json_grid_preset_and_exit_codes(install, tmp_path):
    install("calculator")
    assert cli("preset", "save", "calculator", "base", "--input", "b=2").returncode == 0
    p = cli("batch", "calculator", "--grid", "a=1,2,3", "--grid", "op=add,multiply", "--preset", "base",
            "--parallel", "2", "--json", "--results", str(tmp_path / "out.csv"))
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)
    assert set(data) >= {"batch_id", "items", "ok", "error", "cancelled", "run_ids"}
    assert (data["items"], data["ok"], data["error"], data["cancelled"]) == (6, 6, 0, 0) and len(data["run_ids"]) == 6
    lines = (tmp_path / "out.csv").read_text().splitlines()
    assert lines[0] == "#,a,op,status,result" and "3,add,ok,5" in lines[5]
    listed = json.loads(cli("runs", "--json", "--limit", "50").stdout)
    assert {r["run_id"] for r in listed} >= set(data["run_ids"])
    rows = tmp_path / "rows.csv"
    rows.write_text("a,b,op\n1,0,divide\n4,2,divide\n")
    bad = cli("batch", "calculator", "--csv", str(rows), "--json")
    out = json.loads(bad.stdout)
    assert bad.returncode == 1 and (out["items"], out["ok"], out["error"]) == (2, 1, 1)
    text = cli("batch", "calculator", "--grid", "a=1,2", "-i", "b=1", "-i", "op=add")
    assert text.returncode == 0 and "result" in text.stdout
    assert cli("batch", "calculator").returncode == 2
    assert "not a file input" in cli("batch", "calculator", "--over", str(tmp_path), "--as", "a").stderr


def test_cli_batch_over_folder(install, tmp_path):
    install("csv-summary")
    _csvs(tmp_path / "in", 3)
    p = cli("batch", "csv-summary", "--over", str(tmp_path / "in"), "--as", "file", "--glob", "*.csv", "--json")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["ok"] == 3
