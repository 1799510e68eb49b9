"""Maintenance: VACUUM shrinks the database without losing data or the search index, can be
cancelled (file unchanged), and Settings ▸ Storage runs it on the background pool."""

from __future__ import annotations

import threading

import pytest

from pixie_desktop.ops import maintenance
from pixie_desktop.queries import search as sq
from pixie_desktop.store import runs_repo
from pixie_desktop.store.db import connect, dumps


def _bloat(conn, n: int = 400) -> None:
    conn.execute("BEGIN")
    for i in range(n):
        runs_repo.create_run(conn, f"r{i}", "t", {"blob": "x" * 4000, "word": f"keep{i}"},
                             started_at=f"2026-01-01T00:00:{i % 60:02d}.{i:06d}+00:00")
    conn.execute("COMMIT")
    conn.execute("DELETE FROM runs WHERE id NOT IN ('r1', 'r2')")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def test_vacuum_shrinks_and_keeps_runs_and_search(conn, db_path):
    _bloat(conn)
    runs_repo.finish_run(conn, "r1", "ok", outputs_json=dumps({"t": "survivor text"}))
    before = maintenance.database_bytes(db_path)
    ticks: list[tuple[object, str]] = []
    result = maintenance.vacuum(db_path, progress=lambda f, t: ticks.append((f, t)), tick_seconds=0)
    assert result.before_bytes == before and result.after_bytes < before and result.freed_bytes > 0
    assert ticks[-1] == (1.0, "Database compacted")
    assert {r.id for r in runs_repo.list_runs(conn)} == {"r1", "r2"}
    assert [r.id for r in sq.search(conn, sq.RunFilter(text="survivor"))] == ["r1"]
    assert [r.id for r in sq.search(conn, sq.RunFilter(text="keep2"))] == ["r2"]
    conn.execute("INSERT INTO run_search(run_search) VALUES ('integrity-check')")


def test_cancelled_vacuum_leaves_the_database_unchanged(conn, db_path):
    _bloat(conn)
    before = maintenance.database_bytes(db_path)
    with pytest.raises(maintenance.VacuumCancelled):
        maintenance.vacuum(db_path, cancelled=lambda: True)
    # cancelled mid-way: the watcher interrupts the running VACUUM (held up here by a reader's
    # open transaction, so it is certainly still running when cancel arrives)
    calls = iter(range(10**6))
    writer = connect(db_path)
    writer.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(maintenance.VacuumCancelled):
            maintenance.vacuum(db_path, cancelled=lambda: next(calls) >= 3, tick_seconds=0.01)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert {r.id for r in runs_repo.list_runs(conn)} == {"r1", "r2"}
    assert maintenance.database_bytes(db_path) >= before * 0.9  # not compacted


def test_storage_panel_vacuums_off_the_ui_thread(qtbot, ctx, monkeypatch):
    from pixie_desktop.ui.views.settings_dialog import SettingsDialog

    _bloat(ctx.conn)
    threads: list[threading.Thread] = []
    real = maintenance.vacuum

    def spy(*a, **k):
        threads.append(threading.current_thread())
        return real(*a, **k)

    monkeypatch.setattr(maintenance, "vacuum", spy)
    dlg = SettingsDialog(ctx.settings, ctx.conn)
    qtbot.addWidget(dlg)
    panel = dlg.storage
    assert panel.size_label.text().startswith("Database: ")
    with qtbot.waitSignal(panel.finished, timeout=20_000) as blocker:
        panel.vacuum_button.click()
        assert panel.is_running() and not panel.vacuum_button.isEnabled()   # the slot returned at once
    assert isinstance(blocker.args[0], maintenance.VacuumResult)
    assert threads and threads[0] is not threading.main_thread()
    assert "freed" in panel.size_label.text() and panel.vacuum_button.isEnabled()


def test_storage_panel_cancel(qtbot, ctx, monkeypatch):
    from pixie_desktop.ui.widgets.storage_panel import StoragePanel

    started = threading.Event()
    release = threading.Event()

    def slow(db_path, *, progress=None, cancelled=None, **_k):
        started.set()
        while not cancelled():
            release.wait(0.01)
        raise maintenance.VacuumCancelled("stopped")

    monkeypatch.setattr(maintenance, "vacuum", slow)
    panel = StoragePanel(ctx.settings.db_path)
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.finished, timeout=20_000) as blocker:
        panel.start_vacuum()
        assert started.wait(10)
        panel.cancel()
    assert blocker.args[0] is None and not panel.is_running()
    assert "cancelled" in panel.size_label.text()
