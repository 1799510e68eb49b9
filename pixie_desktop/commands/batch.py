"""`pixie-desktop batch TOOL [--grid KEY=V1,V2,…]… [--over DIR --as KEY [--glob PATTERN]]
[--csv FILE] [--input KEY=VALUE]… [--preset NAME] [--parallel N] [--cluster ADDRESS] [--json]
[--results FILE]`:
run one tool over many inputs as one batch. Sources combine as a product (folder × CSV rows ×
grid). A progress bar goes to stderr on a terminal; `--json` prints one object
{batch_id, items, ok, error, cancelled, run_ids}. Exit 0 only when every item ends ok
(1 when any failed, 130 when cancelled, 2 for a batch that cannot be built).
Ctrl+C cancels: queued items are dropped, running ones stopped."""

from __future__ import annotations

import argparse
import sys
import threading
from typing import Any

from pixie_desktop.commands._common import context, find_tool_or_say, print_json, print_table


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("batch", help="run a tool over a folder, a CSV or a grid of inputs")
    p.add_argument("tool", help="tool id or folder name")
    p.add_argument("--grid", action="append", default=[], metavar="KEY=V1,V2,…",
                   help="several values for one input (repeatable): every combination runs")
    p.add_argument("--over", metavar="DIR", help="run once per file in DIR (with --as KEY)")
    p.add_argument("--as", dest="as_key", metavar="KEY", help="the file input the --over files go to")
    p.add_argument("--glob", default="*", metavar="PATTERN", help="only --over files matching it (default *)")
    p.add_argument("--csv", metavar="FILE", help="one item per row; the header names input keys")
    p.add_argument("-i", "--input", action="append", default=[], metavar="KEY=VALUE",
                   help="an input shared by every item (repeatable); KEY=@path reads a file")
    p.add_argument("--preset", metavar="NAME", help="start every item from a saved preset")
    p.add_argument("--parallel", type=int, default=0, metavar="N",
                   help="items at once (default: the max_parallel_runs setting, else one per core)")
    p.add_argument("--cluster", metavar="ADDRESS",
                   help="run the items on a Dask cluster (tcp://host:port or tls://…; needs pixie-desktop[cluster])")
    p.add_argument("--results", metavar="FILE", help="write the results table as CSV")
    p.add_argument("--json", action="store_true",
                   help="print one JSON object {batch_id, items, ok, error, cancelled, run_ids}")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    from pixie_desktop.commands.run import add_no_app_argument

    add_no_app_argument(p)
    p.set_defaults(handler=run)


def plan_items(ctx: Any, tool: Any, ns: argparse.Namespace) -> list:
    """The batch's items from the arguments (BatchPlanError / ValueError / OSError when bad)."""
    from pixie_desktop.batch import plan
    from pixie_desktop.commands.run import build_inputs

    base = build_inputs(tool, ns.input, None)
    if ns.preset:
        from pixie_desktop.queries import presets as preset_queries

        base = preset_queries.merged_inputs(ctx.conn, tool.tool_id, ns.preset, base)
    files: list = []
    if ns.over or ns.as_key:
        if not (ns.over and ns.as_key):
            raise plan.BatchPlanError("--over DIR and --as KEY go together")
        ispec = tool.spec.input(ns.as_key) if tool.spec else None
        if ispec is None or not ispec.is_file_like:
            file_keys = ", ".join(i.key for i in (tool.spec.file_inputs if tool.spec else [])) or "none"
            raise plan.BatchPlanError(f"--as {ns.as_key}: not a file input of {tool.tool_id} (file inputs: {file_keys})")
        files = plan.folder_files(ns.over, ns.glob)
    rows = plan.csv_rows(ns.csv) if ns.csv else []
    grid = plan.parse_grid(ns.grid)
    return plan.expand(base, over_key=ns.as_key if ns.over else None, files=files, rows=rows, grid=grid)


class _Bar:
    """A one-line progress bar on stderr (only on a terminal)."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self._lock = threading.Lock()

    def draw(self, batch: Any) -> None:
        if not self.enabled:
            return
        p = batch.progress()
        width = 30
        filled = int(width * p.done / p.total) if p.total else width
        with self._lock:
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {p.text()}\033[K")
            sys.stderr.flush()

    def end(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")


def run(ns: argparse.Namespace) -> int:
    from pixie_desktop.batch.local import run_batch
    from pixie_desktop.batch.state import Batch
    from pixie_desktop.runtime.queue import default_max_parallel
    from pixie_desktop.commands.run import cli_runner
    from pixie_desktop.runtime.runner import Runner

    ctx = context()
    runner = None
    try:
        tool = find_tool_or_say(ctx, ns.tool)
        if tool is None:
            return 2
        if not tool.ok or tool.spec is None:
            print(f"error: tool '{tool.tool_id}' cannot run: {tool.error}", file=sys.stderr)
            return 2
        try:
            items = plan_items(ctx, tool, ns)
        except (OSError, ValueError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        batch = Batch(tool.tool_id, items, output_keys=[o.key for o in tool.spec.outputs])
        parallel = ns.parallel or int(getattr(ctx.settings, "max_parallel_runs", 0) or 0) or default_max_parallel()
        # local items may be handed to the open app (warm, shown live there); a cluster batch never is
        runner = Runner(ctx.settings) if ns.cluster else cli_runner(ctx.settings, ns)
        bar = _Bar(not ns.json and not ns.quiet and sys.stderr.isatty())
        if not ns.json and not ns.quiet:
            print(f"batch {batch.id}: {len(items)} item{'s' if len(items) != 1 else ''} of {tool.tool_id}, "
                  f"{parallel} at a time", file=sys.stderr)
        stop = threading.Event()
        done = threading.Event()
        holder: dict[str, Any] = {}

        client = None
        if ns.cluster:
            from pixie_desktop.batch.cluster import ClusterError, connect

            try:
                client = connect(ns.cluster)
            except ClusterError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 2

        def work() -> None:
            try:
                if client is not None:
                    from pixie_desktop.batch.cluster import run_batch_on_cluster

                    run_batch_on_cluster(client, ns.cluster, runner, tool, batch, on_update=bar.draw, stop=stop)
                else:
                    run_batch(runner, tool, batch, parallel=parallel, on_update=bar.draw, stop=stop)
            except BaseException as exc:  # noqa: BLE001 - reported below
                holder["exc"] = exc
            finally:
                done.set()

        threading.Thread(target=work, name="pixie-cli-batch", daemon=True).start()
        while not done.is_set():
            try:
                done.wait(0.2)
            except KeyboardInterrupt:
                if not stop.is_set():
                    stop.set()
                    print("\ncancelling the batch… (queued items dropped, running ones stopped)", file=sys.stderr)
        bar.end()
        if client is not None:
            client.close()
        if "exc" in holder:
            print(f"error: {holder['exc']}", file=sys.stderr)
            return 1
        if ns.results:
            batch.to_csv(ns.results)
        summary = batch.summary()
        if ns.json:
            print_json(summary)
        elif not ns.quiet:
            headers, rows = batch.results()
            print_table(headers, rows)
            print(f"{batch.progress().text()}  (batch {batch.id})", file=sys.stderr)
        if summary["ok"] == summary["items"]:
            return 0
        return 130 if stop.is_set() else 1
    finally:
        if runner is not None:
            runner.shutdown()
        ctx.close()
