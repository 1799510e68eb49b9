"""The `tool_tags` table: kebab-case tags per tool, with a reverse index by tag."""

from __future__ import annotations

import re
import sqlite3

_KEBAB = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class TagError(ValueError):
    """A tag that is not kebab-case; the message says how to fix it."""


def normalise_tag(tag: str) -> str:
    """Strip and lower-case, then require kebab-case (a-z, 0-9, single hyphens, ≤ 32 chars)."""
    clean = (tag or "").strip().lower()
    if not clean:
        raise TagError("A tag cannot be empty.")
    if len(clean) > 32:
        raise TagError(f"“{tag}” is too long: tags have at most 32 characters.")
    if not _KEBAB.match(clean):
        suggestion = re.sub(r"[^a-z0-9]+", "-", clean).strip("-")
        hint = f" Try “{suggestion}”." if suggestion and _KEBAB.match(suggestion) else ""
        raise TagError(f"“{tag}” is not kebab-case: use lower-case letters, digits and single hyphens "
                       f"(like “data-cleaning”).{hint}")
    return clean


def add_tag(conn: sqlite3.Connection, tool_id: str, tag: str) -> str:
    clean = normalise_tag(tag)
    conn.execute("INSERT OR IGNORE INTO tool_tags(tool_id, tag) VALUES (?, ?)", (tool_id, clean))
    return clean


def remove_tag(conn: sqlite3.Connection, tool_id: str, tag: str) -> None:
    conn.execute("DELETE FROM tool_tags WHERE tool_id = ? AND tag = ?", (tool_id, tag.strip().lower()))


def tags_of(conn: sqlite3.Connection, tool_id: str) -> list[str]:
    return [r[0] for r in conn.execute("SELECT tag FROM tool_tags WHERE tool_id = ? ORDER BY tag", (tool_id,))]


def all_tags(conn: sqlite3.Connection) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for tool_id, tag in conn.execute("SELECT tool_id, tag FROM tool_tags ORDER BY tag"):
        out.setdefault(tool_id, []).append(tag)
    return out


def tools_with_tag(conn: sqlite3.Connection, tag: str) -> list[str]:
    return [r[0] for r in conn.execute("SELECT tool_id FROM tool_tags WHERE tag = ? ORDER BY tool_id",
                                       (tag.strip().lower(),))]
