"""Export one output card (its Export menu): the formats that fit the output's type
(`export.output_formats`), a save dialog, then the file written on the background pool. Media
are read through the card's run scope (`safe_media.fetch`), never from wherever a tool says."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from PySide6.QtWidgets import QFileDialog, QMenu, QWidget

from pixie_desktop.export import output_formats
from pixie_desktop.ui import workers


def media_reader(scope: Any) -> Callable[[str], tuple[str, bytes] | None]:
    from pixie_desktop.ui.outputs.safe_media import ResourceRefused, fetch

    def read(src: str) -> tuple[str, bytes] | None:
        try:
            return fetch(src, scope)
        except (ResourceRefused, OSError, ValueError):
            return None
    return read


def write_output(kind: str, value: Any, fmt: str, spec: Any, scope: Any, out: Path) -> Path:
    """The background half: render and write atomically."""
    from pixie_desktop.artefacts.storage import atomic_write

    data = output_formats.render_output(kind, value, fmt, spec=spec, media=media_reader(scope))
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(out, data)
    return out


def fill_export_menu(menu: QMenu, parent: QWidget, spec: Any, renderer: Any,
                     on_done: Callable[[Path], None] | None = None) -> None:
    """Entries "As PNG image…", "As CSV…" … for the card's current value (disabled when empty)."""
    menu.clear()
    value = getattr(renderer, "current", None)
    for fmt, label in output_formats.formats_for(spec.type, spec):
        act = menu.addAction(f"As {label}…")
        act.setObjectName(f"export.{fmt}")
        act.setEnabled(value is not None)
        act.triggered.connect(lambda _=False, fmt=fmt: export_output_interactive(parent, spec, renderer, fmt,
                                                                                  on_done=on_done))


def export_output_interactive(parent: QWidget | None, spec: Any, renderer: Any, fmt: str, *,
                              path: Path | None = None,
                              on_done: Callable[[Path], None] | None = None) -> workers.Task | None:
    value = getattr(renderer, "current", None)
    if value is None:
        return None
    scope = getattr(renderer, "scope", None)
    if path is None:
        from pixie_desktop.artefacts.storage import sanitize_filename

        ext = output_formats.file_extension(spec.type, fmt, value)
        start = str(Path.home() / sanitize_filename(f"{spec.key}.{ext}"))
        chosen, _ = QFileDialog.getSaveFileName(parent, f"Export {spec.label}", start)
        if not chosen:
            return None
        path = Path(chosen)
    return workers.submit(write_output, spec.type, value, fmt, spec, scope, path,
                          on_result=on_done or (lambda _p: None))
