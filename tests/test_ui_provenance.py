"""Provenance (issue 13, item 3): a file input keeps its name wherever inputs are shown —
History (column and selected-run details), Compare, the restored form, the gallery preview and
the tool page's "This run" — never a blob hash, data URL or base64; artefacts say which input
they came from ("thumbnail.png · from sunset.png"); the gallery groups by run; opening a past
run loads its inputs and marks the form when it differs. Plus item 4's leftovers: stale field
messages clear once fixed, selection buttons are disabled without a selection."""

from __future__ import annotations

import base64
import hashlib

import pytest
from conftest import write_tool
from fixtures_gallery import png_bytes
from fixtures_ui_shell import copy_bundled, wait_idle
from PySide6.QtCore import Qt

from pixie_desktop.artefacts import provenance as prov
from pixie_desktop.artefacts.input_blobs import HANDLE_KEY, compact_inputs, with_name
from pixie_desktop.store import artefacts_repo, runs_repo
from pixie_desktop.store.db import dumps
from pixie_desktop.ui import workers


@pytest.fixture(autouse=True)
def drain_pool():
    yield
    workers.wait_for_all(10_000)


PHOTO_TOOL = {
    "id": "photo", "name": "Photo", "version": "1.0.0",
    "inputs": [{"key": "image", "type": "image", "label": "Image", "required": True},
               {"key": "edge", "type": "number", "label": "Edge", "default": 64}],
    "outputs": [{"key": "note", "type": "text", "label": "Note"}],
}


def _image_url(name: str, w: int = 120, h: int = 80, colour: str = "#cc3366") -> str:
    data = png_bytes(w, h, colour)
    return with_name("data:image/png;base64," + base64.b64encode(data).decode(), name)


def _record_run(ctx, run_id: str, inputs: dict, *, tool_id: str = "photo", started_at: str | None = None,
                spec=None) -> dict:
    """A finished run whose inputs are recorded the way the runner records them (compacted)."""
    if spec is not None:
        inputs = compact_inputs(spec, inputs, ctx.settings.artefacts_root)
    runs_repo.create_run(ctx.conn, run_id, tool_id, inputs, started_at=started_at)
    runs_repo.finish_run(ctx.conn, run_id, "ok", outputs_json=dumps({"note": "made"}))
    return inputs


def _artefact(ctx, run_id: str, filename: str, data: bytes, *, tool_id: str = "photo", mime: str = "image/png",
              created_at: str | None = None) -> int:
    rel = f"{tool_id}/{run_id}/{filename}"
    path = ctx.settings.artefacts_root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return artefacts_repo.insert(ctx.conn, run_id=run_id, tool_id=tool_id, output_key="out", rel_path=rel,
                                 filename=filename, mime=mime, size_bytes=len(data),
                                 sha256=hashlib.sha256(data).hexdigest(), created_at=created_at)


def _photo_spec(tools_dir):
    from pixie_desktop.manifest.parse import parse_tool_file

    return parse_tool_file(write_tool(tools_dir, "photo", PHOTO_TOOL, main_py="") / "tool.json")


def _no_blob_words(text: str, recorded: dict) -> None:
    """Nothing a user sees carries a sha, a data URL or base64."""
    assert "data:" not in text and ";base64" not in text and "$pixie_input" not in text
    for value in recorded.values():
        if isinstance(value, dict) and HANDLE_KEY in value:
            assert value[HANDLE_KEY] not in text and value[HANDLE_KEY][:12] not in text


# -- the Qt-free helper -------------------------------------------------------------------------

