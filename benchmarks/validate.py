"""Validator benchmark (not a test): the full validator pass over every bundled tool, as a ratio
to one cold spawn of the same tool, from one run on this machine.

For each tool in tools/ it prints the median of N rounds of
  * cold spawn → healthy → stopped (the unavoidable floor of any live validation),
  * the full validator pass (all 13 checks, fixtures included),
  * the tool's own sample-run time (work the tool does, e.g. slow-counter sleeps on purpose),
and the pass minus the sample run ("validator cost"). Target: under 1.5 s per stdlib tool (the
reference takes about 13 s for its pass).

Usage: .venv/bin/python benchmarks/validate.py [--rounds N]
Tools are copied to a temporary folder; the repo's database is not touched."""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="pixie-bench-validate-"))
    shutil.copytree(REPO / "tools", tmp / "tools", ignore=shutil.ignore_patterns(".venv", ".env", "__pycache__"))
    os.environ.update(PIXIE_ROOT=str(tmp), PIXIE_TOOLS_DIR=str(tmp / "tools"), PIXIE_DB_PATH=str(tmp / "pixie.db"),
                      PIXIE_ARTEFACTS_ROOT=str(tmp / "artefacts"))
    from pixie_desktop.config import load_settings
    from pixie_desktop.runtime.launcher import spawn
    from pixie_desktop.catalog.discovery import Discovery
    from pixie_desktop.validation.validator import validate_tool

    settings = load_settings()
    tools = [t for t in Discovery(settings.tools_dir).scan() if t.ok]
    if not tools:
        print("no bundled tools to validate")
        return 1
    print(f"{'tool':18} {'cold spawn':>11} {'full pass':>10} {'ratio':>6} {'sample run':>11} "
          f"{'validator cost':>15}  overall")
    rows = []
    for tool in tools:
        spawns, passes, runs, overall = [], [], [], set()
        for _ in range(args.rounds):
            t0 = time.perf_counter()
            proc = spawn(tool, settings, extra_env={"PIXIE_VALIDATE": "true"})
            proc.stop(grace=5.0)
            spawns.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            rep = validate_tool(tool, settings)
            passes.append(time.perf_counter() - t0)
            overall.add(rep["overall"])
            timing = next(c for c in rep["checks"] if c["name"] == "timing")
            runs.append(((timing.get("details") or {}).get("sample_run_ms") or 0) / 1000)
        s, p, r = statistics.median(spawns), statistics.median(passes), statistics.median(runs)
        rows.append((tool.tool_id, s, p, r))
        print(f"{tool.tool_id:18} {s * 1000:9.0f} ms {p * 1000:7.0f} ms {p / s:5.1f}× {r * 1000:8.0f} ms "
              f"{(p - r) * 1000:12.0f} ms  {'/'.join(sorted(overall))}")
    total_s = sum(r[1] for r in rows)
    total_p = sum(r[2] for r in rows)
    total_cost = sum(r[2] - r[3] for r in rows)
    print(f"\nall {len(rows)} tools: full pass {total_p:.2f} s = {total_p / total_s:.1f}× the cold spawns "
          f"({total_s:.2f} s); validator cost excluding the tools' own work {total_cost:.2f} s "
          f"({total_cost / len(rows):.2f} s per tool; target < 1.5 s; reference ≈ 13 s)")
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
