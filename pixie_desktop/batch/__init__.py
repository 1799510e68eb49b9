"""Batches (no Qt): one tool over many inputs as one batch. `plan` expands a folder, a CSV and a
grid into items; `state` follows a batch's items (progress, ETA, retry, results table, CSV
export); `local` runs a batch headless on a thread lane over the Qt-free RunQueue (the CLI and
the benchmark). The desktop submits the same items to its RunController (ui/batch_runner.py).
Each item is an ordinary run whose meta_json carries `batch_id` (and `batch_index`)."""

from pixie_desktop.batch.plan import BatchItem, expand, parse_grid
from pixie_desktop.batch.state import Batch

__all__ = ["Batch", "BatchItem", "expand", "parse_grid"]
