"""`pixie-desktop run` / `runs` as real subprocesses: every bundled tool, --json shape, exit
codes, key=@file inputs, and Ctrl+C cancelling the run cleanly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

from pixie_desktop.store import runs_repo


def cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pixie_desktop", *args], capture_output=True, text=True,
                          timeout=timeout, env=dict(os.environ))


def test_run_calculator_json(install):
    install("calculator")
    p = cli("run", "calculator", "--input", "a=6", "--input", "b=7", "--input", "op=multiply", "--json")
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)
    assert data["status"] == "ok" and data["outputs"]["result"] == 42 and data["error"] is None
    assert set(data) >= {"run_id", "status", "outputs", "error", "duration_s", "artefacts"}


def test_run_calculator_text_and_error_exit_code(install):
    install("calculator")
    p = cli("run", "calculator", "-i", "a=1", "-i", "b=2", "-i", "op=add")
    assert p.returncode == 0 and "Result: 3" in p.stdout and "Every operation:" in p.stdout
    bad = cli("run", "calculator", "-i", "a=1", "-i", "b=0", "-i", "op=divide", "--json")
    assert bad.returncode == 1 and json.loads(bad.stdout)["status"] == "error"
    invalid = cli("run", "calculator", "-i", "a=x")
    assert invalid.returncode == 2 and "must be a number" in invalid.stderr
    missing = cli("run", "no-such-tool")
    assert missing.returncode == 2 and "no tool 'no-such-tool'" in missing.stderr


def test_run_csv_summary_with_file(install, tmp_path):
    install("csv-summary")
    f = tmp_path / "data.csv"
    f.write_text("x,y\n1,2\n3,4\n")
    p = cli("run", "csv-summary", "--input", f"file=@{f}", "--json")
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)
    assert data["outputs"]["overview"]["pairs"]["Rows"] == 2
    assert data["outputs"]["means"]["series"][0]["y"] == [2, 3]


def test_run_image_thumbnail_with_inputs_json(install, tmp_path):
    from pixie_desktop.sdk_png import Image, encode_png

    install("image-thumbnail")
    img = tmp_path / "pic.png"
    img.write_bytes(encode_png(Image(40, 20, 4, bytearray(b"\x10\x20\x30\xff" * 800))))
    spec = tmp_path / "inputs.json"
    spec.write_text(json.dumps({"max_edge": 16}))
    p = cli("run", "image-thumbnail", "--inputs-json", str(spec), "--input", f"image=@{img}", "--json")
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)
    assert "16 × 8 px" in data["outputs"]["info"]["pairs"]["Thumbnail"]


def test_run_slow_counter_and_runs_listing(install, ctx):
    install("slow-counter")
    p = cli("run", "slow-counter", "-i", "steps=3", "-i", "delay=0", "-i", "label=ducks")
    assert p.returncode == 0, p.stderr
    assert "3 ducks." in p.stderr  # live narration
    assert "Counted: 3" in p.stdout
    listing = cli("runs", "--tool", "slow-counter", "--json")
    rows = json.loads(listing.stdout)
    assert len(rows) == 1 and rows[0]["status"] == "ok" and rows[0]["outputs"]["counted"] == 3
    table = cli("runs")
    assert "slow-counter" in table.stdout and "ok" in table.stdout


def test_ctrl_c_cancels_the_run(install, ctx):
    install("slow-counter")
    proc = subprocess.Popen([sys.executable, "-m", "pixie_desktop", "run", "slow-counter", "-i", "steps=500",
                             "-i", "delay=0.05"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ))
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not runs_repo.list_runs(ctx.conn, status="running"):
        time.sleep(0.05)
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 130, err
    assert "cancelled" in err
    (run,) = runs_repo.list_runs(ctx.conn)
    assert run.status == "cancelled"