def test_describe_handles_data_urls_and_lists(qapp, tmp_path):
    url = _image_url("sunset.png")
    handle = {HANDLE_KEY: "ab" * 32, "mime": "image/jpeg", "size": 2_200_000, "name": "beach.jpg"}
    files = prov.input_files({"a": url, "b": [handle, "data:text/plain;base64,aGVsbG8="], "n": 3})
    assert [f.display_name for f in files] == ["sunset.png", "beach.jpg", "unnamed file (TXT)"]
    assert files[1].label() == "beach.jpg · 2.1 MB" and files[2].size == 5
    assert prov.display_value(url).startswith("sunset.png · ")
    assert prov.display_value({"nested": [url]}).startswith('{"nested": ["sunset.png · ')
    summary = prov.summary({"a": url, "b": handle, "mode": "fast", "empty": ""})
    assert summary == "sunset.png · beach.jpg · mode: fast"
    for text in (summary, prov.display_value(handle), prov.display_value([url, handle])):
        assert "data:" not in text and "ab" * 32 not in text and "base64" not in text
    # inline image bytes are there for a thumbnail; a handle whose blob is gone has none
    assert prov.thumbnail_bytes(files[0], tmp_path)[:4] == b"\x89PNG"
    assert prov.thumbnail_bytes(files[1], tmp_path) is None and prov.blob_missing(files[1], tmp_path)


def test_source_of_is_honest():
    one = prov.input_files({"img": {HANDLE_KEY: "cd" * 32, "mime": "image/jpeg", "size": 10, "name": "sunset.jpg"}})
    assert prov.from_label("thumbnail.png", one) == "from sunset.jpg"  # the run's only file
    two = prov.input_files({"a": {HANDLE_KEY: "cd" * 32, "mime": "image/jpeg", "name": "sunset.jpg"},
                            "b": {HANDLE_KEY: "ef" * 32, "mime": "image/jpeg", "name": "sun.jpg"}})
    assert prov.from_label("sunset_small.png", two) == "from sunset.jpg"  # the longest matching stem
    assert prov.from_label("sun-2.png", two) == "from sun.jpg"
    assert prov.from_label("sunsets.png", two) is None  # "sunsets" is not "sunset" + separator
    assert prov.from_label("report.pdf", two) is None  # unknown: no guess
    assert prov.from_label("x.png", []) is None


# -- History --------------------------------------------------------------------------------

def test_history_shows_file_names_in_column_and_selected_run(qtbot, ctx, tools_dir):
    from pixie_desktop.ui.models import runs_model as rm
    from pixie_desktop.ui.store_events import StoreEvents
    from pixie_desktop.ui.views.history import HistoryView

    spec = _photo_spec(tools_dir)
    recorded = _record_run(ctx, "r1", {"image": _image_url("sunset.png", 300, 200), "edge": 64}, spec=spec)
    assert isinstance(recorded["image"], dict)  # named files are kept in the blob store
    view = HistoryView(ctx, StoreEvents())
    qtbot.addWidget(view)
    view.resize(1000, 500)
    view.show()
    qtbot.waitUntil(lambda: view.model.rowCount() == 1)
    ix = view.model.index(0, rm.COL_INPUTS)
    assert ix.data() == "sunset.png · edge: 64"
    tip = ix.data(Qt.ItemDataRole.ToolTipRole)
    assert "sunset.png" in tip
    _no_blob_words(ix.data() + tip, recorded)
    assert not view.details.isVisible()  # nothing selected: no details
    view.select_runs(["r1"])
    assert view.details.isVisible()
    assert view.details_inputs.names() == ["sunset.png"]
    chip = view.details_inputs.chips[0]
    assert "KB" in chip.meta.text() or " B" in chip.meta.text()
    qtbot.waitUntil(lambda: chip.has_thumbnail, timeout=5000)  # read from the blob off the UI thread
    _no_blob_words(" ".join(view.details_inputs.texts()), recorded)
    view.table.clearSelection()
    assert not view.details.isVisible()


