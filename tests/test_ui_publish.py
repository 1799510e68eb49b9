"""publish(): a Change is announced on the StoreEvents hub once per signal and id; and the two
announcement bugs it fixes — a validation announced twice, and a tool archived in the sidebar
still offered by the command palette."""

from __future__ import annotations

from PySide6.QtWidgets import QMainWindow

from pixie_desktop.ops.change import Change, merge
from pixie_desktop.ui.publish import publish
from pixie_desktop.ui.store_events import StoreEvents


def _record(hub: StoreEvents) -> list[tuple]:
    seen: list[tuple] = []
    hub.runChanged.connect(lambda rid: seen.append(("run", rid)))
    hub.toolStateChanged.connect(lambda tid: seen.append(("tool", tid)))
    hub.workspacesChanged.connect(lambda: seen.append(("workspaces",)))
    hub.artefactsChanged.connect(lambda: seen.append(("artefacts",)))
    hub.validationChanged.connect(lambda tid: seen.append(("validation", tid)))
    hub.toolsRescanned.connect(lambda: seen.append(("rescanned",)))
    return seen


def test_publish_emits_each_signal_once(qtbot):
    hub = StoreEvents()
    seen = _record(hub)
    a = Change.of(run_ids=["r2", "r1"], tool_ids=["t"], workspaces=True, artefacts=True, artefact_ids=[1, 2],
                  validation_tool_ids=["t"], settings_keys=["k"])
    b = Change.of(run_ids=["r1"], tool_ids=["t"], workspaces=True, artefacts=True, tools_rescanned=True)
    publish(merge(a, b, a), hub)
    assert seen == [("run", "r1"), ("run", "r2"), ("tool", "t"), ("workspaces",), ("artefacts",),
                    ("validation", "t"), ("rescanned",)]


def test_publish_of_nothing_or_a_cache_write_is_silent(qtbot):
    hub = StoreEvents()
    seen = _record(hub)
    publish(Change(), hub)
    publish(None, hub)
    publish(Change.of(artefact_ids=[3], settings_keys=["ui.zoom"]), hub)
    assert seen == []


def test_publish_defaults_to_the_shared_hub(qtbot):
    from pixie_desktop.ui.store_events import store_events

    got: list[str] = []
    store_events().runChanged.connect(got.append)
    try:
        publish(Change.of(run_ids=["only-once"]))
    finally:
        store_events().runChanged.disconnect(got.append)
    assert got == ["only-once"]


def test_sidebar_write_is_published_once(qtbot, shell_models):
    from pixie_desktop.ui.views.sidebar import Sidebar

    ctx, tools, workspaces, events = shell_models
    bar = Sidebar(ctx.conn, tools, workspaces, events)
    qtbot.addWidget(bar)
    seen = _record(events)
    bar.set_colour("alpha", "#336699")
    ws_id = bar.create_workspace("Work")
    assert seen == [("tool", "alpha"), ("workspaces",)]
    assert ws_id is not None and tools.tool_row("alpha").state.colour == "#336699"


def test_tool_archived_in_sidebar_leaves_the_command_palette(qtbot, shell_models):
    from pixie_desktop.ui.views.command_palette import install_command_palette
    from pixie_desktop.ui.views.sidebar import Sidebar

    ctx, tools, workspaces, events = shell_models
    bar = Sidebar(ctx.conn, tools, workspaces, events)
    qtbot.addWidget(bar)
    win = QMainWindow()
    qtbot.addWidget(win)
    win.open_tool = lambda tool_id, prefill=None: True  # type: ignore[attr-defined]
    palette = install_command_palette(win, ctx)

    def tool_keys() -> set[str]:
        palette.open()
        keys = {i.key for i in palette.visible_items() if i.kind == "tool"}
        palette.hide()
        return keys

    assert "alpha" in tool_keys()
    bar.set_flag("alpha", "archived", True)
    assert "alpha" not in tool_keys() and "beta" in tool_keys()
    bar.set_flag("alpha", "archived", False)
    assert "alpha" in tool_keys()


def test_validate_tool_from_the_window_is_announced_once(qtbot, make_window, make_sqrt_tool):
    from pixie_desktop.ui.store_events import store_events

    make_sqrt_tool("validate-once", spec_changes={"id": "validate-once"}, reference=False)
    hub = StoreEvents()
    win = make_window(events=hub)
    announced: list[tuple[str, str]] = []
    hub.validationChanged.connect(lambda tid: announced.append(("window", tid)))
    shared = store_events()  # the hub the validator used to announce on, whatever the window's

    def on_shared(tid: str) -> None:
        announced.append(("shared", tid))

    shared.validationChanged.connect(on_shared)
    try:
        win.validate_tool("validate-once")
        qtbot.waitUntil(lambda: "validation" in win.statusBar().currentMessage(), timeout=30_000)
    finally:
        shared.validationChanged.disconnect(on_shared)
    assert announced == [("window", "validate-once")]
    assert win.tools_model.tool_row("validate-once").validation in ("pass", "warn", "fail")
