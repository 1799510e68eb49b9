"""Batches in the desktop: the Batch… dialog (grid, CSV, folder, with an item-count preview)
submits every item to the window's RunController as an ordinary run with meta_json.batch_id;
the batch view shows progress and a results table, exports CSV, retries failed items and
cancels (queued items dropped, running ones stopped); dropping several files on a one-file
input offers "Run on all N files"."""

from __future__ import annotations


from fixtures_ui_shell import copy_bundled
from pixie_desktop.queries import runs as run_queries
from pixie_desktop.ui.models import runs_model as rm


def _page(make_window, tools_dir, tool):
    copy_bundled(tools_dir, tool)
    win = make_window()
    assert win.open_tool(tool)
    return win, win.tool_pages[tool]


def _settle(dialog, timeout_s: float = 20.0) -> None:
    """Let the dialog's background folder/CSV read answer (the event loop keeps running)."""
    import time

    from PySide6.QtTest import QTest

    deadline = time.monotonic() + timeout_s
    while dialog.preview_pending and time.monotonic() < deadline:
        QTest.qWait(20)
    assert not dialog.preview_pending


def _run_dialog(page, fill):
    def exec_dialog(dialog):
        fill(dialog)
        _settle(dialog)
        return dialog.update_preview() > 0

    page.batches.exec_dialog = exec_dialog
    return page.batches.open_dialog()


def test_grid_batch_from_dialog_results_export_and_history(qtbot, ctx, tools_dir, make_window, tmp_path):
    win, page = _page(make_window, tools_dir, "calculator")
    page.form.set_values({"a": 1, "b": 10, "op": "add"})
    previews = []

    def fill(d):
        d.set_mode("grid")
        d.grid_edit.setPlainText("a = 1, 2, 3\nop = add, multiply")
        previews.append(d.preview.text())

    view = _run_dialog(page, fill)
    assert previews == ["6 items will run"]
    assert win.batch_tabs.currentWidget() is view  # shown in the window's Batches dock
    qtbot.waitUntil(lambda: view.batch.is_done and not view.runner.is_active, timeout=60_000)
    view.refresh()
    p = view.batch.progress()
    assert (p.total, p.ok, p.failed) == (6, 6, 0) and view.status.text().startswith("6/6 done")
    headers = [view.table.horizontalHeaderItem(c).text() for c in range(view.table.columnCount())]
    assert headers == ["#", "a", "op", "status", "result"]
    assert view.cell(5, "a") == "3" and view.cell(5, "op") == "multiply" and view.cell(5, "result") == "30"
    for rid in view.batch.run_ids():
        rec = run_queries.get_run(ctx.conn, rid)
        assert rec.status == "ok" and rec.meta["batch_id"] == view.batch.id
    out = tmp_path / "results.csv"
    view.ask_save_path = lambda: str(out)
    view.export_button.click()
    assert out.read_text().splitlines()[0] == "#,a,op,status,result"
    assert not view.retry_button.isEnabled() and not view.cancel_button.isEnabled()


def test_csv_batch_retry_failed(qtbot, ctx, tools_dir, make_window, tmp_path):
    win, page = _page(make_window, tools_dir, "calculator")
    rows = tmp_path / "rows.csv"
    rows.write_text("a,b,op\n1,0,divide\n6,3,divide\n")
    view = _run_dialog(page, lambda d: (d.set_mode("csv"), d.csv_edit.setText(str(rows))))
    qtbot.waitUntil(lambda: view.batch.is_done and not view.runner.is_active, timeout=60_000)
    view.refresh()
    assert view.batch.failed_indices() == [0] and view.retry_button.isEnabled()
    first = view.batch.run_id_of(0)
    # "fix" the failing item, then retry just it
    view.batch.items[0].inputs["b"] = "4"
    view.retry_button.click()
    qtbot.waitUntil(lambda: view.batch.is_done and not view.runner.is_active, timeout=60_000)
    assert view.batch.progress().ok == 2 and view.batch.run_id_of(0) != first
    assert run_queries.get_run(ctx.conn, first).status == "error"


