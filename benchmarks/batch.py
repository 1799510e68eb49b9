"""Batch benchmark (not a test): throughput of a batch of no-op items on the local lane, as a
ratio to an ideal baseline measured in the same run.

- ideal: N warm tool processes (spawned up front), driven directly by a thread pool of N
  threads posting /run — no database, no queue, no run folders, no artefact bookkeeping;
- lane: the same items as a batch through `pixie_desktop.batch.local.run_batch` (RunQueue
  dispatch, Runner.run with its run rows, meta_json.batch_id, output checks) at --parallel N,
  on the Runner's warm pool (one warm process per tool, shared by concurrent runs).

A diagnosis line times the bookkeeping every run needs with no tool call at all (its two
commits and its run folder) against the host time per item a 0.8 ratio leaves.

Usage: .venv/bin/python benchmarks/batch.py [--items 200] [--parallel 4] [--work-ms MS]
Target: ratio ≥ 0.8. Then, when `distributed` is installed, the same batch through a
`LocalCluster` of 2 workers (in this process, threads) — per-item overhead in ms over the lane.
Everything happens in a temporary folder; the repo's database is untouched."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

NOOP_JSON = {
    "id": "noop", "name": "No-op", "description": "Returns its input at once.", "version": "1.0.0",
    "concurrent": True, "warm_keep_seconds": 600,
    "inputs": [{"key": "x", "type": "number", "label": "x", "default": 0},
               {"key": "ms", "type": "number", "label": "work (ms)", "default": 0}],
    "outputs": [{"key": "y", "type": "number", "label": "y"}],
}
NOOP_MAIN = '''
import sys
import time
from pathlib import Path
try:
    from pixie_desktop import sdk
except ImportError:
    sys.path.insert(0, %r)
    from pixie_desktop import sdk

tool = sdk.Tool(__file__)


@tool.handler
def run(inputs, ctx):
    if inputs.get("ms"):
        time.sleep(float(inputs["ms"]) / 1000)  # --work-ms: an item that does some work
    return {"y": inputs.get("x", 0)}


if __name__ == "__main__":
    tool.serve()
''' % str(REPO)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=200)
    ap.add_argument("--parallel", type=int, default=4)
    ap.add_argument("--work-ms", type=float, default=0.0,
                    help="each item sleeps this long in the tool (0: the no-op of the target)")
    ap.add_argument("--repeat", type=int, default=3, help="best of R rounds for both (a shared machine is noisy)")
    args = ap.parse_args()
    n, items = max(1, args.parallel), max(1, args.items)
    with tempfile.TemporaryDirectory(prefix="pixie-bench-batch-") as tmp:
        root = Path(tmp)
        tool_dir = root / "tools" / "noop"
        tool_dir.mkdir(parents=True)
        (tool_dir / "tool.json").write_text(json.dumps(NOOP_JSON))
        (tool_dir / "main.py").write_text(NOOP_MAIN)
        os.environ.update(PIXIE_ROOT=str(root), PIXIE_TOOLS_DIR=str(root / "tools"),
                          PIXIE_DB_PATH=str(root / "pixie.db"), PIXIE_ARTEFACTS_ROOT=str(root / "artefacts"))
        from pixie_desktop.batch import plan
        from pixie_desktop.batch.local import run_batch
        from pixie_desktop.batch.state import Batch
        from pixie_desktop.context import open_context
        from pixie_desktop.runtime.launcher import spawn
        from pixie_desktop.runtime.runner import Runner

        base = {"ms": args.work_ms}
        ctx = open_context()
        tool = ctx.find_tool("noop")
        assert tool is not None and tool.ok, tool and tool.error

        # -- ideal: N warm processes, a thread each, straight /run posts ------------------------
        procs = [spawn(tool, ctx.settings) for _ in range(n)]
        try:
            for p in procs:  # one warm-up call each
                p.client.post_json("/run", {"run_id": "warm", "inputs": {"x": 0, "ms": 0}})

            def direct(i: int) -> None:
                proc = procs[i % n]
                rid = str(uuid.uuid4())
                status, _body = proc.client.post_json("/run", {"run_id": rid, "inputs": {"x": i, "ms": args.work_ms}},
                                                      headers={"X-Pixie-Run-Id": rid})
                assert status == 200, status

            ideal_s = float("inf")
            for _ in range(max(1, args.repeat)):
                t0 = time.perf_counter()
                with ThreadPoolExecutor(n) as ex:
                    list(ex.map(direct, range(items)))
                ideal_s = min(ideal_s, time.perf_counter() - t0)

            # diagnosis: the same N threads on ONE process (what the warm pool gives a tool)
            def direct_one(i: int) -> None:
                rid = str(uuid.uuid4())
                status, _body = procs[0].client.post_json("/run", {"run_id": rid, "inputs": {"x": i, "ms": args.work_ms}},
                                                          headers={"X-Pixie-Run-Id": rid})
                assert status == 200, status

            t0 = time.perf_counter()
            with ThreadPoolExecutor(n) as ex:
                list(ex.map(direct_one, range(items)))
            one_proc_s = time.perf_counter() - t0
        finally:
            for p in procs:
                p.stop(grace=1.0)

        # -- diagnosis: the bookkeeping every run needs, with no tool call at all ----------------
        # (its `running` row and start counters in one commit, its end in another, its run folder)
        from pixie_desktop.artefacts.storage import run_dir
        from pixie_desktop.store import runs_repo, tool_state_repo
        from pixie_desktop.store.db import transaction

        floor_s = float("inf")
        for _ in range(max(1, args.repeat)):
            t0 = time.perf_counter()
            for i in range(items):
                rid = str(uuid.uuid4())
                with transaction(ctx.conn):
                    runs_repo.create_run(ctx.conn, rid, tool.tool_id, {"x": i}, meta={"batch_id": "floor"}, fetch=False)
                    tool_state_repo.record_run_start(ctx.conn, tool.tool_id, {"x": i})
                run_dir(ctx.settings, tool.tool_id, rid)
                runs_repo.finish_run(ctx.conn, rid, "ok", outputs_json=json.dumps({"y": i}),
                                     meta_update={"duration_s": 0.0})
            floor_s = min(floor_s, time.perf_counter() - t0)
        ctx.conn.execute("DELETE FROM runs WHERE json_extract(meta_json, '$.batch_id') = 'floor'")

        # -- the lane: a batch through RunQueue + Runner ----------------------------------------
        runner = Runner(ctx.settings)
        try:
            warm = Batch(tool.tool_id, plan.expand({}, grid={"x": ["0"]}))
            run_batch(runner, tool, warm, parallel=1)  # spawn the warm process outside the timing
            lane_s = float("inf")
            for _ in range(max(1, args.repeat)):
                batch = Batch(tool.tool_id, plan.expand(base, grid={"x": [str(i) for i in range(items)]}))
                t0 = time.perf_counter()
                run_batch(runner, tool, batch, parallel=n)
                lane_s = min(lane_s, time.perf_counter() - t0)
                assert batch.progress().ok == items, batch.progress().text()
            cluster_s = None
            try:
                import distributed
            except ImportError:
                distributed = None
            if distributed is not None:
                from pixie_desktop.batch import cluster

                lc = distributed.LocalCluster(n_workers=2, threads_per_worker=max(1, n // 2), processes=False,
                                              dashboard_address=None)
                client = distributed.Client(lc, set_as_default=False)
                try:
                    cluster.run_batch_on_cluster(client, lc.scheduler_address, runner, tool, Batch(
                        tool.tool_id, plan.expand({}, grid={"x": ["0", "1"]})))  # warm the workers
                    cb = Batch(tool.tool_id, plan.expand(base, grid={"x": [str(i) for i in range(items)]}))
                    t0 = time.perf_counter()
                    cluster.run_batch_on_cluster(client, lc.scheduler_address, runner, tool, cb)
                    cluster_s = time.perf_counter() - t0
                    assert cb.progress().ok == items, (cb.progress().text(), cb.states[0].error)
                finally:
                    client.close()
                    lc.close()
                    cluster.shutdown_worker_runtime()
        finally:
            runner.shutdown()
            ctx.close()
        p = batch.progress()
        assert p.ok == items, p.text()
        ideal_tp, lane_tp = items / ideal_s, items / lane_s
        print(f"items={items} parallel={n} work per item={args.work_ms:g} ms")
        print(f"ideal (N warm processes, direct /run): {ideal_s:.2f} s  {ideal_tp:.1f} items/s  "
              f"{ideal_s / items * 1000:.1f} ms/item")
        print(f"diagnosis, N threads on ONE warm process: {one_proc_s:.2f} s  {items / one_proc_s:.1f} items/s")
        print(f"local lane (batch via RunQueue+Runner): {lane_s:.2f} s  {lane_tp:.1f} items/s  "
              f"{lane_s / items * 1000:.1f} ms/item")
        print(f"throughput ratio lane/ideal: {lane_tp / ideal_tp:.2f}  (target ≥ 0.8)")
        budget = ideal_s / items * (1 / 0.8 - 1)
        print(f"diagnosis, a run's bookkeeping alone (2 commits + run folder, no tool call, one thread): "
              f"{floor_s / items * 1000:.2f} ms/item; the host time per item that 0.8 leaves: "
              f"{budget * 1000:.3f} ms (bookkeeping / budget = {floor_s / items / budget:.1f}×)")
        if cluster_s is not None:
            print(f"LocalCluster (2 workers): {cluster_s:.2f} s  {cluster_s / items * 1000:.1f} ms/item  "
                  f"overhead over the lane {(cluster_s - lane_s) / items * 1000:.1f} ms/item")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
