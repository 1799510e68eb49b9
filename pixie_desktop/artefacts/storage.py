"""Artefact files on disk: the per-run folder `artefacts_root/<tool_id>/<run_id>/`, safe file
names, atomic writes, hashing, MIME guessing and registering a file as an `artefacts` row.

Nothing here trusts a name coming from a tool: every path is sanitised and checked to stay
under its root."""

from __future__ import annotations

import hashlib
import mimetypes
import os
import re
import sqlite3
import stat
import tempfile
from pathlib import Path
from typing import Any, Iterable

from pixie_desktop.artefacts.root import ROOT_MARKER, RootStatus, check_root, init_root  # noqa: F401 - re-exported
from pixie_desktop.store import artefacts_repo
from pixie_desktop.store.artefacts_repo import ArtefactRecord

_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                     *(f"LPT{i}" for i in range(1, 10))}
_BAD_CHARS = re.compile(r'[\x00-\x1f<>:"|?*\\/]')
_EXTRA_MIME = {
    ".npy": "application/x-npy", ".parquet": "application/vnd.apache.parquet",
    ".gguf": "application/octet-stream", ".safetensors": "application/octet-stream",
    ".onnx": "application/onnx", ".webp": "image/webp", ".jsonl": "application/jsonl",
    ".ndjson": "application/x-ndjson", ".geojson": "application/geo+json", ".gpx": "application/gpx+xml",
    ".kml": "application/vnd.google-earth.kml+xml", ".tex": "application/x-tex", ".md": "text/markdown",
    ".patch": "text/x-diff", ".diff": "text/x-diff", ".csv": "text/csv", ".json": "application/json",
    ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
    ".svg": "image/svg+xml", ".wav": "audio/wav", ".mp3": "audio/mpeg", ".ogg": "audio/ogg",
    ".mp4": "video/mp4", ".webm": "video/webm", ".pdf": "application/pdf", ".txt": "text/plain",
    ".py": "text/x-python", ".html": "text/html", ".yaml": "application/yaml", ".yml": "application/yaml",
}
MIME_TO_EXT = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp",
               "image/svg+xml": ".svg", "image/bmp": ".bmp", "audio/wav": ".wav", "audio/x-wav": ".wav",
               "audio/wave": ".wav", "audio/mpeg": ".mp3", "audio/ogg": ".ogg", "audio/flac": ".flac",
               "video/mp4": ".mp4", "video/webm": ".webm", "application/pdf": ".pdf",
               "application/json": ".json", "text/csv": ".csv", "text/plain": ".txt",
               "text/markdown": ".md", "text/html": ".html"}


def sanitize_filename(name: str) -> str:
    """A single safe path component: no directories, no traversal, no NUL/control characters,
    no Windows-reserved names or trailing dots/spaces, at most 255 UTF-8 bytes (extension kept)."""
    text = str(name or "").replace("\\", "/")
    text = text.rsplit("/", 1)[-1]
    text = _BAD_CHARS.sub("_", text).strip().strip(".").strip()
    if not text or set(text) <= {"."}:
        text = "file"
    stem, dot, ext = text.rpartition(".")
    if not dot:
        stem, ext = text, ""
    if stem.split(".")[0].upper() in _WINDOWS_RESERVED or text.upper() in _WINDOWS_RESERVED:
        stem = "_" + stem
    ext = ("." + ext) if dot else ""
    if len(ext.encode()) > 32:  # an absurd "extension" is part of the name
        stem, ext = stem + ext, ""
    limit = 255 - len(ext.encode())
    raw = stem.encode("utf-8")
    if len(raw) > limit:
        stem = raw[:limit].decode("utf-8", "ignore").rstrip(". ") or "file"
    return stem + ext


def _inside(path: Path, base: Path) -> bool:
    return path == base or base in path.parents




