"""Run-search benchmark: a keystroke's query at 100k runs (target ≤ 50 ms) and the CLI's
`runs --search … --json` against a plain `list --json` (target ≤ 1.5×).

    .venv/bin/python benchmarks/search.py [--runs 100000] [--repeat 20]

The database is seeded the way the app writes it (rows go through the FTS triggers), with
varied labels, inputs (text + a named file handle), inline outputs, some errors, over 20 tools.
A "keystroke" is what the History page does per debounced key: the first page (50 rows) of
`queries.search.page` for the text typed so far; it is timed for a rare word, a common word,
a prefix of 1–3 letters, two words, and with filters. Also printed: the backfill rate (an
older database indexed from scratch) and the seed rate with triggers on (the write overhead).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

WORDS = ("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa "
         "quebec romeo sierra tango uniform victor whiskey xray yankee zulu invoice report summary chart "
         "image upload budget forecast weather translate resize compress audio transcript").split()


def seed(db: Path, n: int) -> float:
    from pixie_desktop.store.db import open_db

    rnd = random.Random(7)
    conn = open_db(db)
    t0 = time.perf_counter()
    batch = []
    for i in range(n):
        words = " ".join(rnd.choice(WORDS) for _ in range(6))
        inputs = {"run_id": f"run-{i:06d}", "inputs": {
            "prompt": f"{words} item{i}", "count": i % 97,
            "file": {"$pixie_input": f"{i:064x}", "mime": "text/csv", "size": 100, "name": f"data-{i}.csv"}}}
        status = "error" if i % 13 == 0 else "ok"
        outputs = None if status == "error" else json.dumps({"text": f"result {rnd.choice(WORDS)} {i}",
                                                            "value": rnd.random()})
        error = f"ValueError: bad {rnd.choice(WORDS)} in row {i}" if status == "error" else None
        started = f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:{(i // 60) % 60:02d}+00:00"
        batch.append((f"run-{i:06d}", f"tool-{i % 20}", started, started, json.dumps(inputs), outputs, error,
                      status, 1 if i % 50 == 0 else 0, f"label {rnd.choice(WORDS)}" if i % 7 == 0 else None))
        if len(batch) == 5000:
            _flush(conn, batch)
    _flush(conn, batch)
    took = time.perf_counter() - t0
    conn.close()
    return took


def _flush(conn, batch: list) -> None:
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO runs (id, tool_id, started_at, finished_at, inputs_json, outputs_json, "
                     "error_text, status, starred, label) VALUES (?,?,?,?,?,?,?,?,?,?)", batch)
    conn.execute("COMMIT")
    batch.clear()


def time_ms(fn, repeat: int) -> tuple[float, float]:
    fn()  # warm the page cache
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples), max(samples)


def cli_seconds(env: dict, args: list[str], repeat: int = 5) -> float:
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pixie_desktop", *args], env=env, capture_output=True, check=True)
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=20)
    ns = ap.parse_args()
    from pixie_desktop.ops import search as search_ops
    from pixie_desktop.queries import search as sq
    from pixie_desktop.store.db import open_db

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        db = root / "pixie.db"
        took = seed(db, ns.runs)
        print(f"seeded {ns.runs} runs through the triggers in {took:.1f} s ({ns.runs / took:,.0f} runs/s)")
        conn = open_db(db)
        cases = {
            "rare word": sq.RunFilter(text="item4242"),
            "common word": sq.RunFilter(text="invoice"),
            "1-letter prefix": sq.RunFilter(text="b"),
            "3-letter prefix": sq.RunFilter(text="bud"),
            "two words": sq.RunFilter(text="budget forecast"),
            "file name": sq.RunFilter(text="data-777.csv"),
            "word + tool + status": sq.RunFilter(text="invoice", tool_id="tool-3", status="ok"),
            "word + since": sq.RunFilter(text="weather", since="2026-11-01"),
            "no match": sq.RunFilter(text="zzzzqqq"),
        }
        worst = 0.0
        for name, flt in cases.items():
            med, mx = time_ms(lambda f=flt: sq.page(conn, f, limit=50), ns.repeat)
            worst = max(worst, med)
            print(f"keystroke [{name:>22}]: median {med:6.1f} ms  max {mx:6.1f} ms")
        print(f"worst median keystroke: {worst:.1f} ms (target <= 50 ms) -> {'OK' if worst <= 50 else 'OVER'}")

        # backfill: the same rows as an existing database that predates the index
        conn.execute("DELETE FROM run_search_docs")
        conn.execute("DELETE FROM settings WHERE key = 'search_index_version'")
        t0 = time.perf_counter()
        res = search_ops.backfill(conn, None)
        bt = time.perf_counter() - t0
        print(f"backfill of {res.indexed} runs: {bt:.1f} s ({res.indexed / bt:,.0f} runs/s)")
        conn.close()

        env = dict(os.environ, PIXIE_ROOT=str(root), PIXIE_TOOLS_DIR=str(root / "tools"), PIXIE_DB_PATH=str(db),
                   PIXIE_ARTEFACTS_ROOT=str(root / "artefacts"), PIXIE_LOG_DIR=str(root / "logs"))
        (root / "tools").mkdir(exist_ok=True)
        base = cli_seconds(env, ["list", "--json"])
        srch = cli_seconds(env, ["runs", "--search", "invoice", "--json"])
        ratio = srch / base
        print(f"CLI list --json: {base * 1000:.0f} ms; runs --search invoice --json: {srch * 1000:.0f} ms; "
              f"ratio {ratio:.2f} (target <= 1.5) -> {'OK' if ratio <= 1.5 else 'OVER'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
