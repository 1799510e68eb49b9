"""A run as a zip: `report.html` (the self-contained report), `run.json` (the runs row with its
inputs and outputs exactly as stored; spilled outputs as their outputs.json holds them),
`artefacts/` with every file of the run, and `inputs/` with each file input under its original
name. Names inside the archive are sanitised and made unique; only files inside the artefacts
root are read."""

from __future__ import annotations

import json
import mimetypes
import zipfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

from pixie_desktop.artefacts.input_blobs import data_url_name, is_handle
from pixie_desktop.artefacts.storage import safe_join, sanitize_filename
from pixie_desktop.export.html import render_html
from pixie_desktop.export.report import RunReport, input_blob


def _unique(name: str, taken: set[str]) -> str:
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    candidate, n = name, 2
    while candidate in taken:
        candidate = f"{stem}-{n}.{ext}" if ext else f"{stem}-{n}"
        n += 1
    taken.add(candidate)
    return candidate


def run_json(report: RunReport) -> dict[str, Any]:
    rec = report.run
    stored = asdict(rec)
    from pixie_desktop.store.db import loads

    stored["inputs"] = loads(rec.inputs_json)
    stored["outputs"] = loads(rec.outputs_json) if rec.outputs_json is not None else \
        {o.key: o.value for o in report.outputs} or None
    stored["meta"] = loads(rec.meta_json)
    stored["provenance"] = asdict(report.provenance)
    return stored


def write_zip(report: RunReport, out: Path) -> Path:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".partial")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("report.html", render_html(report))
        zf.writestr("run.json", json.dumps(run_json(report), indent=2, ensure_ascii=False, default=str))
        taken: set[str] = set()
        root = report.artefacts_root
        for art in report.artefacts:
            try:
                path = safe_join(root, art.rel_path)
            except ValueError:
                continue
            if path.is_file():
                rel = Path(art.rel_path)
                # keep the file's place inside the run folder (…/<tool>/<run>/sub/x.png → sub/x.png)
                parts = rel.parts[2:] if len(rel.parts) > 2 else (rel.name,)
                name = _unique("/".join(sanitize_filename(p) for p in parts), taken)
                zf.write(path, "artefacts/" + name)
        taken = set()
        for inp in report.inputs:
            values = inp.value if isinstance(inp.value, list) else [inp.value]
            for n, value in enumerate(values):
                if not (is_handle(value) or (isinstance(value, str) and value.startswith("data:"))):
                    continue
                got = input_blob(report, value)
                if got is None:
                    continue
                mime, data = got
                name = value.get("name") if is_handle(value) else data_url_name(value)
                if not name:
                    name = f"{inp.key}-{n + 1}{mimetypes.guess_extension(mime) or ''}"
                zf.writestr("inputs/" + _unique(sanitize_filename(str(name)), taken), data)
    tmp.replace(out)
    return out
