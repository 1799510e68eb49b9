"""Screenshots of every page at the sizes a desktop app meets (issue 13): Home, History, Gallery,
Tools overview, Calculator after a real run, the every-input form and Settings at 960×640 (half a
1920 screen), 1280×800, 1920×1080 and 3840×2160 (4K at 100 % scale), light and dark. Saves
screenshots/size-<W>x<H>-<page>[-dark].png. Also prints what the clipping self-check
(tests/clipping.py) finds on each page, so a picture and its findings can be read together."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from scripts.shots._helpers import save_checked, settle

REPO = Path(__file__).resolve().parents[2]
SIZES = [(960, 640), (1280, 800), (1920, 1080), (3840, 2160)]


def _sizes() -> list[tuple[int, int]]:
    """SIZES, or only those named in PIXIE_SHOT_SIZES ("1920x1080,3840x2160") — e.g. to look at
    a 4K screen at 200 %: QT_SCALE_FACTOR=2 PIXIE_SHOT_SIZES=1920x1080 scripts/screenshots.py sizes."""
    wanted = {tuple(int(n) for n in part.split("x")) for part in
              os.environ.get("PIXIE_SHOT_SIZES", "").replace(" ", "").split(",") if "x" in part}
    return [s for s in SIZES if s in wanted] or ([*wanted] if wanted else SIZES)


def _run_calculator(win) -> None:
    from PySide6.QtWidgets import QApplication

    win.open_tool("calculator")
    page = win.tool_pages["calculator"]
    page.form.set_values({"a": 6, "op": "multiply", "b": 7})
    page.run()
    deadline = time.monotonic() + 30
    while page.is_running and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.02)


def shoot(out_dir: Path) -> list[Path]:
    from pixie_desktop.context import open_context
    from pixie_desktop.ui.views.main_window import MainWindow
    from pixie_desktop.ui.views.settings_dialog import SettingsDialog

    ctx = open_context()
    tool = ctx.settings.tools_dir / "all-inputs-tool"
    tool.mkdir(exist_ok=True)
    (tool / "tool.json").write_text(json.dumps(json.loads((REPO / "tests" / "data" / "all-inputs.tool.json").read_text())))
    (tool / "main.py").write_text("")
    saved: list[Path] = []
    win = MainWindow(ctx, scan_async=False, restore=False)
    try:
        win.show()
        settle(100)
        _run_calculator(win)
        win.open_tool("all-inputs-tool")
        win.tool_pages["all-inputs-tool"].form.set_values(
            {"t_date_range": ["2026-03-01", "2026-03-31"], "t_table": [{"name": "Widgets", "count": 12}],
             "t_map_point": [51.5, -0.12]})
        for w, h in _sizes():
            win.resize(w, h)
            for theme in ("light", "dark"):
                win.set_theme(theme)
                suffix = "" if theme == "light" else "-dark"
                pages = [("home", lambda: win.show_page("home")), ("history", lambda: win.show_page("history")),
                         ("gallery", lambda: win.show_page("gallery")),
                         ("tools", lambda: win.show_page("tools")),
                         ("calculator", lambda: win.open_tool("calculator")),
                         ("all-inputs", lambda: win.open_tool("all-inputs-tool"))]
                for name, show in pages:
                    show()
                    settle(150)
                    save_checked(win, out_dir / f"size-{w}x{h}-{name}{suffix}.png", saved)
                dlg = SettingsDialog(ctx.settings, ctx.conn, win)
                dlg.resize(min(760, w), min(680, h))
                dlg.show()
                settle(150)
                save_checked(dlg, out_dir / f"size-{w}x{h}-settings{suffix}.png", saved)
                dlg.close()
                dlg.deleteLater()
            win.set_theme("light")
    finally:
        win.shutdown()
        win.close()
        win.deleteLater()
        settle(50)
        ctx.close()
    return saved
