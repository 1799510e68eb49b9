"""Screenshots of real runs of the bundled file tools and of the dark theme: csv-summary on a
generated CSV (tool-csv-summary.png), image-thumbnail on a generated PNG
(tool-image-thumbnail.png), and the calculator in the dark theme (dark-theme.png)."""

from __future__ import annotations

import time
from pathlib import Path

from scripts.shots._helpers import grab, settle


def _wait(page) -> None:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    deadline = time.monotonic() + 30
    while page.is_running and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.02)
    settle(500)


def _sample_files(folder: Path) -> tuple[Path, Path]:
    from PySide6.QtCore import QPointF, Qt
    from PySide6.QtGui import QColor, QImage, QLinearGradient, QPainter

    csv = folder / "regional-sales.csv"
    rows = ["region,q1,q2,q3,q4,margin"]
    for name, base in (("North", 120), ("South", 98), ("East", 143), ("West", 87), ("Central", 110)):
        rows.append(f"{name},{base},{base + 15},{base + 31},{base + 22},{0.12 + base / 1000:.3f}")
    csv.write_text("\n".join(rows) + "\n")
    img = QImage(640, 400, QImage.Format.Format_RGB32)
    p = QPainter(img)
    grad = QLinearGradient(QPointF(0, 0), QPointF(0, 400))
    grad.setColorAt(0, QColor("#ffb36b"))
    grad.setColorAt(1, QColor("#5b3f8c"))
    p.fillRect(img.rect(), grad)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("#fff2c4"))
    p.drawEllipse(QPointF(460, 150), 60, 60)
    p.setBrush(QColor("#2d2440"))
    p.drawRect(0, 300, 640, 100)
    p.end()
    png = folder / "sunset.png"
    img.save(str(png))
    return csv, png


def shoot(out_dir: Path) -> list[Path]:
    from pixie_desktop.config import save_setting
    from pixie_desktop.context import open_context
    from pixie_desktop.ui.views.main_window import MainWindow

    ctx = open_context()
    csv, png = _sample_files(ctx.settings.root)
    win = MainWindow(ctx, scan_async=False, restore=False)
    saved: list[Path] = []
    try:
        win.resize(1360, 900)
        win.show()
        settle(200)
        for tool_id, path, name in (("csv-summary", csv, "tool-csv-summary.png"),
                                    ("image-thumbnail", png, "tool-image-thumbnail.png")):
            if not win.open_tool(tool_id, prefill={ctx.find_tool(tool_id).spec.file_inputs[0].key: str(path)}):
                continue
            page = win.tool_pages[tool_id]
            settle(800)  # the file input reads the file off the UI thread
            page.run()
            _wait(page)
            saved.append(grab(win, out_dir / name, (1360, 900), wait_ms=400))
        save_setting(ctx.settings, ctx.conn, "theme", "dark")
        win.open_tool("calculator")
        page = win.tool_pages["calculator"]
        page.run()
        _wait(page)
        saved.append(grab(win, out_dir / "dark-theme.png", (1360, 860), wait_ms=400))
        save_setting(ctx.settings, ctx.conn, "theme", "system")
    finally:
        win.shutdown()
        win.close()
        ctx.close()
    return saved
