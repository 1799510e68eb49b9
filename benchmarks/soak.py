"""Soak benchmark: runs a bundled tool through the core Runner for a sustained period and prints
runs per second plus open file descriptors, child processes, threads and RSS — before, after
the first 5 s (the reference window, once everything is warm) and at the end, each as a ratio
to the first 5 s. A ratio well above 1.0 at the end means something grows with every run.

    .venv/bin/python benchmarks/soak.py                 # 60 s on calculator, 1 worker
    .venv/bin/python benchmarks/soak.py --seconds 15 --workers 4 --tool slow-counter

It works in a throw-away data directory (temp PIXIE_ROOT with a copy of the bundled tool), so
your real pixie.db and artefacts are never touched."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
INPUTS = {"calculator": {"a": 6, "b": 7, "op": "multiply"},
          "slow-counter": {"steps": 2, "delay": 0.0},
          "csv-summary": {"file": "data:text/csv;base64,YSxiCjEsMgozLDQK"}}


def vitals() -> dict[str, float]:
    import psutil

    me = psutil.Process()
    kids = [p for p in me.children(recursive=True) if p.status() != psutil.STATUS_ZOMBIE]
    rss = me.memory_info().rss + sum(_rss(k) for k in kids)
    return {"fds": me.num_fds() if hasattr(me, "num_fds") else len(me.open_files()),
            "processes": len(kids), "threads": threading.active_count(),
            "app_rss_mb": round(me.memory_info().rss / 2**20, 1), "total_rss_mb": round(rss / 2**20, 1)}


def _rss(proc) -> int:
    try:
        return proc.memory_info().rss
    except Exception:  # noqa: BLE001 - a child that just went away
        return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=60.0, help="how long to keep running (default 60)")
    ap.add_argument("--tool", default="calculator", choices=sorted(INPUTS), help="bundled tool to run")
    ap.add_argument("--workers", type=int, default=1, help="runs in flight at once (default 1)")
    ap.add_argument("--json", action="store_true", help="print the result as JSON")
    ns = ap.parse_args(argv)
    window = min(5.0, ns.seconds / 4)

    tmp = Path(tempfile.mkdtemp(prefix="pixie-soak-"))
    for sub in ("tools", "artefacts"):
        (tmp / sub).mkdir()
    shutil.copytree(REPO / "tools" / ns.tool, tmp / "tools" / ns.tool,
                    ignore=shutil.ignore_patterns("__pycache__", ".venv"))
    os.environ.update({"PIXIE_ROOT": str(tmp), "PIXIE_TOOLS_DIR": str(tmp / "tools"),
                       "PIXIE_DB_PATH": str(tmp / "pixie.db"), "PIXIE_ARTEFACTS_ROOT": str(tmp / "artefacts")})
    sys.path.insert(0, str(REPO))
    from pixie_desktop.context import open_context
    from pixie_desktop.runtime.runner import Runner

    ctx = open_context()
    tool = ctx.find_tool(ns.tool)
    if tool is None or not tool.ok:
        print(f"cannot load {ns.tool}: {tool.error if tool else 'not found'}", file=sys.stderr)
        return 2
    runner = Runner(ctx.settings)
    before = vitals()
    lock = threading.Lock()
    stamps: list[float] = []
    errors: list[str] = []
    stop = threading.Event()

    def worker() -> None:
        while not stop.is_set():
            res = runner.run(tool, INPUTS[ns.tool])
            with lock:
                stamps.append(time.monotonic())
                if res.status != "ok":
                    errors.append(res.error or res.status)

    t0 = time.monotonic()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(max(1, ns.workers))]
    for t in threads:
        t.start()
    time.sleep(window)
    first = vitals()
    first_runs = len(stamps)
    time.sleep(max(0.0, ns.seconds - window))
    stop.set()
    for t in threads:
        t.join(60)
    elapsed = time.monotonic() - t0
    end = vitals()
    per_second = [0] * (int(elapsed) + 1)
    for s in stamps:
        per_second[int(s - t0)] += 1
    full = per_second[: int(elapsed)] or per_second
    runner.shutdown()
    after_shutdown = vitals()
    ctx.close()
    shutil.rmtree(tmp, ignore_errors=True)

    def ratio(key: str) -> float | None:
        return round(end[key] / first[key], 3) if first[key] else None

    result = {
        "tool": ns.tool, "workers": ns.workers, "seconds": round(elapsed, 1), "runs": len(stamps),
        "errors": len(errors), "runs_per_second": round(len(stamps) / elapsed, 1),
        "runs_per_second_first_window": round(first_runs / window, 1),
        "runs_per_second_last_window": round(sum(full[-int(window):]) / max(1, len(full[-int(window):])), 1),
        "runs_per_second_min_1s": min(full), "runs_per_second_median_1s": statistics.median(full),
        "before": before, "first_window": first, "end": end, "after_shutdown": after_shutdown,
        "ratio_end_to_first_window": {k: ratio(k) for k in first},
    }
    if ns.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{ns.tool}: {result['runs']} runs in {result['seconds']} s with {ns.workers} worker(s), "
              f"{result['errors']} errors")
        print(f"runs/s: overall {result['runs_per_second']}, first {window:g} s "
              f"{result['runs_per_second_first_window']}, last {window:g} s {result['runs_per_second_last_window']}, "
              f"slowest second {result['runs_per_second_min_1s']}, median second "
              f"{result['runs_per_second_median_1s']}")
        print(f"{'':14}{'before':>10}{'first ' + format(window, 'g') + ' s':>12}{'end':>10}{'end/first':>11}"
              f"{'shutdown':>10}")
        for k in first:
            r = result["ratio_end_to_first_window"][k]
            print(f"{k:14}{before[k]:>10}{first[k]:>12}{end[k]:>10}{'' if r is None else r:>11}"
                  f"{after_shutdown[k]:>10}")
        if errors:
            print("first error:", errors[0][:300])
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
