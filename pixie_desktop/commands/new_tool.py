"""`pixie-desktop new-tool ID [--layout form|chat] [--name NAME] [--description TEXT]`: create a
working tool in tools/ from a template that uses the stdlib SDK (runs with zero setup)."""

from __future__ import annotations

import argparse
import sys

from pixie_desktop.lifecycle import templates


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("new-tool", help="create a new tool from a template (form or chat layout)")
    p.add_argument("id", help="tool id: lower-case letters, digits and '-', e.g. csv-cleaner")
    p.add_argument("--layout", choices=templates.LAYOUTS, default="form", help="page layout (default: form)")
    p.add_argument("--name", help="display name (default: from the id)")
    p.add_argument("--description", help="one-line description")
    p.set_defaults(handler=run)


def run(ns: argparse.Namespace) -> int:
    from pixie_desktop.config import load_settings
    from pixie_desktop.lifecycle.scaffold import ScaffoldError, scaffold_tool
    from pixie_desktop.manifest.parse import SpecError, parse_tool_file

    settings = load_settings()
    try:
        result = scaffold_tool(settings.tools_dir, ns.id, ns.layout, ns.name, ns.description)
    except ScaffoldError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    try:
        parse_tool_file(result.path / "tool.json")
    except SpecError as exc:  # a template bug; say so rather than leave a silent broken tool
        print(f"warning: the new tool.json does not parse: {exc}", file=sys.stderr)
        return 1
    print(f"created {result.path}")
    print(f"  edit {result.path / 'main.py'}, then open Pixie Desktop (or: pixie-desktop run {ns.id})")
    return 0
