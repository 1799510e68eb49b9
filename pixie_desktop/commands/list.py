"""`pixie-desktop list [--json]`: every tool folder with its id, name and parse status."""

from __future__ import annotations

import argparse

from pixie_desktop.commands._common import context, print_json, print_table


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("list", help="list the tools in tools/ and whether each parses")
    p.add_argument("--json", action="store_true", help="print a JSON array instead of a table")
    p.set_defaults(handler=run)


def run(ns: argparse.Namespace) -> int:
    ctx = context()
    try:
        tools = ctx.tools()
        if ns.json:
            print_json([{
                "id": t.tool_id, "name": t.name, "folder": t.folder, "path": str(t.path),
                "error": t.error, "status": "ok" if t.ok else "parse error",
                "n_inputs": len(t.spec.inputs) if t.spec else 0,
                "n_outputs": len(t.spec.outputs) if t.spec else 0,
                "layout": t.spec.layout if t.spec else None,
                "has_venv": t.has_venv,
            } for t in tools])
            return 0
        if not tools:
            print(f"No tools in {ctx.settings.tools_dir}")
            return 0
        rows = []
        for t in tools:
            status = "ok" if t.ok else "parse error"
            rows.append((t.tool_id, t.name, t.folder, status, "" if t.ok else _short(t.error or "")))
        print_table(("ID", "NAME", "FOLDER", "STATUS", "ERROR"), rows)
        return 0
    finally:
        ctx.close()


def _short(text: str, n: int = 100) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"
