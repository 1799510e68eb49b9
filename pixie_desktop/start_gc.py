"""The cyclic garbage collector waits for the main window's first paint (a real GUI launch).

A start creates a few hundred thousand long-lived objects (modules, classes, Qt's enums, the
window's widgets) and almost no cyclic garbage, yet Python's collector walks the growing heap
again and again while it happens (6-7 ms of a start, benchmarks/ui.py). `pause()` comes before
the imports; `resume()` once the window has painted moves what the start made to the permanent
generation (`gc.freeze`), so no later full collection walks it again, and switches collection
back on. A start that fails before painting resumes on its way out (ui/app.py run_gui)."""

from __future__ import annotations

import gc

_paused = False


def pause() -> None:
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume() -> None:
    """Collection on again (only when `pause()` switched it off); safe to call more than once."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()


def paused() -> bool:
    return _paused
