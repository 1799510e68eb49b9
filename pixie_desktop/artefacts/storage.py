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
import tempfile
from pathlib import Path
from typing import Any

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


def safe_join(root: Path, *parts: str) -> Path:
    """root/parts…, resolved; ValueError if the result would escape root (.., absolute parts,
    symlinks pointing outside)."""
    base = Path(root).resolve()
    target = base.joinpath(*[str(p) for p in parts]).resolve()
    if target != base and base not in target.parents:
        raise ValueError(f"path escapes {base}: {'/'.join(map(str, parts))}")
    return target


def run_dir(settings: Any, tool_id: str, run_id: str, *, create: bool = True) -> Path:
    """artefacts_root/<tool_id>/<run_id>/ (mode 0700). Ids that could escape the root, or start
    with '_' (reserved: _thumbs, _exports…), are refused."""
    from pixie_desktop.catalog.discovery import id_problem

    problem = id_problem(tool_id)
    if problem:
        raise ValueError(problem)
    if sanitize_filename(run_id) != run_id or run_id.startswith((".", "_")):
        raise ValueError(f"not a safe run id: {run_id!r}")
    path = safe_join(Path(settings.artefacts_root), tool_id, run_id)
    if create:
        path.mkdir(parents=True, exist_ok=True)
        if os.name == "posix":
            os.chmod(path, 0o700)
    return path


def atomic_write(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """Write via a temp file in the same folder, fsync, then os.replace: readers see the old
    file or the whole new one, never half. On failure the temp file is removed. `mode` (POSIX)
    is applied to the temp file before any byte is written, so a secret is never readable by
    others even for a moment."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + path.name[:40] + ".", suffix=".partial", dir=str(path.parent))
    try:
        if mode is not None and os.name == "posix":
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
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
    return Path(path).resolve().relative_to(Path(settings.artefacts_root).resolve()).as_posix()


def register_file(conn: sqlite3.Connection, settings: Any, *, run_id: str, tool_id: str, output_key: str,
                  path: Path, tags: str | None = None) -> ArtefactRecord:
    """Insert (or return the existing) artefacts row for a file under artefacts_root, with size,
    sha256 and MIME; the run's total_artefact_bytes grows by the file size."""
    path = Path(path)
    rel = rel_path_for(settings, path)  # ValueError when outside the root
    size = path.stat().st_size
    art_id = artefacts_repo.insert(
        conn, run_id=run_id, tool_id=tool_id, output_key=output_key or "", rel_path=rel,
        filename=path.name, mime=guess_mime(path.name), size_bytes=size, sha256=sha256_file(path), tags=tags)
    rec = artefacts_repo.get(conn, art_id)
    assert rec is not None
    return rec


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
