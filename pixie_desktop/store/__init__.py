"""SQLite store (no Qt): connections, the exact schema, and one small repository module per
table group. Import repositories as `from pixie_desktop.store import runs_repo` etc."""

from pixie_desktop.store.db import connect, init_db, now_iso, open_db, transaction

__all__ = ["connect", "init_db", "now_iso", "open_db", "transaction"]
