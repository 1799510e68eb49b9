"""Run report as PDF: the same report as export/html.py, laid out and paginated by Qt
(QTextDocument printed onto a QPdfWriter). Lives in the Qt layer because core packages never
import Qt; the CLI reaches it only for `export --format pdf` (see pyproject's import contract).

Images go in as QTextDocument resources rather than data URIs (the rich-text engine loads named
resources reliably), and charts are drawn as PNG for it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMarginsF, QUrl
from PySide6.QtGui import QGuiApplication, QImage, QPageLayout, QPageSize, QPdfWriter, QTextDocument

from pixie_desktop.export.html import render_html
from pixie_desktop.export.report import RunReport, build_report


def ensure_gui_app() -> Any:
    """A QGuiApplication (offscreen when there is no display) for the CLI; the GUI has one."""
    app = QGuiApplication.instance()
    if app is None:
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QGuiApplication([])
    return app


def write_pdf(report: RunReport, out: Path) -> Path:
    """Paginate the report into `out` (A4, 15 mm margins). Needs a Q(Gui)Application."""
    doc = QTextDocument()
    images: list[tuple[str, QImage]] = []

    def image_src(mime: str, data: bytes) -> str:
        name = f"pixie-report-image-{len(images)}"
        img = QImage.fromData(data)
        if img.isNull():
            return name  # an unreadable picture stays an empty box
        if img.width() > 640:  # fit the text width; QTextDocument ignores max-width CSS
            img = img.scaledToWidth(640)
        images.append((name, img))
        return name

    html = render_html(report, image_src=image_src, chart_format="png")
    for name, img in images:
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), img)
    doc.setHtml(html)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".partial")
    writer = QPdfWriter(str(tmp))
    writer.setResolution(96)
    writer.setTitle(report.title())
    writer.setCreator("Pixie Desktop")
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                     QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter))
    doc.print_(writer)
    del writer  # finishes the file
    tmp.replace(out)
    return out


def export_pdf(conn: Any, settings: Any, run_id: str, out: Path, *, tool: Any = None) -> Path:
    ensure_gui_app()
    return write_pdf(build_report(conn, settings, run_id, tool), out)
