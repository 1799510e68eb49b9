"""Turning a tool's /run response into stored outputs and artefact files.

1. `normalise_response` accepts both a flat `{key: value}` body and a `{"outputs": {...}}` envelope.
2. `materialise_media` decodes data-URL media outputs (image/audio/video/file, image_grid items,
   image_compare sides) into files in the run folder and replaces them with `file://` URLs.
3. `collect_files` walks the run folder (skipping symlinks, dotfiles and *.partial) and pairs
   each file with an output key (first path segment, else the stem, if it names an output).
4. `spill_if_large` writes `outputs.json` when the serialised outputs exceed
   `inline_output_max_bytes`; `load_outputs` reads a run's outputs back, inline or spilled.

File writes happen first; the caller registers all rows in one transaction so a failure
(ENOSPC…) leaves no half-registered run."""

from __future__ import annotations

import base64
import binascii
import json
import os
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from pixie_desktop.artefacts.storage import (atomic_write, ext_for_mime, safe_join, sanitize_filename,
                                             unique_path)
from pixie_desktop.store import artefacts_repo

OUTPUTS_FILE = "outputs.json"
OUTPUTS_TAG = "_pixie_run_outputs"
MEDIA_TYPES = ("image", "audio", "video")


def normalise_response(body: Any, declared: list[str]) -> dict:
    """The outputs dict from either response shape; non-object bodies raise ValueError."""
    if not isinstance(body, dict):
        raise ValueError(f"the tool returned {type(body).__name__} JSON, expected an object keyed by output")
    inner = body.get("outputs")
    if isinstance(inner, dict) and "outputs" not in declared and not any(k in body for k in declared):
        return inner
    return body


def decode_data_url(value: str) -> tuple[str, bytes] | None:
    """(mime, bytes) for a `data:<mime>[;base64],<payload>` string, else None."""
    if not isinstance(value, str) or not value.startswith("data:") or "," not in value:
        return None
    head, payload = value[5:].split(",", 1)
    parts = head.split(";")
    mime = parts[0] or "application/octet-stream"
    try:
        if "base64" in parts[1:]:
            data = base64.b64decode(payload, validate=False)
        else:
            from urllib.parse import unquote_to_bytes

            data = unquote_to_bytes(payload)
    except (binascii.Error, ValueError):
        return None
    return mime, data