def _is_artefacts_root(base: Path) -> bool:
    """`base` (resolved) is an artefacts root: it holds the ROOT_MARKER and no folder above it
    does (a run folder, which lies inside a marked root, never qualifies — a tool cannot make a
    link in its own output folder trusted by dropping a marker there)."""
    try:
        return (base / ROOT_MARKER).is_file() and not any((p / ROOT_MARKER).exists() for p in base.parents)
    except OSError:
        return False


def _linked_tool_folder(base: Path, name: str) -> Path | None:
    """The resolved target of `base/name` when `base` is the artefacts root and `name` a
    top-level tool folder that is a symlink to a directory (the user moved one tool's
    artefacts to another disk): that one link is trusted, because the user made it. Reserved
    (`_thumbs`…) and hidden names never are, and under any other root no link is."""
    if not name or name in (".", "..") or name.startswith(("_", ".")) or not _is_artefacts_root(base):
        return None
    top = base / name
    try:
        if top.is_symlink() and top.is_dir():
            return top.resolve()
    except OSError:
        return None
    return None


def safe_join(root: Path, *parts: str) -> Path:
    """root/parts…, resolved; ValueError if the result would escape root (.., absolute parts,
    symlinks pointing outside). One exception: when root is the artefacts root (it holds the
    `.pixie-artefacts` marker), a top-level tool folder that is a symlink to a directory
    (artefacts/<tool_id> → elsewhere) is allowed; paths under it must then stay inside its
    target. For deleting, use `contained_path`/`unlink_inside`, which follow no link at all
    below that one."""
    base = Path(root).resolve()
    rel = Path(*[str(p) for p in parts]) if parts else Path()
    target = base.joinpath(rel).resolve()
    if _inside(target, base):
        return target
    if not rel.is_absolute() and rel.parts:
        tool_base = _linked_tool_folder(base, rel.parts[0])
        if tool_base is not None:
            linked = tool_base.joinpath(*rel.parts[1:]).resolve()
            if _inside(linked, tool_base):
                return linked
    raise ValueError(f"path escapes {base}: {'/'.join(map(str, parts))}")


def contained_path(root: Path, rel_path: str) -> Path:
    """The path of `rel_path` under root, WITHOUT following any symlink on the way (except a
    top-level tool folder link, see `safe_join`): ValueError for an absolute path, a `..`
    part, or a folder on the way that is a symlink. The last component is not followed
    either, so the caller can lstat it and remove a link itself rather than its target."""
    rel = Path(str(rel_path).replace("\\", "/"))
    if rel.is_absolute() or not rel.parts or any(p in ("..", "") for p in rel.parts):
        raise ValueError(f"path escapes {root}: {rel_path}")
    base = Path(root).resolve()
    cur = base
    for i, part in enumerate(rel.parts[:-1]):
        nxt = cur / part
        try:
            st = os.lstat(nxt)
        except FileNotFoundError:
            return cur.joinpath(*rel.parts[i:])  # nothing there: nothing to follow or delete
        except OSError as exc:
            raise ValueError(f"cannot inspect {nxt}: {exc.strerror or exc}") from exc
        if stat.S_ISLNK(st.st_mode):
            linked = _linked_tool_folder(base, part) if i == 0 else None
            if linked is None:
                raise ValueError(f"path escapes {base} through a symlink: {rel_path}")
            nxt = linked
        elif not stat.S_ISDIR(st.st_mode):
            return nxt.joinpath(*rel.parts[i + 1:])  # a file where a folder should be: no such path
        cur = nxt
    return cur / rel.parts[-1]


