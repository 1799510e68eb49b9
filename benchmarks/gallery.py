"""Gallery benchmark: time to first screen with 100k artefact rows (target < 200 ms) and the
longest UI stall while scrolling top to bottom with thumbnails being generated (target
< 50 ms), each printed with a ratio to a baseline measured in the same run.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/gallery.py [--rows 100000]
        [--files 1500] [--scroll-seconds 45]

Baselines: first screen of an EMPTY database (the fixed cost of building the page), and the
longest event-loop gap while the gallery sits idle (timer jitter of this machine).
Rows point at `--files` distinct real PNGs so thumbnails are decoded, scaled and cached for
real while scrolling; a stall is the longest gap between 2 ms heartbeat timer ticks.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _env(root: Path) -> None:
    os.environ.update(PIXIE_ROOT=str(root), PIXIE_TOOLS_DIR=str(root / "tools"), PIXIE_DB_PATH=str(root / "pixie.db"),
                      PIXIE_ARTEFACTS_ROOT=str(root / "artefacts"))
    (root / "tools").mkdir(parents=True, exist_ok=True)


def seed(root: Path, rows: int, files: int) -> None:
    """`rows` artefact rows over 1000 runs / 20 tools, pointing at `files` distinct PNGs."""
    from PySide6.QtCore import QBuffer, QIODevice
    from PySide6.QtGui import QColor, QImage, QPainter

    from pixie_desktop.store.db import open_db

    conn = open_db(root / "pixie.db")
    art = root / "artefacts"
    blobs: list[tuple[str, str, int]] = []  # rel_path, sha, size
    for i in range(files):
        img = QImage(320, 240, QImage.Format.Format_RGB32)
        img.fill(QColor.fromHsv((i * 37) % 360, 120, 230))
        p = QPainter(img)
        p.fillRect(40 + i % 200, 40, 80, 120, QColor.fromHsv((i * 91) % 360, 200, 160))
        p.end()
        buf = QBuffer()
        buf.open(QIODevice.OpenModeFlag.WriteOnly)
        img.save(buf, "PNG")
        data = bytes(buf.data())
        rel = f"tool{i % 20}/run{i % 1000}/img{i}.png"
        (art / rel).parent.mkdir(parents=True, exist_ok=True)
        (art / rel).write_bytes(data)
        blobs.append((rel, hashlib.sha256(data).hexdigest(), len(data)))
    base = datetime(2026, 1, 1, tzinfo=timezone.utc)
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO runs(id, tool_id, started_at, inputs_json, status) VALUES (?,?,?,?,?)",
                     [(f"run{r}", f"tool{r % 20}", (base + timedelta(minutes=r)).isoformat(), "{}", "ok")
                      for r in range(1000)])
    batch = []
    for i in range(rows):
        rel, sha, size = blobs[i % files]
        r = int(rel.split("/")[1][3:])
        batch.append((f"run{r}", f"tool{r % 20}", "image", rel, f"img{i}.png", "image/png", size, sha,
                      (base + timedelta(seconds=i)).isoformat()))
    conn.executemany("INSERT INTO artefacts(run_id, tool_id, output_key, rel_path, filename, mime, size_bytes, "
                     "sha256, created_at) VALUES (?,?,?,?,?,?,?,?,?)", batch)
    conn.execute("COMMIT")
    conn.close()


def first_screen_ms(app) -> tuple[float, object, object]:
    """Build the gallery and wait until the first page is in the grid and painted."""
    from pixie_desktop.context import open_context
    from pixie_desktop.ui.views.gallery import GalleryView

    t0 = time.perf_counter()
    ctx = open_context()
    g = GalleryView(ctx)
    g.resize(1280, 800)
    g.show()
    while not (g.model.rowCount() > 0 or (g.model.at_end() and not g.model.is_loading())):
        app.processEvents()
        time.sleep(0.0005)
    g.grid.viewport().repaint()
    app.processEvents()
    return (time.perf_counter() - t0) * 1000, g, ctx


class Heartbeat:
    """Records the longest gap between ticks of a fast timer: the longest UI stall."""

    def __init__(self, interval_ms: int = 2):
        from PySide6.QtCore import QTimer

        self.timer = QTimer()
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self.last = 0.0
        self.longest = 0.0

    def _tick(self) -> None:
        now = time.perf_counter()
        if self.last:
            self.longest = max(self.longest, (now - self.last) * 1000)
        self.last = now

    def start(self) -> None:
        self.last, self.longest = 0.0, 0.0
        self.timer.start()

    def stop(self) -> float:
        self.timer.stop()
        return self.longest


def pump(app, seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.001)


def scroll_stall(app, g, seconds: float) -> tuple[float, float, int, int]:
    from PySide6.QtCore import QTimer

    hb = Heartbeat()
    hb.start()
    pump(app, 1.0)
    idle = hb.stop()
    bar = g.grid.verticalScrollBar()
    step = max(1, g.grid.viewport().height())
    t_end = time.perf_counter() + seconds

    def scroll() -> None:
        bar.setValue(min(bar.maximum(), bar.value() + step))

    ticker = QTimer()
    ticker.setInterval(16)  # one viewport per frame: a fast fling, thumbnails always behind
    ticker.timeout.connect(scroll)
    hb.start()
    ticker.start()
    while time.perf_counter() < t_end:
        app.processEvents()
        time.sleep(0.001)
        if g.model.at_end() and bar.value() >= bar.maximum():
            break
    ticker.stop()
    stall = hb.stop()
    return idle, stall, g.model.rowCount(), g.thumbs.generated


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--files", type=int, default=1500)
    ap.add_argument("--scroll-seconds", type=float, default=45.0)
    ns = ap.parse_args()
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(["gallery-bench"])
    from pixie_desktop.ui import workers

    tmp = Path(tempfile.mkdtemp(prefix="pixie-gallery-bench-"))
    try:
        empty, full = tmp / "empty", tmp / "full"
        _env(empty)
        base_ms, g0, ctx0 = first_screen_ms(app)
        g0.shutdown()
        g0.deleteLater()
        ctx0.close()
        _env(full)
        t = time.perf_counter()
        seed(full, ns.rows, ns.files)
        print(f"seeded {ns.rows:,} rows over {ns.files:,} distinct PNGs in {time.perf_counter() - t:.1f} s")
        ms, g, ctx = first_screen_ms(app)
        verdict = "ok" if ms < 200 else "OVER TARGET"
        print(f"first screen, {ns.rows:,} rows: {ms:.1f} ms (target < 200 ms, {verdict}); "
              f"empty-DB baseline {base_ms:.1f} ms; ratio {ms / max(base_ms, 0.001):.2f}x")
        idle, stall, reached, generated = scroll_stall(app, g, ns.scroll_seconds)
        verdict = "ok" if stall < 50 else "OVER TARGET"
        print(f"longest UI stall while scrolling: {stall:.1f} ms (target < 50 ms, {verdict}); "
              f"idle baseline {idle:.1f} ms; ratio {stall / max(idle, 0.001):.2f}x; "
              f"scrolled through {reached:,} rows, {generated:,} thumbnails generated")
        g.shutdown()
        workers.wait_for_all(10_000)
        ctx.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
