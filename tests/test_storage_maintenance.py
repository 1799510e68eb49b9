"""Settings ▸ Storage maintenance and gallery export: disk use per tool, clear all history
(starred runs kept), empty Trash (trashed only), copy-out export (sha256 match, unique names,
cancel leaves no partial file) — Qt-free core and the widgets driving it off the UI thread."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import pytest

from pixie_desktop.artefacts import export_copy
from pixie_desktop.ops import artefacts as artefact_ops
from pixie_desktop.ops import maintenance
from pixie_desktop.queries import storage as storage_queries
from pixie_desktop.store import artefacts_repo, runs_repo
from pixie_desktop.ui import workers


@pytest.fixture(autouse=True)
def drain_pool():
    yield
    workers.wait_for_all(10_000)


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


@pytest.fixture
def world(seeder):
    seeder.run("a1", "alpha")
    seeder.run("a2", "alpha")
    seeder.run("b1", "beta")
    ids = {
        "a1": seeder.artefact("a1", "one.txt", b"x" * 1000, tool_id="alpha"),
        "a2": seeder.artefact("a2", "two.txt", b"y" * 500, tool_id="alpha"),
        "b1": seeder.artefact("b1", "three.bin", b"z" * 70, tool_id="beta"),
    }
    runs_repo.set_starred(seeder.conn, "a2", True)
    return ids


# ---------------------------------------------------------------- Qt-free core
def test_disk_use_by_tool_matches_artefact_sizes(ctx, world):
    use = storage_queries.disk_use_by_tool(ctx.conn)
    assert [(u.tool_id, u.bytes, u.files) for u in use] == [("alpha", 1500, 2), ("beta", 70, 1)]
    artefact_ops.trash(ctx.conn, [world["b1"]])     # trashed files no longer count
    assert [(u.tool_id, u.bytes) for u in storage_queries.disk_use_by_tool(ctx.conn)] == [("alpha", 1500)]


def test_clear_all_history_keeps_starred_runs(ctx, world, seeder):
    seeder.run("live", "beta", status="running")
    root = Path(ctx.settings.artefacts_root)
    ticks = []
    result, change = maintenance.clear_all_history(ctx.conn, ctx.settings, batch=1,
                                                   progress=lambda f, t: ticks.append((f, t)))
    assert result.deleted == 2 and result.kept_starred == 1
    assert {r.id for r in runs_repo.list_runs(ctx.conn)} == {"a2", "live"}
    assert not (root / "alpha/a1/one.txt").exists() and not (root / "beta/b1/three.bin").exists()
    assert (root / "alpha/a2/two.txt").exists() and artefacts_repo.get(ctx.conn, world["a2"]) is not None
    assert {"a1", "b1"} <= change.run_ids and change.artefacts
    assert ticks[-1][0] == 1.0


def test_clear_all_history_cancel_stops_between_batches(ctx, world):
    calls = iter(range(10))
    result, change = maintenance.clear_all_history(ctx.conn, ctx.settings, batch=1,
                                                   cancelled=lambda: next(calls) >= 1)
    assert result.stopped and result.deleted == 1 and len({"a1", "b1"} & change.run_ids) == 1
    assert len({r.id for r in runs_repo.list_runs(ctx.conn)}) == 2


def test_empty_trash_purges_trashed_only(ctx, world):
    root = Path(ctx.settings.artefacts_root)
    artefact_ops.trash(ctx.conn, [world["a1"]])
    report, change = maintenance.empty_trash(ctx.conn, root)
    assert report.purged == [world["a1"]] and change.artefacts and world["a1"] in change.artefact_ids
    assert artefacts_repo.get(ctx.conn, world["a1"]) is None and not (root / "alpha/a1/one.txt").exists()
    assert artefacts_repo.get(ctx.conn, world["b1"]) is not None and (root / "beta/b1/three.bin").exists()
    report, change = maintenance.empty_trash(ctx.conn, root)   # nothing left in the Trash
    assert report.purged == [] and not change


def test_export_copies_with_matching_sha_and_unique_names(ctx, world, tmp_path):
    root = Path(ctx.settings.artefacts_root)
    dest = tmp_path / "out"
    dest.mkdir()
    (dest / "one.txt").write_bytes(b"already here")
    recs = [artefacts_repo.get(ctx.conn, world[k]) for k in ("a1", "b1")]
    before = {r.rel_path: _sha(root / r.rel_path) for r in recs}
    res = export_copy.export_files(root, [(r.rel_path, r.filename) for r in recs], dest)
    assert [p.name for p in res.copied] == ["one (2).txt", "three.bin"] and not res.errors
    assert (dest / "one.txt").read_bytes() == b"already here"             # never overwritten
    assert [_sha(p) for p in res.copied] == [r.sha256 for r in recs]
    assert {r.rel_path: _sha(root / r.rel_path) for r in recs} == before   # originals untouched
    assert sorted(p.name for p in dest.iterdir()) == ["one (2).txt", "one.txt", "three.bin"]


def test_export_cancel_stops_early_and_leaves_no_partial(ctx, seeder, tmp_path, monkeypatch):
    seeder.run("big", "alpha")
    ids = [seeder.artefact("big", f"f{i}.bin", bytes([i]) * 50_000, tool_id="alpha") for i in range(3)]
    recs = [artefacts_repo.get(ctx.conn, i) for i in ids]
    monkeypatch.setattr(export_copy, "CHUNK", 10_000)
    calls = iter(range(10**6))
    dest = tmp_path / "out"
    with pytest.raises(export_copy.ExportCancelled) as info:
        # 1 check before file 1 + 5 chunks + 1 after EOF, then cancel inside file 2
        export_copy.export_files(ctx.settings.artefacts_root, [(r.rel_path, r.filename) for r in recs], dest,
                                 cancelled=lambda: next(calls) >= 9)
    assert [p.name for p in info.value.copied] == ["f0.bin"]
    assert sorted(p.name for p in dest.iterdir()) == ["f0.bin"]          # no partial, no .part
    assert _sha(dest / "f0.bin") == recs[0].sha256


# ---------------------------------------------------------------- Settings ▸ Storage panel
def _panel(qtbot, ctx):
    from pixie_desktop.ui.widgets.storage_panel import StoragePanel

    panel = StoragePanel(ctx.settings.db_path, settings=ctx.settings)
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: panel.disk_use is not None, timeout=10_000)
    return panel


def test_storage_panel_shows_disk_use_per_tool(qtbot, ctx, world):
    panel = _panel(qtbot, ctx)
    assert panel.chart.rows == [("alpha", 1500), ("beta", 70)]
    assert "alpha" in panel.chart.toolTip() and "Disk use per tool" in panel.disk_title.text()
    panel.resize(500, 200)
    panel.chart.grab()   # paints without error


def test_storage_panel_clear_history_off_ui_thread_keeps_starred(qtbot, ctx, world, monkeypatch):
    from pixie_desktop.ui.store_events import store_events

    threads: list[threading.Thread] = []
    real = maintenance.clear_all_history

    def spy(*a, **k):
        threads.append(threading.current_thread())
        return real(*a, **k)

    monkeypatch.setattr(maintenance, "clear_all_history", spy)
    panel = _panel(qtbot, ctx)
    changed: list[str] = []
    store_events().runChanged.connect(changed.append)
    with qtbot.waitSignal(panel.maintenanceFinished, timeout=20_000) as blocker:
        panel.clear_history(confirm=False)
        assert panel.is_maintaining() and not panel.clear_button.isEnabled()
    kind, result = blocker.args
    assert kind == "clear" and result.deleted == 2 and result.kept_starred == 1
    assert threads and threads[0] is not threading.main_thread()
    assert {r.id for r in runs_repo.list_runs(ctx.conn)} == {"a2"}
    assert {"a1", "b1"} <= set(changed)
    qtbot.waitUntil(lambda: panel.chart.rows == [("alpha", 500)], timeout=10_000)
    store_events().runChanged.disconnect(changed.append)


def test_storage_panel_empty_trash_now(qtbot, ctx, world):
    artefact_ops.trash(ctx.conn, [world["b1"]])
    panel = _panel(qtbot, ctx)
    with qtbot.waitSignal(panel.maintenanceFinished, timeout=20_000) as blocker:
        panel.empty_trash(confirm=False)
    assert blocker.args[0] == "trash" and blocker.args[1].purged == [world["b1"]]
    assert artefacts_repo.get(ctx.conn, world["b1"]) is None
    assert artefacts_repo.get(ctx.conn, world["a1"]) is not None
    assert "Deleted 1 artefact" in panel.maint_label.text()


# ---------------------------------------------------------------- gallery: Export to folder…
def _gallery(qtbot, ctx):
    from pixie_desktop.ui.views.gallery import GalleryView

    g = GalleryView(ctx)
    qtbot.addWidget(g)
    g.resize(1100, 700)
    g.show()
    qtbot.waitUntil(lambda: g.model.rowCount() > 0 or g.model.at_end(), timeout=5000)
    return g


def test_gallery_exports_selection_to_folder(qtbot, ctx, world, tmp_path):
    g = _gallery(qtbot, ctx)
    qtbot.waitUntil(lambda: g.model.row_of(world["b1"]) >= 0 and g.model.row_of(world["a1"]) >= 0, timeout=5000)
    g.select_ids([world["a1"], world["b1"]])
    dest = tmp_path / "picked"
    with qtbot.waitSignal(g.export_strip.finished, timeout=20_000) as blocker:
        assert g.export_selected(str(dest))
        assert g.export_strip.is_running() and g.export_strip.isVisible()
    result = blocker.args[0]
    recs = {r.filename: r for r in (artefacts_repo.get(ctx.conn, world[k]) for k in ("a1", "b1"))}
    assert sorted(p.name for p in dest.iterdir()) == ["one.txt", "three.bin"]
    assert {p.name: _sha(p) for p in result.copied} == {n: r.sha256 for n, r in recs.items()}
    assert not g.export_strip.isVisible()


def test_gallery_export_toolbar_button(qtbot, ctx, world, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    g = _gallery(qtbot, ctx)
    qtbot.waitUntil(lambda: g.model.row_of(world["a1"]) >= 0, timeout=5000)
    g.select_ids([])
    assert not g.export_btn.isEnabled()  # nothing selected: nothing to export
    g.select_ids([world["a1"]])
    qtbot.waitUntil(g.export_btn.isEnabled, timeout=5000)
    dest = tmp_path / "via-button"
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(dest))
    with qtbot.waitSignal(g.export_strip.finished, timeout=20_000):
        g.export_btn.click()
    assert [p.name for p in dest.iterdir()] == ["one.txt"]


def test_gallery_export_cancel_leaves_no_partial_file(qtbot, ctx, seeder, tmp_path, monkeypatch):
    seeder.run("big", "alpha")
    ids = [seeder.artefact("big", f"f{i}.bin", bytes([i]) * 50_000, tool_id="alpha") for i in range(3)]
    monkeypatch.setattr(export_copy, "CHUNK", 10_000)
    real = export_copy.export_files
    reached, seen = threading.Event(), []

    def gated(root, items, dest, *, progress=None, cancelled=None):
        def gate() -> bool:
            seen.append(1)
            if len(seen) == 9:   # second file, one chunk already written to its .part file
                reached.set()
                for _ in range(2000):
                    if cancelled():
                        break
                    threading.Event().wait(0.005)
            return cancelled()
        return real(root, items, dest, progress=progress, cancelled=gate)

    monkeypatch.setattr(export_copy, "export_files", gated)
    g = _gallery(qtbot, ctx)
    qtbot.waitUntil(lambda: all(g.model.row_of(i) >= 0 for i in ids), timeout=5000)
    g.select_ids(ids)
    dest = tmp_path / "out"
    with qtbot.waitSignal(g.export_strip.finished, timeout=20_000) as blocker:
        assert g.export_selected(str(dest))
        assert reached.wait(10)
        assert any(p.name.endswith(".part") for p in dest.iterdir())   # mid-file when cancelled
        g.export_strip.cancel()
    assert blocker.args[0] is None and not g.export_strip.is_running()
    names = sorted(p.name for p in dest.iterdir())
    assert len(names) == 1 and not any(n.endswith(".part") for n in names)   # stopped early, no partial
    assert _sha(dest / names[0]) == artefacts_repo.get(ctx.conn, ids[[f"f{i}.bin" for i in range(3)].index(names[0])]).sha256
