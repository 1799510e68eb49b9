"""Screenshots of the main window: the bundled tools with Calculator open after a real run
(main-window.png), the global History page (history.png) and the sidebar with three coloured
workspaces and validation dots (sidebar-workspaces.png). Data is seeded in the temp database."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from scripts.shots._helpers import grab, settle


def _seed(ctx) -> None:
    from pixie_desktop.store import runs_repo, tags_repo, tool_state_repo, validation_repo, workspaces_repo

    conn = ctx.conn
    tools = {t.tool_id: t for t in ctx.tools()}
    for name, colour, members in (("Number crunching", "#5563d1", ["calculator"]),
                                  ("Data wrangling", "#2f9e5b", ["csv-summary"]),
                                  ("Media", "#e07a2f", ["image-thumbnail"])):
        ws = workspaces_repo.create(conn, name, colour)
        for m in members:
            if m in tools:
                workspaces_repo.add_tool(conn, ws.id, m)
    for tid, overall in (("calculator", "pass"), ("csv-summary", "pass"), ("image-thumbnail", "warn"),
                         ("slow-counter", "fail")):
        if tid in tools:
            validation_repo.save_report(conn, tid, overall, {"tool_id": tid, "overall": overall, "checks": []})
    tool_state_repo.set_flag(conn, "calculator", "favourited", True)
    tool_state_repo.set_flag(conn, "slow-counter", "pinned", True)
    tags_repo.add_tag(conn, "csv-summary", "reports")
    base = datetime.now(timezone.utc) - timedelta(hours=3)
    samples = [("csv-summary", "ok", 0.84, "Q3 sales"), ("image-thumbnail", "ok", 0.31, None),
               ("slow-counter", "cancelled", 4.2, None), ("csv-summary", "error", 0.12, None),
               ("slow-counter", "ok", 6.0, "baseline"), ("image-thumbnail", "ok", 0.28, None)]
    for i, (tid, status, dur, label) in enumerate(samples):
        rid = f"seed-{i:02d}"
        runs_repo.create_run(conn, rid, tid, {}, started_at=(base + timedelta(minutes=17 * i)).isoformat())
        runs_repo.finish_run(conn, rid, status, outputs_json="{}" if status == "ok" else None,
                             error_text="tool 'csv-summary' returned 422: the file has no header row"
                             if status == "error" else None, meta_update={"duration_s": dur})
        if label:
            runs_repo.set_label(conn, rid, label)
        if i in (0, 4):
            runs_repo.set_starred(conn, rid, True)
    conn.execute("UPDATE runs SET total_artefact_bytes = 48213 WHERE id = 'seed-00'")
    # a tool whose tool.json does not parse, to show how broken tools are listed
    bad = ctx.settings.tools_dir / "half-written"
    bad.mkdir(exist_ok=True)
    (bad / "tool.json").write_text('{"id": "half-written", "name": "Half written", "inputs": [')


def shoot(out_dir: Path) -> list[Path]:
    from PySide6.QtWidgets import QApplication

    from pixie_desktop.context import open_context
    from pixie_desktop.ui.views.main_window import MainWindow

    ctx = open_context()
    _seed(ctx)
    win = MainWindow(ctx, scan_async=False, restore=False)
    saved: list[Path] = []
    try:
        win.resize(1360, 860)
        win.show()
        settle(200)
        win.open_tool("calculator")
        page = win.tool_pages["calculator"]
        page.run()
        app = QApplication.instance()
        import time

        deadline = time.monotonic() + 30
        while page.is_running and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.02)
        settle(600)
        saved.append(grab(win, out_dir / "main-window.png", (1360, 860), wait_ms=400))
        win.show_page("history")
        saved.append(grab(win, out_dir / "history.png", (1360, 860), wait_ms=300))
        win.open_tool("calculator")
        side = win.sidebar
        side.resize(300, 760)
        settle(100)
        side.grab().save(str(out_dir / "sidebar-workspaces.png"))
        saved.append(out_dir / "sidebar-workspaces.png")
    finally:
        win.shutdown()
        win.close()
        win.deleteLater()
        settle(50)
        ctx.close()
    return saved
