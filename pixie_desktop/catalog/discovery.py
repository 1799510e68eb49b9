"""Discovery: list every tool folder under tools/, broken ones included (with their parse
error), compute a discovery hash per tool and skip re-parsing folders whose hash is unchanged.
Never raises for anything a tool folder contains.

With a `cache_file` (the app's: `<data>/.cache/discovery.pickle`), the parsed tools outlive the
process: a start re-parses only the tool.json files whose discovery hash changed since the last
scan, instead of all of them (200 tools: ~70 ms of parsing on a pool thread that competes with the
first paint for the interpreter, against ~6 ms to load the cache)."""

from __future__ import annotations

import logging
import os
import sqlite3
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from pixie_desktop.hashing import sha1  # not hashlib: no OpenSSL load on the scan

if TYPE_CHECKING:
    from pixie_desktop.manifest.model import ToolSpec
# pixie_desktop.manifest (~6 ms of dataclasses to import) is imported where tool.json files are
# parsed or the cache is checked: on the scan's pool thread, not by the app's UI thread at start.

HASHED_FILES = ("tool.json", "pyproject.toml", "main.py")
CACHE_FORMAT = 1  # bump when ToolInfo/ToolSpec change shape: an old cache file is then ignored
CACHE_MAX_BYTES = 64 * 1024 * 1024  # ~800 bytes a tool: a bigger file is not ours, it is ignored
# What a running tool process was started from: its discovery files plus the .env read at spawn.
PROCESS_FILES = HASHED_FILES + (".env",)
_UNSAFE_ID_CHARS = set('/\\:*?"<>|\0')
log = logging.getLogger(__name__)


@dataclass
class ToolInfo:
    """One folder under tools/. `spec` is None when tool.json does not parse (`error` says why)."""

    folder: str
    path: Path
    tool_id: str
    name: str
    spec: ToolSpec | None
    error: str | None
    discovery_hash: str

    @property
    def ok(self) -> bool:
        return self.spec is not None and self.error is None

    @property
    def description(self) -> str:
        return (self.spec.description or "") if self.spec else ""

    @property
    def has_venv(self) -> bool:
        return venv_python(self.path) is not None

    def matches(self, id_or_folder: str) -> bool:
        return id_or_folder in (self.tool_id, self.folder)


def venv_python(tool_dir: Path) -> Path | None:
    for rel in (".venv/bin/python", ".venv/Scripts/python.exe"):
        p = tool_dir / rel
        if p.exists():
            return p
    return None


def discovery_hash(tool_dir: Path) -> str:
    """sha1 over (name, mtime_ns, size) of tool.json, pyproject.toml and main.py; "missing"
    for an absent file. Cheap enough to compute on every scan."""
    h = sha1()
    base = os.fspath(tool_dir)  # plain string joins: pathlib's are most of a rescan's time
    for name in HASHED_FILES:
        try:
            st = os.stat(os.path.join(base, name))
            h.update(f"{name}:{st.st_mtime_ns}:{st.st_size};".encode())
        except OSError:
            h.update(f"{name}:missing;".encode())
    return h.hexdigest()


def _stat_digest(tool_dir: Path | str, names: Iterable[str]) -> str:
    h = sha1()
    base = os.fspath(tool_dir)  # string joins: process_hash runs before every warm run
    for name in names:
        try:
            st = os.stat(os.path.join(base, name))
            h.update(f"{name}:{st.st_mtime_ns}:{st.st_size}:{st.st_ino};".encode())
        except OSError:
            h.update(f"{name}:missing;".encode())
    return h.hexdigest()


def process_hash(tool_dir: Path) -> str:
    """Like discovery_hash, but also over `.env` (read when the process starts): a warm process
    whose process_hash changed since it was spawned runs stale code or secrets."""
    return _stat_digest(tool_dir, PROCESS_FILES)


@dataclass(frozen=True)
class ToolsSnapshot:
    """What live discovery compares: a digest of the tools folder's listing and of each tool
    folder's watched files, and the paths worth a file-system watch."""

    digest: str
    dirs: tuple[str, ...]
    files: tuple[str, ...]


