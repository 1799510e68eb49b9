"""Announce a `Change` (what an operation wrote) on the StoreEvents hub: each affected signal is
emitted exactly once per id (runChanged, toolStateChanged, validationChanged) or once in all
(workspacesChanged, artefactsChanged, toolsRescanned), and presetsChanged once per tool. Views call an operation, then
`publish(change)`; nobody emits the hub's store signals by hand for a write."""

from __future__ import annotations

from typing import Any

from pixie_desktop.ops.change import Change


def publish(change: Change | None, hub: Any = None) -> None:
    """Emit the hub signals `change` calls for (the shared hub unless one is injected). Ids are
    emitted in sorted order so listeners see a stable sequence; settings keys and cache-only
    artefact ids have no signal."""
    if not change:
        return
    if hub is None:
        from pixie_desktop.ui.store_events import store_events

        hub = store_events()
    for run_id in sorted(change.run_ids):
        hub.runChanged.emit(run_id)
    for tool_id in sorted(change.tool_ids):
        hub.toolStateChanged.emit(tool_id)
    if change.workspaces:
        hub.workspacesChanged.emit()
    if change.artefacts:
        hub.artefactsChanged.emit()
    for tool_id in sorted(change.validation_tool_ids):
        hub.validationChanged.emit(tool_id)
    if change.tools_rescanned:
        hub.toolsRescanned.emit()
    presets_changed = getattr(hub, "presetsChanged", None)  # an injected test hub may lack it
    if presets_changed is not None:
        for tool_id in sorted(change.preset_tool_ids):
            presets_changed.emit(tool_id)
