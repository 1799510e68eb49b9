"""Batches on a Dask cluster: a distributed.LocalCluster (two workers, in this process) runs a
batch of 20 loan-report items with results identical to a local run, including the schedule CSV
file output landing in artefacts with the same sha256; a worker without the tool folder gets it
as a zip; secrets are refused for a non-tls cluster; an unreachable scheduler fails fast."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")

from pixie_desktop.batch import cluster, plan  # noqa: E402
from pixie_desktop.batch.local import run_batch  # noqa: E402
from pixie_desktop.batch.state import Batch  # noqa: E402
from pixie_desktop.queries import artefacts as artefact_queries  # noqa: E402
from pixie_desktop.queries import runs as run_queries  # noqa: E402


@pytest.fixture
def local_cluster(tmp_path, monkeypatch):
    monkeypatch.setenv("PIXIE_WORKER_CACHE", str(tmp_path / "worker-cache"))
    lc = distributed.LocalCluster(n_workers=2, threads_per_worker=2, processes=False, dashboard_address=None)
    client = distributed.Client(lc, set_as_default=False)
    yield lc, client
    client.close()
    lc.close()
    cluster.shutdown_worker_runtime()  # the in-process workers' Runner and its tool processes


def _schedules(ctx, batch: Batch) -> list[str]:
    out = []
    for rid in batch.run_ids():
        arts = [a for a in artefact_queries.for_run(ctx.conn, rid) if a.filename.endswith("-schedule.csv")]
        assert len(arts) == 1
        path = Path(ctx.settings.artefacts_root) / arts[0].rel_path
        import hashlib

        assert hashlib.sha256(path.read_bytes()).hexdigest() == arts[0].sha256
        out.append(arts[0].sha256)
    return out


def test_cluster_batch_matches_local_including_files(ctx, install, runner, tmp_path, local_cluster, monkeypatch):
    lc, client = local_cluster
    install("loan-report")
    tool = ctx.find_tool("loan-report")
    amounts = [1000 * i + 100 for i in range(1, 21)]
    items = lambda: plan.expand({"format": "html"}, grid={"amount": amounts})  # noqa: E731
    local = Batch(tool.tool_id, items(), output_keys=[o.key for o in tool.spec.outputs])
    run_batch(runner, tool, local, parallel=2)
    remote = Batch(tool.tool_id, items(), output_keys=[o.key for o in tool.spec.outputs])
    monkeypatch.setenv("PIXIE_WORKER_SHIP", "1")  # the workers act as if they lacked the folder
    cluster.run_batch_on_cluster(client, lc.scheduler_address, runner, tool, remote)
    assert remote.progress().ok == 20 == local.progress().ok, remote.states[0].error
    assert [s.outputs.get("facts") for s in remote.states] == [s.outputs.get("facts") for s in local.states]
    assert _schedules(ctx, remote) == _schedules(ctx, local)
    workers = set(client.scheduler_info()["workers"])
    for rid in remote.run_ids():
        rec = run_queries.get_run(ctx.conn, rid)
        assert rec.status == "ok" and rec.meta["batch_id"] == remote.id
        assert rec.meta["executor"] in workers and rec.meta["tool_shipped"] is True
    shipped = list((tmp_path / "worker-cache").glob("*/loan-report/tool.json"))
    assert len(shipped) == 1  # unpacked once per tool hash


def test_cluster_errors_and_secret_refusal(ctx, install, runner, local_cluster, tools_dir):
    lc, client = local_cluster
    install("calculator")
    tool = ctx.find_tool("calculator")
    batch = Batch(tool.tool_id, plan.expand({"b": "0", "op": "divide"}, grid={"a": ["1", "2"]}))
    cluster.run_batch_on_cluster(client, lc.scheduler_address, runner, tool, batch)
    assert batch.progress().failed == 2 and "undefined" in (batch.states[0].error or "")
    again = Batch(tool.tool_id, plan.expand({"b": "1", "op": "add"}, grid={"a": ["1", "2"]}))
    cluster.run_batch_on_cluster(client, lc.scheduler_address, runner, tool, again)  # same client, 2nd batch
    assert again.progress().ok == 2 and [s.outputs["result"] for s in again.states] == [2, 3]
    (tools_dir / "calculator" / ".env").write_text("API_KEY=hunter2-secret\n")
    tool = ctx.find_tool("calculator")
    with pytest.raises(cluster.ClusterError, match="is not a tls:// cluster.*Allow sending this tool's secrets"):
        cluster.run_batch_on_cluster(client, lc.scheduler_address, runner, tool, Batch(tool.tool_id, plan.expand(
            {}, grid={"a": ["1"]})))
    assert b"hunter2" not in cluster.tool_zip(tool.path)
    # the user allows it for this tool (its Settings dialog): the batch runs, the .env travels
    from pixie_desktop.ops import tools as tool_ops

    tool_ops.set_cluster_secrets(ctx.conn, "calculator", True)
    allowed = Batch(tool.tool_id, plan.expand({"b": "1", "op": "add"}, grid={"a": ["1"]}))
    cluster.run_batch_on_cluster(client, lc.scheduler_address, runner, tool, allowed)
    assert allowed.progress().ok == 1
    import io
    import zipfile

    pkg = cluster.tool_package(tool, lc.scheduler_address, allow_secrets=True)
    assert b"hunter2" in zipfile.ZipFile(io.BytesIO(pkg["zip"])).read(".env")
    assert cluster.secrets_allowed(ctx.settings, "calculator") and not cluster.secrets_allowed(ctx.settings, "x")


def test_unreachable_cluster_fails_fast(install):
    install("calculator")
    with pytest.raises(cluster.ClusterError, match="tcp://127.0.0.1:9"):
        cluster.connect("tcp://127.0.0.1:9", timeout=2)
    p = subprocess.run([sys.executable, "-m", "pixie_desktop", "batch", "calculator", "--grid", "a=1,2",
                        "--cluster", "tcp://127.0.0.1:9", "--json"], capture_output=True, text=True, timeout=120,
                       env=dict(os.environ))
    assert p.returncode == 2 and "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in p.stderr


def test_cli_batch_on_cluster_json(ctx, install, tmp_path, monkeypatch):
    import json

    monkeypatch.setenv("PIXIE_WORKER_CACHE", str(tmp_path / "worker-cache"))
    install("calculator")
    lc = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp",
                                  dashboard_address=None)
    try:
        p = subprocess.run([sys.executable, "-m", "pixie_desktop", "batch", "calculator", "--grid", "a=1,2,3",
                            "--grid", "op=add,multiply", "-i", "b=4", "--cluster", lc.scheduler_address, "--json"],
                           capture_output=True, text=True, timeout=300, env=dict(os.environ))
    finally:
        lc.close()
        cluster.shutdown_worker_runtime()
    errors = [(r.status, r.error_text) for r in (run_queries.get_run(ctx.conn, rid) for rid in
                                            json.loads(p.stdout or "{}").get("run_ids", [])) if r.status != "success"]
    assert p.returncode == 0, (p.stderr, errors)
    data = json.loads(p.stdout)
    assert (data["items"], data["ok"], data["error"]) == (6, 6, 0)
    results = sorted(run_queries.get_run(ctx.conn, rid).outputs_json is not None for rid in data["run_ids"])
    assert results == [True] * 6
    assert {run_queries.get_run(ctx.conn, rid).meta["executor"].startswith("tcp://") for rid in data["run_ids"]} == {True}


def test_gui_batch_runs_on_the_compute_address(qtbot, ctx, tools_dir, make_window, tmp_path, monkeypatch):
    """Settings ▸ Compute ▸ compute address: a Batch… from the tool page runs on the cluster."""
    from fixtures_ui_shell import copy_bundled

    monkeypatch.setenv("PIXIE_WORKER_CACHE", str(tmp_path / "worker-cache"))
    copy_bundled(tools_dir, "calculator")
    lc = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp",
                                  dashboard_address=None)
    try:
        ctx.settings.set_value("compute_address", lc.scheduler_address)
        win = make_window()
        assert win.open_tool("calculator")
        page = win.tool_pages["calculator"]
        page.form.set_values({"a": 2, "b": 5, "op": "add"})

        def fill(d):
            d.set_mode("grid")
            d.grid_edit.setPlainText("a = 1, 2, 3")
            return True

        page.batches.exec_dialog = lambda d: fill(d)
        view = page.batches.open_dialog()
        qtbot.waitUntil(lambda: view.batch.is_done and not view.runner.is_active, timeout=120_000)
        assert [s.outputs["result"] for s in view.batch.states] == [6, 7, 8]
        for rid in view.batch.run_ids():
            assert run_queries.get_run(ctx.conn, rid).meta["executor"].startswith("tcp://")
        # an unreachable address: every item ends in error with the address named
        ctx.settings.set_value("compute_address", "tcp://127.0.0.1:9")
        bad = page.batches.open_dialog()
        qtbot.waitUntil(lambda: bad.batch.is_done and not bad.runner.is_active, timeout=120_000)
        assert bad.batch.progress().failed == 3 and "tcp://127.0.0.1:9" in bad.runner.error
    finally:
        ctx.settings.set_value("compute_address", "")
        lc.close()
        cluster.shutdown_worker_runtime()


def test_max_parallel_setting_applies_live(qtbot, ctx, make_window):
    win = make_window()
    ctx.settings.set_value("max_parallel_runs", 3)
    assert win.run_controller.max_parallel == 3
    ctx.settings.set_value("max_parallel_runs", 0)
    assert win.run_controller.max_parallel >= 1


def _processing_on(client, key: str) -> str | None:
    for worker, keys in client.processing().items():
        if key in keys:
            return worker
    return None


def _kill_worker(client, address: str) -> None:
    """The scheduler drops the worker as if it had crashed (not a graceful retirement)."""
    async def drop(dask_scheduler):
        await dask_scheduler.remove_worker(address, stimulus_id="pixie-test-lost-worker", close=True)

    client.run_on_scheduler(drop)


def test_lost_worker_retried_once_elsewhere_then_error(ctx, install, runner, tmp_path, monkeypatch):
    import threading
    import time

    monkeypatch.setenv("PIXIE_WORKER_CACHE", str(tmp_path / "worker-cache"))
    install("slow-counter")
    tool = ctx.find_tool("slow-counter")
    lc = distributed.LocalCluster(n_workers=4, threads_per_worker=1, processes=False, dashboard_address=None)
    client = distributed.Client(lc, set_as_default=False)
    try:
        def run_one(kills: int) -> Batch:
            batch = Batch(tool.tool_id, plan.expand({"steps": "15", "delay": "0.2"}, grid={"label": ["x"]}))
            t = threading.Thread(target=cluster.run_batch_on_cluster,
                                 args=(client, lc.scheduler_address, runner, tool, batch), daemon=True)
            t.start()
            killed: list[str] = []
            for _ in range(kills):
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                    rid = batch.run_id_of(0)
                    w = _processing_on(client, f"pixie-item-{rid}") if rid else None
                    if w is not None and w not in killed:
                        break
                    time.sleep(0.05)
                assert w is not None and w not in killed, "the item never reached a (new) worker"
                time.sleep(0.3)  # mid-item
                _kill_worker(client, w)
                killed.append(w)
            t.join(120)
            assert not t.is_alive()
            return batch, killed

        once, killed = run_one(1)  # lost once: Dask runs it again on another worker, and it succeeds
        rec = run_queries.get_run(ctx.conn, once.run_ids()[0])
        assert once.progress().ok == 1 and rec.status == "ok" and rec.meta["lost_workers"] == 1
        assert rec.meta["executor"] not in killed
        twice, killed = run_one(2)  # lost again on the second worker: error, not a third attempt
        rec = run_queries.get_run(ctx.conn, twice.run_ids()[0])
        assert twice.progress().failed == 1 and rec.status == "error"
        assert "worker was lost twice" in rec.error_text and all(w in rec.error_text for w in killed)
    finally:
        client.close()
        lc.close()
        cluster.shutdown_worker_runtime()


def test_shipped_tool_gets_its_environment_built_once(ctx, tools_dir, runner, local_cluster, tmp_path, monkeypatch):
    """A tool with requirements.txt (at home it has a .venv; the zip never carries one): the
    worker builds the environment with the app's set-up code in its cache, once per tool hash,
    and the tool runs on that environment's interpreter."""
    from pixie_desktop.lifecycle import envsetup
    from pixie_desktop.lifecycle.scaffold import scaffold_tool

    lc, client = local_cluster
    folder = scaffold_tool(tools_dir, "env-echo", "form").path
    (folder / "requirements.txt").write_text("# no third-party packages: the environment itself is the point\n")
    (folder / ".venv" / "bin").mkdir(parents=True)  # a stand-in for its environment at home: it must not travel
    (folder / ".venv" / "bin" / "python").symlink_to(sys.executable)
    (folder / ".venv" / "marker").write_text("home venv")
    tool = ctx.find_tool("env-echo")
    built = []
    real = envsetup.run_setup
    monkeypatch.setattr(envsetup, "run_setup", lambda d, **k: built.append(d) or real(d, **k))
    monkeypatch.setenv("PIXIE_WORKER_SHIP", "1")
    for texts in (["a", "b"], ["c"]):
        batch = Batch(tool.tool_id, plan.expand({"case": "upper"}, grid={"text": texts}))
        cluster.run_batch_on_cluster(client, lc.scheduler_address, runner, tool, batch)
        assert batch.progress().ok == len(texts), [s.error for s in batch.states]
    [cached] = list((tmp_path / "worker-cache").glob("*/env-echo"))
    assert len(built) == 1 and Path(built[0]).resolve() == cached.resolve()  # once, in the worker cache
    assert (cached / cluster.ENV_READY).is_file() and (cached / ".venv" / "bin" / "python").exists()
    assert not (cached / ".venv" / "marker").exists()
    assert run_queries.get_run(ctx.conn, batch.run_ids()[0]).meta["tool_shipped"] is True
    from pixie_desktop.runtime.launcher import interpreter_for

    shipped, was_shipped = cluster._worker_tool(cluster.tool_package(tool, lc.scheduler_address))
    assert was_shipped and interpreter_for(shipped) == cached / ".venv" / "bin" / "python"