def tools_snapshot(tools_dir: Path) -> ToolsSnapshot:
    """Cheap (a listing + a few stats per folder): run it often, off the UI thread. Folders that
    discovery would skip still count when they hold a tool.json, so renames in and out show."""
    tools_dir = Path(tools_dir)
    h = sha1()
    dirs: list[str] = []
    files: list[str] = []
    try:
        entries = sorted(os.scandir(tools_dir), key=lambda e: e.name)
        dirs.append(str(tools_dir))
    except OSError:
        entries = []
        h.update(b"no-tools-dir")
    for entry in entries:
        try:
            if not entry.is_dir():
                continue
        except OSError:
            continue
        folder = Path(entry.path)
        dirs.append(str(folder))
        h.update(f"[{entry.name}]{_stat_digest(folder, PROCESS_FILES)}".encode())
        files.extend(str(folder / n) for n in PROCESS_FILES if (folder / n).is_file())
    return ToolsSnapshot(h.hexdigest(), tuple(dirs), tuple(files))


def id_problem(tool_id: str) -> str | None:
    """An id becomes a folder name under artefacts/; refuse ones that could escape it."""
    if not tool_id.strip():
        return "the tool id is empty"
    if tool_id.startswith((".", "_")):
        return f"the tool id '{tool_id}' cannot start with '.' or '_' (reserved for the app's own folders)"
    if any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in tool_id):
        return f"the tool id {tool_id!r} contains control characters"
    if any(c in _UNSAFE_ID_CHARS for c in tool_id) or ".." in tool_id or len(tool_id) > 120:
        return f"the tool id '{tool_id}' cannot be used as a folder name (no slashes, '..' or special characters)"
    return None


def _load_one(folder: Path, digest: str) -> ToolInfo:
    from pixie_desktop.manifest.parse import SpecError, parse_tool_file

    manifest = folder / "tool.json"
    try:
        spec = parse_tool_file(manifest)
    except SpecError as exc:
        return ToolInfo(folder.name, folder, folder.name, folder.name, None, str(exc), digest)
    except Exception as exc:  # noqa: BLE001 - discovery must never raise on a bad folder
        return ToolInfo(folder.name, folder, folder.name, folder.name, None,
                        f"{manifest}: could not be read: {type(exc).__name__}: {exc}", digest)
    problem = id_problem(spec.id)
    if problem:
        return ToolInfo(folder.name, folder, folder.name, spec.name or folder.name, None,
                        f"{manifest}: id: {problem}", digest)
    return ToolInfo(folder.name, folder, spec.id, spec.name or spec.id, spec, None, digest)


def _code_stamp() -> tuple:
    """What the parsed results depend on besides the folders: the app version and this parser's
    code (an upgrade, or a checkout with changed parser code, starts from a fresh parse)."""
    from pixie_desktop import __version__
    from pixie_desktop.manifest import model as _model, parse as _parse

    stamps: list[tuple[int, int]] = []
    for mod in (_model, _parse, sys.modules[__name__]):
        try:
            st = os.stat(mod.__file__ or "")
            stamps.append((st.st_mtime_ns, st.st_size))
        except (OSError, TypeError):  # frozen app: no source files; the version decides
            stamps.append((0, 0))
    return (CACHE_FORMAT, __version__, tuple(stamps))


