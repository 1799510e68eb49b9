"""Provenance of a run's inputs and outputs, described for people: one place (no Qt) that
turns a recorded input value into what the app shows — a file's original name, size, type and
where its bytes are for a thumbnail — and never a blob hash, a data URL or base64.

A recorded file input is one of (see `input_blobs`):
- a handle `{"$pixie_input": <sha256>, "mime": …, "size": …, "name": …}` (bytes in the blob store),
- an inline data URL `data:<mime>[;name=<pct-encoded>];base64,…` (small files),
- a list of either (a `multiple` input).

`source_of` says which input file an artefact came from: the only file input of the run, or the
input whose name stem the artefact's name starts with ("sunset_thumb.png" ← "sunset.jpg"). When
neither holds, it answers None: the app does not guess."""

from __future__ import annotations

import base64
import json
import mimetypes
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from pixie_desktop.units import human_bytes as human_size
from pixie_desktop.artefacts.input_blobs import (
    HANDLE_KEY,
    blob_path,
    data_url_name,
    is_handle,
)

_DATA_URL_HEAD = 2048       # a data URL's header is found within this many characters
_TEXT_LIMIT = 120           # a plain value longer than this is cut in summaries
_B64 = re.compile(r"data:[^,\s\"']{0,200},[A-Za-z0-9+/=%]{16,}")


@dataclass(frozen=True)
class InputFile:
    """One file of a recorded input, as the app shows it."""

    key: str                    # the input's key in the run's inputs
    name: str | None            # the original file name, None when none was recorded
    size: int | None            # bytes (None when unknown)
    mime: str                   # the file's type
    sha256: str | None = None   # blob-store id (handles only; never shown)
    inline: str | None = None   # the inline data URL (small files only; never shown)
    index: int = 0              # position within a `multiple` input

    @property
    def display_name(self) -> str:
        """The name to show: the original name, else "unnamed image (PNG)" style words."""
        if self.name:
            return self.name
        kind = self.mime.split("/")[0] if "/" in self.mime else "file"
        ext = (mimetypes.guess_extension(self.mime) or "").lstrip(".").upper()
        word = {"image": "image", "audio": "audio file", "video": "video"}.get(kind, "file")
        return f"unnamed {word}" + (f" ({ext})" if ext else "")

    @property
    def is_image(self) -> bool:
        return self.mime.startswith("image/")

    @property
    def stem(self) -> str:
        return PurePosixPath(self.name).stem if self.name else ""

    def label(self) -> str:
        """"sunset.jpg · 2.1 MB" (size left out when unknown)."""
        return self.display_name + (f" · {human_size(self.size)}" if self.size is not None else "")