def test_compare_shows_names_sizes_and_thumbnails(qtbot, ctx, tools_dir):
    from pixie_desktop.ui.views.compare import CompareDialog

    spec = _photo_spec(tools_dir)
    a = _record_run(ctx, "ra", {"image": _image_url("sunset.png"), "edge": 64}, spec=spec,
                    started_at="2026-03-01T09:00:00+00:00")
    b = _record_run(ctx, "rb", {"image": _image_url("dawn.png", colour="#22aa44"), "edge": 64}, spec=spec,
                    started_at="2026-03-01T09:05:00+00:00")
    dlg = CompareDialog(ctx, "ra", "rb")
    qtbot.addWidget(dlg)
    row = next(i for i, r in enumerate(dlg.input_rows) if r[0] == "image")
    left, right = dlg.inputs_table.item(row, 1).text(), dlg.inputs_table.item(row, 2).text()
    assert left.startswith("sunset.png · ") and right.startswith("dawn.png · ")
    assert dlg.inputs_table.item(row, 0).text() == "Image"  # the form's label, not the key
    assert dlg.input_rows[row][3]  # different files
    qtbot.waitUntil(lambda: not dlg.inputs_table.item(row, 1).icon().isNull(), timeout=5000)
    dlg.inputs_table.setCurrentCell(row, 0)
    diff = dlg.diff_view.toPlainText()
    assert "-sunset.png" in diff and "+dawn.png" in diff
    everything = diff + "".join(dlg.inputs_table.item(r, c).text() for r in range(dlg.inputs_table.rowCount())
                                for c in range(3))
    _no_blob_words(everything, a)
    _no_blob_words(everything, b)


# -- tool page: restored form, "This run", form-differs marker, stale messages --------------------

def _photo_page(qtbot, make_window, tools_dir):
    spec = _photo_spec(tools_dir)
    win = make_window(restore=False)
    win.resize(1280, 800)
    win.show()
    assert win.open_tool("photo")
    return win, win.tool_pages["photo"], spec


def test_open_past_run_restores_named_inputs_and_describes_the_run(qtbot, make_window, ctx, tools_dir):
    spec = _photo_spec(tools_dir)
    recorded = _record_run(ctx, "r1", {"image": _image_url("sunset.png", 200, 150), "edge": 32}, spec=spec)
    _artefact(ctx, "r1", "thumbnail.png", png_bytes(20, 15))
    win, page, _ = _photo_page(qtbot, make_window, tools_dir)
    page.form.set_values({"edge": 99})
    assert win.open_run("r1")
    # the form holds that run's inputs: the image by its original name, size and thumbnail
    image = page.form.widget_for("image")
    assert [e.name for e in image.entries] == ["sunset.png"]
    assert image.entries[0].thumb is not None and image.entries[0].pixels == (200, 150)
    assert page.form.values()["edge"] == 32
    assert page.shown_run_id == "r1" and not page.form_differs and not page.differs_banner.isVisible()
    # "This run" above the outputs: inputs by name, the artefact with the input it came from
    qtbot.waitUntil(lambda: page.run_panel.isVisible() and page.run_panel.inputs_view.names() == ["sunset.png"],
                    timeout=5000)
    assert page.run_panel.artefact_texts()[0].startswith("thumbnail.png · from sunset.png · ")
    _no_blob_words(page.run_panel.heading.text() + " ".join(page.run_panel.inputs_view.texts())
                   + " ".join(page.run_panel.artefact_texts()), recorded)
    # editing the form afterwards marks it as different from the shown run…
    page.form.set_values({"edge": 48})
    assert page.form_differs and page.differs_banner.isVisible()
    assert "changed since this run" in page.differs_label.text()
    # …and going back to the run's values (by hand or "Undo changes") removes the mark
    page.form.set_values({"edge": 32})
    assert not page.differs_banner.isVisible()
    page.form.set_values({"edge": 50})
    page.differs_restore.click()
    assert page.form.values()["edge"] == 32 and not page.differs_banner.isVisible()


