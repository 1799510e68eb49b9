"""Runtime benchmark (not a test): prints, from one run on this machine,

1. cold spawn → healthy for a stdlib SDK tool, as a ratio to bare `python -c pass`
   (target ≤ 5×; the reference budgets 2500 ms);
2. warm run host overhead: Runner.run() on a no-op handler minus a raw POST /run to the same
   warm process (target ≤ 5 ms; the reference budgets 100 ms).

Usage: .venv/bin/python benchmarks/runtime.py [--rounds N]
Everything happens in a temporary folder; the repo's database is not touched."""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

NOOP_MAIN = """from pixie_desktop import sdk
tool = sdk.Tool(__file__)

@tool.handler
def run(inputs, ctx):
    return {"x": inputs.get("x", 0)}

if __name__ == "__main__":
    tool.serve()
"""
NOOP_SPEC = {"id": "noop", "name": "No-op", "max_runtime_seconds": 10,
             "inputs": [{"key": "x", "type": "number", "label": "X", "default": 1}],
             "outputs": [{"key": "x", "type": "number", "label": "X"}]}


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=7, help="cold spawns / bare pythons to time")
    ap.add_argument("--warm-runs", type=int, default=200, help="warm runs to time")
    args = ap.parse_args()

    from pixie_desktop.config import load_settings
    from pixie_desktop.runtime.launcher import spawn
    from pixie_desktop.runtime.runner import Runner
    from pixie_desktop.catalog.discovery import Discovery
    from pixie_desktop.store.db import open_db

    with tempfile.TemporaryDirectory(prefix="pixie-bench-") as tmp:
        root = Path(tmp)
        tools = root / "tools"
        (tools / "noop").mkdir(parents=True)
        (tools / "noop" / "tool.json").write_text(json.dumps(NOOP_SPEC))
        (tools / "noop" / "main.py").write_text(NOOP_MAIN)
        settings = load_settings(root, environ={"PIXIE_TOOLS_DIR": str(tools), "PIXIE_DB_PATH": str(root / "p.db"),
                                                "PIXIE_ARTEFACTS_ROOT": str(root / "artefacts")})
        open_db(settings.db_path).close()
        tool = Discovery(tools).scan()[0]

        bare = []
        for _ in range(args.rounds):
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-c", "pass"], check=True)
            bare.append(time.perf_counter() - t0)
        cold = []
        for _ in range(args.rounds):
            t0 = time.perf_counter()
            proc = spawn(tool, settings)
            cold.append(time.perf_counter() - t0)
            proc.stop(grace=2)
        bare_ms, cold_ms = median_ms(bare), median_ms(cold)
        print(f"bare `python -c pass`     : {bare_ms:8.1f} ms (median of {args.rounds})")
        print(f"cold spawn → healthy      : {cold_ms:8.1f} ms (median of {args.rounds})")
        print(f"cold ratio                : {cold_ms / bare_ms:8.2f} ×   (target ≤ 5×)")

        runner = Runner(settings)
        try:
            first = runner.run(tool, {"x": 1})
            assert first.status == "ok", first.error
            proc = runner.pool.acquire(tool)
            runner.pool.release(tool.tool_id, proc)
            client = proc.client
            body = {"run_id": "bench", "inputs": {"x": 1}, "_pixie": {"run_id": "bench", "artefacts_dir": tmp}}
            raw = []
            for _ in range(args.warm_runs):
                t0 = time.perf_counter()
                status, _ = client.post_json("/run", body, headers={"X-Pixie-Run-Id": "bench"})
                raw.append(time.perf_counter() - t0)
                assert status == 200
            full = []
            for i in range(args.warm_runs):
                t0 = time.perf_counter()
                res = runner.run(tool, {"x": i})
                full.append(time.perf_counter() - t0)
                assert res.status == "ok", res.error
            raw_ms, full_ms = median_ms(raw), median_ms(full)
            print(f"raw POST /run (no-op)     : {raw_ms:8.2f} ms (median of {args.warm_runs})")
            print(f"Runner.run (no-op, warm)  : {full_ms:8.2f} ms (median; row + outputs + artefact scan)")
            print(f"warm host overhead        : {full_ms - raw_ms:8.2f} ms   (target ≤ 5 ms)")
            print(f"Runner.run p90            : {statistics.quantiles(full, n=10)[-1] * 1000:8.2f} ms")
        finally:
            runner.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
