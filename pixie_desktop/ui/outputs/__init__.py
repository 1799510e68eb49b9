"""Output renderers, one per tool.json output type (39), built by `create_renderer`, and
`OutputPanel`, the card column that shows a run's outputs. Importing a renderer module
registers its types in `OUTPUT_RENDERERS`."""

from __future__ import annotations

_loaded = False


def _load_all() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    from pixie_desktop.ui.outputs import (  # noqa: F401 - imported for their registrations
        charts, maps, media, structured, table, textual,
    )


from pixie_desktop.ui.outputs.base import OUTPUT_RENDERERS, OutputRenderer, create_renderer  # noqa: E402

__all__ = ["OUTPUT_RENDERERS", "OutputRenderer", "create_renderer"]
