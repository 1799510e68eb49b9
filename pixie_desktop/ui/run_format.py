"""How runs read in the UI (status words, durations, sizes, start times): plain functions with no
Qt and no store, so Home can show the latest runs at start-up without importing the runs table
model and the search queries behind it (ui/models/runs_model.py re-exports them)."""

from __future__ import annotations

from pixie_desktop.queries.common import parse_iso

STATUS_TEXT = {"running": "Running", "ok": "Done", "error": "Failed", "cancelled": "Cancelled"}


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def format_bytes(n: int | None) -> str:
    from pixie_desktop.units import human_bytes

    return human_bytes(n) if n else "—"


def format_started(iso: str | None) -> str:
    dt = parse_iso(iso)
    if dt is None:
        return iso or ""
    return dt.astimezone().strftime("%d %b %Y  %H:%M:%S")
