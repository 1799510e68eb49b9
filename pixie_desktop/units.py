"""Numbers as people read them. One byte-size formatter for every page (history, gallery,
inputs, storage, tools overview), so the same file reads the same size everywhere."""

from __future__ import annotations


def human_bytes(n: float | None, *, empty: str = "") -> str:
    """1536 → "1.5 KB"; whole bytes below 1 KB; `empty` for None."""
    if n is None:
        return empty
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if abs(size) < 1024:
            return f"{size:.0f} B" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} TB"