def data_url_size(value: str) -> int:
    """Decoded byte size of a base64 data URL without decoding it."""
    if not isinstance(value, str) or "," not in value:
        return 0
    payload = value.split(",", 1)[1].strip()
    return max(0, len(payload) * 3 // 4 - payload[-2:].count("="))


class _Writer:
    def __init__(self, folder: Path):
        self.folder = folder
        self.written: list[Path] = []

    def write(self, filename: str, data: bytes) -> Path:
        same = self._existing_copy(data)
        if same is not None:  # the tool already saved these bytes itself (ctx.artefact): reuse it
            return same
        path = unique_path(self.folder, filename)
        atomic_write(path, data)
        self.written.append(path)
        return path


    def _existing_copy(self, data: bytes) -> Path | None:
        if not self.folder.is_dir():
            return None
        for entry in os.scandir(self.folder):
            if entry.name.startswith(".") or entry.name.endswith(".partial") or not entry.is_file(follow_symlinks=False):
                continue
            try:
                if entry.stat().st_size == len(data) and Path(entry.path).read_bytes() == data:
                    return Path(entry.path)
            except OSError:
                continue
        return None


def _media_value(value: Any, key: str, writer: _Writer, stem: str) -> Any:
    """Replace one media value (string or {url|data}) that is a data URL with a file:// URL."""
    if isinstance(value, str):
        decoded = decode_data_url(value)
        if decoded is None:
            return value
        mime, data = decoded
        return writer.write(stem + ext_for_mime(mime), data).as_uri()
    if isinstance(value, dict):
        out = dict(value)
        for field in ("url", "data", "value", "src"):
            if isinstance(out.get(field), str) and out[field].startswith("data:"):
                out[field] = _media_value(out[field], key, writer, stem)
        return out
    return value


def materialise_media(outputs: dict, spec: Any, folder: Path) -> list[Path]:
    """Write data-URL media outputs to files in `folder` and rewrite `outputs` in place.
    Returns the files written (OSError propagates: the caller turns it into a run error)."""
    if spec is None:
        return []
    writer = _Writer(folder)
    for out in spec.outputs:
        key, kind = out.key, out.type
        if key not in outputs or outputs[key] is None:
            continue
        value = outputs[key]
        if kind in MEDIA_TYPES:
            outputs[key] = _media_value(value, key, writer, key)
        elif kind == "image_grid":
            items = value.get("images") if isinstance(value, dict) else value
            if isinstance(items, list):
                new = [_media_value(item, key, writer, f"{key}-{i}") for i, item in enumerate(items)]
                if isinstance(value, dict):
                    outputs[key] = {**value, "images": new}
                else:
                    outputs[key] = new
        elif kind == "image_compare" and isinstance(value, dict):
            outputs[key] = {**value, **{side: _media_value(value[side], key, writer, f"{key}-{side}")
                                        for side in ("before", "after") if side in value}}
        elif kind == "file" and isinstance(value, dict):
            data_field = "data" if isinstance(value.get("data"), str) else "url"
            decoded = decode_data_url(value.get(data_field, ""))
            if decoded is None:
                continue
            mime, data = decoded
            name = sanitize_filename(str(value.get("filename") or (key + ext_for_mime(mime))))
            path = writer.write(name, data)
            outputs[key] = {**value, "filename": path.name, "mime": value.get("mime") or mime,
                            "size": len(data), data_field: path.as_uri()}
    return writer.written


def referenced_files(outputs: Any, folder: Path, declared: list[str],
                     max_items: int = 10_000) -> dict[str, str]:
    """{path relative to the run folder: output key} for the files an output value points at —
    `file://` URLs (media written by `materialise_media`, or by the tool) and `{filename}` of a
    `file` output — so `report-2026.html` is filed under its output even when its name does not
    start with the key. Bounded: at most `max_items` values are looked at, nesting 4 deep."""
    from urllib.parse import unquote, urlparse

    found: dict[str, str] = {}
    if not isinstance(outputs, dict):
        return found
    base = os.path.realpath(folder)
    budget = [max_items]

    def note(text: str, key: str) -> None:
        if text.startswith("file://"):
            candidate = unquote(urlparse(text).path)
        elif "/" not in text and "\\" not in text and 0 < len(text) <= 255:
            candidate = os.path.join(folder, text)  # a bare filename in the run folder
        else:
            return
        real = os.path.realpath(candidate)
        if real.startswith(base + os.sep):
            found.setdefault(os.path.relpath(real, base), key)

    def walk(value: Any, key: str, depth: int) -> None:
        if budget[0] <= 0 or depth > 4:
            return
        budget[0] -= 1
        if isinstance(value, str):
            if value.startswith("file://"):
                note(value, key)
        elif isinstance(value, dict):
            name = value.get("filename")
            if isinstance(name, str):
                note(name, key)
            for item in value.values():
                walk(item, key, depth + 1)
        elif isinstance(value, list):
            for item in value:
                walk(item, key, depth + 1)

    for key in declared:
        if key in outputs:
            walk(outputs[key], key, 0)
    return found


def collect_files(folder: Path, declared: list[str], limit: int = 10_000,
                  known: dict[str, str] | None = None) -> list[tuple[Path, str]]:
    """(file, output_key) for every regular, non-hidden, non-partial file under the run folder.
    `known` ({relative path: key}, from `referenced_files`) wins over the name-based guess."""
    found: list[tuple[Path, str]] = []
    if not folder.is_dir():
        return found
    keys = set(declared)
    known = known or {}
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".")
                             and not os.path.islink(os.path.join(dirpath, d)))
        for name in sorted(filenames):
            if name.startswith(".") or name.endswith(".partial"):
                continue
            path = Path(dirpath) / name
            if path.is_symlink() or not path.is_file():
                continue
            try:
                safe_join(folder, path.relative_to(folder).as_posix())
            except ValueError:
                continue
            rel = path.relative_to(folder)
            first = rel.parts[0] if len(rel.parts) > 1 else None
            stem = rel.name.split(".")[0]
            key = known.get(rel.as_posix()) or (first if first in keys else (stem if stem in keys else ""))
            if not key and len(rel.parts) == 1:
                # "<key>-<n>.png" written for image_grid / image_compare items
                base = stem.rsplit("-", 1)[0]
                key = base if base in keys else ""
            found.append((path, key))
            if len(found) >= limit:
                return found
    return found


_ENCODER = json.JSONEncoder(ensure_ascii=False, default=str)  # the options serialise() uses


