"""Qt side of validation: validate one tool or all tools on the app's QThreadPool, with progress
signals, cancel, a daily background sweep of changed tools, and a small status-bar widget.

The work itself is `validation.batch.run_batch` (Qt-free); this module runs it as a worker job
(`workers.submit_job`: its handle carries cancel in and progress out), re-emits progress as
signals and announces new reports on the store-events hub.

Main window usage:
    ctl = RevalidateController(ctx, parent=window)
    window.statusBar().addPermanentWidget(RevalidateStatusWidget(ctl))
    ctl.revalidate_all()          # menu action "Validate all tools"
    ctl.start_nightly()           # daily sweep of tools whose files changed
"""

from __future__ import annotations

import time
from typing import Any, Callable

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QToolButton, QWidget

from pixie_desktop.ops import settings as settings_ops
from pixie_desktop.ops import validation as validation_ops
from pixie_desktop.ops.change import NOTHING, Change
from pixie_desktop.queries import settings as settings_queries
from pixie_desktop.queries.common import now_iso, parse_iso
from pixie_desktop.ui.publish import publish
from pixie_desktop.ui.workers import Task, TaskHandle, describe, submit, submit_job

# The validation package (validator, fixtures, YAML, tolerance…) is imported on first use, not
# with this module: the app installs the revalidation extension at start, and a first validation
# runs on a pool thread seconds later.

LAST_SWEEP_KEY = "validation.last_sweep_at"
SWEEP_CHECK_MS = 30 * 60 * 1000   # look every 30 min whether a daily sweep is due
SWEEP_EVERY_S = 24 * 3600
STARTUP_SWEEP_MS = 8000           # new/changed tools are validated this long after start-up


class RevalidateController(QObject):
    started = Signal(str, int)             # job_id, total
    progress = Signal(int, int, str)       # done, total, tool_id
    toolValidated = Signal(str, str)       # tool_id, overall
    finished = Signal(object)              # BatchResult
    failed = Signal(str)                   # readable error text
    runningChanged = Signal(bool)

    def __init__(self, ctx: Any, parent: QObject | None = None, *, options: Any = None,
                 validate: Callable[..., dict] | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.options = options
        self._validate = validate
        self._task: Task | None = None
        self._kind = ""
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._maybe_sweep)
        self._startup_timer = QTimer(self, singleShot=True)
        self._startup_timer.timeout.connect(lambda: None if self.running else self.sweep_changed())

    # -- public -------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._task is not None

    @property
    def kind(self) -> str:
        return self._kind

    def revalidate_all(self) -> bool:
        """Validate every non-archived tool in the background. False if a pass is already running."""
        return self._start("revalidate_all")

    def sweep_changed(self) -> bool:
        """Validate only tools with no report or whose discovery hash changed since their latest."""
        return self._start("nightly_sweep")

    def cancel(self) -> None:
        """Stop after the tool being validated now; the job ends as error "cancelled by user"."""
        if self._task is not None:
            self._task.cancel()

    def start_nightly(self, check_ms: int = SWEEP_CHECK_MS, startup_delay_ms: int = STARTUP_SWEEP_MS) -> None:
        """Check every `check_ms` whether the daily sweep is due, and shortly after start-up
        validate tools that are new or changed since their last report (so a fresh install or a
        freshly edited tool gets its dot without waiting a day)."""
        self._timer.start(check_ms)
        if startup_delay_ms >= 0:
            self._startup_timer.start(startup_delay_ms)

    def stop_nightly(self) -> None:
        self._timer.stop()
        self._startup_timer.stop()

    def shutdown(self, timeout_s: float = 15.0) -> None:
        """Cancel and wait for the worker (used at exit and in tests)."""
        self.stop_nightly()
        task = self._task
        if task is not None:
            task.cancel()
        deadline = time.monotonic() + timeout_s
        while task is not None and self._task is task and time.monotonic() < deadline:
            from PySide6.QtCore import QCoreApplication

            QCoreApplication.processEvents()
            time.sleep(0.01)

    # -- internals ----------------------------------------------------------------------------
    def _maybe_sweep(self) -> None:
        if self.running:
            return
        try:
            last = parse_iso(settings_queries.get_setting(self.ctx.conn, LAST_SWEEP_KEY))
        except Exception:  # noqa: BLE001 - an unreadable value means "never"
            last = None
        if last is None or time.time() - last.timestamp() >= SWEEP_EVERY_S:
            self.sweep_changed()

    def _start(self, kind: str) -> bool:
        if self._task is not None:
            return False
        self._kind = kind
        ctx, options, validate = self.ctx, self.options, self._validate

        def work(handle: TaskHandle) -> Any:  # a validation.batch.BatchResult
            from pixie_desktop.validation import batch
            from pixie_desktop.validation.validator import validate_tool

            conn = ctx.new_connection()
            try:
                tools = ctx.discovery.scan()
                chosen = batch.changed_tools(conn, tools) if kind == "nightly_sweep" \
                    else batch.candidate_tools(conn, tools)
                # `started` and per-tool events carry ids and verdicts, so they travel as streamed
                # values; a cancelled batch still returns its BatchResult (note "cancelled by user")
                result = batch.run_batch(conn, ctx.settings, chosen, kind=kind, options=options,
                                         is_cancelled=handle.cancelled, validate=validate or validate_tool,
                                         on_start=lambda job_id, total: handle.stream(("started", job_id, total)),
                                         on_progress=lambda d, t, tid, o: handle.stream(("progress", d, t, tid, o)))
                if kind == "nightly_sweep":
                    settings_ops.set_setting(conn, LAST_SWEEP_KEY, now_iso())
                return result
            finally:
                conn.close()

        self._task = submit_job(work, on_result=self._on_result, on_error=self._on_error,
                                on_stream=self._on_event)
        self.runningChanged.emit(True)
        return True

    def _on_event(self, event: tuple) -> None:
        if event[0] == "started":
            self.started.emit(event[1], event[2])
        else:
            self._on_progress(*event[1:])

    def _on_progress(self, done: int, total: int, tool_id: str, overall: str) -> None:
        publish(validation_ops.saved_by_batch([tool_id]))  # run_batch saved it on the pool
        self.toolValidated.emit(tool_id, overall)
        self.progress.emit(done, total, tool_id)

    def _on_result(self, result: Any) -> None:
        self._task = None
        self.runningChanged.emit(False)
        self.finished.emit(result)

    def _on_error(self, exc: BaseException) -> None:
        self._task = None
        self.runningChanged.emit(False)
        self.failed.emit(describe(exc))  # the traceback went to the log (workers)


