"""Helpers for the desktop tests: start a tool folder's server with a given interpreter, make one
/run call, and stop it (its whole process group) again."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_tool_once(python: str | Path, tool_dir: Path, inputs: dict[str, Any], timeout: float = 30.0,
                  env: dict[str, str] | None = None) -> dict[str, Any]:
    """Spawn `python main.py --port N` in `tool_dir`, wait for /healthz, POST /run, return the JSON."""
    port = free_port()
    proc = subprocess.Popen([str(python), "main.py", "--port", str(port)], cwd=tool_dir,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
                            env={**os.environ, **(env or {})})
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"tool exited {proc.returncode}: {proc.stderr.read().decode()[-2000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("tool never became healthy")
            time.sleep(0.05)
        body = json.dumps({"run_id": "test-run", "inputs": inputs}).encode()
        req = urllib.request.Request(f"http://127.0.0.1:{port}/run", data=body,
                                     headers={"Content-Type": "application/json", "X-Pixie-Run-Id": "test-run"})
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return json.loads(r.read())
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        if proc.stderr:
            proc.stderr.close()