def _one_shot() -> Callable[[Any], str]:
    """json's C encoder with serialise()'s options, built once: JSONEncoder.encode builds a new
    one per call, which would cost more than encoding a table row. The result equals
    json.dumps(obj, ensure_ascii=False, default=str)."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # pragma: no cover - CPython always has the C accelerator
        return _ENCODER.encode

    def fresh() -> Any:
        return make({}, _ENCODER.default, json.encoder.encode_basestring, None, ": ", ", ", False, False,
                    True)

    state = [fresh()]

    def encode(obj: Any) -> str:
        if isinstance(obj, str):
            return json.encoder.encode_basestring(obj)
        try:
            return "".join(state[0](obj, 0))
        except BaseException:
            state[0] = fresh()  # its circular-reference markers may be left half-filled
            raise
    return encode


_ENCODE = _one_shot()
WALK_DEPTH = 3
CHUNK_CHARS = 256 * 1024


def serialise(outputs: Any) -> str:
    return json.dumps(outputs, ensure_ascii=False, default=str)


def iter_serialise(outputs: Any, walk_depth: int = WALK_DEPTH) -> Iterator[str]:
    """The text of serialise(outputs) in pieces: the outer `walk_depth` levels of lists/dicts
    are walked in Python and each element below is encoded by json's C encoder on its own, so
    the GIL is released between elements (one json.dumps of a 200,000-row table holds it
    ~0.1–0.2 s and freezes the UI thread). Joined, the pieces equal serialise(outputs)."""
    def walk(obj: Any, level: int) -> Iterator[str]:
        if level < walk_depth and type(obj) is list and obj:
            yield "["
            first = True
            for item in obj:
                if not first:
                    yield ", "
                first = False
                yield from walk(item, level + 1)
            yield "]"
        elif (level < walk_depth and type(obj) is dict and obj
              and all(type(k) is str for k in obj)):  # other keys: json's own key rules, one-shot
            yield "{"
            first = True
            for key, item in obj.items():
                yield ("" if first else ", ") + _ENCODE(key) + ": "
                first = False
                yield from walk(item, level + 1)
            yield "}"
        else:
            yield _ENCODE(obj)
    return walk(outputs, 0)


def _batched(pieces: Iterable[str], chars: int = CHUNK_CHARS) -> Iterator[str]:
    """Pieces joined into strings of about `chars` characters."""
    batch: list[str] = []
    size = 0
    for piece in pieces:
        batch.append(piece)
        size += len(piece)
        if size >= chars:
            yield "".join(batch)
            batch, size = [], 0
    if batch:
        yield "".join(batch)


def spill_if_large(outputs: Any, folder: Path, max_bytes: int) -> tuple[str | None, Path | None, int]:
    """(outputs_json or None, spilled file or None, serialised byte size). Serialised piece by
    piece (iter_serialise) and written chunk by chunk once it is known to be large."""
    chunks = (c.encode("utf-8") for c in _batched(iter_serialise(outputs)))
    head: list[bytes] = []
    size = 0
    for chunk in chunks:
        head.append(chunk)
        size += len(chunk)
        if size > max_bytes:
            break
    if size <= max_bytes:
        return b"".join(head).decode("utf-8"), None, size
    total = [size]

    def rest() -> Iterator[bytes]:
        yield from head
        head.clear()
        for chunk in chunks:
            total[0] += len(chunk)
            yield chunk

    path = safe_join(folder, OUTPUTS_FILE)
    atomic_write(path, rest())
    return None, path, total[0]


def spilled_paths(conn: Any, settings: Any, run: Any) -> list[Path]:
    """Where a spilled run's outputs.json may be (the recorded path first, then any registered
    outputs.json of the run); [] when the run's outputs are inline or absent. Only a database
    query: the (possibly big) file itself is for the caller to read, off the UI thread."""
    if run is None or run.outputs_json is not None or not run.meta.get("outputs_oversize"):
        return []
    rel = run.meta.get("outputs_path")
    rels = [rel] if isinstance(rel, str) else []
    rels += [a.rel_path for a in artefacts_repo.for_run(conn, run.id, include_deleted=True)
             if a.filename == OUTPUTS_FILE]
    paths: list[Path] = []
    for rel_path in rels:
        try:
            paths.append(safe_join(Path(settings.artefacts_root), rel_path))
        except ValueError:
            continue
    return paths


def read_spilled(paths: list[Path], loads: Callable[[bytes], Any] = json.loads) -> dict | None:
    """The outputs in the first readable spilled file (same shape as inline outputs), or None."""
    for path in paths:
        try:
            value = loads(path.read_bytes())
        except (OSError, ValueError):
            continue
        return value if isinstance(value, dict) else {"value": value}
    return None


def load_outputs(conn: Any, settings: Any, run: Any) -> dict | None:
    """A run's outputs, inline or spilled (same shape either way); None when there are none or
    the spilled file has gone."""
    if run is None:
        return None
    if run.outputs_json is not None:
        value = run.inline_outputs
        return value if isinstance(value, dict) else ({"value": value} if value is not None else None)
    return read_spilled(spilled_paths(conn, settings, run))
