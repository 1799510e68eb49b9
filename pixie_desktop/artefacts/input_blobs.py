"""File inputs kept out of the database. A dropped file reaches the tool as a data URL (the
contract), but storing a 50 MB data URL in `runs.inputs_json` / `tool_state.last_inputs_json`
would bloat the database and every history query. Instead the recorded inputs hold a small
handle, and the bytes live once, content-addressed, under `artefacts/_inputs/<sha[:2]>/<sha>`.

`compact_inputs` makes the handles when a run is recorded; `expand_inputs` turns them back
into data URLs when inputs are reloaded (re-run, "load inputs", form pre-fill). A handle whose
blob is gone expands to nothing, so the field is simply empty rather than wrong.

Original file names: the app's file widgets add a `name=<percent-encoded>` parameter to the data
URL header (RFC 2397 allows parameters). It is recorded — a named data URL always becomes a
handle with a plain `name` leaf, which the search index and run reports read — and
`wire_inputs` strips it before the request, so a tool still receives exactly
`data:<mime>;base64,…` (the contract)."""

from __future__ import annotations

import base64
import hashlib
import re
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from pixie_desktop.artefacts.spill import decode_data_url
from pixie_desktop.artefacts.storage import atomic_write
from pixie_desktop.manifest.model import ToolSpec

INPUTS_DIRNAME = "_inputs"
HANDLE_KEY = "$pixie_input"
INLINE_LIMIT = 4096  # data URLs up to this many characters stay inline (tiny files, validator probes)
_SHA = re.compile(r"^[0-9a-f]{64}$")


def blob_path(artefacts_root: Path, sha: str) -> Path:
    if not _SHA.match(sha):
        raise ValueError(f"not a sha256: {sha!r}")
    return artefacts_root / INPUTS_DIRNAME / sha[:2] / sha


def is_handle(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get(HANDLE_KEY), str)


def _header(value: Any) -> list[str] | None:
    if not (isinstance(value, str) and value.startswith("data:") and "," in value[:2048]):
        return None
    return value[5:value.index(",")].split(";")


def data_url_name(value: Any) -> str | None:
    """The original file name a data URL carries in its `name=` parameter, else None."""
    parts = _header(value)
    for part in (parts or [])[1:]:
        if part.startswith("name="):
            return unquote(part[5:]) or None
    return None


def with_name(data_url: str, name: str | None) -> str:
    """`data_url` with its `name=` parameter set to `name` (percent-encoded; ';' and ',' too)."""
    parts = _header(data_url)
    if parts is None:
        return data_url
    kept = [p for p in parts if not p.startswith("name=")]
    if name:
        kept.insert(1, "name=" + quote(name, safe=""))
    return "data:" + ";".join(kept) + data_url[data_url.index(","):]


def without_name(value: Any) -> Any:
    parts = _header(value)
    if parts is None or not any(p.startswith("name=") for p in parts[1:]):
        return value
    return with_name(value, None)


def wire_inputs(spec: ToolSpec | None, inputs: dict[str, Any]) -> dict[str, Any]:
    """What the tool receives: file inputs' data URLs without the app's `name=` parameter."""
    if spec is None:
        return inputs
    out = dict(inputs)
    for ispec in spec.file_inputs:
        value = out.get(ispec.key)
        if isinstance(value, list):
            out[ispec.key] = [without_name(v) for v in value]
        elif value is not None:
            out[ispec.key] = without_name(value)
    return out


def file_names(value: Any) -> list[str]:
    """Original names in a recorded file input value (handle, data URL or a list of them)."""
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        name = item.get("name") if is_handle(item) else data_url_name(item)
        if isinstance(name, str) and name:
            names.append(name)
    return names


def _store(artefacts_root: Path, value: Any) -> Any:
    if not (isinstance(value, str) and value.startswith("data:")):
        return value
    name = data_url_name(value)
    if len(value) <= INLINE_LIMIT and name is None:
        return value
    decoded = decode_data_url(value)
    if decoded is None:
        return value
    mime, data = decoded
    sha = hashlib.sha256(data).hexdigest()
    path = blob_path(artefacts_root, sha)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, data)
    handle: dict[str, Any] = {HANDLE_KEY: sha, "mime": mime, "size": len(data)}
    if name:
        handle["name"] = name
    return handle


def compact_inputs(spec: ToolSpec, inputs: dict[str, Any], artefacts_root: Path) -> dict[str, Any]:
    """A copy of `inputs` in which large data URLs of file/image/audio inputs are replaced by
    handles (their bytes written to the blob store first)."""
    out = dict(inputs)
    for ispec in spec.file_inputs:
        value = out.get(ispec.key)
        if isinstance(value, list):
            out[ispec.key] = [_store(artefacts_root, v) for v in value]
        elif value is not None:
            out[ispec.key] = _store(artefacts_root, value)
    return out


def _load(artefacts_root: Path, value: Any) -> Any:
    if not is_handle(value):
        return value
    try:
        data = blob_path(artefacts_root, value[HANDLE_KEY]).read_bytes()
    except (OSError, ValueError):
        return None
    mime = value.get("mime") if isinstance(value.get("mime"), str) else "application/octet-stream"
    url = f"data:{mime};base64," + base64.b64encode(data).decode("ascii")
    return with_name(url, value["name"]) if isinstance(value.get("name"), str) else url


def expand_inputs(inputs: dict[str, Any], artefacts_root: Path) -> dict[str, Any]:
    """Handles back to data URLs; keys whose blob is missing are dropped."""
    out: dict[str, Any] = {}
    for key, value in inputs.items():
        if isinstance(value, list) and any(is_handle(v) for v in value):
            items = [v for v in (_load(artefacts_root, x) for x in value) if v is not None]
            if items:
                out[key] = items
            continue
        loaded = _load(artefacts_root, value)
        if loaded is not None:
            out[key] = loaded
    return out


def referenced_shas(conn: sqlite3.Connection) -> set[str]:
    """Every blob sha named by a handle in a run's inputs or a tool's last inputs (one pass over
    the rows that hold any handle at all)."""
    pattern = re.compile(r'"\$pixie_input":\s*"([0-9a-f]{64})"')
    shas: set[str] = set()
    like = f"%{HANDLE_KEY}%"
    for (text,) in conn.execute("SELECT inputs_json FROM runs WHERE inputs_json LIKE ?", (like,)):
        shas.update(pattern.findall(text or ""))
    for (text,) in conn.execute("SELECT last_inputs_json FROM tool_state WHERE last_inputs_json LIKE ?", (like,)):
        shas.update(pattern.findall(text or ""))
    return shas


def unreferenced_blobs(conn: sqlite3.Connection, artefacts_root: Path) -> list[Path]:
    """Blobs that no run and no tool's last inputs mention any more (safe to delete)."""
    folder = artefacts_root / INPUTS_DIRNAME
    if not folder.is_dir():
        return []
    used = referenced_shas(conn)
    return [path for path in folder.glob("??/*") if _SHA.match(path.name) and path.name not in used]
