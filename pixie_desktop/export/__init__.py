"""Run reports (no Qt): `export_run(conn, settings, run_id, fmt, out, tool=…)` writes a run as
one self-contained HTML page or a zip (report + run.json + artefacts + input files). PDF needs
Qt's text layout and lives in `pixie_desktop.ui.export_pdf`, which renders the same report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pixie_desktop.export.report import ReportError, RunReport, build_report

FORMATS = ("html", "pdf", "zip")
__all__ = ["FORMATS", "ReportError", "RunReport", "build_report", "export_run", "default_name"]


def default_name(report: RunReport, fmt: str) -> str:
    from pixie_desktop.artefacts.storage import sanitize_filename

    return sanitize_filename(f"{report.provenance.tool_id}-{report.run.id[:8]}.{fmt}")


def export_run(conn: Any, settings: Any, run_id: str, fmt: str, out: Path, *, tool: Any = None) -> Path:
    """Write the report of `run_id` to `out` as html or zip (pdf: ui.export_pdf.export_pdf)."""
    report = build_report(conn, settings, run_id, tool)
    out = Path(out)
    if fmt == "html":
        from pixie_desktop.artefacts.storage import atomic_write
        from pixie_desktop.export.html import render_html

        out.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(out, render_html(report).encode("utf-8"))
        return out
    if fmt == "zip":
        from pixie_desktop.export.bundle import write_zip

        return write_zip(report, out)
    raise ValueError(f"export format must be html or zip here (pdf needs Qt), not {fmt!r}")
