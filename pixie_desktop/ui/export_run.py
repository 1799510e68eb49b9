"""Export a run from the GUI (History's right-click menu, the tool page's ⋯ menu): ask where to
save, then build the report off the UI thread (`workers.submit`) and say where it went. html and
zip come from the Qt-free `pixie_desktop.export`; pdf from `ui.export_pdf` (QTextDocument and
QPdfWriter are paint-device work, allowed on a pool thread)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from PySide6.QtWidgets import QFileDialog, QWidget

from pixie_desktop.artefacts import queries as artefact_queries
from pixie_desktop.queries import runs as run_queries
from pixie_desktop.ui import workers

FILTERS = {"html": "HTML report (*.html)", "pdf": "PDF (*.pdf)", "zip": "ZIP bundle (*.zip)"}


def suggested_name(tool_id: str, run_id: str, fmt: str) -> str:
    from pixie_desktop.artefacts.storage import sanitize_filename

    return sanitize_filename(f"{tool_id}-{run_id[:8]}.{fmt}")


def export_job(db_path: str, settings: Any, run_id: str, fmt: str, out: Path, tool: Any) -> Path:
    """The background half: its own connection, the report, the file."""
    conn = artefact_queries.thread_connection(db_path)
    if fmt == "pdf":
        from pixie_desktop.ui.export_pdf import write_pdf
        from pixie_desktop.export import build_report

        return write_pdf(build_report(conn, settings, run_id, tool), out)
    from pixie_desktop.export import export_run

    return export_run(conn, settings, run_id, fmt, out, tool=tool)


def export_run_interactive(parent: QWidget | None, ctx: Any, run_id: str, fmt: str, *, path: Path | None = None,
                           on_done: Callable[[Path], None] | None = None) -> workers.Task | None:
    """Ask for a file (unless `path` is given) and export in the background; None if cancelled."""
    rec = run_queries.get_run(ctx.conn, run_id)
    if rec is None:
        return None
    if path is None:
        start = str(Path.home() / suggested_name(rec.tool_id, rec.id, fmt))
        chosen, _ = QFileDialog.getSaveFileName(parent, f"Export run as {fmt.upper()}", start, FILTERS[fmt])
        if not chosen:
            return None
        path = Path(chosen)
        if path.suffix.lower() != f".{fmt}":
            path = path.with_name(path.name + f".{fmt}")
    try:
        tool = ctx.find_tool(rec.tool_id)  # labels, version, tool.json hash (None if the tool is gone)
    except Exception:  # noqa: BLE001 - a report without the tool's labels beats no report
        tool = None

    def done(out: Path) -> None:
        if on_done is not None:
            on_done(out)
        win = parent.window() if parent is not None else None
        bar = getattr(win, "statusBar", None)
        if callable(bar):
            bar().showMessage(f"Exported run to {out}", 8000)

    return workers.submit(export_job, str(ctx.settings.db_path), ctx.settings, rec.id, fmt, path, tool,
                          on_result=done)
