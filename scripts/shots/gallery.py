"""Screenshot: the gallery with mixed artefacts (charts and photos as real PNGs drawn with
QPainter, a PDF from QPdfWriter, CSV, text, JSON, SVG, audio), seeded through
runs_repo.create_run + artefacts_repo.insert in the throw-away data dir, with a PDF selected
in the preview pane. Saves screenshots/gallery.png (and gallery-list.png, the details list), and
size-<W>x<H>-gallery-{grid,list}.png at the width the gallery gets in a 960×640 and a 1920×1080
window."""

from __future__ import annotations

import hashlib
import json
import math
import random
from pathlib import Path

from PySide6.QtCore import QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import (QColor, QFont, QImage, QLinearGradient, QPageLayout, QPageSize, QPainter, QPdfWriter,
                           QPen, QRadialGradient)

from scripts.shots._helpers import grab, settle

PALETTE = ["#5563d1", "#e07a2f", "#2a9d8f", "#d1495b", "#8a5cd1", "#3c9a4a"]


def _bar_chart(path: Path, seed: int) -> None:
    rnd = random.Random(seed)
    img = QImage(640, 420, QImage.Format.Format_RGB32)
    img.fill(QColor("white"))
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(QPen(QColor("#dde1ea"), 1))
    for i in range(6):
        y = 60 + i * 60
        p.drawLine(60, y, 610, y)
    vals = [rnd.uniform(0.2, 1.0) for _ in range(8)]
    for i, v in enumerate(vals):
        h = v * 300
        p.fillRect(QRectF(80 + i * 66, 360 - h, 44, h), QColor(PALETTE[i % len(PALETTE)]))
    f = QFont("DejaVu Sans", 18, QFont.Weight.Bold)
    p.setFont(f)
    p.setPen(QColor("#2b2f3a"))
    p.drawText(60, 40, "Monthly throughput")
    p.end()
    img.save(str(path))


def _line_chart(path: Path, seed: int) -> None:
    rnd = random.Random(seed)
    img = QImage(640, 420, QImage.Format.Format_RGB32)
    img.fill(QColor("#fbfbfe"))
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    for s in range(3):
        pen = QPen(QColor(PALETTE[s]), 4)
        p.setPen(pen)
        y = 250.0
        prev = QPointF(40, y)
        for x in range(40, 620, 20):
            y = max(60.0, min(380.0, y + rnd.uniform(-30, 30)))
            pt = QPointF(x, y)
            p.drawLine(prev, pt)
            prev = pt
    p.end()
    img.save(str(path))


def _photo(path: Path, hue: int) -> None:
    img = QImage(800, 560, QImage.Format.Format_RGB32)
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    sky = QLinearGradient(0, 0, 0, 560)
    sky.setColorAt(0, QColor.fromHsv(hue, 120, 250))
    sky.setColorAt(1, QColor.fromHsv((hue + 30) % 360, 60, 255))
    p.fillRect(img.rect(), sky)
    sun = QRadialGradient(QPointF(600, 160), 90)
    sun.setColorAt(0, QColor(255, 244, 200))
    sun.setColorAt(1, QColor(255, 244, 200, 0))
    p.setBrush(sun)
    p.setPen(Qt.PenStyle.NoPen)
    p.drawEllipse(QPointF(600, 160), 90, 90)
    for layer, shade in enumerate((90, 60, 35)):
        p.setBrush(QColor.fromHsv((hue + 180) % 360, 90, shade + 60))
        pts = [QPointF(0, 560)]
        for x in range(0, 801, 40):
            pts.append(QPointF(x, 330 + layer * 60 + 50 * math.sin(x / (90 + layer * 30) + layer)))
        pts.append(QPointF(800, 560))
        p.drawPolygon(pts)
    p.end()
    img.save(str(path))


def _pie(path: Path) -> None:
    img = QImage(480, 480, QImage.Format.Format_ARGB32)
    img.fill(QColor("white"))
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    start = 0
    for i, share in enumerate((0.34, 0.22, 0.18, 0.14, 0.12)):
        span = int(share * 360 * 16)
        p.setBrush(QColor(PALETTE[i]))
        p.setPen(QPen(QColor("white"), 3))
        p.drawPie(QRectF(40, 40, 400, 400), start, span)
        start += span
    p.end()
    img.save(str(path))


def _pdf(path: Path) -> None:
    w = QPdfWriter(str(path))
    w.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    w.setPageMargins(QMarginsF(18, 18, 18, 18), QPageLayout.Unit.Millimeter)
    w.setResolution(96)
    p = QPainter(w)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.fillRect(QRectF(0, 0, 680, 70), QColor("#5563d1"))
    p.setPen(QColor("white"))
    p.setFont(QFont("DejaVu Sans", 20, QFont.Weight.Bold))
    p.drawText(QRectF(20, 0, 640, 70), Qt.AlignmentFlag.AlignVCenter, "Quarterly report — Q3")
    p.setPen(QColor("#2b2f3a"))
    p.setFont(QFont("DejaVu Sans", 10))
    y = 110
    for line in ("Revenue grew 14% quarter on quarter, led by the analytics tools.",
                 "Run volume doubled after the desktop app shipped; median runtime fell to 1.8 s.",
                 "Artefacts per run: 3.2 on average, 71% of them images."):
        p.drawText(20, y, line)
        y += 24
    for i, v in enumerate((0.5, 0.8, 0.65, 0.95)):
        p.fillRect(QRectF(40 + i * 150, 480 - v * 260, 90, v * 260), QColor(PALETTE[i]))
    p.setPen(QColor("#9aa3ad"))
    p.drawLine(20, 480, 660, 480)
    p.end()


