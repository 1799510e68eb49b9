"""`pixie-desktop preset save TOOL NAME --input k=v …`, `preset list TOOL [--json]`,
`preset delete TOOL NAME`, `preset default TOOL [NAME]`: named input sets per tool, the same
ones the app's preset menu shows. `run TOOL --preset NAME` and `batch TOOL --preset NAME` start
from one. File-like inputs are not kept in a preset (see ops/presets.py)."""

from __future__ import annotations

import argparse
import sys
from typing import Any, Callable

from pixie_desktop.commands._common import print_json, print_table, tool_context


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("preset", help="save, list and delete named input sets of a tool")
    psub = p.add_subparsers(dest="preset_command", metavar="ACTION", required=True)
    save = psub.add_parser("save", help="save inputs under a name (overwrites a preset of that name)")
    save.add_argument("tool")
    save.add_argument("name")
    save.add_argument("-i", "--input", action="append", default=[], metavar="KEY=VALUE")
    save.add_argument("--default", action="store_true", help="also make it the tool's default preset")
    save.set_defaults(handler=_save)
    ls = psub.add_parser("list", help="list a tool's presets")
    ls.add_argument("tool")
    ls.add_argument("--json", action="store_true", help="print a JSON array [{name, inputs, default}]")
    ls.set_defaults(handler=_list)
    rm = psub.add_parser("delete", help="delete a preset")
    rm.add_argument("tool")
    rm.add_argument("name")
    rm.set_defaults(handler=_delete)
    de = psub.add_parser("default", help="make a preset the default (no NAME: clear the default)")
    de.add_argument("tool")
    de.add_argument("name", nargs="?")
    de.set_defaults(handler=_default)


def _save(ns: argparse.Namespace) -> int:
    from pixie_desktop.commands.run import build_inputs
    from pixie_desktop.ops import presets as preset_ops

    with tool_context(ns.tool) as (ctx, tool):
        if tool is None:
            return 2
        try:
            inputs = preset_ops.preset_inputs(tool.spec, build_inputs(tool, ns.input, None))
            preset, _change = preset_ops.save(ctx.conn, tool.tool_id, ns.name, inputs)
            if ns.default:
                preset_ops.set_default(ctx.conn, tool.tool_id, preset.name)
        except (OSError, ValueError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(f"saved preset '{preset.name}' for {tool.tool_id} ({len(inputs)} input{'s' if len(inputs) != 1 else ''})")
        return 0


def _list(ns: argparse.Namespace) -> int:
    from pixie_desktop.queries import presets as preset_queries

    with tool_context(ns.tool) as (ctx, tool):
        if tool is None:
            return 2
        presets = preset_queries.list_for(ctx.conn, tool.tool_id)
        if ns.json:
            print_json([{"name": p.name, "inputs": p.inputs, "default": p.is_default,
                         "updated_at": p.updated_at} for p in presets])
            return 0
        if not presets:
            print(f"No presets for {tool.tool_id} yet.")
            return 0
        print_table(("PRESET", "DEFAULT", "INPUTS"),
                    [(p.name, "yes" if p.is_default else "",
                      ", ".join(f"{k}={v}" for k, v in p.inputs.items())[:80]) for p in presets])
        return 0


def _apply(ns: argparse.Namespace, write: Callable[[Any, str], Any], done: Callable[[str], str]) -> int:
    """Run one preset write (`write(conn, tool_id)`) for the named tool and print `done(tool_id)`;
    a refused write (ValueError: no such preset…) is an error line and exit 1."""
    with tool_context(ns.tool) as (ctx, tool):
        if tool is None:
            return 2
        try:
            write(ctx.conn, tool.tool_id)
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print(done(tool.tool_id))
        return 0


def _delete(ns: argparse.Namespace) -> int:
    from pixie_desktop.ops import presets as preset_ops

    return _apply(ns, lambda conn, tid: preset_ops.delete(conn, tid, ns.name),
                  lambda tid: f"deleted preset '{ns.name}' of {tid}")


def _default(ns: argparse.Namespace) -> int:
    from pixie_desktop.ops import presets as preset_ops

    return _apply(ns, lambda conn, tid: preset_ops.set_default(conn, tid, ns.name),
                  lambda tid: f"default preset of {tid}: {ns.name or '(none)'}")
