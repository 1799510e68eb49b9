"""A run report as ONE self-contained HTML file: tool name, inputs (file inputs by name), every
output rendered (charts and maps as images with their data tables, tables as tables, images
inlined), the artefact list and a provenance stamp. No external reference of any kind: images
are data URIs, there are no scripts, links or stylesheets to fetch.

Every string a tool produced is escaped (html.escape); media come only through
report.resolve_media (data URLs or files inside the run's folder). `image_src` lets the PDF
bridge swap data URIs for its own resource names (QTextDocument), and `chart_format` picks SVG
(html) or PNG (pdf)."""

from __future__ import annotations

import difflib
import json
from html import escape
from typing import Any, Callable

from pixie_desktop.export.charts import MAP_TYPES, MAX_TABLE_ROWS, chart_image, chart_table
from pixie_desktop.export.report import ReportOutput, RunReport, data_uri, describe_input, resolve_media

ImageSrc = Callable[[str, bytes], str]
TEXT_TYPES = ("text", "markdown", "code", "latex", "stream_text")
MEDIA_TYPES = ("image", "audio", "video")
MAX_TEXT_CHARS = 2_000_000

CSS = """
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1d1d1f;max-width:980px;margin:24px auto;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
h3{font-size:14px;margin:18px 0 6px}.muted{color:#666}.error{color:#b00020;white-space:pre-wrap}
table{border-collapse:collapse;margin:6px 0;font-size:13px}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f4f4f6}pre{background:#f6f6f8;padding:8px;white-space:pre-wrap;word-break:break-word;font-size:12.5px}
img{max-width:100%}.card{margin:10px 0 18px}dl.prov{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;font-size:13px}
dl.prov dt{color:#666}dl.prov dd{margin:0;font-family:monospace}
"""


def _e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def _json(value: Any) -> str:
    try:
        text = json.dumps(value, indent=2, ensure_ascii=False, default=str)
    except (TypeError, ValueError, RecursionError):
        text = repr(value)
    return text[:MAX_TEXT_CHARS]


def html_table(headers: list[str], rows: list[list[Any]], *, total: int | None = None) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{_e(_cell(c))}</td>" for c in r) + "</tr>" for r in rows[:MAX_TABLE_ROWS])
    more = ""
    shown = min(len(rows), MAX_TABLE_ROWS)
    if total is not None and total > shown:
        more = f'<p class="muted">{shown} of {total} rows shown.</p>'
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}"


def _cell(v: Any) -> Any:
    if isinstance(v, (dict, list)):
        return json.dumps(v, ensure_ascii=False, default=str)[:500]
    return v


def _img(src: str, alt: str) -> str:
    return f'<img src="{_e(src)}" alt="{_e(alt)}">'