def unlink_inside(root: Path, rel_path: str, *, protected: frozenset[tuple[int, int]] | set = frozenset()
                  ) -> tuple[str, str | None]:
    """Delete the file at root/rel_path without ever leaving root: no symlink is followed (a
    link found there is removed itself, never its target), folders and special files are left
    alone, and a file whose (st_dev, st_ino) is in `protected` (a starred artefact's file) is
    never removed. Returns (outcome, why):
    - ("gone", None): removed, or was not there;
    - ("kept", why): deliberately left (escapes root, crosses a symlink, a starred file) — the
      row naming it may still go;
    - ("error", why): could not remove (folder, device/FIFO, permission…) — keep the row and retry."""
    try:
        path = contained_path(root, rel_path)
    except ValueError as exc:
        return "kept", str(exc)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return "gone", None
    except OSError as exc:
        return "error", f"{path}: {exc.strerror or exc}"
    if stat.S_ISDIR(st.st_mode):
        return "error", f"{path} is a folder, not removed"
    if not (stat.S_ISREG(st.st_mode) or stat.S_ISLNK(st.st_mode)):
        return "error", f"{path} is not a regular file, not removed"
    if stat.S_ISREG(st.st_mode) and (st.st_dev, st.st_ino) in protected and (
            st.st_nlink <= 1 or os.path.realpath(path) in protected):
        # with several hard links (dedup_artefacts) removing another name leaves the starred
        # file whole; only its own name (`protected` also holds those real paths) is kept
        return "kept", f"{path} is the file of a starred artefact, not removed"
    try:
        path.unlink()  # unlinks a symlink itself, never its target
    except FileNotFoundError:
        return "gone", None
    except OSError as exc:
        return "error", f"{path}: {exc.strerror or exc}"
    return "gone", None


_SAFE_TOOL_IDS: set[str] = set()  # tool ids id_problem() passed (a check per run folder otherwise)
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")  # a run id as the app makes it

# (artefacts root, tool id) → (resolved tool folder, its (st_dev, st_ino)): the checked
# tool folder of recent runs, so a warm run's folder costs one lstat and one mkdir instead
# of resolving the whole path again (benchmarks/ui.py warm run overhead)
_TOOL_DIRS: dict[tuple[str, str], tuple[Path, tuple[int, int]]] = {}


def run_dir(settings: Any, tool_id: str, run_id: str, *, create: bool = True) -> Path:
    """artefacts_root/<tool_id>/<run_id>/ (mode 0700). Ids that could escape the root, or start
    with '_' (reserved: _thumbs, _exports…), are refused."""
    if tool_id not in _SAFE_TOOL_IDS:
        from pixie_desktop.catalog.discovery import id_problem

        problem = id_problem(tool_id)
        if problem:
            raise ValueError(problem)
        if len(_SAFE_TOOL_IDS) > 1000:
            _SAFE_TOOL_IDS.clear()
        _SAFE_TOOL_IDS.add(tool_id)
    if not _UUID.fullmatch(run_id) and (sanitize_filename(run_id) != run_id or run_id.startswith((".", "_"))):
        raise ValueError(f"not a safe run id: {run_id!r}")
    if create and os.name == "posix":
        fast = _new_run_dir_fast(str(settings.artefacts_root), tool_id, run_id)
        if fast is not None:
            return fast
    path = safe_join(Path(settings.artefacts_root), tool_id, run_id)
    if create:
        path.mkdir(parents=True, exist_ok=True)
        if os.name == "posix":
            os.chmod(path, 0o700)
        _remember_tool_dir(str(settings.artefacts_root), tool_id, path.parent)
    return path


def _remember_tool_dir(root: str, tool_id: str, tool_dir: Path) -> None:
    """Cache a tool folder safe_join accepted, when it is a real folder (not a link: the
    trusted linked tool folder keeps taking the full check)."""
    try:
        st = os.lstat(os.path.join(root, tool_id))
    except OSError:
        return
    if stat.S_ISDIR(st.st_mode) and Path(root).resolve() / tool_id == tool_dir:
        if len(_TOOL_DIRS) > 1000:
            _TOOL_DIRS.clear()
        _TOOL_DIRS[(root, tool_id)] = (tool_dir, (st.st_dev, st.st_ino))


