"""Jobs the main window starts on a pool thread so the UI thread never waits for them: the tool
scan (discovery + tool_state sync) and a pre-import of the modules a first run needs."""

from __future__ import annotations

import importlib
import sqlite3

from pixie_desktop.catalog.discovery import ToolInfo
from pixie_desktop.context import AppContext

# Modules a first run (or its first outputs) would otherwise import on demand. Importing them on a
# pool thread right after the window appears keeps that one-off cost out of the first run, where
# it showed up as a multi-hundred-millisecond event-loop stall.
WARM_IMPORTS = ("pixie_desktop.runtime.runner", "pixie_desktop.runtime.pool", "pixie_desktop.runtime.client",
                "pixie_desktop.runtime.launcher", "pixie_desktop.artefacts.spill", "pixie_desktop.artefacts.storage",
                "pixie_desktop.ui.outputs.panel", "pixie_desktop.ui.inputs.form", "pixie_desktop.matching.suggest",
                "matplotlib", "matplotlib.figure", "matplotlib.backends.backend_agg", "pygments.lexers",
                "pygments.formatters")


def scan_tools(ctx: AppContext) -> list[ToolInfo]:
    """Discovery + tool_state sync on a pool thread, with that thread's own connection."""
    from pixie_desktop.catalog.discovery import sync_tool_state

    tools = ctx.discovery.scan()
    conn = ctx.new_connection()
    try:
        sync_tool_state(conn, tools)
    except sqlite3.Error:  # the tools still show; their state rows sync on the next scan
        pass
    finally:
        conn.close()
    return tools


def preimport(names: tuple[str, ...] = WARM_IMPORTS) -> int:
    done = 0
    for name in names:
        try:
            importlib.import_module(name)
            done += 1
        except Exception:  # noqa: BLE001 - optional modules may be missing; the run imports on demand
            pass
    return done
