"""Screenshots of the desktop-integration parts over the real main window:
drop-target.png (a CSV dragged over the window), command-palette.png (Ctrl+K with a query) and
setup-log.png (a real `venv + pip` setup of the six-echo fixture tool, log streamed)."""

from __future__ import annotations

import shutil
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from scripts.shots._helpers import settle

REPO = Path(__file__).resolve().parent.parent.parent


def _seed(ctx) -> None:
    from pixie_desktop.store import artefacts_repo, runs_repo

    base = datetime.now(timezone.utc) - timedelta(hours=2)
    for i, (tid, status, label) in enumerate((("csv-summary", "ok", "Q3 sales"), ("calculator", "ok", None),
                                              ("slow-counter", "cancelled", None), ("image-thumbnail", "ok", None))):
        rid = f"shot-{i}"
        runs_repo.create_run(ctx.conn, rid, tid, {}, started_at=(base + timedelta(minutes=11 * i)).isoformat())
        runs_repo.finish_run(ctx.conn, rid, status, outputs_json="{}", meta_update={"duration_s": 1.2 + i})
        if label:
            runs_repo.set_label(ctx.conn, rid, label)
    aid = artefacts_repo.insert(ctx.conn, run_id="shot-0", tool_id="csv-summary", output_key="chart",
                                rel_path="csv-summary/shot-0/sales-chart.png", filename="sales-chart.png",
                                mime="image/png", size_bytes=48213, sha256="0" * 64)
    artefacts_repo.set_starred(ctx.conn, aid, True)


def _composite(win, popup, path: Path) -> Path:
    """A Popup is its own window, so grab both and paint the popup (with a soft shadow) over a
    dimmed window at its real position."""
    from PySide6.QtCore import QPoint, QRectF
    from PySide6.QtGui import QColor, QPainter, QPainterPath

    shot = win.grab()
    pop = popup.grab()
    dpr = shot.devicePixelRatio() or 1.0
    p = QPainter(shot)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.fillRect(shot.rect(), QColor(20, 20, 35, 70))
    pos = win.mapFromGlobal(popup.mapToGlobal(QPoint(0, 0)))
    for i in range(14, 0, -2):
        path_ = QPainterPath()
        path_.addRoundedRect(QRectF(pos.x() - i / 2, pos.y() - i / 2 + 6, popup.width() + i, popup.height() + i),
                             14 + i / 2, 14 + i / 2)
        p.fillPath(path_, QColor(0, 0, 0, 9))
    clip = QPainterPath()
    clip.addRoundedRect(QRectF(pos.x(), pos.y(), popup.width(), popup.height()), 12, 12)
    p.setClipPath(clip)
    p.drawPixmap(pos, pop)
    p.end()
    shot.setDevicePixelRatio(dpr)
    shot.save(str(path))
    return path


def shoot(out_dir: Path) -> list[Path]:
    from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
    from PySide6.QtGui import QDragEnterEvent
    from PySide6.QtWidgets import QApplication

    from pixie_desktop.context import open_context
    from pixie_desktop.ui import workers
    from pixie_desktop.ui.views.command_palette import install_command_palette
    from pixie_desktop.ui.extensions.drops import DropController
    from pixie_desktop.ui.views.main_window import MainWindow
    from pixie_desktop.ui.views.tool_setup_dialog import ToolSetupDialog

    ctx = open_context()
    _seed(ctx)
    saved: list[Path] = []
    win = MainWindow(ctx, scan_async=False, restore=False)
    try:
        win.resize(1280, 800)
        win.show()
        settle(250)
        win.open_tool("csv-summary")
        settle(250)
        # 1. drop target: a CSV dragged over the window
        drop = DropController(win)
        sample = ctx.settings.root / "sales-q3.csv"
        sample.write_text("region,amount\nnorth,120\nsouth,95\n")
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(sample))])
        enter = QDragEnterEvent(QPoint(640, 400), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                                Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(win, enter)
        settle(200)
        win.grab().save(str(out_dir / "drop-target.png"))
        saved.append(out_dir / "drop-target.png")
        drop.overlay.hide()
        settle(100)
        # 2. command palette with a fuzzy query
        palette = install_command_palette(win)
        palette.open()
        palette.search.setText("cs")
        settle(250)
        saved.append(_composite(win, palette, out_dir / "command-palette.png"))
        palette.hide()
        # 3. setup log: a real environment setup of a tool with one dependency
        tool_dir = ctx.settings.tools_dir / "six-echo"
        shutil.copytree(REPO / "tests" / "fixtures" / "tools" / "six-echo", tool_dir)
        dlg = ToolSetupDialog(tool_dir, "Six echo", win, use_uv=False)
        dlg.resize(760, 470)
        dlg.show()
        dlg.start()
        deadline = time.monotonic() + 120
        app = QApplication.instance()
        while dlg.running and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.02)
        settle(200)
        dlg.grab().save(str(out_dir / "setup-log.png"))
        saved.append(out_dir / "setup-log.png")
        dlg.close()
        workers.wait_for_all(10_000)
    finally:
        win.shutdown()
        win.close()
        win.deleteLater()
        settle(50)
        ctx.close()
    return saved
