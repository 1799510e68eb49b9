"""`pixie-desktop doctor`: a health check of the data directory (Qt-free).

Checks, each independent (one failing never hides the others):
- **database**: `PRAGMA integrity_check` and `PRAGMA foreign_key_check` (never auto-repaired:
  the fix is a restore, and the report says so);
- **stale runs**: rows left `running` by a process that is gone (`runs_repo.interrupted_run_ids`);
  --fix marks them interrupted and runs the same recovery as start-up (orphan tool processes
  killed, finished files registered, `.partial` leftovers removed);
- **survivors**: processes a tool started (recorded by `runtime.proctree`) that are still
  alive after the tool stopped — a double-forked daemon, a child in a new session; --fix kills
  them (pid + start time / spawn marker checked, never a recycled pid);
- **artefacts root**: the artefacts folder is there and is the one the database knows (its
  `.pixie-artefacts` marker); when it is missing or unmounted the report says where it went and
  the orphan check below is skipped, so nothing is sent to the Trash;
- **orphan artefacts**: rows whose file is missing and files with no row, via the sweeper's
  own reconcile functions (rows → Trash with `_missing-file`, files of a known run →
  registered); files belonging to no known run are only reported (they may be the user's;
  `pixie-desktop sweep --fix` moves them to `artefacts/_quarantine/<date>/`, kept for the Trash
  retention period, then purged — never deleted outright); stale `.partial` files are removed;
- **missing venvs**: a tool whose pyproject.toml declares dependencies that the interpreter that
  would run it (no `.venv` → the app's own) does not have, or whose `.venv` has no python;
- **unparsable tools**: tool.json that does not parse (shown with its first problems).

`run_doctor(...)` returns a `DoctorReport`; `report.ok` is False while any problem is left."""

from __future__ import annotations

import sqlite3
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable

CHECKS = ("database", "stale_runs", "survivors", "artefacts_root", "orphan_artefacts", "missing_venvs", "unparsable_tools")


@dataclass
class Problem:
    check: str
    message: str
    fixable: bool = False
    fixed: bool = False
    subject: str | None = None  # run id, rel path, tool id…


@dataclass
class DoctorReport:
    fix: bool = False
    problems: list[Problem] = field(default_factory=list)
    checked: dict[str, str] = field(default_factory=dict)  # check -> one-line summary
    errors: list[str] = field(default_factory=list)        # a check that could not run

    @property
    def remaining(self) -> list[Problem]:
        return [p for p in self.problems if not p.fixed]

    @property
    def ok(self) -> bool:
        return not self.remaining and not self.errors

    def add(self, check: str, message: str, *, fixable: bool = False, fixed: bool = False,
            subject: str | None = None) -> None:
        self.problems.append(Problem(check, message, fixable, fixed, subject))

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "fix": self.fix, "checked": self.checked, "errors": self.errors,
                "problems": [asdict(p) for p in self.problems],
                "counts": {c: sum(1 for p in self.problems if p.check == c) for c in CHECKS}}

    def render(self) -> str:
        lines: list[str] = []
        for check in CHECKS:
            mine = [p for p in self.problems if p.check == check]
            mark = "ok " if check in self.checked and not [p for p in mine if not p.fixed] else "!! "
            lines.append(f"{mark}{check.replace('_', ' ')}: {self.checked.get(check, 'not checked')}")
            for p in mine[:20]:
                state = "fixed" if p.fixed else ("fixable with --fix" if p.fixable else "needs you")
                lines.append(f"     - {p.message} [{state}]")
            if len(mine) > 20:
                lines.append(f"     … and {len(mine) - 20} more (see --json)")
        for err in self.errors:
            lines.append(f"!! could not check: {err}")
        left = len(self.remaining)
        fixed = sum(1 for p in self.problems if p.fixed)
        if self.ok:
            lines.append("All good." + (f" Fixed {fixed} problem(s)." if fixed else ""))
        else:
            tail = f"{left} problem(s) left" if left or not self.errors else f"{len(self.errors)} check(s) could not run"
            if fixed:
                tail += f", {fixed} fixed"
            if not self.fix and any(p.fixable for p in self.remaining):
                tail += "; run `pixie-desktop doctor --fix` to repair the fixable ones"
            lines.append(tail + ".")
        return "\n".join(lines)