def test_cancel_batch_drops_queued_and_stops_running(qtbot, ctx, tools_dir, make_window):
    win, page = _page(make_window, tools_dir, "slow-counter")
    win.run_controller.set_max_parallel(1)
    page.form.set_values({"steps": 400, "delay": 0.05})
    view = _run_dialog(page, lambda d: (d.set_mode("grid"), d.grid_edit.setPlainText("label = a, b, c, d")))
    qtbot.waitUntil(lambda: view.batch.progress().running == 1, timeout=30_000)
    qtbot.waitUntil(lambda: bool(run_queries.list_runs(ctx.conn, status="running")), timeout=30_000)
    assert len(win.run_controller.queued()) == 3 and view.cancel_button.isEnabled()
    view.cancel_button.click()
    qtbot.waitUntil(lambda: view.batch.is_done and not view.runner.is_active, timeout=30_000)
    p = view.batch.progress()
    assert p.cancelled == 4 and p.ok == 0 and not win.run_controller.queued()
    assert [run_queries.get_run(ctx.conn, r).status for r in view.batch.run_ids()] == ["cancelled"]


def test_drop_many_files_offers_run_on_all(qtbot, ctx, tools_dir, make_window, tmp_path):
    win, page = _page(make_window, tools_dir, "csv-summary")
    files = []
    for i in range(3):
        f = tmp_path / f"d{i}.csv"
        f.write_text(f"x,y\n{i},1\n")
        files.append(f)
    asked = []
    page.batches.ask_run_on_all = lambda n, label: asked.append((n, label)) or False
    assert page.drop_files(files) == "file"  # declined: the first file fills the input
    assert asked == [(3, "CSV file")] and not page.batches.views
    page.batches.ask_run_on_all = lambda n, label: True
    assert win.open_tool_with_files("csv-summary", [str(f) for f in files]) == "file"
    view = page.batches.views[-1]
    qtbot.waitUntil(lambda: view.batch.is_done and not view.runner.is_active, timeout=60_000)
    assert view.batch.progress().ok == 3
    view.refresh()
    assert [view.cell(r, "file") for r in range(3)] == [f.name for f in files]
    recs = [run_queries.get_run(ctx.conn, r) for r in view.batch.run_ids()]
    assert all(r.meta["batch_id"] == view.batch.id for r in recs)
    view.gallery_button.click()  # the gallery filtered to this batch's artefacts
    gallery = win.pages["gallery"]
    assert win.current_page == "gallery" and gallery.model.query().batch_id == view.batch.id
    view.history_button.click()  # History searches `batch:ID`: exactly this batch's runs
    history = win.pages["history"]
    assert win.current_page == "history" and history.search_field.text() == f"batch:{view.batch.id}"
    qtbot.waitUntil(lambda: history.model.rowCount() == 3, timeout=10_000)
    shown = {history.model.index(r, 0).data(rm.RunIdRole) for r in range(history.model.rowCount())}
    assert shown == set(view.batch.run_ids())


def test_folder_mode_preview(qtbot, tools_dir, make_window, tmp_path, monkeypatch):
    import threading

    from pixie_desktop.ui.views import batch_dialog

    win, page = _page(make_window, tools_dir, "csv-summary")
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(4):
        (folder / f"f{i}.csv").write_text("x\n1\n")
    (folder / "notes.txt").write_text("x")
    from pixie_desktop.ui.views.batch_dialog import BatchDialog

    d = BatchDialog(page.info, {}, parent=page)
    d.set_mode("folder")
    reads = []
    real_list = batch_dialog._list_folder
    monkeypatch.setattr(batch_dialog, "_list_folder",
                        lambda *a: reads.append(threading.current_thread()) or real_list(*a))
    with qtbot.waitSignal(d.previewReady, timeout=20_000):
        d.folder_edit.setText(str(folder))
        assert d.preview.text() == "Counting…" and not d.buttons.button(d.buttons.StandardButton.Ok).isEnabled()
    assert d.preview.text() == "5 items will run"
    assert reads and all(t is not threading.main_thread() for t in reads)  # listed off the UI thread
    with qtbot.waitSignal(d.previewReady, timeout=20_000):
        d.pattern_edit.setText("*.csv")
    assert d.preview.text() == "4 items will run"
    with qtbot.waitSignal(d.previewReady, timeout=20_000):
        d.folder_edit.setText(str(tmp_path / "missing"))
    assert "is not a folder" in d.preview.text()
    with qtbot.waitSignal(d.previewReady, timeout=20_000):
        d.folder_edit.setText(str(folder))
    assert [it.varying["file"].name for it in d.items()] == [f"f{i}.csv" for i in range(4)]
    d.deleteLater()
