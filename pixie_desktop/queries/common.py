"""Small value helpers for data read from the store: timestamps and JSON columns."""

from __future__ import annotations

from pixie_desktop.store.db import loads, now_iso, parse_iso

__all__ = ["loads", "now_iso", "parse_iso"]