def _new_run_dir_fast(root: str, tool_id: str, run_id: str) -> Path | None:
    """A new run folder inside a tool folder checked before: the same folder (lstat: still a
    real directory, same inode, so no link was swapped in) gets one mkdir of the run id (a
    single safe component; mkdir never follows a link at the last component). None: take the
    full path (first run of a tool, a changed tool folder, an existing run folder…)."""
    hit = _TOOL_DIRS.get((root, tool_id))
    if hit is None:
        return None
    tool_dir, ident = hit
    try:
        st = os.lstat(os.path.join(root, tool_id))
        if not stat.S_ISDIR(st.st_mode) or (st.st_dev, st.st_ino) != ident:
            _TOOL_DIRS.pop((root, tool_id), None)
            return None
        path = os.path.join(tool_dir, run_id)
        os.mkdir(path, 0o700)
        os.chmod(path, 0o700)  # a umask cannot widen the mode, but may narrow it
    except OSError:
        return None
    return tool_dir / run_id


class SymlinkRefused(ValueError):
    """atomic_write was asked to write through a symlink whose target is outside the allowed folder."""


def atomic_write(path: Path, data: bytes | Iterable[bytes], *, mode: int | None = None, symlink_within: Path | None = None) -> None:
    """Write via a temp file in the same folder, fsync, then os.replace: readers see the old
    file or the whole new one, never half. On failure the temp file is removed. `mode` (POSIX)
    is applied to the temp file before any byte is written, so a secret is never readable by
    others even for a moment.

    A symlink at `path` is replaced by the new file (the link is never followed), unless
    `symlink_within` is given: then the write goes THROUGH the link to its target when that
    target is inside `symlink_within` (e.g. a tool's `.env` linked to `secrets/dev.env` in the
    same tool folder), and SymlinkRefused says why when it points anywhere else."""
    path = Path(path)
    if symlink_within is not None and path.is_symlink():
        target = path.resolve()
        base = Path(symlink_within).resolve()
        if not _inside(target, base) or target == base:
            raise SymlinkRefused(f"{path} is a symlink to {target}, outside {base}; not written. Replace the "
                                 f"link with a regular file (or link to a file inside {base}).")
        path = target
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + path.name[:40] + ".", suffix=".partial", dir=str(path.parent))
    try:
        if mode is not None and os.name == "posix":
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            if isinstance(data, (bytes, bytearray, memoryview)):
                fh.write(data)
            else:  # chunks (a big spilled answer): written as they are produced
                for chunk in data:
                    fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:  # the temp file never got created; the original error is re-raised
            pass
        raise


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def guess_mime(path_or_name: Any) -> str:
    name = str(path_or_name)
    ext = os.path.splitext(name)[1].lower()
    if ext in _EXTRA_MIME:
        return _EXTRA_MIME[ext]
    mime, _ = mimetypes.guess_type(name, strict=False)
    return mime or "application/octet-stream"


def ext_for_mime(mime: str) -> str:
    mime = (mime or "").split(";")[0].strip().lower()
    return MIME_TO_EXT.get(mime) or mimetypes.guess_extension(mime or "") or ".bin"


def unique_path(folder: Path, filename: str) -> Path:
    """folder/filename, or folder/stem-2.ext … when that name is taken."""
    name = sanitize_filename(filename)
    candidate = safe_join(folder, name)
    stem, ext = os.path.splitext(name)
    n = 2
    while candidate.exists():
        candidate = safe_join(folder, f"{stem}-{n}{ext}")
        n += 1
    return candidate


def rel_path_for(settings: Any, path: Path) -> str:
    """`path` relative to artefacts_root (ValueError when outside). A file inside a top-level
    tool folder that is a symlink (see `safe_join`) is named through that link."""
    base = Path(settings.artefacts_root).resolve()
    resolved = Path(path).resolve()
    try:
        return resolved.relative_to(base).as_posix()
    except ValueError:  # outside the artefacts root: handled below
        pass
    try:
        entries = list(os.scandir(base))
    except OSError:
        entries = []
    for entry in entries:
        tool_base = _linked_tool_folder(base, entry.name)
        if tool_base is not None and _inside(resolved, tool_base) and resolved != tool_base:
            return (Path(entry.name) / resolved.relative_to(tool_base)).as_posix()
    raise ValueError(f"{path} is not under {base}")