def _seed(ctx) -> dict[str, int]:
    from pixie_desktop.store import artefacts_repo, runs_repo, tool_state_repo, workspaces_repo

    conn = ctx.conn
    root = Path(ctx.settings.artefacts_root)
    ws = workspaces_repo.create(conn, "Reports", "#5563d1")
    ws2 = workspaces_repo.create(conn, "Photos", "#e07a2f")
    workspaces_repo.add_tool(conn, ws.id, "chart-maker")
    workspaces_repo.add_tool(conn, ws.id, "csv-summary")
    workspaces_repo.add_tool(conn, ws2.id, "image-tools")
    tool_state_repo.set_colour(conn, "notes", "#2a9d8f")
    ids: dict[str, int] = {}
    minute = [0]

    def add(tool: str, run: str, name: str, writer, mime: str, **extra) -> None:
        if runs_repo.get_run(conn, run) is None:
            runs_repo.create_run(conn, run, tool, {"source": f"{run}.csv", "rows": 120})
            runs_repo.finish_run(conn, run, "ok")
        p = root / tool / run / name
        p.parent.mkdir(parents=True, exist_ok=True)
        writer(p)
        data = p.read_bytes()
        minute[0] += 7
        ids[name] = artefacts_repo.insert(
            conn, run_id=run, tool_id=tool, output_key="out", rel_path=f"{tool}/{run}/{name}", filename=name,
            mime=mime, size_bytes=len(data), sha256=hashlib.sha256(data).hexdigest(),
            created_at=f"2026-11-2{minute[0] // 60 % 5}T{8 + minute[0] // 60:02d}:{minute[0] % 60:02d}:00+00:00",
            **extra)

    text = lambda body: (lambda p: p.write_text(body))  # noqa: E731
    add("image-tools", "run-a1", "sunset-beach.png", lambda p: _photo(p, 20), "image/png", tags="holiday")
    add("notes", "run-n1", "meeting-notes.md", text(
        "# Planning sync\n\n- ship the gallery\n- thumbnails off the UI thread\n- sweep the trash daily\n\n"
        "Owner: Sam\nDue: Friday\n"), "text/markdown")
    add("chart-maker", "run-c1", "throughput.png", lambda p: _bar_chart(p, 3), "image/png", tags="weekly")
    add("csv-summary", "run-s1", "sales-by-region.csv", text(
        "region,q1,q2,q3\nNorth,120,135,160\nSouth,98,101,118\nEast,143,150,171\nWest,87,95,99\n"), "text/csv")
    add("image-tools", "run-a2", "mountain-lake.png", lambda p: _photo(p, 200), "image/png")
    add("chart-maker", "run-c2", "latency-trend.png", lambda p: _line_chart(p, 7), "image/png")
    add("csv-summary", "run-s2", "summary.json", text(json.dumps(
        [{"column": "q1", "mean": 112.0, "max": 143}, {"column": "q2", "mean": 120.3, "max": 150},
         {"column": "q3", "mean": 137.0, "max": 171}], indent=2)), "application/json")
    add("chart-maker", "run-c3", "market-share.png", _pie, "image/png")
    add("notes", "run-n2", "cleanup.py", text(
        "import csv\n\n\ndef clean(rows):\n    \"\"\"Drop blank lines.\"\"\"\n    return [r for r in rows if any(r)]\n"),
        "text/x-python")
    add("image-tools", "run-a3", "logo.svg", text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100"><circle cx="50" cy="50" r="44" '
        'fill="#8a5cd1"/><path d="M30 62 L50 28 L70 62 Z" fill="white"/></svg>'), "image/svg+xml")
    add("image-tools", "run-a4", "voice-memo.wav", lambda p: p.write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt "),
        "audio/wav")
    add("image-tools", "run-a5", "forest-path.png", lambda p: _photo(p, 110), "image/png")
    add("csv-summary", "run-s3", "quarterly-report.pdf", _pdf, "application/pdf", label="Quarterly report Q3",
        tags="finance,q3")
    artefacts_repo.set_starred(conn, ids["quarterly-report.pdf"], True)
    artefacts_repo.set_starred(conn, ids["sunset-beach.png"], True)
    artefacts_repo.set_starred(conn, ids["latency-trend.png"], True)
    return ids


def shoot(out_dir: Path) -> list[Path]:
    from pixie_desktop.context import open_context
    from pixie_desktop.ui.views.gallery import GalleryView

    ctx = open_context()
    ids = _seed(ctx)
    g = GalleryView(ctx)
    g.resize(1360, 820)
    g.show()
    settle(600)
    # paint, let thumbnails come back, paint again
    for _ in range(20):
        g.grid.viewport().update()
        settle(150)
        if not g.thumbs.busy():
            break
    g.select_ids([ids["quarterly-report.pdf"]])
    settle(900)
    saved = [grab(g, out_dir / "gallery.png", wait_ms=300)]
    g.set_view_mode("list", save=False)
    g.select_ids([ids["sales-by-region.csv"]])
    settle(700)
    saved.append(grab(g, out_dir / "gallery-list.png", wait_ms=300))
    # the gallery alone at the width it gets in a 960×640 window (sidebar open) and at 1920×1080
    for (w, h), name in (((700, 600), "960x640"), ((1660, 1040), "1920x1080")):
        for mode in ("grid", "list"):
            g.set_view_mode(mode, save=False)
            saved.append(grab(g, out_dir / f"size-{name}-gallery-{mode}.png", (w, h), wait_ms=400))
    g.shutdown()
    g.close()
    ctx.close()
    return saved