def check_database(conn: sqlite3.Connection, report: DoctorReport) -> None:
    rows = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
    bad = [r for r in rows if r != "ok"]
    for r in bad[:50]:
        report.add("database", f"integrity: {r} (restore pixie.db from a backup; `sqlite3 pixie.db .recover` "
                               "can salvage rows)")
    fk = conn.execute("PRAGMA foreign_key_check").fetchall()
    for table, rowid, parent, _ in fk[:50]:
        report.add("database", f"{table} row {rowid} points at a missing {parent} row")
    report.checked["database"] = "integrity ok, foreign keys ok" if not bad and not fk else \
        f"{len(bad)} integrity problem(s), {len(fk)} foreign-key problem(s)"


def check_stale_runs(conn: sqlite3.Connection, settings: Any, report: DoctorReport, fix: bool) -> None:
    from pixie_desktop.store import runs_repo

    stale = runs_repo.interrupted_run_ids(conn)
    fixed: set[str] = set()
    if fix and stale:
        from pixie_desktop.runtime.recovery import recover_interrupted

        fixed = set(runs_repo.reconcile_interrupted(conn))
        recovery = recover_interrupted(conn, settings, sorted(fixed))
        report.errors.extend(recovery.errors)
    for run_id in stale:
        rec = runs_repo.get_run(conn, run_id)
        since = rec.started_at if rec else "?"
        report.add("stale_runs", f"run {run_id} ({rec.tool_id if rec else '?'}, started {since}) is still "
                                 "`running` but the app that started it is gone",
                   fixable=True, fixed=run_id in fixed, subject=run_id)
    report.checked["stale_runs"] = f"{len(stale)} run(s) left running by a dead process" if stale \
        else "no run left running by a dead process"


def check_survivors(settings: Any, report: DoctorReport, fix: bool) -> None:
    """Processes recorded for a tool (runtime.proctree) that are alive after the tool stopped:
    a daemon it double-forked, a child in a new session. --fix kills them (same pid +
    start-time / spawn-marker checks, so a recycled pid is never touched)."""
    from pixie_desktop.runtime import proctree

    found = proctree.survivors(settings)
    killed = set(proctree.kill_survivors(settings)) if fix and found else set()
    for s in found:
        report.add("survivors", f"pid {s.pid} ({s.cmdline or '?'}) started by tool '{s.tool_id}' is still running "
                                "after the tool stopped", fixable=True, fixed=s.pid in killed, subject=str(s.pid))
    report.checked["survivors"] = f"{len(found)} process(es) outlived their tool" if found \
        else "no tool process outlived its tool"


def check_orphan_artefacts(conn: sqlite3.Connection, settings: Any, report: DoctorReport, fix: bool) -> None:
    from pixie_desktop.artefacts import sweeper

    from pixie_desktop.artefacts.storage import check_root

    sweep = sweeper.SweepReport(dry_run=not fix)
    root = Path(settings.artefacts_root)
    status = check_root(root, conn)
    if not status.ok:
        report.add("artefacts_root", status.problem, subject=str(root))
        report.checked["artefacts_root"] = f"{root} is missing or not the artefacts folder"
        report.checked["orphan_artefacts"] = "not checked while the artefacts folder is unavailable"
        return
    report.checked["artefacts_root"] = f"{root} is there"
    days = float(getattr(settings, "soft_delete_retention_days", 30))
    sweeper.remove_stale_partials(root, sweep, dry_run=not fix)
    sweeper.reconcile_orphan_rows(conn, root, sweep, dry_run=not fix)
    sweeper.reconcile_orphan_files(conn, settings, sweep, fix=False, dry_run=not fix)
    failed = " ".join(sweep.errors)
    for rel in sweep.partials_removed:
        report.add("orphan_artefacts", f"unfinished write left behind: {rel}", fixable=True,
                   fixed=fix and rel not in failed, subject=rel)
    for art_id in sweep.orphan_rows_marked:
        report.add("orphan_artefacts", f"artefact #{art_id}: its file is missing (goes to the Trash)",
                   fixable=True, fixed=fix, subject=str(art_id))
    for art_id in sweep.orphan_rows_starred:
        report.add("orphan_artefacts", f"starred artefact #{art_id}: its file is missing (kept; restore the file "
                                       "or unstar and delete it)", subject=str(art_id))
    for rel in sweep.orphan_files_registered:
        report.add("orphan_artefacts", f"file with no row in a known run: {rel} (gets registered)", fixable=True,
                   fixed=fix and rel not in failed, subject=rel)
    for rel in sweep.orphan_files_unknown:
        report.add("orphan_artefacts", f"file that belongs to no known run: {rel} (move it away yourself, or "
                                       f"`pixie-desktop sweep --fix` moves it to artefacts/_quarantine/<date>/, "
                                       f"kept {days:g} days, then purged)", subject=rel)
    report.errors.extend(sweep.errors)
    n = (len(sweep.partials_removed) + len(sweep.orphan_rows_marked) + len(sweep.orphan_rows_starred)
         + len(sweep.orphan_files_registered) + len(sweep.orphan_files_unknown))
    report.checked["orphan_artefacts"] = f"{n} orphan row(s)/file(s)" if n else "every row has its file and back"


