"""What a run report holds (no Qt): the tool, the inputs (file inputs by original name), every
output value, the run's artefact files and a provenance stamp. `build_report` gathers it from
the store and the tool folder; html.py, bundle.py and the Qt PDF bridge render it.

Media are read only from data URLs in the outputs or from files inside THIS run's folder
(`resolve_media`): a tool's output can never make the report read an arbitrary path, and http(s)
URLs are never fetched (the report has no external references)."""

from __future__ import annotations

import base64
import hashlib
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from pixie_desktop import __version__
from pixie_desktop.artefacts.input_blobs import HANDLE_KEY, data_url_name, file_names, is_handle
from pixie_desktop.artefacts.spill import decode_data_url, load_outputs
from pixie_desktop.store import artefacts_repo, runs_repo
from pixie_desktop.store.artefacts_repo import ArtefactRecord
from pixie_desktop.store.runs_repo import RunRecord

MAX_MEDIA_BYTES = 25 * 1024 * 1024  # one inlined image; bigger ones are listed, not embedded
FILE_INPUT_TYPES = ("file", "image", "audio")


class ReportError(Exception):
    """The run cannot be reported (unknown id)."""


@dataclass
class Provenance:
    tool_id: str
    tool_name: str
    tool_version: str | None
    tool_json_sha256: str | None
    app_version: str
    run_id: str
    status: str
    started_at: str
    finished_at: str | None
    host: str


@dataclass
class ReportInput:
    key: str
    label: str
    type: str
    value: Any                      # as recorded (handles, data URLs…)
    files: list[str] = field(default_factory=list)  # original names of file inputs


@dataclass
class ReportOutput:
    key: str
    label: str
    type: str
    value: Any
    spec: Any = None                # the OutputSpec when the tool.json declares it


@dataclass
class RunReport:
    run: RunRecord
    provenance: Provenance
    inputs: list[ReportInput]
    outputs: list[ReportOutput]
    artefacts: list[ArtefactRecord]
    artefacts_root: Path
    label: str | None = None
    error: str | None = None

    @property
    def run_folder(self) -> Path:
        return self.artefacts_root / self.run.tool_id / self.run.id

    def title(self) -> str:
        return f"{self.provenance.tool_name} — run {self.run.id[:8]}"


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def build_report(conn: Any, settings: Any, run_id: str, tool: Any = None) -> RunReport:
    """Gather one run's report. `tool` is its ToolInfo (labels, types, version, tool.json); a
    run of a tool that is gone is still reported, with keys for labels."""
    rec = runs_repo.get_run(conn, run_id)
    if rec is None:
        raise ReportError(f"no run with id {run_id!r}")
    spec = getattr(tool, "spec", None)
    in_specs = {i.key: i for i in (spec.inputs if spec else [])}
    out_specs = {o.key: o for o in (spec.outputs if spec else [])}
    inputs: list[ReportInput] = []
    for key, value in rec.inputs.items():
        ispec = in_specs.get(key)
        kind = ispec.type if ispec else ("file" if _looks_like_file(value) else "text")
        files = file_names(value) if (kind in FILE_INPUT_TYPES or _looks_like_file(value)) else []
        inputs.append(ReportInput(key, ispec.label if ispec else key, kind, value, files))
    raw = load_outputs(conn, settings, rec) or {}
    outputs: list[ReportOutput] = []
    for key in list(out_specs) + [k for k in raw if k not in out_specs]:
        if key not in raw or key.startswith("_"):
            continue
        ospec = out_specs.get(key)
        outputs.append(ReportOutput(key, ospec.label if ospec else key, ospec.type if ospec else "json",
                                    raw[key], ospec))
    tool_json = Path(tool.path) / "tool.json" if tool is not None else None
    meta = rec.meta
    prov = Provenance(
        tool_id=rec.tool_id, tool_name=(getattr(tool, "name", None) or rec.tool_id),
        tool_version=getattr(spec, "version", None) if spec else None,
        tool_json_sha256=_sha256(tool_json) if tool_json else None, app_version=__version__,
        run_id=rec.id, status=rec.status, started_at=rec.started_at, finished_at=rec.finished_at,
        host=str(meta.get("owner_host") or socket.gethostname()))
    return RunReport(run=rec, provenance=prov, inputs=inputs, outputs=outputs,
                     artefacts=artefacts_repo.for_run(conn, rec.id), artefacts_root=Path(settings.artefacts_root),
                     label=rec.label, error=rec.error_text)


def _looks_like_file(value: Any) -> bool:
    items = value if isinstance(value, list) else [value]
    return bool(items) and all(is_handle(v) or (isinstance(v, str) and v.startswith("data:")) for v in items)


def describe_input(inp: ReportInput) -> str:
    """Plain text for one input: file inputs by name (size when no name was recorded)."""
    if inp.files or _looks_like_file(inp.value):
        items = inp.value if isinstance(inp.value, list) else [inp.value]
        parts = []
        for item in items:
            name = item.get("name") if is_handle(item) else data_url_name(item)
            size = item.get("size") if is_handle(item) else None
            parts.append(str(name) if name else f"unnamed file{f' ({size} bytes)' if size else ''}")
        return ", ".join(parts)
    if isinstance(inp.value, str):
        return inp.value
    import json

    return json.dumps(inp.value, ensure_ascii=False, default=str)


def resolve_media(report: RunReport, src: Any) -> tuple[str, bytes] | None:
    """(mime, bytes) of a media output: a data URL, or a file:// URL / path INSIDE this run's
    folder. Anything else (http, paths elsewhere, too big) gives None."""
    if not isinstance(src, str):
        return None
    if src.startswith("data:"):
        if len(src) > MAX_MEDIA_BYTES * 4 // 3 + 1024:
            return None
        return decode_data_url(src)
    if src.startswith("file://"):
        path = Path(unquote(urlparse(src).path))
    elif src.startswith("/"):
        path = Path(src)
    else:
        return None
    try:
        real = path.resolve(strict=True)
        folder = report.run_folder.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not real.is_relative_to(folder) or not real.is_file() or real.stat().st_size > MAX_MEDIA_BYTES:
        return None
    import mimetypes

    mime = mimetypes.guess_type(real.name)[0] or "application/octet-stream"
    try:
        return mime, real.read_bytes()
    except OSError:
        return None


def data_uri(mime: str, data: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def input_blob(report: RunReport, value: Any) -> tuple[str, bytes] | None:
    """The bytes of one recorded file input (a handle's blob, or an inline data URL)."""
    if is_handle(value):
        from pixie_desktop.artefacts.input_blobs import blob_path

        try:
            data = blob_path(report.artefacts_root, value[HANDLE_KEY]).read_bytes()
        except (OSError, ValueError):
            return None
        return str(value.get("mime") or "application/octet-stream"), data
    if isinstance(value, str) and value.startswith("data:"):
        return decode_data_url(value)
    return None
