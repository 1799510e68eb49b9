"""`pixie-desktop doctor [--fix] [--json]`: check the database, stale runs, orphan artefacts,
tool environments and tool.json files; exit 1 while any problem is left (see
`pixie_desktop.doctor`). Unlike other commands it opens the data WITHOUT the start-up
reconcile, so that it can report runs a crash left `running` instead of silently fixing them."""

from __future__ import annotations

import argparse
import sqlite3

from pixie_desktop.commands._common import print_json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("doctor", help="check pixie.db, runs, artefacts and tools; --fix repairs what is safe")
    p.add_argument("--fix", action="store_true", help="repair what is safe to repair")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(handler=run)


def run(ns: argparse.Namespace) -> int:
    from pixie_desktop.context import open_context
    from pixie_desktop.doctor import DoctorReport, run_doctor

    try:
        ctx = open_context(reconcile_on_start=False)
    except sqlite3.DatabaseError as exc:  # too broken to even open: that is the finding
        report = DoctorReport(fix=ns.fix)
        report.add("database", f"pixie.db cannot be opened: {exc} (restore it from a backup)")
        report.checked["database"] = "cannot be opened"
        print_json(report.to_dict()) if ns.json else print(report.render())
        return 1
    try:
        report = run_doctor(ctx.conn, ctx.settings, ctx.tools(), fix=ns.fix)
        if ns.json:
            print_json(report.to_dict())
        else:
            print(report.render())
        return 0 if report.ok else 1
    finally:
        ctx.close()
