"""ArtefactsModel through data(index, role) + qtmodeltester; thumbnails made off the UI thread
and cached on disk (a second open generates none); one-row dataChanged; drag-out file URLs."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex
from PySide6.QtGui import QPixmap

from fixtures_gallery import png_bytes
from pixie_desktop.artefacts import thumbnails as core
from pixie_desktop.artefacts.queries import ArtefactQuery
from pixie_desktop.store import artefacts_repo
from pixie_desktop.ui import workers
from pixie_desktop.ui.models import artefacts_model as am
from pixie_desktop.ui.thumbnails import ThumbnailService


@pytest.fixture(autouse=True)
def drain_pool():
    yield
    workers.wait_for_all(10_000)


def _seed(seeder, n=12):
    seeder.run("r1", "demo")
    ids = []
    for i in range(n):
        ids.append(seeder.artefact("r1", f"pic{i:02d}.png", png_bytes(40 + i, 30), mime="image/png",
                                   created_at=f"2026-02-01T00:00:{i:02d}+00:00"))
    return ids


def test_roles_filters_sorts_and_fetch_more(qtbot, qtmodeltester, ctx, seeder):
    ids = _seed(seeder, 12)
    seeder.run("r2", "other")
    csv_id = seeder.artefact("r2", "table.csv", b"a,b\n1,2\n", tool_id="other", mime="text/csv")
    model = am.ArtefactsModel(ctx, page_size=5, asynchronous=False)
    model.refresh()
    assert model.rowCount() == 5 and model.canFetchMore(QModelIndex())
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == 13 and model.counts() == (13, 13)
    qtmodeltester.check(model)
    top = model.index(0, am.COL_NAME)
    assert model.data(top, am.IdRole) == csv_id  # newest first (created now)
    assert model.data(top, am.MimeKindRole) == "table"
    assert model.data(top, am.SizeRole) == 8
    assert Path(model.data(top, am.PathRole)) == Path(ctx.settings.artefacts_root) / "other/r2/table.csv"
    assert model.data(top, am.ThumbnailRole) is None  # no service attached
    assert model.data(model.index(0, am.COL_SIZE)) == "8 B"

    model.set_query(ArtefactQuery(kinds=("image",), sort="name"))
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    names = [model.data(model.index(r, am.COL_NAME)) for r in range(model.rowCount())]
    assert names == sorted(names) and len(names) == 12
    model.set_query(ArtefactQuery(text="pic03"))
    assert [model.data(model.index(r, 0), am.IdRole) for r in range(model.rowCount())] == [ids[3]]


def test_async_pages_arrive_by_signal(qtbot, ctx, seeder):
    _seed(seeder, 7)
    model = am.ArtefactsModel(ctx, page_size=3)
    with qtbot.waitSignal(model.countsChanged, timeout=5000):
        model.refresh()
    qtbot.waitUntil(lambda: model.rowCount() == 3, timeout=5000)
    model.fetchMore(QModelIndex())
    qtbot.waitUntil(lambda: model.rowCount() == 6, timeout=5000)
    assert model.counts() == (7, 7)


def test_one_row_changes_emit_one_row(qtbot, ctx, seeder):
    ids = _seed(seeder, 6)
    model = am.ArtefactsModel(ctx, asynchronous=False)
    model.refresh()
    changed, removed = [], []
    model.dataChanged.connect(lambda a, b, roles=(): changed.append((a.row(), b.row())))
    model.rowsRemoved.connect(lambda _p, a, b: removed.append((a, b)))
    row = model.row_of(ids[2])
    model.set_starred([ids[2]], True)
    assert changed == [(row, row)]
    assert model.data(model.index(row, 0), am.StarredRole) is True
    model.set_label([ids[2]], "best one")
    assert model.data(model.index(row, 0)) == "best one"
    model.set_tags([ids[2]], ["cats", "dogs"])
    assert model.data(model.index(row, 0), am.TagsRole) == ["cats", "dogs"]
    assert len(changed) == 3 and all(c == (row, row) for c in changed)
    # starred-only view: unstarring removes just that row
    model.set_query(ArtefactQuery(starred=True))
    assert model.rowCount() == 1
    model.set_starred([ids[2]], False)
    assert model.rowCount() == 0 and removed == [(0, 0)]


def test_soft_delete_restore_through_model(qtbot, ctx, seeder):
    ids = _seed(seeder, 4)
    model = am.ArtefactsModel(ctx, asynchronous=False)
    model.refresh()
    assert model.soft_delete([ids[0], ids[1]]) == [ids[0], ids[1]]
    assert model.rowCount() == 2 and model.row_of(ids[0]) == -1
    model.restore([ids[0]])
    assert model.rowCount() == 3
    model.set_query(ArtefactQuery(trash=True))
    assert [model.data(model.index(0, 0), am.IdRole)] == [ids[1]]


def test_drag_out_gives_file_urls(qtbot, ctx, seeder):
    ids = _seed(seeder, 3)
    model = am.ArtefactsModel(ctx, asynchronous=False)
    model.refresh()
    idx = [model.index(model.row_of(ids[0]), 0), model.index(model.row_of(ids[2]), 0)]
    data = model.mimeData(idx)
    assert all(u.isLocalFile() for u in data.urls())
    paths = {Path(u.toLocalFile()) for u in data.urls()}
    root = Path(ctx.settings.artefacts_root)
    assert paths == {root / "demo/r1/pic00.png", root / "demo/r1/pic02.png"} and all(p.is_file() for p in paths)
    assert bytes(data.data(am.ARTEFACT_ID_MIME)).decode() == f"{ids[0]},{ids[2]}"
    assert "text/uri-list" in model.mimeTypes()


def test_traversal_rel_path_has_no_path(qtbot, ctx, seeder, tmp_path):
    seeder.run("r1")
    outside = tmp_path / "secret.txt"
    outside.write_text("x")
    bad = artefacts_repo.insert(ctx.conn, run_id="r1", tool_id="demo", output_key="", rel_path="../../secret.txt",
                                filename="secret.txt", mime="text/plain", size_bytes=1, sha256="ab" * 32)
    model = am.ArtefactsModel(ctx, asynchronous=False)
    model.refresh()
    idx = model.index(model.row_of(bad), 0)
    assert model.data(idx, am.PathRole) is None
    assert model.mimeData([idx]).urls() == []


def _wait_thumbs(qtbot, model, svc, n_rows):
    for r in range(n_rows):
        model.data(model.index(r, 0), am.ThumbnailRole)  # what painting a visible tile does
    qtbot.waitUntil(lambda: not svc.busy(), timeout=30_000)  # generous: a loaded 2-core CI machine


def test_thumbnails_off_ui_thread_and_cached(qtbot, ctx, seeder):
    _seed(seeder, 5)
    seeder.artefact("r1", "readme.txt", b"line one\nline two\n")
    seeder.artefact("r1", "song.wav", b"RIFF....", mime="audio/wav")
    root = Path(ctx.settings.artefacts_root)

    svc = ThumbnailService(root, ctx.settings.db_path, edge=64, workers=2)
    model = am.ArtefactsModel(ctx, thumbnails=svc, asynchronous=False)
    model.refresh()
    ready = []
    svc.ready.connect(ready.append)
    _wait_thumbs(qtbot, model, svc, model.rowCount())
    assert svc.generated == 6 and svc.loaded_from_disk == 0  # 5 images + 1 text; audio has none
    assert svc.worker_threads and threading.get_ident() not in svc.worker_threads
    wav_row = next(r for r in range(model.rowCount()) if model.data(model.index(r, 0), am.MimeKindRole) == "audio")
    for r in range(model.rowCount()):
        pm = model.data(model.index(r, 0), am.ThumbnailRole)
        assert (pm is None) if r == wav_row else (isinstance(pm, QPixmap) and max(pm.width(), pm.height()) <= 64)
    qtbot.waitUntil(lambda: ctx.conn.execute(
        "SELECT COUNT(*) FROM artefacts WHERE thumb_path IS NOT NULL").fetchone()[0] == 6, timeout=30_000)
    for rec in artefacts_repo.list_artefacts(ctx.conn, limit=50):
        if rec.mime != "audio/wav":
            assert core.is_current(rec.thumb_path, rec.sha256, 64) and (root / rec.thumb_path).is_file()
    svc.shutdown()

    # "restart": a fresh service and model generate nothing, they load from the disk cache
    svc2 = ThumbnailService(root, ctx.settings.db_path, edge=64, workers=2)
    model2 = am.ArtefactsModel(ctx, thumbnails=svc2, asynchronous=False)
    model2.refresh()
    _wait_thumbs(qtbot, model2, svc2, model2.rowCount())
    assert svc2.generated == 0 and svc2.loaded_from_disk == 6
    svc2.shutdown()


def test_changed_content_gets_a_new_thumbnail(qtbot, ctx, seeder):
    seeder.run("r1")
    a = seeder.artefact("r1", "p.png", png_bytes(30, 30, "#ff0000"), mime="image/png")
    root = Path(ctx.settings.artefacts_root)
    svc = ThumbnailService(root, ctx.settings.db_path, edge=48, workers=1)
    model = am.ArtefactsModel(ctx, thumbnails=svc, asynchronous=False)
    model.refresh()
    _wait_thumbs(qtbot, model, svc, 1)
    old = artefacts_repo.get(ctx.conn, a).sha256
    new_bytes = png_bytes(30, 30, "#00ff00")
    (root / "demo/r1/p.png").write_bytes(new_bytes)
    import hashlib

    ctx.conn.execute("UPDATE artefacts SET sha256 = ? WHERE id = ?", (hashlib.sha256(new_bytes).hexdigest(), a))
    model.refresh_ids([a])
    _wait_thumbs(qtbot, model, svc, 1)
    assert svc.generated == 2
    assert core.cached_thumb(root, old, 48) and core.cached_thumb(root, hashlib.sha256(new_bytes).hexdigest(), 48)
    svc.shutdown()


def test_retain_drops_jobs_scrolled_away(qtbot, ctx, seeder):
    ids = _seed(seeder, 8)
    svc = ThumbnailService(Path(ctx.settings.artefacts_root), ctx.settings.db_path, edge=32, workers=1)
    model = am.ArtefactsModel(ctx, thumbnails=svc, asynchronous=False)
    model.refresh()
    svc._closed = False
    svc.max_workers = 0  # hold everything in the queue so retain() has something to drop
    for r in range(model.rowCount()):
        model.data(model.index(r, 0), am.ThumbnailRole)
    assert len(svc._queue) == 8
    assert svc.retain({ids[0], ids[1]}) == 6 and len(svc._queue) == 2
    svc.max_workers = 1
    svc._pump()
    qtbot.waitUntil(lambda: not svc.busy(), timeout=30_000)  # generous: a loaded 2-core CI machine
    assert svc.generated == 2
    svc.shutdown()


def test_thumbnail_worker_refuses_traversal_and_survives_corrupt_files(qtbot, ctx, tmp_path):
    from pixie_desktop.ui.thumbnails import load_or_make

    root = Path(ctx.settings.artefacts_root)
    outside = tmp_path / "outside.png"
    outside.write_bytes(png_bytes(20, 20))
    out = load_or_make(root, "../../outside.png", "image", "ab" * 32, 64)
    assert out.image is None and out.rel_path is None
    assert not (root / "_thumbs").exists()  # nothing cached for a path outside the root
    bad = root / "demo/r/broken.png"
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b"\x89PNG not really")
    for kind in ("image", "pdf", "svg", "text"):
        assert load_or_make(root, "demo/r/broken.png", kind, "cd" * 32, 64).image is None or kind == "text"
