"""Tool actions: favourite, pin, keep warm, archive, colour, user tags, last inputs, resource
overrides (the per-tool `tool_state` and `tool_tags` rows) and clearing a tool's run history."""

from __future__ import annotations

import sqlite3
from typing import Any, Callable, Iterable

from pixie_desktop.ops.change import Change
from pixie_desktop.store import tags_repo, tool_state_repo
from pixie_desktop.store.db import transaction
from pixie_desktop.store.tags_repo import TagError, normalise_tag

__all__ = ["FLAGS", "TagError", "normalise_tag", "set_flag", "set_favourite", "set_pinned", "set_keep_warm",
           "set_archived", "set_colour", "add_tag", "remove_tag", "check_tags", "set_user_tags",
           "save_last_inputs", "RESOURCE_KEYS", "set_resource_overrides", "clear_history",
           "set_archived_many", "add_tag_many", "set_sort_order"]

FLAGS = ("favourited", "pinned", "pinned_warm", "archived")


def set_flag(conn: sqlite3.Connection, tool_id: str, flag: str, on: bool) -> Change:
    """favourited / pinned / pinned_warm / archived (KeyError for anything else)."""
    tool_state_repo.set_flag(conn, tool_id, flag, on)
    return Change.of(tool_ids=[tool_id])


def set_favourite(conn: sqlite3.Connection, tool_id: str, on: bool) -> Change:
    return set_flag(conn, tool_id, "favourited", on)


def set_pinned(conn: sqlite3.Connection, tool_id: str, on: bool) -> Change:
    return set_flag(conn, tool_id, "pinned", on)


def set_keep_warm(conn: sqlite3.Connection, tool_id: str, on: bool) -> Change:
    return set_flag(conn, tool_id, "pinned_warm", on)


def set_archived(conn: sqlite3.Connection, tool_id: str, on: bool) -> Change:
    return set_flag(conn, tool_id, "archived", on)


def set_colour(conn: sqlite3.Connection, tool_id: str, colour: str | None) -> Change:
    tool_state_repo.set_colour(conn, tool_id, colour)
    return Change.of(tool_ids=[tool_id])


def add_tag(conn: sqlite3.Connection, tool_id: str, tag: str) -> tuple[str, Change]:
    """Add one user tag (TagError with a helpful message when it is not kebab-case); returns
    the normalised tag."""
    clean = tags_repo.add_tag(conn, tool_id, tag)
    return clean, Change.of(tool_ids=[tool_id])


def remove_tag(conn: sqlite3.Connection, tool_id: str, tag: str) -> Change:
    tags_repo.remove_tag(conn, tool_id, tag)
    return Change.of(tool_ids=[tool_id])


def check_tags(tags: Iterable[str]) -> tuple[list[str], list[str]]:
    """Normalise tags without writing: (clean tags, error messages for the refused ones)."""
    clean: list[str] = []
    errors: list[str] = []
    for t in tags:
        try:
            clean.append(normalise_tag(t))
        except TagError as exc:
            errors.append(str(exc))
    return clean, errors


def set_user_tags(conn: sqlite3.Connection, tool_id: str, tags: Iterable[str]) -> Change:
    """Replace a tool's user tags (TagError, and nothing written, if any tag is refused)."""
    clean, errors = check_tags(tags)
    if errors:
        raise TagError("\n".join(errors))
    current = set(tags_repo.tags_of(conn, tool_id))
    for t in current - set(clean):
        tags_repo.remove_tag(conn, tool_id, t)
    for t in clean:
        if t not in current:
            tags_repo.add_tag(conn, tool_id, t)
    return Change.of(tool_ids=[tool_id])


def save_last_inputs(conn: sqlite3.Connection, tool_id: str, inputs: dict[str, Any]) -> Change:
    """Remember the inputs the form opens with next time."""
    tool_state_repo.set_last_inputs(conn, tool_id, inputs)
    return Change.of(tool_ids=[tool_id])


# The override keys the per-tool Settings dialog edits; runtime/pool.py effective_limits() reads
# them from tool_state.overrides_json on every run (clamping numbers to sane ranges).
RESOURCE_KEYS = ("max_memory_mb", "max_runtime_seconds", "warm_keep_seconds", "concurrent")


