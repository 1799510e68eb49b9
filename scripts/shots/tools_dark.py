"""Screenshots of a real run of every bundled tool, in the light theme (tool-<id>.png) and the
dark theme (tool-<id>-dark.png): file tools get generated files (a CSV, a PNG, JPEGs), the chat
tool a message, the rest their default inputs. dark-theme.png is the calculator in dark."""

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


def _sample_files(folder: Path) -> tuple[Path, Path, list[Path]]:
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
    photos = []
    for i, (hue, name) in enumerate(((25, "harbour"), (200, "lake"), (120, "meadow"), (300, "dusk"))):
        pic = QImage(1600, 1000, QImage.Format.Format_RGB32)
        p = QPainter(pic)
        sky = QLinearGradient(QPointF(0, 0), QPointF(0, 1000))
        sky.setColorAt(0, QColor.fromHsv(hue, 90, 250))
        sky.setColorAt(1, QColor.fromHsv((hue + 40) % 360, 200, 120))
        p.fillRect(pic.rect(), sky)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor.fromHsv((hue + 180) % 360, 60, 250))
        p.drawEllipse(QPointF(400 + 250 * i, 330), 120, 120)
        p.setBrush(QColor.fromHsv((hue + 20) % 360, 160, 60))
        p.drawRect(0, 720, 1600, 280)
        p.end()
        path = folder / f"{name}.jpg"
        pic.save(str(path), "JPEG", 90)
        photos.append(path)
    return csv, png, photos


def _run_tool(win, tool_id: str, prefill: dict | None, message: str | None) -> bool:
    if not win.open_tool(tool_id):
        return False
    page = win.tool_pages[tool_id]
    if prefill and page.form is not None:  # the page restored the last run's inputs: start clean
        page.form.reset()
        page.set_prefill(prefill)
    settle(800 if prefill else 200)  # a file input reads its files off the UI thread
    if message is not None and getattr(page, "chat", None) is not None:
        for text in ("Hello Pixie", message):
            page.chat.input.setPlainText(text)
            page.run()
            _wait(page)
    else:
        page.run()
        _wait(page)
    return True


def shoot(out_dir: Path) -> list[Path]:
    from pixie_desktop.config import save_setting
    from pixie_desktop.context import open_context
    from pixie_desktop.ui.views.main_window import MainWindow

    ctx = open_context()
    csv, png, photos = _sample_files(ctx.settings.root)
    win = MainWindow(ctx, scan_async=False, restore=False)
    saved: list[Path] = []

    def file_key(tool_id: str) -> str:
        return ctx.find_tool(tool_id).spec.file_inputs[0].key

    runs = (("calculator", None, None), ("csv-summary", {file_key("csv-summary"): str(csv)}, None),
            ("image-thumbnail", {file_key("image-thumbnail"): str(photos[0])}, None),
            ("photo-resize", {file_key("photo-resize"): [str(p) for p in photos], "effect": "sepia"}, None),
            ("route-planner", None, None), ("text-stats", {"pace": 0.0}, None),
            ("text-echo", None, "/morse SOS"), ("loan-report", None, None), ("slow-counter", {"delay": 0.05}, None))
    try:
        win.resize(1360, 900)
        win.show()
        settle(200)
        for theme, suffix in (("light", ""), ("dark", "-dark")):
            save_setting(ctx.settings, ctx.conn, "theme", theme)
            for tool_id, prefill, message in runs:
                if ctx.find_tool(tool_id) is None:
                    continue
                win.tool_pages.pop(tool_id, None)  # a fresh page: the theme and an empty chat
                if _run_tool(win, tool_id, prefill, message):
                    saved.append(grab(win, out_dir / f"tool-{tool_id}{suffix}.png", (1360, 900), wait_ms=400))
        win.open_tool("calculator")
        saved.append(grab(win, out_dir / "dark-theme.png", (1360, 860), wait_ms=400))
        save_setting(ctx.settings, ctx.conn, "theme", "system")
    finally:
        win.shutdown()
        win.close()
        ctx.close()
    return saved
