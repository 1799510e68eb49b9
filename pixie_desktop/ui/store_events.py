"""A process-wide Qt signal hub for store changes.

A write from the UI goes through an operation (pixie_desktop.ops) whose Change is announced here
by `pixie_desktop.ui.publish.publish`; what the runner and the batch validator write is announced
from their Change builders (`ops.runs.recorded_by_runner`, `ops.validation.saved_by_batch`).
Models listen and update only the affected rows instead of resetting. Signals carry ids, never
records, so a listener always re-reads the row through its own connection."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class StoreEvents(QObject):
    runChanged = Signal(str)          # run_id inserted, updated (status/star/label) or deleted
    toolStateChanged = Signal(str)    # tool_id: a tool_state flag/colour/tags/last inputs changed
    workspacesChanged = Signal()      # any workspace or membership change
    artefactsChanged = Signal()       # artefact rows added / starred / deleted
    validationChanged = Signal(str)   # tool_id: a new validation report was saved
    toolsRescanned = Signal()         # discovery found added/removed/changed tool folders
    runningChanged = Signal(str, bool)  # tool_id, whether it has a run in flight (UI-only state)
    presetsChanged = Signal(str)      # tool_id: a preset was saved, renamed, deleted or made default


_hub: StoreEvents | None = None


def store_events() -> StoreEvents:
    """The shared hub (created on first use, on the thread that first asks: the UI thread)."""
    global _hub
    if _hub is None:
        _hub = StoreEvents()
    return _hub