def test_load_inputs_keeps_names_and_says_when_a_file_is_gone(qtbot, make_window, ctx, tools_dir):
    spec = _photo_spec(tools_dir)
    recorded = _record_run(ctx, "r1", {"image": _image_url("sunset.png"), "edge": 20}, spec=spec)
    win, page, _ = _photo_page(qtbot, make_window, tools_dir)
    assert page.load_inputs_of("r1")
    assert [e.name for e in page.form.widget_for("image").entries] == ["sunset.png"]
    assert not page.differs_banner.isVisible()  # no run shown on the right: nothing to compare with
    from pixie_desktop.artefacts.input_blobs import blob_path

    blob_path(ctx.settings.artefacts_root, recorded["image"][HANDLE_KEY]).unlink()
    assert page.load_inputs_of("r1")
    assert "sunset.png no longer stored" in page.status_label.text()
    assert page.form.widget_for("image").entries == []  # emptied, not left holding the earlier file
    assert win.open_run("r1")  # "This run" still names it, and says its bytes are gone
    qtbot.waitUntil(lambda: bool(page.run_panel.inputs_view.chips)
                    and page.run_panel.inputs_view.chips[0].missing, timeout=5000)
    chip = page.run_panel.inputs_view.chips[0]
    assert chip.name.text() == "sunset.png" and chip.meta.text().endswith("no longer stored")


def test_field_message_clears_once_fixed(qtbot, make_window, ctx, tools_dir):
    _win, page, _ = _photo_page(qtbot, make_window, tools_dir)
    assert not page.run()  # the required image is missing
    image = page.form.widget_for("image")
    assert image.error_text() and page.status_label.text().startswith("Check 'Image'")
    image.set_value(_image_url("sunset.png"))  # fixed: the field's and the page's message go
    assert not image.error_text()
    assert page.status_label.text() == ""


# -- the gallery ------------------------------------------------------------------------------

def test_gallery_tiles_and_preview_name_the_source(qtbot, ctx, tools_dir):
    from pixie_desktop.ui.models.artefacts_model import SourceRole
    from pixie_desktop.ui.views.gallery import GalleryView

    spec = _photo_spec(tools_dir)
    recorded = _record_run(ctx, "r1", {"image": _image_url("sunset.png"), "edge": 8}, spec=spec)
    art = _artefact(ctx, "r1", "thumbnail.png", png_bytes(30, 20))
    g = GalleryView(ctx)
    qtbot.addWidget(g)
    g.resize(1100, 700)
    g.show()
    qtbot.waitUntil(lambda: g.model.rowCount() == 1, timeout=5000)
    ix = g.model.index(0, 0)
    assert ix.data(SourceRole) == "from sunset.png"
    assert ix.data(Qt.ItemDataRole.ToolTipRole).startswith("thumbnail.png · from sunset.png")
    g.select_ids([art])
    qtbot.waitUntil(lambda: g.preview.inputs_view.names() == ["sunset.png"], timeout=5000)
    assert g.preview.source_label() == "thumbnail.png · from sunset.png"
    assert g.preview.fields["From"].text().startswith("sunset.png · ")
    assert g.preview.fields["Inputs"].text() == "edge: 8"
    chip = g.preview.inputs_view.chips[0]
    qtbot.waitUntil(lambda: chip.has_thumbnail, timeout=5000)
    _no_blob_words(g.preview.fields["From"].text() + g.preview.fields["Inputs"].text()
                   + g.preview.fields["Inputs"].toolTip(), recorded)


