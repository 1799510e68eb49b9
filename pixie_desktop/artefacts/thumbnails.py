"""Thumbnail decisions without Qt: which kind a file is, which generator applies, where its
cached thumbnail lives and whether a cached one is still valid.

Thumbnails are content-addressed: `artefacts/_thumbs/<sha[:2]>/<sha>-<edge>.png`. A changed
file has a new sha256, so it gets a new path and the old one is simply never asked for again
(the sweeper removes thumbnails whose sha no longer has a row). `thumb_path` in the database
holds the path relative to artefacts_root. The Qt generator lives in `pixie_desktop.ui.thumbnails`.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path, PurePosixPath

from pixie_desktop.artefacts.queries import TABLE_MIMES, TEXT_APP_MIMES
from pixie_desktop.artefacts.reading import read_prefix, regular_file_size

THUMBS_DIRNAME = "_thumbs"
_SHA_RE = re.compile(r"^[0-9a-f]{16,128}$")

# Extensions that are text even when the mime says octet-stream (tools write odd mimes).
TEXT_EXTENSIONS = frozenset({
    ".txt", ".md", ".log", ".py", ".json", ".jsonl", ".yaml", ".yml", ".toml", ".ini", ".cfg", ".xml",
    ".html", ".css", ".js", ".ts", ".sh", ".sql", ".tex", ".diff", ".patch", ".rst", ".c", ".h", ".cpp",
    ".rs", ".go", ".java", ".r", ".geojson", ".gpx", ".kml",
})
TABLE_EXTENSIONS = frozenset({".csv", ".tsv"})


def mime_kind(mime: str | None, filename: str | None = None) -> str:
    """One of queries.MIME_KINDS. Mirrors `queries.mime_kind_sql` for the mime; the filename
    only rescues generic mimes (octet-stream) so odd tool output still previews."""
    m = (mime or "").strip().lower()
    if m.startswith("image/svg"):
        return "svg"
    if m.startswith("image/"):
        return "image"
    if m == "application/pdf":
        return "pdf"
    if m.startswith("video/"):
        return "video"
    if m.startswith("audio/"):
        return "audio"
    if m in TABLE_MIMES:
        return "table"
    if m.startswith("text/") or m in TEXT_APP_MIMES or m.endswith("+json") or m.endswith("+xml"):
        return "text"
    if filename and m in ("", "application/octet-stream"):
        ext = PurePosixPath(filename).suffix.lower()
        if ext in TABLE_EXTENSIONS:
            return "table"
        if ext in TEXT_EXTENSIONS:
            return "text"
    return "other"


def preview_kind(mime: str | None, filename: str | None = None) -> str:
    """Like mime_kind, but JSON previews as a table when it is tabular (decided by the viewer)."""
    kind = mime_kind(mime, filename)
    if kind == "text" and (filename or "").lower().endswith((".json", ".jsonl")):
        return "json"
    return kind


def generator_for(kind: str, *, ffmpeg_available: bool | None = None) -> str | None:
    """Which generator makes a thumbnail for a kind: "image", "pdf", "svg", "text", "table"
    (rendered like text), "video" (only with ffmpeg on PATH) — or None (placeholder only)."""
    if kind in ("image", "pdf", "svg", "text"):
        return kind
    if kind == "table":
        return "text"
    if kind == "video":
        has = shutil.which("ffmpeg") is not None if ffmpeg_available is None else ffmpeg_available
        return "video" if has else None
    return None


def thumb_rel_path(sha256: str, edge: int) -> str:
    """Cache path relative to artefacts_root (forward slashes, as stored in thumb_path)."""
    sha = (sha256 or "").strip().lower()
    if not _SHA_RE.match(sha):
        raise ValueError(f"not a sha256 hex digest: {sha256!r}")
    return f"{THUMBS_DIRNAME}/{sha[:2]}/{sha}-{int(edge)}.png"


def thumb_abs_path(artefacts_root: Path, sha256: str, edge: int) -> Path:
    return Path(artefacts_root) / thumb_rel_path(sha256, edge)


def cached_thumb(artefacts_root: Path, sha256: str, edge: int) -> Path | None:
    """The cached thumbnail file for this content and size, if one exists and is non-empty."""
    try:
        path = thumb_abs_path(artefacts_root, sha256, edge)
    except ValueError:
        return None
    try:
        return path if path.stat().st_size > 0 else None
    except OSError:
        return None


def thumbs_for_sha(artefacts_root: Path, sha256: str) -> list[Path]:
    """Every cached size of one content hash (the sweeper removes them together)."""
    sha = (sha256 or "").strip().lower()
    if not _SHA_RE.match(sha):
        return []
    folder = Path(artefacts_root) / THUMBS_DIRNAME / sha[:2]
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob(f"{sha}-*.png") if p.is_file())


def can_generate_from(path: Path, max_bytes: int = 512 * 1024 * 1024) -> bool:
    """True when `path` is a regular file no bigger than max_bytes: only then may a decoder
    that opens the file itself (images, PDF, SVG, ffmpeg) be pointed at it — never a device,
    FIFO or socket, which would block or never end."""
    size = regular_file_size(path)
    return size is not None and size <= max_bytes


def is_current(thumb_path: str | None, sha256: str, edge: int) -> bool:
    """True when the row's stored thumb_path is the content-addressed path for its sha and
    edge (a stale path from older content or another size means regenerate/re-point)."""
    try:
        return bool(thumb_path) and thumb_path == thumb_rel_path(sha256, edge)
    except ValueError:
        return False


def text_excerpt(path: Path, max_lines: int = 14, max_chars: int = 80, max_bytes: int = 16_384) -> list[str]:
    """The first lines of a text file for a text thumbnail, decoded leniently and bounded so a
    huge single-line file costs no more than max_bytes. A device, FIFO or socket gives [] at
    once (`reading.read_prefix`)."""
    try:
        data = read_prefix(path, max_bytes)
    except OSError:
        return []
    text = data.decode("utf-8", errors="replace").replace("\t", "    ").replace("\r\n", "\n")
    return [line[:max_chars] for line in text.split("\n")[:max_lines]]
