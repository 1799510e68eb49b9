"""Shared fixtures for the main window / sidebar / history tests: a few tools on disk and the
models wired to a private StoreEvents hub."""

from __future__ import annotations

import pytest

from conftest import write_tool


def make_tool(tools_dir, tid, name=None, tags=(), description="does things", inputs=None, outputs=None,
              main_py=None, layout="form"):
    spec = {"id": tid, "name": name or tid.replace("-", " ").title(), "description": description,
            "tags": list(tags), "layout": layout,
            "inputs": inputs if inputs is not None else [{"key": "x", "type": "text", "label": "X"}],
            "outputs": outputs if outputs is not None else [{"key": "y", "type": "text", "label": "Y"}]}
    return write_tool(tools_dir, tid, spec, main_py=main_py)


@pytest.fixture
def shell_tools(tools_dir):
    make_tool(tools_dir, "alpha", "Alpha Tool", tags=["maths"], description="adds numbers")
    make_tool(tools_dir, "beta", "Beta", tags=["data-cleaning"], description="csv summariser",
              inputs=[{"key": "data", "type": "file", "label": "CSV file", "accept": [".csv"]}])
    make_tool(tools_dir, "gamma", "Gamma Ray", description="plots things")
    (tools_dir / "broken").mkdir()
    (tools_dir / "broken" / "tool.json").write_text("{not json")
    return tools_dir


@pytest.fixture
def shell_models(ctx, shell_tools):
    from pixie_desktop.ui.models.tools_model import ToolsModel
    from pixie_desktop.ui.models.workspaces_model import WorkspacesModel
    from pixie_desktop.ui.store_events import StoreEvents

    events = StoreEvents()
    tools = ToolsModel(ctx.conn, events=events)
    tools.load(ctx.tools())
    workspaces = WorkspacesModel(ctx.conn, events=events)
    return ctx, tools, workspaces, events


REPO_TOOLS = __import__("pathlib").Path(__file__).resolve().parent.parent / "tools"


def copy_bundled(tools_dir, *names):
    """Copy bundled tools (tools/<name>) into the test's tools dir."""
    import shutil

    for name in names:
        shutil.copytree(REPO_TOOLS / name, tools_dir / name,
                        ignore=shutil.ignore_patterns(".venv", ".env", "__pycache__"))


@pytest.fixture
def make_window(qtbot, ctx):
    """Build MainWindows with a synchronous first scan; every window is shut down (runs
    cancelled, tool processes stopped, pool drained) at teardown."""
    from pixie_desktop.ui.store_events import StoreEvents
    from pixie_desktop.ui.views.main_window import MainWindow

    made = []

    def make(**kw):
        kw.setdefault("scan_async", False)
        kw.setdefault("events", StoreEvents())
        win = MainWindow(ctx, **kw)
        qtbot.addWidget(win)
        made.append(win)
        return win

    yield make
    for win in made:
        win.shutdown()


def wait_idle(qtbot, page, timeout=30_000):
    qtbot.waitUntil(lambda: not page.is_running, timeout=timeout)
