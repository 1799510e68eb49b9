"""`pixie-desktop export RUN_ID --format html|pdf|zip --out PATH`: a run's report.

html and zip are built by the Qt-free `pixie_desktop.export`; pdf is laid out by Qt
(`pixie_desktop.ui.export_pdf`), imported only for that format — the one place the CLI reaches
the Qt layer (allowed by a named exception in pyproject's import contract)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pixie_desktop.commands._common import context


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="export a run as an html report, a pdf or a zip")
    p.add_argument("run_id", help="the run's id (or a unique prefix of it)")
    p.add_argument("--format", choices=("html", "pdf", "zip"), default="html")
    p.add_argument("--out", required=True, help="the file to write")
    p.set_defaults(handler=run)


def _resolve(conn, text: str) -> str | None:
    prefix = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = conn.execute("SELECT id FROM runs WHERE id = ? UNION SELECT id FROM runs WHERE id LIKE ? ESCAPE '\\' "
                        "LIMIT 3", (text, prefix)).fetchall()
    ids = {r[0] for r in rows}
    if text in ids:
        return text
    return ids.pop() if len(ids) == 1 else None


def run(ns: argparse.Namespace) -> int:
    from pixie_desktop.export import ReportError, export_run
    from pixie_desktop.queries import runs as run_queries

    ctx = context()
    try:
        run_id = _resolve(ctx.conn, ns.run_id)
        rec = run_queries.get_run(ctx.conn, run_id) if run_id else None
        if rec is None:
            print(f"No run matches {ns.run_id!r}.", file=sys.stderr)
            return 1
        tool = ctx.find_tool(rec.tool_id)
        out = Path(ns.out)
        try:
            if ns.format == "pdf":
                from pixie_desktop.ui.export_pdf import export_pdf  # Qt, only for this format

                export_pdf(ctx.conn, ctx.settings, rec.id, out, tool=tool)
            else:
                export_run(ctx.conn, ctx.settings, rec.id, ns.format, out, tool=tool)
        except (OSError, ReportError) as exc:
            print(f"Export failed: {exc}", file=sys.stderr)
            return 1
        print(str(out))
        return 0
    finally:
        ctx.close()