class _Renderer:
    def __init__(self, report: RunReport, image_src: ImageSrc, chart_format: str):
        self.report = report
        self.image_src = image_src
        self.chart_format = chart_format

    def media(self, src: Any, alt: str) -> str:
        if isinstance(src, dict):
            src = src.get("url") or src.get("data") or src.get("src") or src.get("value")
        got = resolve_media(self.report, src)
        if got is None:
            where = "remote" if isinstance(src, str) and src.startswith(("http://", "https://")) else "unavailable"
            return f'<p class="muted">({_e(alt)}: {where} media not embedded)</p>'
        mime, data = got
        if not mime.startswith("image/"):
            return f'<p class="muted">({_e(alt)}: {_e(mime)}, {len(data)} bytes — see artefacts)</p>'
        return _img(self.image_src(mime, data), alt)

    def output(self, out: ReportOutput) -> str:
        kind, v = out.type, out.value
        if kind in TEXT_TYPES:
            text = v.get("text", v.get("value")) if isinstance(v, dict) else v
            return f"<pre>{_e(str(text)[:MAX_TEXT_CHARS])}</pre>"
        if kind in ("number", "boolean", "progress"):
            val = v.get("value") if isinstance(v, dict) else v
            unit = getattr(out.spec, "unit", None)
            return f"<p><strong>{_e(val)}</strong>{' ' + _e(unit) if unit else ''}</p>"
        if kind in MEDIA_TYPES:
            return self.media(v, out.label)
        if kind == "image_grid":
            items = v.get("images") if isinstance(v, dict) else v
            return "".join(self.media(i, f"{out.label} {n + 1}") for n, i in enumerate(items[:200])) \
                if isinstance(items, list) else self.fallback(v)
        if kind == "image_compare" and isinstance(v, dict):
            return (f"<h3>Before</h3>{self.media(v.get('before'), out.label + ' before')}"
                    f"<h3>After</h3>{self.media(v.get('after'), out.label + ' after')}")
        if kind == "file" and isinstance(v, dict):
            return f"<p>File <strong>{_e(v.get('filename'))}</strong> ({_e(v.get('mime', ''))}) — see artefacts.</p>"
        if kind == "table" and isinstance(v, dict):
            return self.table(v, out)
        if kind == "kv" and isinstance(v, dict):
            pairs = v.get("pairs")
            if isinstance(pairs, dict):
                items = list(pairs.items())
            elif isinstance(pairs, list):
                items = [(p.get("key"), p.get("value")) if isinstance(p, dict) else tuple((list(p) + [None, None])[:2])
                         for p in pairs]
            else:
                items = []
            return html_table(["", ""], [list(i) for i in items])
        if kind == "log" and isinstance(v, dict) and isinstance(v.get("lines"), list):
            lines = [f"[{_e(x.get('level', ''))}] {_e(x.get('message', ''))}" if isinstance(x, dict) else _e(x)
                     for x in v["lines"][:MAX_TABLE_ROWS]]
            return "<pre>" + "\n".join(lines) + "</pre>"
        if kind == "diff" and isinstance(v, dict):
            diff = difflib.unified_diff(str(v.get("before", "")).splitlines(), str(v.get("after", "")).splitlines(),
                                        str(v.get("filename_before") or "before"),
                                        str(v.get("filename_after") or "after"), lineterm="")
            return f"<pre>{_e(chr(10).join(list(diff)[:MAX_TABLE_ROWS]))}</pre>"
        if kind == "timeline" and isinstance(v, dict):
            events = [e for e in v.get("events") or [] if isinstance(e, dict)]
            return html_table(["time", "title", "description"],
                              [[e.get("t", e.get("time")), e.get("title", e.get("label")),
                                e.get("description", e.get("desc"))] for e in events])
        if kind.startswith("chart_") or kind in MAP_TYPES or kind == "gantt":
            return self.chart(out)
        return self.fallback(v)

    def chart(self, out: ReportOutput) -> str:
        headers, rows = chart_table(out.type, out.value)
        pic = chart_image(out.type, out.value, out.spec, fmt=self.chart_format)
        html = _img(self.image_src(*pic), out.label) if pic else '<p class="muted">(no picture for this shape)</p>'
        if headers:
            html += f"<details open><summary>Data</summary>{html_table(headers, rows)}</details>"
        else:
            html += self.fallback(out.value)
        return html

    def table(self, v: dict, out: ReportOutput) -> str:
        cols = getattr(out.spec, "columns", None) or v.get("columns") or []
        keys: list[str] = []
        labels: list[str] = []
        for c in cols if isinstance(cols, list) else []:
            if isinstance(c, dict) and c.get("key") is not None:
                keys.append(str(c["key"]))
                labels.append(str(c.get("label") or c["key"]))
            elif isinstance(c, str):
                keys.append(c)
                labels.append(c)
            elif getattr(c, "key", None):
                keys.append(str(c.key))
                labels.append(str(getattr(c, "label", None) or c.key))
        rows = v.get("rows") if isinstance(v.get("rows"), list) else []
        if not keys and rows and isinstance(rows[0], dict):
            keys = labels = [str(k) for k in rows[0]]
        body = [[(r.get(k) if isinstance(r, dict) else (r[i] if isinstance(r, list) and i < len(r) else None))
                 for i, k in enumerate(keys)] for r in rows[:MAX_TABLE_ROWS]]
        total = v.get("total_rows") if isinstance(v.get("total_rows"), int) else len(rows)
        return html_table(labels, body, total=total)

    def fallback(self, v: Any) -> str:
        return f"<pre>{_e(_json(v))}</pre>"


def render_html(report: RunReport, *, image_src: ImageSrc | None = None, chart_format: str = "svg") -> str:
    """The whole report page. `image_src(mime, bytes)` returns what goes in an img src (a data
    URI by default)."""
    r = _Renderer(report, image_src or data_uri, chart_format)
    p = report.provenance
    parts = [f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{_e(report.title())}</title>",
             f"<style>{CSS}</style></head><body>",
             f"<h1>{_e(p.tool_name)}</h1>",
             f'<p class="muted">Run {_e(p.run_id)} · {_e(p.status)} · started {_e(p.started_at)}</p>']
    if report.label:
        parts.append(f"<p><strong>Label:</strong> {_e(report.label)}</p>")
    parts.append('<h2 id="inputs">Inputs</h2>')
    if report.inputs:
        parts.append(html_table(["Input", "Value"], [[i.label, describe_input(i)] for i in report.inputs]))
    else:
        parts.append('<p class="muted">No inputs.</p>')
    parts.append('<h2 id="outputs">Outputs</h2>')
    if report.error:
        parts.append(f'<p class="error">{_e(report.error)}</p>')
    if not report.outputs:
        parts.append('<p class="muted">No outputs recorded.</p>')
    for out in report.outputs:
        parts.append(f'<div class="card"><h3>{_e(out.label)} <span class="muted">({_e(out.type)})</span></h3>')
        parts.append(r.output(out))
        parts.append("</div>")
    parts.append('<h2 id="artefacts">Artefacts</h2>')
    if report.artefacts:
        parts.append(html_table(["File", "Output", "Type", "Bytes", "sha256"],
                                [[a.filename, a.output_key, a.mime, a.size_bytes, a.sha256] for a in report.artefacts]))
    else:
        parts.append('<p class="muted">No artefact files.</p>')
    parts.append('<h2 id="provenance">Provenance</h2><dl class="prov">')
    for label, value in (("Tool id", p.tool_id), ("Tool version", p.tool_version or "—"),
                         ("tool.json sha256", p.tool_json_sha256 or "— (tool folder not found)"),
                         ("Pixie Desktop", p.app_version), ("Run id", p.run_id), ("Status", p.status),
                         ("Started", p.started_at), ("Finished", p.finished_at or "—"), ("Host", p.host)):
        parts.append(f"<dt>{_e(label)}</dt><dd>{_e(value)}</dd>")
    parts.append("</dl></body></html>")
    return "".join(parts)
