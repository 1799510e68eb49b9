"""The "sweeper" extension: `SweepScheduler` runs the housekeeping sweeper
(artefacts/sweeper.py: expired runs, Trash, orphan files) on the pool a few seconds after
start-up and then every `sweeper_interval_seconds`; the extension reports what a sweep freed in
the status bar."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from pixie_desktop.ui import workers

if TYPE_CHECKING:
    from pixie_desktop.artefacts import sweeper

# artefacts.sweeper and its queries are imported by the first sweep, seconds after start-up


class SweepScheduler(QObject):
    """Runs `artefacts.sweeper.sweep` on the pool shortly after start-up and then every
    `sweeper_interval_seconds` (re-read each time, so a settings change applies)."""

    finished = Signal(object)  # SweepReport
    failed = Signal(str)

    def __init__(self, ctx: Any, parent: QObject | None = None, *, first_delay_ms: int = 5000):
        super().__init__(parent)
        self.ctx = ctx
        self.first_delay_ms = first_delay_ms
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self.run_now)
        self._running = False
        self.last_report: sweeper.SweepReport | None = None

    def start(self) -> None:
        self._timer.start(self.first_delay_ms)

    def stop(self) -> None:
        self._timer.stop()

    def is_running(self) -> bool:
        return self._running

    def run_now(self) -> None:
        if self._running:
            return
        self._running = True
        settings = self.ctx.settings
        try:
            tools = [t for t in self.ctx.tools() if t.ok]
        except Exception:  # noqa: BLE001 - the sweep still runs with default retention
            tools = []
        db = str(settings.db_path)
        from pixie_desktop.artefacts import queries, sweeper

        def job() -> sweeper.SweepReport:
            return sweeper.sweep(queries.thread_connection(db), settings, tools=tools)

        workers.submit(job, on_result=self._done, on_error=self._error)

    def _done(self, report: sweeper.SweepReport) -> None:
        self._running = False
        self.last_report = report
        self.finished.emit(report)
        self._reschedule()

    def _error(self, exc: BaseException) -> None:
        self._running = False
        self.failed.emit(str(exc))
        self._reschedule()

    def _reschedule(self) -> None:
        seconds = int(getattr(self.ctx.settings, "sweeper_interval_seconds", 21_600))
        self._timer.start(max(60, seconds) * 1000)


class SweeperExtension:
    name = "sweeper"

    def __init__(self, first_delay_ms: int = 5000) -> None:
        self.first_delay_ms = first_delay_ms
        self.scheduler: SweepScheduler | None = None

    def install(self, services: Any) -> None:
        sched = SweepScheduler(services.ctx, services.window, first_delay_ms=self.first_delay_ms)

        def done(report: Any) -> None:
            from pixie_desktop.artefacts.sweeper import cap_notice  # loaded by the sweep that reports here

            notice = cap_notice(report)
            if notice:  # the disk cap removed files: say so plainly, and for longer
                services.status(notice, 20000)
                return
            freed = len(getattr(report, "purged", ()) or ()) + len(getattr(report, "pruned_runs", ()) or ())
            if freed:
                services.status(f"Housekeeping: {report.summary()}", 8000)

        sched.finished.connect(done)
        sched.start()  # first sweep a few seconds after start-up, then every sweeper_interval_seconds
        self.scheduler = sched

    def shutdown(self) -> None:
        if self.scheduler is not None:
            self.scheduler.stop()