def test_gui_cluster_batch_holds_no_pool_thread(qtbot, ctx, install, runner, tmp_path, monkeypatch):
    """While its items run on the cluster, a GUI cluster batch has no job on the app pool: a UI
    timer watches the futures and short jobs end the finished items; cancel works the same way."""
    from pixie_desktop.ui import workers
    from pixie_desktop.ui.batch_runner import ClusterBatchRunner

    monkeypatch.setenv("PIXIE_WORKER_CACHE", str(tmp_path / "worker-cache"))
    install("slow-counter")
    tool = ctx.find_tool("slow-counter")
    lc = distributed.LocalCluster(n_workers=2, threads_per_worker=2, processes=False, protocol="tcp",
                                  dashboard_address=None)
    try:
        batch = Batch(tool.tool_id, plan.expand({"steps": "40", "delay": "0.25"}, grid={"label": ["a", "b", "c"]}))
        r = ClusterBatchRunner(lc.scheduler_address, lambda: runner, tool, batch)
        with qtbot.waitSignal(r.finished, timeout=120_000):
            assert r.start() == 3
            qtbot.waitUntil(lambda: r._cb is not None and r._cb.pending == 3, timeout=60_000)  # noqa: SLF001
            # the short submit job may still be returning: wait for it, then the pool is empty
            # for the rest of the items' ten seconds
            qtbot.waitUntil(lambda: workers.app_pool().activeThreadCount() == 0, timeout=8_000)
            assert r.is_active and not r.holds_thread
        assert batch.progress().ok == 3 and not r.is_active
        assert [s.outputs["counted"] for s in batch.states] == [40, 40, 40]
        slow = Batch(tool.tool_id, plan.expand({"steps": "200", "delay": "0.25"}, grid={"label": ["a", "b"]}))
        r2 = ClusterBatchRunner(lc.scheduler_address, lambda: runner, tool, slow)
        r2.start()
        qtbot.waitUntil(lambda: r2._cb is not None, timeout=60_000)  # noqa: SLF001
        with qtbot.waitSignal(r2.finished, timeout=60_000):
            assert r2.cancel() == 1
        assert slow.progress().cancelled == 2
        assert {run_queries.get_run(ctx.conn, rid).status for rid in slow.run_ids()} == {"cancelled"}
    finally:
        lc.close()
        cluster.shutdown_worker_runtime()