def validate_one(ctx: Any, tool: Any, *, on_done: Callable[[dict], None] | None = None,
                 on_error: Callable[[BaseException], None] | None = None, options: Any = None,
                 save: bool = True, hub: Any = None) -> Task:
    """Validate one tool on the pool; the report is saved (own connection) and published once
    (validationChanged, on `hub` or the shared one) before `on_done(report)` runs on the UI
    thread — callers must not announce it again. `on_error(exc)` gets the exception; without it
    the app's default error path (log + notice) takes it."""
    saved: list[Change] = []

    def work() -> dict:
        from pixie_desktop.validation.validator import validate_tool

        rep = validate_tool(tool, ctx.settings, options)
        if save:
            conn = ctx.new_connection()
            try:
                saved.append(validation_ops.save_report(conn, rep))
            finally:
                conn.close()
        return rep

    def done(rep: dict) -> None:
        publish(saved[0] if saved else NOTHING, hub)
        if on_done:
            on_done(rep)

    return submit(work, on_result=done, on_error=on_error)


class RevalidateStatusWidget(QWidget):
    """Status-bar widget: "Validating 3 of 12 · calculator" + progress bar + cancel button. Hidden
    while idle; after a pass it shows the summary for a few seconds."""

    SUMMARY_MS = 6000

    def __init__(self, controller: RevalidateController, parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        lay = QHBoxLayout(self)
        lay.setContentsMargins(6, 0, 2, 0)
        lay.setSpacing(6)
        self.label = QLabel(self)
        self.bar = QProgressBar(self)
        self.bar.setFixedWidth(140)
        self.bar.setFixedHeight(12)
        self.bar.setTextVisible(False)
        self.cancel_button = QToolButton(self)
        self.cancel_button.setToolTip("Stop validating (the tool being checked now finishes first)")
        from pixie_desktop.ui.widgets.icons import set_icon_button

        set_icon_button(self.cancel_button, "x", "Stop validating", edge=12)  # ✕: a box in some stock fonts
        self.cancel_button.setAutoRaise(True)
        self.cancel_button.clicked.connect(self._cancel)
        lay.addWidget(self.label)
        lay.addWidget(self.bar)
        lay.addWidget(self.cancel_button)
        self._hide_timer = QTimer(self)
        self._hide_timer.setSingleShot(True)
        self._hide_timer.timeout.connect(self.hide)
        controller.started.connect(self._on_started)
        controller.progress.connect(self._on_progress)
        controller.finished.connect(self._on_finished)
        controller.failed.connect(self._on_failed)
        controller.runningChanged.connect(self._on_running)
        self.hide()

    def _on_running(self, running: bool) -> None:
        if running:
            self._hide_timer.stop()
            self.label.setText("Validating tools…")
            self.bar.setRange(0, 0)  # busy until the job knows its total
            self.bar.show()
            self.cancel_button.show()
            self.cancel_button.setEnabled(True)
            self.show()

    def _on_started(self, _job_id: str, total: int) -> None:
        self.bar.setRange(0, max(1, total))
        self.bar.setValue(0)
        what = "changed tools" if self.controller.kind == "nightly_sweep" else "tools"
        self.label.setText(f"Validating {total} {what}…" if total else "Nothing to validate")

    def _on_progress(self, done: int, total: int, tool_id: str) -> None:
        self.bar.setRange(0, max(1, total))
        self.bar.setValue(done)
        self.label.setText(f"Validating {done} of {total} · {tool_id}")

    def _cancel(self) -> None:
        self.controller.cancel()
        self.cancel_button.setEnabled(False)
        self.label.setText("Stopping after the current tool…")

    def _finish(self, text: str) -> None:
        self.label.setText(text)
        self.bar.hide()
        self.cancel_button.hide()
        self._hide_timer.start(self.SUMMARY_MS)

    def _on_finished(self, result: Any) -> None:
        from pixie_desktop.validation.batch import CANCELLED_NOTE

        if result.note == CANCELLED_NOTE:
            self._finish(f"Validation stopped: {result.completed} of {result.total} checked")
            return
        ok = result.passed + result.warned
        tail = f", {result.failed} failing" if result.failed else ""
        self._finish(f"Validated {result.completed} tool{'s' if result.completed != 1 else ''}: {ok} ok{tail}")

    def _on_failed(self, text: str) -> None:
        self._finish(f"Validation stopped: {text[:80]}")