def _is_data_url(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("data:") and "," in value[:_DATA_URL_HEAD]


def is_file_value(value: Any) -> bool:
    """A recorded value that holds files (a handle, a data URL or a non-empty list of them)."""
    items = value if isinstance(value, list) else [value]
    return bool(items) and all(is_handle(v) or _is_data_url(v) for v in items)


def _inline_size(url: str) -> int | None:
    head, _, payload = url.partition(",")
    if ";base64" in head:
        payload = payload.strip()
        return max(0, len(payload) * 3 // 4 - payload[-2:].count("="))
    return None  # percent-encoded: the length is not worth decoding for


def describe_item(key: str, item: Any, index: int = 0) -> InputFile | None:
    """One handle or data URL → InputFile; anything else → None."""
    if is_handle(item):
        size = item.get("size")
        mime = item.get("mime")
        name = item.get("name")
        return InputFile(key, name if isinstance(name, str) and name else None,
                         int(size) if isinstance(size, (int, float)) and not isinstance(size, bool) else None,
                         mime if isinstance(mime, str) and mime else "application/octet-stream",
                         sha256=str(item.get(HANDLE_KEY)), index=index)
    if _is_data_url(item):
        mime = item[5:item.index(",")].split(";")[0] or "text/plain"
        return InputFile(key, data_url_name(item), _inline_size(item), mime, inline=item, index=index)
    return None


def describe_value(key: str, value: Any) -> list[InputFile]:
    """The files in one recorded input value (empty when it is not a file input)."""
    if not is_file_value(value):
        return []
    items = value if isinstance(value, list) else [value]
    return [f for f in (describe_item(key, v, i) for i, v in enumerate(items)) if f is not None]


def input_files(inputs: dict[str, Any] | None) -> list[InputFile]:
    """Every file among a run's recorded inputs, in input order."""
    out: list[InputFile] = []
    for key, value in (inputs or {}).items():
        out.extend(describe_value(key, value))
    return out


def scrub(value: Any) -> Any:
    """`value` with any file (handle / data URL) replaced by its "name · size" words, at any
    depth: safe to show or to dump as JSON."""
    if is_handle(value) or _is_data_url(value):
        f = describe_item("", value)
        return f.label() if f is not None else "file"
    if isinstance(value, list):
        return [scrub(v) for v in value]
    if isinstance(value, dict):
        return {k: scrub(v) for k, v in value.items()}
    if isinstance(value, str) and "data:" in value:
        return _B64.sub("(embedded file)", value)
    return value


def display_value(value: Any, *, limit: int | None = None) -> str:
    """Plain text for one recorded input value: files as "name · size" (comma-separated),
    other values as text/JSON with embedded files replaced. Cut at `limit` characters."""
    files = describe_value("", value)
    if files:
        text = ", ".join(f.label() for f in files)
    elif isinstance(value, str):
        text = scrub(value)
    elif value is None:
        text = "—"
    elif isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        text = str(int(value))  # a slider's 256.0 reads as 256
    else:
        try:
            text = json.dumps(scrub(value), ensure_ascii=False, sort_keys=True, default=str)
        except (TypeError, ValueError):
            text = repr(value)
    if limit is not None and len(text) > limit:
        text = text[:max(1, limit - 1)] + "…"
    return text


def summary(inputs: dict[str, Any] | None, *, labels: dict[str, str] | None = None,
            limit: int = 200) -> str:
    """One line for a history row: files first by name, then `key: value` for the rest."""
    inputs = inputs or {}
    files = input_files(inputs)
    parts = [f.display_name for f in files]
    for key, value in inputs.items():
        if is_file_value(value) or value in (None, "", [], {}):
            continue
        name = (labels or {}).get(key, key)
        parts.append(f"{name}: {display_value(value, limit=40)}")
    text = " · ".join(parts)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def source_of(artefact_name: str, files: Iterable[InputFile]) -> InputFile | None:
    """The input file an artefact was made from: the run's only input file, else the one whose
    name stem begins the artefact's name (longest stem wins). None when it cannot be told."""
    files = list(files)
    if len(files) == 1:
        return files[0]
    stem = PurePosixPath(artefact_name or "").stem.lower()
    if not stem:
        return None
    best: InputFile | None = None
    for f in files:
        s = f.stem.lower()
        if s and (stem == s or (stem.startswith(s) and not stem[len(s)].isalnum())):
            if best is None or len(s) > len(best.stem):
                best = f
    return best


def from_label(artefact_name: str, files: Iterable[InputFile]) -> str | None:
    """"from sunset.jpg", or None when the source is unknown."""
    src = source_of(artefact_name, files)
    return f"from {src.display_name}" if src is not None else None


def source_files_of_runs(conn: Any, run_ids: Iterable[str]) -> dict[str, list[InputFile]]:
    """run id → its input files, in one query (for a page of gallery rows)."""
    ids = sorted({r for r in run_ids if r})
    out: dict[str, list[InputFile]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        for rid, text in conn.execute(f"SELECT id, inputs_json FROM runs WHERE id IN ({marks})", chunk):
            try:
                data = json.loads(text or "{}")
            except ValueError:
                data = {}
            if isinstance(data, dict) and isinstance(data.get("inputs"), dict):
                data = data["inputs"]  # the stored shape: {"run_id": …, "inputs": {…}} (runs_repo)
            out[rid] = input_files(data if isinstance(data, dict) else {})
    return out


def thumbnail_bytes(f: InputFile, artefacts_root: Path | str, *, max_bytes: int = 40 * 1024 * 1024) -> bytes | None:
    """The bytes to draw a thumbnail from (images only): the blob of a handle or the inline data
    URL decoded. None when not an image, gone, or too big to read for a thumbnail. Reads files:
    call it off the UI thread."""
    if not f.is_image:
        return None
    if f.sha256:
        try:
            path = blob_path(Path(artefacts_root), f.sha256)
            if not path.is_file() or path.stat().st_size > max_bytes:
                return None
            return path.read_bytes()
        except (OSError, ValueError):
            return None
    if f.inline:
        head, _, payload = f.inline.partition(",")
        if ";base64" not in head:
            return None
        try:
            return base64.b64decode(payload, validate=False)
        except (ValueError, TypeError):
            return None
    return None


def blob_missing(f: InputFile, artefacts_root: Path | str) -> bool:
    """A handle whose stored bytes are gone (a re-run cannot send this file again)."""
    if not f.sha256:
        return False
    try:
        return not blob_path(Path(artefacts_root), f.sha256).is_file()
    except ValueError:
        return True
