"""The "search index" extension: on the first start over a database that predates run search,
index the existing runs in the background (`ops.search.backfill` as a `workers.submit_job` job
with progress and cancel), showing progress in the status bar. Runs written meanwhile are
indexed by SQLite triggers, so search works at once for new runs and fills in for old ones."""

from __future__ import annotations

import logging
from typing import Any

# the search modules are imported by install(), which the app runs after its first paint

log = logging.getLogger(__name__)


class SearchIndexExtension:
    name = "search-index"

    def __init__(self) -> None:
        self.task: Any = None    # ui.workers.Task while the backfill runs
        self.result: Any = None  # ops.search.BackfillResult once done
        self.progress: list[tuple[float | None, str]] = []

    def install(self, services: Any) -> None:
        from pixie_desktop.artefacts import queries as artefact_queries
        from pixie_desktop.ops import search as search_ops
        from pixie_desktop.queries import search as search_queries
        from pixie_desktop.ui import workers

        ctx = services.ctx
        if not search_queries.needs_backfill(ctx.conn):
            return
        db = str(ctx.settings.db_path)
        root = ctx.settings.artefacts_root

        def job(handle: workers.TaskHandle) -> search_ops.BackfillResult:
            # the pool thread's own connection (one connection per thread)
            return search_ops.backfill(artefact_queries.thread_connection(db), root,
                                       progress=handle.progress, cancelled=handle.cancelled)

        def progress(fraction: Any, text: str) -> None:
            self.progress.append((fraction, text))
            pct = "" if fraction is None else f" ({fraction:.0%})"
            services.status(f"Search: {text}{pct}", 4000)

        def done(result: search_ops.BackfillResult) -> None:
            self.task, self.result = None, result
            if result.finished and result.indexed:
                services.status(f"Search: {result.indexed} earlier runs indexed", 6000)

        def failed(exc: BaseException) -> None:
            self.task = None
            log.warning("search backfill failed: %s", exc)  # search still finds runs the triggers indexed
            services.status("Search: indexing earlier runs failed (see the log); it retries next start", 8000)

        self.task = workers.submit_job(job, on_result=done, on_progress=progress, on_error=failed,
                                       on_cancelled=lambda: setattr(self, "task", None))

    def shutdown(self) -> None:
        if self.task is not None:
            self.task.cancel()  # done batches stay indexed; the rest continues next start