def check_tools(tools: Iterable[Any], report: DoctorReport) -> None:
    from pixie_desktop.catalog.discovery import venv_python
    from pixie_desktop.validation import deps

    tools = list(tools)
    broken = [t for t in tools if not t.ok]
    for t in broken:
        first = (t.error or "invalid tool.json").strip().splitlines()[0][:300]
        report.add("unparsable_tools", f"{t.folder}: {first}", subject=t.folder)
    report.checked["unparsable_tools"] = f"{len(broken)} of {len(tools)} tool(s) cannot be parsed" if broken \
        else f"all {len(tools)} tool(s) parse"
    missing = 0
    for t in tools:
        venv_dir = Path(t.path) / ".venv"
        python = venv_python(Path(t.path))
        if venv_dir.is_dir() and python is None:
            missing += 1
            report.add("missing_venvs", f"{t.folder}: .venv has no python interpreter; recreate it with "
                                        f"`pixie-desktop setup-tool {t.folder}`", subject=t.folder)
            continue
        if python is not None:
            continue
        py = deps.read_pyproject(Path(t.path))
        names = [r.name for r in py.requirements if r.applies and not r.direct]
        if not names:
            continue
        probe = deps.probe_interpreter(Path(sys.executable), names)
        absent = [n for n in names if not probe.dists.get(n)]
        if absent:
            missing += 1
            report.add("missing_venvs", f"{t.folder}: no .venv and the app's interpreter lacks "
                                        f"{', '.join(absent)}; run `pixie-desktop setup-tool {t.folder}`",
                       subject=t.folder)
    report.checked["missing_venvs"] = f"{missing} tool(s) need an environment" if missing \
        else "every tool can find its dependencies"


def run_doctor(conn: sqlite3.Connection, settings: Any, tools: Iterable[Any], *, fix: bool = False) -> DoctorReport:
    report = DoctorReport(fix=fix)
    steps = (("database", lambda: check_database(conn, report)),
             ("stale_runs", lambda: check_stale_runs(conn, settings, report, fix)),
             ("survivors", lambda: check_survivors(settings, report, fix)),
             ("orphan_artefacts", lambda: check_orphan_artefacts(conn, settings, report, fix)),
             ("tools", lambda: check_tools(tools, report)))
    for name, step in steps:
        try:
            step()
        except sqlite3.DatabaseError as exc:
            if not any(p.check == "database" for p in report.problems):
                report.add("database", f"pixie.db is damaged: {exc} (restore it from a backup; "
                                       "`sqlite3 pixie.db .recover` can salvage rows)")
                report.checked["database"] = "damaged"
            report.errors.append(f"{name}: {type(exc).__name__}: {exc}")
        except Exception as exc:  # noqa: BLE001 - one broken check must not hide the others
            report.errors.append(f"{name}: {type(exc).__name__}: {exc}")
    return report
