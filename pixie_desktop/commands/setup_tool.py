"""`pixie-desktop setup-tool ID [--uv|--pip] [--force]`: create a tool's own `.venv` (uv sync, or
python -m venv + pip), streaming the installer's log. Ctrl+C cancels and removes a half-made env."""

from __future__ import annotations

import argparse
import shutil
import sys
import threading


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("setup-tool", help="create a tool's own .venv from its pyproject.toml / requirements.txt")
    p.add_argument("tool", help="tool id or folder name")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--uv", dest="use_uv", action="store_const", const=True, default=None,
                   help="require uv (default: uv when on PATH, else venv + pip)")
    g.add_argument("--pip", dest="use_uv", action="store_const", const=False, help="use python -m venv + pip")
    p.add_argument("--force", action="store_true", help="delete an existing .venv first")
    p.set_defaults(handler=run)


def run(ns: argparse.Namespace) -> int:
    from pixie_desktop.commands._common import context
    from pixie_desktop.lifecycle.envsetup import run_setup

    ctx = context()
    try:
        tool = ctx.find_tool(ns.tool)
    finally:
        ctx.close()
    if tool is None:
        print(f"error: no tool '{ns.tool}'", file=sys.stderr)
        return 1
    venv = tool.path / ".venv"
    if venv.exists():
        if not ns.force:
            print(f"{tool.tool_id} already has {venv} (use --force to rebuild it)")
            return 0
        shutil.rmtree(venv)
    cancel = threading.Event()

    def phase(i: int, n: int, label: str) -> None:
        print(f"[{min(i + 1, n)}/{n}] {label}" if i < n else "done", flush=True)

    box: dict = {}
    worker = threading.Thread(target=lambda: box.setdefault("r", run_setup(
        tool.path, on_line=lambda line: print("    " + line, flush=True), on_phase=phase, cancel=cancel,
        use_uv=ns.use_uv)), daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.2)
    except KeyboardInterrupt:
        cancel.set()
        worker.join()
    result = box["r"]
    if result.ok:
        print(f"{tool.tool_id}: environment ready in {result.duration_s:.1f} s ({result.python})")
        return 0
    print(f"error: {result.error}", file=sys.stderr)
    return 130 if result.cancelled else 1
