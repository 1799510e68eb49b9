"""`pixie-desktop runs [--search TEXT] [--tool X] [--status S] [--since DATE] [--limit N] [--json]`:
recent runs, newest first; with --search, the runs whose label, inputs (file names too), outputs
or error text hold every word (the same query as the History page's search field).

`--status queued` is accepted but answers with an explanation: a queued run lives only in the
memory of the app (or CLI batch) that queued it, and the database's statuses are running, ok,
error and cancelled (spec/database-schema.md). The app's View ▸ Run queue shows its queue."""

from __future__ import annotations

import argparse

from pixie_desktop.commands._common import context, print_json, print_table


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("runs", help="list recent runs")
    p.add_argument("--tool", help="only runs of this tool (id or folder name)")
    p.add_argument("--status", choices=("queued", "running", "ok", "error", "cancelled"))
    p.add_argument("--limit", type=int, default=None, help="how many runs (20; 100 with --search)")
    p.add_argument("--search", metavar="TEXT", help="only runs whose label, inputs, outputs or error "
                   "contain every word of TEXT (prefixes match)")
    p.add_argument("--since", metavar="DATE", help="only runs started on/after DATE (ISO, UTC)")
    p.add_argument("--until", metavar="DATE", help="only runs started before DATE (ISO, UTC)")
    p.add_argument("--starred", action="store_true", help="only starred runs")
    p.add_argument("--batch", metavar="ID", help="only the runs of one batch (pixie-desktop batch prints its id)")
    p.add_argument("--json", action="store_true", help="print a JSON array")
    p.set_defaults(handler=run)


def _one_line(text: str | None, n: int = 70) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


def run(ns: argparse.Namespace) -> int:
    if ns.status == "queued":
        if ns.json:
            print_json([])
        else:
            print("No queued runs here: a queued run exists only inside the app (or `pixie-desktop batch`) "
                  "that queued it, until it starts; the database records runs from when they start "
                  "(running, ok, error, cancelled). Open View ▸ Run queue in the app to see its queue.")
        return 0
    ctx = context()
    try:
        tool_id = None
        if ns.tool:
            tool = ctx.find_tool(ns.tool)
            tool_id = tool.tool_id if tool else ns.tool
        if ns.search is not None or ns.since or ns.until or ns.starred or ns.batch:
            return _search(ctx, ns, tool_id)
        from pixie_desktop.queries import runs as run_queries
        from pixie_desktop.runtime.runner import load_outputs

        runs = run_queries.list_runs(ctx.conn, tool_id=tool_id, status=ns.status, limit=max(1, ns.limit or 20))
        if ns.json:
            print_json([{"run_id": r.id, "tool_id": r.tool_id, "status": r.status, "started_at": r.started_at,
                         "finished_at": r.finished_at, "duration_s": r.duration_s, "inputs": r.inputs,
                         "outputs": load_outputs(ctx.conn, ctx.settings, r), "error": r.error_text,
                         "starred": bool(r.starred), "label": r.label,
                         "total_artefact_bytes": r.total_artefact_bytes} for r in runs])
            return 0
        if not runs:
            print("No runs yet." if not ns.tool else f"No runs of '{ns.tool}' yet.")
            return 0
        rows = []
        for r in runs:
            dur = r.duration_s
            rows.append((r.id[:8], r.tool_id, r.status, (r.started_at or "")[:19].replace("T", " "),
                         "" if dur is None else f"{dur:.2f}s", _one_line(r.error_text)))
        print_table(("RUN", "TOOL", "STATUS", "STARTED (UTC)", "TIME", "ERROR"), rows)
        return 0
    finally:
        ctx.close()


def _search(ctx, ns: argparse.Namespace, tool_id: str | None) -> int:
    import sys

    from pixie_desktop.ops import search as search_ops
    from pixie_desktop.queries import search as search_queries

    if search_queries.needs_backfill(ctx.conn):  # runs recorded before the index existed
        print("Indexing earlier runs for search (once)…", file=sys.stderr)
        search_ops.backfill(ctx.conn, ctx.settings.artefacts_root)
    flt = search_queries.RunFilter(text=ns.search or "", tool_id=tool_id, status=ns.status,
                                   starred=True if ns.starred else None, since=ns.since, until=ns.until,
                                   batch_id=ns.batch)
    limit = max(1, ns.limit or 100)
    runs = search_queries.search(ctx.conn, flt, limit=limit)
    if ns.json:
        print_json([{"id": r.id, "tool_id": r.tool_id, "status": r.status, "started_at": r.started_at,
                     "label": r.label} for r in runs])
        return 0
    if not runs:
        print("No matching runs.")
        return 0
    print_table(("RUN", "TOOL", "STATUS", "STARTED (UTC)", "LABEL"),
                [(r.id[:8], r.tool_id, r.status, (r.started_at or "")[:19].replace("T", " "), _one_line(r.label))
                 for r in runs])
    return 0
