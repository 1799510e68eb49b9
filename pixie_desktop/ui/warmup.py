"""Jobs the main window starts on a pool thread so the UI thread never waits for them: the tool
scan (discovery + tool_state sync) and a pre-import of the modules a first run needs."""

from __future__ import annotations

import importlib
import sqlite3
from typing import Any

from pixie_desktop.catalog.discovery import ToolInfo
from pixie_desktop.context import AppContext

# Modules a first run (or its first outputs) would otherwise import on demand. Importing them on a
# pool thread right after the window appears keeps that one-off cost out of the first run, where
# it showed up as a multi-hundred-millisecond event-loop stall.
WARM_IMPORTS = ("pixie_desktop.runtime.runner", "pixie_desktop.runtime.pool", "pixie_desktop.runtime.client",
                "pixie_desktop.runtime.launcher", "pixie_desktop.artefacts.spill", "pixie_desktop.artefacts.storage",
                "pixie_desktop.ui.outputs.panel", "pixie_desktop.ui.inputs.form", "pixie_desktop.matching.suggest")
# The heavy ones (tens of MB, ~0.2 s) only when a tool that needs them is opened: charts and
# LaTeX draw with matplotlib, code fields and outputs highlight with pygments.
MATPLOTLIB_IMPORTS = ("matplotlib", "matplotlib.figure", "matplotlib.backends.backend_agg")
PYGMENTS_IMPORTS = ("pygments.lexers", "pygments.formatters")


def imports_for(spec: Any) -> tuple[str, ...]:
    """The heavy modules a tool's page will need for its declared inputs and outputs."""
    outs = {o.type for o in getattr(spec, "outputs", None) or ()}
    ins = {i.type for i in getattr(spec, "inputs", None) or ()}
    names: tuple[str, ...] = ()
    if outs & {"latex", "gantt"} or any(t.startswith("chart_") for t in outs):
        names += MATPLOTLIB_IMPORTS
    if "code" in outs or "code" in ins:
        names += PYGMENTS_IMPORTS
    return names


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
