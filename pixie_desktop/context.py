"""AppContext: resolved settings + the main-thread database connection + discovery. Every
entry point (GUI and each CLI command) builds one with `open_context()`, which also performs
the start-up reconciliation the design requires."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from pixie_desktop.config import Settings, apply_db_settings, load_settings
from pixie_desktop.catalog.discovery import Discovery, ToolInfo, find_tool, sync_tool_state
from pixie_desktop.lifecycle.bundled import seed_bundled_tools
from pixie_desktop.store.db import open_db


@dataclass
class StartupReport:
    interrupted_runs: list[str] = field(default_factory=list)
    interrupted_jobs: list[str] = field(default_factory=list)
    pruned_reports: int = 0
    recovery: object | None = None  # runtime.recovery.RecoveryReport when runs were interrupted


@dataclass
class AppContext:
    settings: Settings
    conn: sqlite3.Connection
    discovery: Discovery
    startup: StartupReport = field(default_factory=StartupReport)
    artefacts_root_status: object | None = None  # artefacts.storage.RootStatus (ok=False: unmounted/moved)

    def new_connection(self) -> sqlite3.Connection:
        """A fresh connection for another thread (one connection per thread)."""
        return open_db(self.settings.db_path)

    def tools(self) -> list[ToolInfo]:
        """Rescan tools/ (unchanged folders are not re-parsed) and sync tool_state rows."""
        tools = self.discovery.scan()
        try:
            sync_tool_state(self.conn, tools)
        except sqlite3.Error:
            pass  # a locked/readonly database must not hide the tool list
        return tools

    def find_tool(self, id_or_folder: str) -> ToolInfo | None:
        return find_tool(self.tools(), id_or_folder)

    def close(self) -> None:
        try:
            self.conn.close()
        except sqlite3.Error:  # closing at exit: the data is committed; nothing left to save
            pass


def reconcile(conn: sqlite3.Connection) -> StartupReport:
    # imported here: the GUI reconciles after its first paint, and nothing before it needs them
    from pixie_desktop.store import runs_repo, validate_jobs_repo, validation_repo

    report = StartupReport()
    report.interrupted_runs = runs_repo.reconcile_interrupted(conn)
    report.interrupted_jobs = validate_jobs_repo.mark_interrupted(conn)
    report.pruned_reports = validation_repo.prune(conn)
    return report


def open_context(root: Path | None = None, environ: dict[str, str] | None = None,
                 *, reconcile_on_start: bool = True) -> AppContext:
    settings = load_settings(root, environ)
    seed_bundled_tools(settings.tools_dir)  # installed app, first start: the example tools
    conn = open_db(settings.db_path)
    apply_db_settings(settings, conn)
    from pixie_desktop.artefacts.root import init_root  # not storage: its imports wait for a run

    # not a bare mkdir: an empty folder created at an unmounted drive's mount point would hide it
    root_status = init_root(settings.artefacts_root, conn)
    # the parsed tools are kept between starts: only changed tool.json files are parsed again
    ctx = AppContext(settings=settings, conn=conn,
                     discovery=Discovery(settings.tools_dir, cache_file=settings.cache_dir / "discovery.pickle"))
    ctx.artefacts_root_status = root_status
    if reconcile_on_start:
        ctx.startup = reconcile_and_recover(conn, settings)
    return ctx


def reconcile_and_recover(conn: sqlite3.Connection, settings: Settings) -> StartupReport:
    """The start-up reconciliation, then recovery of the runs it found interrupted. Rows and
    jobs owned by a live process (this one included) are left alone, so the GUI can run this on
    a pool thread after its first paint (it scans the runs table)."""
    report = reconcile(conn)
    if report.interrupted_runs:
        from pixie_desktop.runtime.recovery import recover_interrupted

        report.recovery = recover_interrupted(conn, settings, report.interrupted_runs)
    return report
