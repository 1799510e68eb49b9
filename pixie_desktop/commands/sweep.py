"""`pixie-desktop sweep [--dry-run] [--fix] [--json]`: purge expired Trash, prune old runs,
remove stale partial files, reconcile orphan rows/files and audit disk use — the same
`artefacts.sweeper.sweep()` the app runs in the background."""

from __future__ import annotations

import argparse

from pixie_desktop.commands._common import context, print_json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sweep", help="purge expired trash, prune old runs, reconcile artefact files and rows")
    p.add_argument("--dry-run", action="store_true", help="report what would change, change nothing")
    p.add_argument("--fix", action="store_true",
                   help="also move files under artefacts/ that belong to no known run to "
                        "artefacts/_quarantine/<date>/ (purged after the Trash retention period)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(handler=run)


def run(ns: argparse.Namespace) -> int:
    from pixie_desktop.artefacts.sweeper import sweep

    ctx = context()
    try:
        report = sweep(ctx.conn, ctx.settings, tools=ctx.tools(), dry_run=ns.dry_run, fix=ns.fix)
        if ns.json:
            print_json(report.to_dict())
        else:
            print(("Dry run: " if ns.dry_run else "") + report.summary() + f" ({report.seconds:.2f} s)")
            for rel in report.orphan_files_unknown[:20]:
                print(f"  unknown file: {rel}")
            if len(report.orphan_files_unknown) > 20:
                print(f"  … and {len(report.orphan_files_unknown) - 20} more (see --json)")
            for err in report.errors:
                print(f"  error: {err}")
        return 1 if report.errors else 0
    finally:
        ctx.close()