class Discovery:
    """Scans a tools directory; caches parsed tools by folder + hash so rescans are cheap (and,
    with `cache_file`, so is the first scan of the next process)."""

    def __init__(self, tools_dir: Path, cache_file: Path | None = None):
        self.tools_dir = Path(tools_dir)
        self.cache_file = Path(cache_file) if cache_file is not None else None
        self._cache: dict[str, ToolInfo] = {}
        self._lock = threading.Lock()
        self._disk_read = False
        self.parse_count = 0  # how many tool.json files were actually parsed (for tests/benchmarks)

    def _cache_key(self) -> tuple:
        return (_code_stamp(), str(self.tools_dir))

    def _read_disk_cache(self) -> None:
        """Fill the in-memory cache from `cache_file` once. The file is the user's own (in the
        data dir); anything unreadable, of another version or for another tools folder is
        ignored: the scan then parses as without a cache."""
        self._disk_read = True
        if self.cache_file is None:
            return
        import pickle

        from pixie_desktop.artefacts.reading import read_whole

        try:  # a regular file only (a FIFO put there would block this thread for good), bounded
            raw = read_whole(self.cache_file, CACHE_MAX_BYTES)
            if raw is None:
                return
            data = pickle.loads(raw)
            if data.get("key") == self._cache_key():
                tools = data["tools"]
                if isinstance(tools, dict) and all(isinstance(t, ToolInfo) for t in tools.values()):
                    self._cache = tools
        except FileNotFoundError:
            pass  # first start, or the cache was cleared
        except Exception:  # noqa: BLE001 - a damaged or foreign cache only costs a full parse
            log.debug("discovery cache %s ignored", self.cache_file, exc_info=True)

    def _write_disk_cache(self) -> None:
        if self.cache_file is None:
            return
        import pickle

        tmp = self.cache_file.with_name(f"{self.cache_file.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            self.cache_file.parent.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as f:
                pickle.dump({"key": self._cache_key(), "tools": dict(self._cache)}, f, pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.cache_file)  # atomic: a concurrent CLI or app reads old or new, never half
        except Exception:  # noqa: BLE001 - a cache that cannot be written is only slower next time
            log.debug("discovery cache %s not written", self.cache_file, exc_info=True)
            try:
                tmp.unlink()
            except OSError:
                pass

    def scan(self) -> list[ToolInfo]:
        try:
            entries = sorted(os.scandir(self.tools_dir), key=lambda e: e.name)
        except OSError:
            return []
        tools: list[ToolInfo] = []
        seen_ids: dict[str, str] = {}
        with self._lock:
            if not self._disk_read:
                self._read_disk_cache()
            changed = False
            live: set[str] = set()
            for entry in entries:
                if entry.name.startswith((".", "_")) or entry.name == "__pycache__":
                    continue
                try:
                    if not entry.is_dir() or not os.path.isfile(os.path.join(entry.path, "tool.json")):
                        continue
                except OSError:
                    continue
                folder = Path(entry.path)
                digest = discovery_hash(folder)
                cached = self._cache.get(entry.name)
                if cached is None or cached.discovery_hash != digest:
                    cached = _load_one(folder, digest)
                    self.parse_count += 1
                    self._cache[entry.name] = cached
                    changed = True
                live.add(entry.name)
                info = cached
                if info.ok and info.tool_id in seen_ids:
                    info = ToolInfo(info.folder, info.path, info.folder, info.name, None,
                                    f"{folder / 'tool.json'}: id: '{info.tool_id}' is already used by the tool "
                                    f"in folder '{seen_ids[info.tool_id]}'", digest)
                elif info.ok:
                    seen_ids[info.tool_id] = info.folder
                tools.append(info)
            for stale in set(self._cache) - live:
                del self._cache[stale]
                changed = True
            if changed:
                self._write_disk_cache()
        return tools


def find_tool(tools: Iterable[ToolInfo], id_or_folder: str) -> ToolInfo | None:
    """Look a tool up by id first, then by folder name (the reference accepts either)."""
    tools = list(tools)
    return next((t for t in tools if t.tool_id == id_or_folder), None) or \
        next((t for t in tools if t.folder == id_or_folder), None)


def sync_tool_state(conn: sqlite3.Connection, tools: Iterable[ToolInfo]) -> None:
    """Make sure each tool has a tool_state row and record its current discovery hash. A
    tool.json's own `archived`/`pinned_warm` flags seed a brand-new row only."""
    from pixie_desktop.store.db import now_iso, transaction

    with transaction(conn):
        for t in tools:
            archived = 1 if (t.spec and t.spec.archived) else 0
            pinned_warm = 1 if (t.spec and t.spec.pinned_warm) else 0
            conn.execute(
                "INSERT INTO tool_state(tool_id, discovery_hash, archived, archived_at, pinned_warm) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT(tool_id) DO UPDATE SET discovery_hash = excluded.discovery_hash",
                (t.tool_id, t.discovery_hash, archived, now_iso() if archived else None, pinned_warm))