def set_resource_overrides(conn: sqlite3.Connection, tool_id: str, values: dict[str, Any]) -> Change:
    """Merge resource overrides into tool_state.overrides_json: a value of None removes that key
    (back to tool.json); keys other than RESOURCE_KEYS already stored are kept untouched.
    Numbers must be positive ints (warm keep may be 0), `concurrent` a bool (ValueError if not)."""
    current = dict(tool_state_repo.get(conn, tool_id).overrides)
    for key, value in values.items():
        if key not in RESOURCE_KEYS:
            raise ValueError(f"unknown resource override {key!r}")
        if value is None:
            current.pop(key, None)
        elif key == "concurrent":
            if not isinstance(value, bool):
                raise ValueError("concurrent must be true or false")
            current[key] = value
        else:
            lowest = 0 if key == "warm_keep_seconds" else 1
            if isinstance(value, bool) or not isinstance(value, int) or value < lowest:
                raise ValueError(f"{key} must be a whole number of at least {lowest}")
            current[key] = value
    tool_state_repo.set_overrides(conn, tool_id, current)
    return Change.of(tool_ids=[tool_id])


CLUSTER_SECRETS_KEY = "allow_cluster_secrets"  # in overrides_json: this tool's .env may go to any cluster


def set_cluster_secrets(conn: sqlite3.Connection, tool_id: str, allowed: bool) -> Change:
    """Allow (or stop allowing) this tool's secrets (its `.env`) to be sent to a Dask cluster that
    is not `tls://` (batch/cluster.py refuses otherwise). Kept in tool_state.overrides_json."""
    current = dict(tool_state_repo.get(conn, tool_id).overrides)
    if allowed:
        current[CLUSTER_SECRETS_KEY] = True
    else:
        current.pop(CLUSTER_SECRETS_KEY, None)
    tool_state_repo.set_overrides(conn, tool_id, current)
    return Change.of(tool_ids=[tool_id])


def cluster_secrets_allowed(conn: sqlite3.Connection, tool_id: str) -> bool:
    return tool_state_repo.get(conn, tool_id).overrides.get(CLUSTER_SECRETS_KEY) is True


def clear_history(conn: sqlite3.Connection, settings: Any, tool_id: str, *,
                  include_starred: bool = False, progress: Callable[[float, str], Any] | None = None,
                  cancelled: Callable[[], bool] | None = None, batch: int = 200) -> tuple[int, Change]:
    """Delete every finished run of one tool with its artefact files (ops.runs.delete_runs: safe
    unlinking under artefacts_root; running runs are skipped). Starred runs are kept unless
    `include_starred`. In batches of `batch` runs, saying `progress(fraction, text)` after each;
    `cancelled()` is checked between batches (what was deleted stays deleted). Returns (runs
    deleted, Change)."""
    from pixie_desktop.ops.runs import delete_runs

    from pixie_desktop.store import runs_repo

    say = progress or (lambda _f, _t: None)
    stop = cancelled or (lambda: False)
    total = runs_repo.count_runs(conn, tool_id=tool_id, starred=None if include_starred else False)
    ids = [r.id for r in runs_repo.list_runs(conn, tool_id=tool_id, starred=None if include_starred else False,
                                              limit=max(total, 1))]
    done, change = 0, Change.of(tool_ids=[tool_id])
    for start in range(0, len(ids), max(1, batch)):
        if stop():
            break
        n, ch = delete_runs(conn, settings, ids[start:start + batch])
        done, change = done + n, change | ch
        say(min(1.0, (start + batch) / len(ids)), f"Deleted {done} of {len(ids)} run(s)…")
    return done, change


def set_archived_many(conn: sqlite3.Connection, tool_ids: Iterable[str], on: bool) -> Change:
    """Archive / unarchive several tools in one transaction; one Change for all of them."""
    ids = list(dict.fromkeys(tool_ids))
    with transaction(conn):
        for tid in ids:
            tool_state_repo.set_flag(conn, tid, "archived", on)
    return Change.of(tool_ids=ids)


def add_tag_many(conn: sqlite3.Connection, tool_ids: Iterable[str], tag: str) -> tuple[str, Change]:
    """Add one user tag to several tools (TagError, nothing written, when the tag is refused)."""
    clean = normalise_tag(tag)
    ids = list(dict.fromkeys(tool_ids))
    with transaction(conn):
        for tid in ids:
            tags_repo.add_tag(conn, tid, clean)
    return clean, Change.of(tool_ids=ids)


def set_sort_order(conn: sqlite3.Connection, ordered_tool_ids: Iterable[str]) -> Change:
    """Write `tool_state.sort_order` = position (0, 1, …) for the tools in the order given; only
    rows whose position changed are written and announced."""
    ids = list(dict.fromkeys(ordered_tool_ids))
    current = {r[0]: r[1] for r in conn.execute("SELECT tool_id, sort_order FROM tool_state")}
    changed = [tid for i, tid in enumerate(ids) if current.get(tid, -1) != i]
    with transaction(conn):
        for tid in changed:
            tool_state_repo.update(conn, tid, sort_order=ids.index(tid))
    return Change.of(tool_ids=changed)
