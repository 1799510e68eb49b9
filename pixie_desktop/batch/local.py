"""Running a batch headless: the items go into a Qt-free RunQueue (the same dispatch rules as the
desktop's RunController: at most `parallel` at once, a `concurrent: false` tool one at a time),
and `parallel` threads take what may start and call the blocking `Runner.run` with the item's
`batch_id` in meta_json. `stop` cancels cleanly: queued items are dropped (never started, no
row), running ones are asked to stop through the runner. Used by `pixie-desktop batch` and
benchmarks/batch.py."""

from __future__ import annotations

import threading
from typing import Any, Callable, Iterable

from pixie_desktop.batch.plan import resolve_files
from pixie_desktop.batch.state import CANCELLED, ERROR, Batch
from pixie_desktop.runtime.queue import RunQueue, RunRequest


def run_batch(runner: Any, tool: Any, batch: Batch, *, parallel: int = 1, indices: Iterable[int] | None = None,
              on_update: Callable[[Batch], Any] | None = None, stop: threading.Event | None = None) -> Batch:
    """Run the batch's items (or just `indices`, for a retry) and block until all have ended or
    `stop` is set and the running ones have stopped. Returns the batch."""
    from pixie_desktop.runtime.runner import InputError

    stop = stop or threading.Event()
    queue = RunQueue(max(1, int(parallel)))
    is_concurrent = getattr(runner, "is_concurrent", None)
    concurrent = bool(is_concurrent(tool)) if callable(is_concurrent) else True
    for i in (range(len(batch.items)) if indices is None else list(indices)):
        req = RunRequest(tool, batch.items[i].inputs, source="batch", concurrent=concurrent, meta=batch.meta(i))
        batch.submitted(i, req.run_id)
        queue.submit(req)
    wake = threading.Condition()
    notify = on_update or (lambda _b: None)

    def work() -> None:
        while not stop.is_set():
            req = queue.next_dispatchable()
            if req is None:
                if queue.queued_count() == 0:
                    return
                with wake:
                    wake.wait(0.05)
                continue
            batch.started_run(req.run_id)
            try:
                inputs = resolve_files(tool.spec, req.inputs)
                res = runner.run(tool, inputs, run_id=req.run_id, serialised=not req.concurrent, meta=req.meta)
                batch.finished(req.run_id, res.status, res.outputs, res.error)
            except InputError as exc:
                batch.finished(req.run_id, ERROR, None, str(exc))
            except Exception as exc:  # noqa: BLE001 - one item's failure is that item's error
                batch.finished(req.run_id, ERROR, None, f"{type(exc).__name__}: {exc}")
            finally:
                queue.finish(req.run_id)
                with wake:
                    wake.notify_all()
                notify(batch)

    threads = [threading.Thread(target=work, name=f"pixie-batch-{n}", daemon=True) for n in range(queue.max_parallel)]
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        if stop.is_set():
            dropped = queue.cancel_all()
            for req in dropped:  # dropped: never started, no row
                batch.finished(req.run_id, CANCELLED, None, "cancelled before it started")
            for req in queue.running():  # again each turn: a run may register after the first ask
                runner.cancel(req.run_id)
            if dropped:
                notify(batch)
        for t in threads:
            t.join(0.05)
    if stop.is_set():
        for req in queue.cancel_all():
            batch.finished(req.run_id, CANCELLED, None, "cancelled before it started")
    return batch
