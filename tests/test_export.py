"""Run reports: a self-contained, escaped HTML page (inputs by name, every output, artefacts,
provenance), a PDF Qt can load, a zip whose files match the recorded sha256, and the CLI."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import write_tool
from pixie_desktop.artefacts.input_blobs import compact_inputs, with_name
from pixie_desktop.artefacts.storage import register_file, run_dir
from pixie_desktop.catalog.discovery import Discovery, find_tool
from pixie_desktop.export import build_report, export_run
from pixie_desktop.export.html import render_html
from pixie_desktop.manifest.parse import parse_tool_file
from pixie_desktop.store import runs_repo
from pixie_desktop.store.db import dumps

DATA = Path(__file__).parent / "data"
sys.path.insert(0, str(DATA))
from sample_outputs import IMG_A, sample_outputs  # noqa: E402

CSV = b"city,temp\nOslo,3\nLima,19\n"
TOOL = {
    "id": "reporter", "name": "Weather <Reporter>", "description": "reports", "version": "1.4.2",
    "inputs": [{"key": "city", "type": "text", "label": "City"},
               {"key": "data", "type": "file", "label": "Data file"}],
    "outputs": [{"key": "summary", "type": "text", "label": "Summary"},
                {"key": "temps", "type": "table", "label": "Temperatures"},
                {"key": "trend", "type": "chart_line", "label": "Trend"},
                {"key": "photo", "type": "image", "label": "Photo"},
                {"key": "stolen", "type": "image", "label": "Stolen"},
                {"key": "remote", "type": "image", "label": "Remote"}],
}
URL_ATTR = re.compile(r"""\b(?:src|href)\s*=\s*(["']?)([^"'\s>]*)""", re.IGNORECASE)


def external_refs(html: str) -> list[str]:
    return [m.group(2) for m in URL_ATTR.finditer(html)
            if not (m.group(2).startswith("data:") or m.group(2).startswith("#"))]


@pytest.fixture
def run(ctx, tools_dir, tmp_path):
    folder = write_tool(tools_dir, "reporter", TOOL)
    tool = find_tool(Discovery(tools_dir).scan(), "reporter")
    assert tool is not None and tool.ok, tool.error if tool else "no tool"
    settings = ctx.settings
    inputs = {"city": "Oslo & <Lima>", "data": with_name("data:text/csv;base64," + __import__("base64")
                                                         .b64encode(CSV).decode(), "weather 2026.csv")}
    recorded = compact_inputs(tool.spec, inputs, settings.artefacts_root)
    runs_repo.create_run(ctx.conn, "run-1", "reporter", recorded, started_at="2026-03-01T10:00:00+00:00")
    rdir = run_dir(settings, "reporter", "run-1")
    (rdir / "photo.png").write_bytes(__import__("base64").b64decode(IMG_A.split(",", 1)[1]))
    (rdir / "sub").mkdir()
    (rdir / "sub" / "notes.txt").write_text("side file")
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG secret bytes")
    outputs = {"summary": "<script>alert('x')</script> cold in Oslo",
               "temps": {"columns": [{"key": "city", "label": "City"}, {"key": "temp", "label": "°C"}],
                         "rows": [{"city": "Oslo", "temp": 3}, {"city": "<b>Lima</b>", "temp": 19}]},
               "trend": {"x": [1, 2, 3], "series": [{"name": "Oslo", "y": [1.5, 2.5, 3.5]}]},
               "photo": (rdir / "photo.png").as_uri(),
               "stolen": secret.as_uri(),
               "remote": "https://example.com/x.png"}
    runs_repo.finish_run(ctx.conn, "run-1", "ok", outputs_json=dumps(outputs))
    runs_repo.set_label(ctx.conn, "run-1", "monday <check>")
    arts = [register_file(ctx.conn, settings, run_id="run-1", tool_id="reporter", output_key=key, path=path)
            for key, path in (("photo", rdir / "photo.png"), ("", rdir / "sub" / "notes.txt"))]
    return {"tool": tool, "folder": folder, "artefacts": arts, "settings": settings}


def test_html_is_self_contained_escaped_and_complete(ctx, run, tmp_path):
    out = export_run(ctx.conn, ctx.settings, "run-1", "html", tmp_path / "r.html", tool=run["tool"])
    html = out.read_text(encoding="utf-8")
    assert external_refs(html) == []
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert" in html and "Weather &lt;Reporter&gt;" in html
    # inputs: text and the file input by its original name
    assert "Oslo &amp; &lt;Lima&gt;" in html and "weather 2026.csv" in html and "Data file" in html
    # outputs: text, a real table, the chart as an image with its data table, the image inlined
    assert "cold in Oslo" in html
    assert "<th>°C</th>" in html and "<td>&lt;b&gt;Lima&lt;/b&gt;</td>" in html
    assert html.count('src="data:image/svg+xml;base64,') == 1 and "<td>3.5</td>" in html
    assert html.count('src="data:image/png;base64,') == 1
    # a file outside the run's folder and a remote URL are never embedded
    assert "secret bytes" not in html and "c2VjcmV0" not in html
    assert "remote media not embedded" in html and "example.com" not in html
    # artefacts listed, provenance stamped
    for art in run["artefacts"]:
        assert art.filename in html and art.sha256 in html
    sha = hashlib.sha256((run["folder"] / "tool.json").read_bytes()).hexdigest()
    from pixie_desktop import __version__

    for text in ("reporter", "1.4.2", sha, __version__, "run-1", "2026-03-01T10:00:00+00:00", "monday &lt;check&gt;"):
        assert text in html, text
    host = runs_repo.get_run(ctx.conn, "run-1").meta["owner_host"]
    assert host in html


def test_every_output_type_renders_self_contained(ctx, tmp_path):
    spec = parse_tool_file(DATA / "all-outputs.tool.json")
    runs_repo.create_run(ctx.conn, "all", spec.id, {})
    runs_repo.finish_run(ctx.conn, "all", "ok", outputs_json=dumps(sample_outputs(spec)))
    tool = type("T", (), {"spec": spec, "name": spec.name, "path": DATA / "nowhere"})()
    report = build_report(ctx.conn, ctx.settings, "all", tool)
    assert {o.type for o in report.outputs} == {o.type for o in spec.outputs}
    html = render_html(report)
    assert external_refs(html) == []
    for out in spec.outputs:
        assert f"({out.type})" in html
    assert html.count("data:image/svg+xml") >= 8   # the chart types drawn


def test_zip_holds_report_run_json_artefacts_and_named_inputs(ctx, run, tmp_path):
    out = export_run(ctx.conn, ctx.settings, "run-1", "zip", tmp_path / "r.zip", tool=run["tool"])
    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
        assert {"report.html", "run.json", "artefacts/photo.png", "artefacts/sub/notes.txt",
                "inputs/weather 2026.csv"} <= names
        assert external_refs(zf.read("report.html").decode()) == []
        stored = runs_repo.get_run(ctx.conn, "run-1")
        data = json.loads(zf.read("run.json"))
        assert data["inputs"] == json.loads(stored.inputs_json)
        assert data["outputs"] == json.loads(stored.outputs_json)
        assert data["id"] == "run-1" and data["provenance"]["tool_version"] == "1.4.2"
        for art in run["artefacts"]:
            member = "artefacts/" + ("sub/notes.txt" if art.filename == "notes.txt" else art.filename)
            assert hashlib.sha256(zf.read(member)).hexdigest() == art.sha256
        assert zf.read("inputs/weather 2026.csv") == CSV
    assert not list(tmp_path.glob("*.partial"))


def test_pdf_is_valid_and_renders(qapp, ctx, run, tmp_path):
    from PySide6.QtPdf import QPdfDocument

    from pixie_desktop.ui.export_pdf import export_pdf

    out = export_pdf(ctx.conn, ctx.settings, "run-1", tmp_path / "r.pdf", tool=run["tool"])
    assert out.read_bytes().startswith(b"%PDF")
    doc = QPdfDocument()
    assert doc.load(str(out)) == QPdfDocument.Error.None_
    assert doc.pageCount() >= 1
    text = " ".join(doc.getAllText(i).text() for i in range(doc.pageCount()))
    assert "Weather <Reporter>" in text and "weather 2026.csv" in text and "run-1" in text
    doc.close()


def test_unknown_run_is_a_clear_error(ctx, tmp_path):
    from pixie_desktop.export import ReportError

    with pytest.raises(ReportError):
        export_run(ctx.conn, ctx.settings, "nope", "html", tmp_path / "x.html")


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pixie_desktop", *args], capture_output=True, text=True,
                          timeout=180)


def test_cli_export_html_zip_pdf(run, tmp_path):
    for fmt in ("html", "zip", "pdf"):
        target = tmp_path / f"out.{fmt}"
        proc = cli("export", "run-", "--format", fmt, "--out", str(target))  # a unique prefix is enough
        assert proc.returncode == 0, proc.stderr
        assert target.is_file() and target.stat().st_size > 0
    assert (tmp_path / "out.pdf").read_bytes().startswith(b"%PDF")
    missing = cli("export", "no-such-run", "--out", str(tmp_path / "x.html"))
    assert missing.returncode == 1 and "No run matches" in missing.stderr


def _action(menu, name):
    return next(a for a in menu.actions() if a.objectName() == name)


def test_history_context_menu_exports_off_the_ui_thread(qtbot, ctx, run, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    from pixie_desktop.ui import workers
    from pixie_desktop.ui.store_events import StoreEvents
    from pixie_desktop.ui.views.history import HistoryView

    view = HistoryView(ctx, StoreEvents())
    qtbot.addWidget(view)
    view.table.selectRow(0)
    menu = view.context_menu(view.model.index(0, 0))
    target = tmp_path / "chosen"  # the suffix is added when the dialog's name lacks it
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    seen: list[object] = []
    real_submit = workers.submit
    monkeypatch.setattr(workers, "submit", lambda *a, **k: seen.append(a[0]) or real_submit(*a, **k))
    _action(menu, "run.export.zip").trigger()
    qtbot.waitUntil(lambda: (tmp_path / "chosen.zip").is_file(), timeout=15_000)
    assert seen and seen[0].__name__ == "export_job"          # built on the pool, not in the slot
    assert "report.html" in zipfile.ZipFile(tmp_path / "chosen.zip").namelist()
    _action(menu, "run.export.pdf").trigger()
    qtbot.waitUntil(lambda: (tmp_path / "chosen.pdf").is_file(), timeout=15_000)
    qtbot.waitUntil(lambda: workers.live_tasks() == 0, timeout=15_000)
    assert (tmp_path / "chosen.pdf").read_bytes().startswith(b"%PDF")
    menu.deleteLater()


def test_tool_more_menu_exports_the_latest_run(qtbot, make_window, ctx, run, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    from pixie_desktop.ui import workers
    from pixie_desktop.ui.actions import TOOL_MORE

    win = make_window()
    menu = win.sidebar.tool_menu("reporter", place=TOOL_MORE)
    sub = _action(menu, "tool.exportLatest").menu()
    act = _action(sub, "tool.exportLatest.html")
    assert act.isEnabled() and [a.objectName() for a in sub.actions()] == \
        ["tool.exportLatest.html", "tool.exportLatest.pdf", "tool.exportLatest.zip"]
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "latest.html"), ""))
    act.trigger()
    qtbot.waitUntil(lambda: (tmp_path / "latest.html").is_file(), timeout=15_000)
    qtbot.waitUntil(lambda: workers.live_tasks() == 0, timeout=15_000)
    assert "run-1" in (tmp_path / "latest.html").read_text(encoding="utf-8")
    menu.deleteLater()