def test_gallery_groups_by_run_with_headers(qtbot, ctx, tools_dir):
    from PySide6.QtGui import QPalette

    from pixie_desktop.ui.delegates.artefact_delegate import ArtefactDelegate
    from pixie_desktop.ui.models.artefacts_model import GroupRole
    from pixie_desktop.ui.views.gallery import GalleryView

    spec = _photo_spec(tools_dir)
    _record_run(ctx, "old", {"image": _image_url("a.png"), "edge": 8}, spec=spec,
                started_at="2026-03-01T09:00:00+00:00")
    _record_run(ctx, "new", {"image": _image_url("b.png"), "edge": 8}, spec=spec,
                started_at="2026-03-01T10:00:00+00:00")
    runs_repo.set_label(ctx.conn, "new", "second try")
    # made interleaved in time: grouping puts each run's files together, newest run first
    for i, run in enumerate(("old", "new", "old", "new")):
        _artefact(ctx, run, f"f{i}.png", png_bytes(10 + i, 10), created_at=f"2026-03-01T10:30:0{i}+00:00")
    g = GalleryView(ctx)
    qtbot.addWidget(g)
    g.resize(1100, 700)
    g.show()
    qtbot.waitUntil(lambda: g.model.rowCount() == 4, timeout=5000)
    assert g.model.index(0, 0).data(GroupRole) is None  # not grouped
    tile_h = g.grid.gridSize().height()
    g.set_grouped_by_run(True)
    qtbot.waitUntil(lambda: g.model.rowCount() == 4 and g.model.grouped, timeout=5000)
    runs = [g.model.record(r).run_id for r in range(4)]
    assert runs == ["new", "new", "old", "old"]
    headers = [g.model.index(r, 0).data(GroupRole) for r in range(4)]
    assert headers[1] == headers[3] == ""
    assert headers[0] == "01 Mar 2026 · “second try” · photo" or headers[0].endswith("· “second try” · photo")
    assert headers[2].endswith(" · photo") and "“" not in headers[2]
    assert g.grid.gridSize().height() > tile_h  # room for the run band
    g.grid.grab()  # the band paints without error
    # the details list: each run's first row is taller and carries the band across the row
    g.set_view_mode("list")
    base = g.table.verticalHeader().defaultSectionSize()
    heights = [g.table.rowHeight(r) for r in range(4)]
    assert heights[1] == heights[3] == base and heights[0] == heights[2] > base
    shot = g.table.viewport().grab().toImage()
    y = g.table.rowViewportPosition(0) + ArtefactDelegate.GROUP_H // 2 + 2
    accent = g.table.palette().color(QPalette.ColorRole.Highlight)
    assert any(shot.pixelColor(x, y) == accent for x in range(8, 24))  # the band's dot
    g.set_grouped_by_run(False)
    qtbot.waitUntil(lambda: not g.model.grouped and g.model.rowCount() == 4, timeout=5000)
    assert g.grid.gridSize().height() == tile_h
    assert [g.table.rowHeight(r) for r in range(4)] == [base] * 4


def test_gallery_buttons_need_a_selection(qtbot, ctx, tools_dir):
    from pixie_desktop.ui.views.gallery import GalleryView

    spec = _photo_spec(tools_dir)
    _record_run(ctx, "r1", {"image": _image_url("a.png"), "edge": 8}, spec=spec)
    art = _artefact(ctx, "r1", "x.png", png_bytes(10, 10))
    g = GalleryView(ctx)
    qtbot.addWidget(g)
    g.resize(1100, 700)
    g.show()
    qtbot.waitUntil(lambda: g.model.rowCount() == 1, timeout=5000)
    p = g.preview
    assert not p.buttons_box.isVisible() and not p.run_btn.isEnabled() and not p.open_btn.isEnabled()
    g.select_ids([art])
    assert p.buttons_box.isVisible() and p.open_btn.isEnabled()
    g.grid.selectionModel().clearSelection()
    assert not p.buttons_box.isVisible() and not p.open_btn.isEnabled()


# -- a real run end to end ----------------------------------------------------------------------

def test_real_run_names_its_artefact_source(qtbot, make_window, ctx, tools_dir, tmp_path):
    copy_bundled(tools_dir, "image-thumbnail")
    photo = tmp_path / "sunset.png"
    photo.write_bytes(png_bytes(400, 300))
    win = make_window(restore=False)
    win.resize(1280, 800)
    win.show()
    assert win.open_tool("image-thumbnail")
    page = win.tool_pages["image-thumbnail"]
    assert page.drop_files([photo]) == "image"
    assert page.run()
    wait_idle(qtbot, page)
    assert page.last_result.status == "ok", page.last_result.error
    qtbot.waitUntil(lambda: page.run_panel.isVisible() and bool(page.run_panel.artefact_texts()), timeout=5000)
    assert page.run_panel.inputs_view.names() == ["sunset.png"]
    assert all(" · from sunset.png" in t for t in page.run_panel.artefact_texts()), page.run_panel.artefact_texts()
    assert not page.differs_banner.isVisible()
    page.form.set_values({"max_edge": 32})
    assert page.differs_banner.isVisible()  # the outputs shown are the run's, the form is not
