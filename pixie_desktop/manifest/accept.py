"""Which files a file-like input takes — one rule for every route a file can reach a tool by:
the form's drop zone and browse dialog, a drop on the window or on a sidebar tool
(matching/suggest.py) and the data URLs `run` checks before sending (runtime/inputs.py).

- An `accept` list is honoured on every file-like type (`file`, `image`, `audio`), like an HTML
  accept attribute: `.ext`, `type/*`, an exact mime type, or a bare extension `csv`.
- An `image` input without `accept` takes the common raster types (DEFAULT_IMAGE: PNG, JPEG,
  GIF, BMP, WebP) — what a tool that decodes images with the usual libraries (Pillow, Qt,
  imageio) reads. Vector (SVG), camera (HEIC) and other formats need an explicit `accept`.
- An `audio` input without `accept` takes any `audio/*`; a `file` input without it, anything.
- `image`/`audio` inputs only ever take their own media kind."""

from __future__ import annotations

import mimetypes
import os
from typing import Any

DEFAULT_IMAGE = ("image/png", "image/jpeg", "image/gif", "image/bmp", "image/webp")
DEFAULT_AUDIO = ("audio/*",)
_KIND_PREFIX = {"image": "image/", "audio": "audio/"}
_EXTRA = {".webp": "image/webp", ".flac": "audio/flac", ".m4a": "audio/mp4", ".tsv": "text/tab-separated-values",
          ".md": "text/markdown", ".parquet": "application/vnd.apache.parquet", ".jsonl": "application/jsonl"}
UNKNOWN = "application/octet-stream"


def mime_of(name: str) -> str:
    ext = os.path.splitext(str(name))[1].lower()
    if ext in _EXTRA:
        return _EXTRA[ext]
    mime, _ = mimetypes.guess_type(str(name), strict=False)
    return mime or UNKNOWN


def declared_patterns(spec: Any) -> list[str]:
    """The input's own accept tokens, split on commas, lower-cased."""
    out: list[str] = []
    for a in getattr(spec, "accept", None) or []:
        out.extend(p.strip().lower() for p in str(a).split(",") if p.strip())
    return out


def accept_patterns(spec: Any) -> list[str]:
    """What the input takes: its declared list, else the default for its type ([] = anything)."""
    declared = declared_patterns(spec)
    if declared:
        return declared
    return list(DEFAULT_IMAGE if spec.type == "image" else DEFAULT_AUDIO if spec.type == "audio" else ())


def _pattern_matches(pattern: str, name: str | None, mime: str) -> bool | None:
    """True/False, or None when it cannot tell (an extension pattern, no file name, and a mime
    type that maps to no known extension)."""
    if pattern.endswith("/*"):
        return mime.startswith(pattern[:-1])
    if "/" in pattern:
        return mime == pattern
    ext = pattern if pattern.startswith(".") else "." + pattern
    if name:
        return name.lower().endswith(ext)
    ext_mime = mime_of("x" + ext)
    return None if ext_mime == UNKNOWN else ext_mime == mime


def file_problem(spec: Any, name: str | None, mime: str | None = None) -> str | None:
    """Why a file (by name and/or mime type) does not fit input `spec`; None if it fits. With a
    name only the mime is guessed from it; with a mime only (a data URL) an unknown type is given
    the benefit of the doubt (the tool still sees its bytes and can refuse them)."""
    mime = (mime or (mime_of(name) if name else UNKNOWN)).split(";")[0].strip().lower() or UNKNOWN
    shown = os.path.basename(name) if name else f"a {mime} file"
    prefix = _KIND_PREFIX.get(spec.type)
    if prefix and not mime.startswith(prefix) and not (name is None and mime == UNKNOWN):
        return f"{shown} is not {'an image' if spec.type == 'image' else 'an audio file'}"
    patterns = accept_patterns(spec)
    if not patterns:
        return None
    verdicts = [_pattern_matches(p, name, mime) for p in patterns]
    if any(v is True for v in verdicts):
        return None
    if name is None and (mime == UNKNOWN or any(v is None for v in verdicts)):
        return None  # cannot tell from a bare data URL: let the tool decide
    return f"{shown} is not one of {', '.join(patterns)}"


def data_url_mime(url: str) -> str | None:
    if not isinstance(url, str) or not url.startswith("data:") or "," not in url:
        return None
    return url[5:].split(",", 1)[0].split(";")[0].strip().lower() or UNKNOWN
