"""Screenshots of provenance (issue 13, item 3): two real runs of Image Thumbnail on photos named
sunset.png and harbour.png, then — at 960×640 and 1920×1080, light and dark — the tool page
showing the first run ("This run": inputs by name with thumbnails, the artefact "from" its input)
with the form edited (the "Inputs changed since this run" banner), History (the page and the
tool's tab) with a run selected (its inputs under the table), the gallery grouped by run with an artefact previewed,
and Compare. Saves screenshots/prov-<W>x<H>-<page>[-dark].png and prints the clipping
self-check's findings for each."""

from __future__ import annotations

import time
from pathlib import Path

from scripts.shots._helpers import save_checked, settle

REPO = Path(__file__).resolve().parents[2]
SIZES = [(960, 640), (1920, 1080)]


def _photo(path: Path, hue: int) -> None:
    from PySide6.QtCore import QPointF, Qt
    from PySide6.QtGui import QColor, QImage, QLinearGradient, QPainter

    img = QImage(640, 420, QImage.Format.Format_RGB32)
    p = QPainter(img)
    sky = QLinearGradient(0, 0, 0, 420)
    sky.setColorAt(0, QColor.fromHsv(hue, 140, 250))
    sky.setColorAt(1, QColor.fromHsv((hue + 40) % 360, 80, 200))
    p.fillRect(img.rect(), sky)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(255, 236, 170))
    p.drawEllipse(QPointF(460, 150), 60, 60)
    p.end()
    img.save(str(path))


def _run(win, page, path: Path) -> str:
    from PySide6.QtWidgets import QApplication

    page.drop_files([path])
    deadline = time.monotonic() + 10
    while page.form.widget_for("image").pending and time.monotonic() < deadline:
        QApplication.processEvents()
    page.run()
    deadline = time.monotonic() + 60
    while page.is_running and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.02)
    settle(300)
    return page.last_result.run_id


def shoot(out_dir: Path) -> list[Path]:
    from pixie_desktop.context import open_context
    from pixie_desktop.ui.views.compare import CompareDialog
    from pixie_desktop.ui.views.main_window import MainWindow

    ctx = open_context()
    photos = Path(ctx.settings.root) / "photos"
    photos.mkdir(exist_ok=True)
    _photo(photos / "sunset.png", 20)
    _photo(photos / "harbour.png", 200)
    saved: list[Path] = []
    win = MainWindow(ctx, scan_async=False, restore=False)
    try:
        win.resize(1280, 800)
        win.show()
        settle(100)
        win.open_tool("image-thumbnail")
        page = win.tool_pages["image-thumbnail"]
        first = _run(win, page, photos / "sunset.png")
        second = _run(win, page, photos / "harbour.png")
        for w, h in SIZES:
            win.resize(w, h)
            for theme in ("light", "dark"):
                win.set_theme(theme)
                suffix = "" if theme == "light" else "-dark"
                shots = []
                win.open_run(first)
                settle(300)
                page.form.set_values({"max_edge": 128})
                settle(200)
                shots.append(("tool", win))
                win.show_page("history")
                win.history_page.select_runs([first])
                settle(300)
                shots.append(("history", win))
                win.show_page("gallery")
                gallery = win.pages["gallery"]
                gallery.set_grouped_by_run(True)
                settle(500)
                ids = [gallery.model.record(r).id for r in range(gallery.model.rowCount())]
                if ids:
                    gallery.select_ids(ids[-1:])
                settle(500)
                shots.append(("gallery", win))
                shots.append(("tool-history", win))
                for name, widget in shots:
                    if name == "tool-history":
                        win.open_tool("image-thumbnail")
                        page.right_tabs.setCurrentWidget(page.history)
                        page.history.select_runs([second])
                    elif name == "tool":
                        win.open_run(first)
                        page.form.set_values({"max_edge": 128})
                    elif name == "history":
                        win.show_page("history")
                        win.history_page.select_runs([first])
                    else:
                        win.show_page("gallery")
                    settle(400)
                    save_checked(widget, out_dir / f"prov-{w}x{h}-{name}{suffix}.png", saved, indent="")
                dlg = CompareDialog(ctx, first, second, win)
                dlg.resize(min(w, 1100), min(h, 720))
                dlg.show()
                settle(500)
                path = out_dir / f"prov-{w}x{h}-compare{suffix}.png"
                dlg.grab().save(str(path))
                saved.append(path)
                dlg.close()
                dlg.deleteLater()
                gallery.set_grouped_by_run(False)
    finally:
        win.shutdown()
    return saved
