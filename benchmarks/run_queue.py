"""Run-queue benchmark (not a test): how long a trivial background job (`workers.submit`) waits
while eight runs of a non-concurrent tool are in flight, two ways:

1. "pool + lock" (the old design, replayed): each run is a `Runner.run` call on the app's
   background pool, where seven of them park a thread on the tool's lock;
2. "RunController": the runs wait in the RunQueue and only the one that may start takes a
   thread of the controller's own pool.

Usage: QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/run_queue.py [--delay S] [--runs N]
Everything happens in a temporary folder; the repo's database is not touched."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SLEEPER = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "tools" / "serial-sleeper"


def wait_for(app, cond, timeout: float) -> None:
    end = time.monotonic() + timeout
    while not cond() and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.001)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--delay", type=float, default=2.0, help="seconds each run sleeps")
    ap.add_argument("--runs", type=int, default=8)
    args = ap.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    with tempfile.TemporaryDirectory(prefix="pixie-bench-") as tmp:
        root = Path(tmp)
        import shutil

        shutil.copytree(SLEEPER, root / "tools" / "serial-sleeper")
        os.environ.update(PIXIE_ROOT=str(root), PIXIE_TOOLS_DIR=str(root / "tools"),
                          PIXIE_DB_PATH=str(root / "pixie.db"), PIXIE_ARTEFACTS_ROOT=str(root / "artefacts"))
        from PySide6.QtWidgets import QApplication

        from pixie_desktop.context import open_context
        from pixie_desktop.runtime.runner import Runner
        from pixie_desktop.ui import workers
        from pixie_desktop.ui.run_controller import RunController

        app = QApplication.instance() or QApplication([])
        ctx = open_context()
        tool = ctx.find_tool("serial-sleeper")
        runner = Runner(ctx.settings)
        runner.run(tool, {"delay": 0})  # warm the tool once so both ways start alike
        out: dict[str, float] = {}

        def job_wait_ms() -> float:
            done: list[float] = []
            t0 = time.perf_counter()
            workers.submit(lambda: None, on_result=lambda _v: done.append(time.perf_counter()))
            wait_for(app, lambda: bool(done), 120)
            return (done[0] - t0) * 1000

        # 1. the old way: runs as background tasks on the app pool, waiting on the tool's lock
        for _ in range(args.runs):
            workers.submit(runner.run, tool, {"delay": args.delay})
        time.sleep(0.2)
        out["pool_and_lock_ms"] = job_wait_ms()
        for rid in runner.active_runs():
            runner.cancel(rid)
        workers.wait_for_all(120_000)

        # 2. the RunController
        ctl = RunController(runner, max_parallel=args.runs)
        for _ in range(args.runs):
            ctl.submit(tool, {"delay": args.delay})
        time.sleep(0.2)
        out["run_controller_ms"] = job_wait_ms()
        ctl.shutdown(120_000)
        runner.shutdown()
        ctx.close()
    print(json.dumps({"runs": args.runs, "delay_s": args.delay, "app_pool_threads": workers.app_pool().maxThreadCount(),
                      **{k: round(v, 1) for k, v in out.items()}}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