def register_file(conn: sqlite3.Connection, settings: Any, *, run_id: str, tool_id: str, output_key: str,
                  path: Path, tags: str | None = None) -> ArtefactRecord:
    """Insert (or return the existing) artefacts row for a file under artefacts_root, with size,
    sha256 and MIME; the run's total_artefact_bytes grows by the file size."""
    path = Path(path)
    rel = rel_path_for(settings, path)  # ValueError when outside the root
    size = path.stat().st_size
    sha = sha256_file(path)
    if _setting(settings, "dedup_artefacts", False) and size > 0:
        dedup_with_twin(conn, settings, path, rel, size, sha)
    art_id = artefacts_repo.insert(
        conn, run_id=run_id, tool_id=tool_id, output_key=output_key or "", rel_path=rel,
        filename=path.name, mime=guess_mime(path.name), size_bytes=size, sha256=sha, tags=tags)
    rec = artefacts_repo.get(conn, art_id)
    assert rec is not None
    return rec


def _setting(settings: Any, name: str, default: Any) -> Any:
    values = getattr(settings, "values", None)
    return values.get(name, default) if isinstance(values, dict) else getattr(settings, name, default)


def dedup_with_twin(conn: sqlite3.Connection, settings: Any, path: Path, rel: str, size: int, sha: str) -> str | None:
    """The `dedup_artefacts` setting: when a live artefact already holds exactly these bytes
    (same size and sha256, re-hashed now in case its file was edited since), `path` becomes a
    hard link to that file, so identical outputs are stored once. Each row keeps its own path;
    deleting one removes one link and the bytes stay while another row still names them.
    Returns the twin's rel_path, or None (no twin, another disk, links unsupported: the copy is
    kept as it is)."""
    root = Path(settings.artefacts_root)
    rows = conn.execute("SELECT rel_path FROM artefacts WHERE sha256 = ? AND size_bytes = ? AND rel_path != ? "
                        "AND deleted_at IS NULL ORDER BY id LIMIT 5", (sha, int(size), rel)).fetchall()
    try:
        mine = os.lstat(path)
    except OSError:
        return None
    for (twin_rel,) in rows:
        try:
            twin = contained_path(root, twin_rel)
            st = os.lstat(twin)
        except (OSError, ValueError):
            continue
        if not stat.S_ISREG(st.st_mode) or st.st_size != size or st.st_dev != mine.st_dev:
            continue
        if st.st_ino == mine.st_ino:
            return twin_rel  # already one file
        if sha256_file(twin) != sha:
            continue  # edited after it was registered: not the same bytes any more
        tmp = path.with_name(f".{path.name}.dedup-{os.getpid()}.partial")
        try:
            os.link(twin, tmp)
            os.replace(tmp, path)  # atomic: the name always holds these bytes, copy or link
        except OSError:
            try:
                tmp.unlink()
            except OSError:
                pass
            return None
        return twin_rel
    return None


def folder_bytes(folder: Path | str | None, *, stop_above: int | None = None) -> int:
    """Bytes of the regular files under `folder` (symlinks not followed). Stops counting once
    past `stop_above`, so a quota check on a huge folder stays cheap. Missing folder → 0."""
    if folder is None:
        return 0
    total = 0
    stack = [str(folder)]
    while stack:
        try:
            entries = os.scandir(stack.pop())
        except OSError:
            continue
        with entries:
            for entry in entries:
                try:
                    if entry.is_symlink():
                        continue
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
                    elif entry.is_file(follow_symlinks=False):
                        total += entry.stat(follow_symlinks=False).st_size
                except OSError:
                    continue
                if stop_above is not None and total > stop_above:
                    return total
    return total
