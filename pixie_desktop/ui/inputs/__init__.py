"""Form widgets, one per tool.json input type (28), built from the spec by `create_input`, and
`ToolForm`, the scrollable form that lays them out. Importing a widget module registers its
types in `INPUT_WIDGETS`."""

from __future__ import annotations

_loaded = False


def _load_all() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    from pixie_desktop.ui.inputs import (  # noqa: F401 - imported for their registrations
        basic, choices, dates, editors, files, maps, structured,
    )


from pixie_desktop.ui.inputs.base import INPUT_WIDGETS, InputWidget, create_input  # noqa: E402

__all__ = ["INPUT_WIDGETS", "InputWidget", "create_input"]
