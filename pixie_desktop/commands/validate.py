"""`pixie-desktop validate [TOOL | --all] [--json] [--no-save]`: run the validator's checks.

Exit codes follow the reference: 0 when every tool passes or warns, 1 when any fails, 2 when the
named tool does not exist."""

from __future__ import annotations

import argparse
import sqlite3
from pathlib import Path

from pixie_desktop.commands._common import context, print_json, print_table
from pixie_desktop.validation import batch, report as report_mod
from pixie_desktop.validation.model import CHECK_TITLES
from pixie_desktop.validation.validator import ValidateOptions, tool_for_folder, validate_tool

MARK = {"pass": "✓ pass", "warn": "! warn", "fail": "✗ fail", "skip": "- skip"}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("validate", help="check tools against the Pixie tool contract")
    p.add_argument("tool", nargs="?", help="tool id, folder name or path to a tool folder")
    p.add_argument("--all", action="store_true", help="validate every (non-archived) tool")
    p.add_argument("--json", action="store_true", help="print the report(s) as JSON")
    p.add_argument("--no-save", action="store_true", help="do not store the report in the database")
    p.add_argument("--reference-only", action="store_true", help="skip the sample run; run reference fixtures")
    p.add_argument("--tag", help="only run reference fixtures with this tag")
    p.add_argument("--health-timeout", type=float, help="seconds to wait for /healthz (default: setting)")
    p.set_defaults(handler=run)


def run(ns: argparse.Namespace) -> int:
    if not ns.tool and not ns.all:
        print("Name a tool (id or folder) or pass --all.")
        return 2
    opts = ValidateOptions(health_timeout=ns.health_timeout, reference_only=ns.reference_only,
                           fixture_tag=ns.tag)
    ctx = context()
    try:
        if ns.all:
            return _run_all(ctx, ns, opts)
        tool = ctx.find_tool(ns.tool)
        if tool is None:
            folder = Path(ns.tool)
            if not folder.is_dir():
                folder = ctx.settings.tools_dir / ns.tool
            if not folder.is_dir():
                print(f"No tool '{ns.tool}' in {ctx.settings.tools_dir}")
                return 2
            tool = tool_for_folder(folder)
        rep = validate_tool(tool, ctx.settings, opts)
        if not ns.no_save:
            _save(ctx.conn, rep)
        if ns.json:
            print_json(rep)
        else:
            _print_report(rep)
        return 1 if rep["overall"] == "fail" else 0
    finally:
        ctx.close()


def _save(conn: sqlite3.Connection, rep: dict) -> None:
    try:
        report_mod.save(conn, rep)
    except sqlite3.Error as exc:
        print(f"note: the report was not saved ({exc})")


def _print_report(rep: dict) -> None:
    print(f"{rep['tool_id']}  ({rep['tool_path']})")
    rows = [(MARK.get(c["status"], c["status"]), CHECK_TITLES.get(c["name"], c["name"]), _one_line(c["message"]))
            for c in rep["checks"]]
    print_table(("STATUS", "CHECK", "MESSAGE"), rows)
    print(f"\nOverall: {rep['overall'].upper()} in {rep['duration_ms'] / 1000:.2f} s")


def _run_all(ctx, ns: argparse.Namespace, opts: ValidateOptions) -> int:
    tools = batch.candidate_tools(ctx.conn, ctx.tools())
    if not tools:
        print(f"No tools in {ctx.settings.tools_dir}")
        return 0
    reports: list[dict] = []

    def collect(tool, settings, options):  # noqa: ANN001 - same signature as validate_tool
        try:
            rep = validate_tool(tool, settings, options)
        except Exception as exc:  # noqa: BLE001 - a crashed check is a failed tool, listed as such
            reports.append(crash_report(tool, exc))
            raise  # run_batch records the failure in the job
        reports.append(rep)
        return rep

    if ns.no_save:
        for t in tools:
            try:
                collect(t, ctx.settings, opts)
            except Exception:  # noqa: BLE001 - already in `reports` as a failure
                pass
    else:
        batch.run_batch(ctx.conn, ctx.settings, tools, kind="cli", options=opts, validate=collect)
    if ns.json:
        print_json(reports)
    else:
        rows = []
        for rep in reports:
            notable = next((c for c in rep["checks"] if c["status"] == "fail"), None) or \
                next((c for c in rep["checks"] if c["status"] == "warn"), None)
            note = f"{CHECK_TITLES.get(notable['name'], notable['name'])}: {_one_line(notable['message'])}" \
                if notable else ""
            rows.append((MARK.get(rep["overall"], rep["overall"]), rep["tool_id"],
                         f"{rep['duration_ms'] / 1000:.2f} s", note))
        print_table(("STATUS", "TOOL", "TIME", "NOTE"), rows)
        n_fail = sum(1 for r in reports if r["overall"] == "fail")
        print(f"\n{len(reports)} tool(s): {len(reports) - n_fail} ok, {n_fail} failing")
    return 1 if any(r["overall"] == "fail" for r in reports) else 0


def crash_report(tool, exc: BaseException) -> dict:  # noqa: ANN001 - a ToolInfo
    """A minimal failed report for a tool whose validation crashed (no traceback shown)."""
    from pixie_desktop.store.db import now_iso

    return {"tool_id": tool.tool_id, "folder": tool.folder, "tool_path": str(tool.path), "timestamp": now_iso(),
            "overall": "fail", "duration_ms": 0.0, "sample_inputs": None, "sample_output": None,
            "spawn_log": "", "checks": [{"name": "internal_error", "status": "fail",
                                         "message": f"the check crashed: {type(exc).__name__}: {exc}",
                                         "details": None}]}


def _one_line(text: str, n: int = 110) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"
