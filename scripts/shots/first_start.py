"""Home on a brand-new database (home-first-start.png): the first-start "try this" tour. Uses its
own empty database, since other shots seed runs (which hide the tour) into the shared one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from scripts.shots._helpers import grab, settle


def shoot(out_dir: Path) -> list[Path]:
    from pixie_desktop.context import open_context
    from pixie_desktop.ui.views.main_window import MainWindow

    old = os.environ.get("PIXIE_DB_PATH")
    fresh = Path(tempfile.mkdtemp(prefix="pixie-first-start-")) / "pixie.db"
    os.environ["PIXIE_DB_PATH"] = str(fresh)
    ctx = open_context()
    win = MainWindow(ctx, scan_async=False, restore=False)
    try:
        win.show()
        settle(200)
        win.show_page("home")
        return [grab(win, out_dir / "home-first-start.png", (1360, 900), wait_ms=400)]
    finally:
        win.shutdown()
        win.close()
        ctx.close()
        if old is None:
            os.environ.pop("PIXIE_DB_PATH", None)
        else:
            os.environ["PIXIE_DB_PATH"] = old
