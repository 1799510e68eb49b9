"""History search: the model's filtered keyset pages and live updates, the search bar (debounced
typing, status/tool/date filters, Esc), Ctrl+F on the History page, and the start-up backfill
extension reporting progress through the worker API."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QKeySequence

from pixie_desktop.queries.search import RunFilter
from pixie_desktop.store import runs_repo
from pixie_desktop.store.db import dumps
from pixie_desktop.ui.models import runs_model as rm
from pixie_desktop.ui.models.runs_model import RunsModel
from pixie_desktop.ui.store_events import StoreEvents
from pixie_desktop.ui.views.history import HistoryView


def _ago(days: float) -> str:
    return (datetime.now(timezone.utc) - timedelta(days=days)).isoformat()


def _run(conn, run_id, tool="calc", *, label=None, outputs=None, status="ok", error=None, days=1.0):
    runs_repo.create_run(conn, run_id, tool, {"q": f"question {run_id}"}, started_at=_ago(days))
    if status != "running":
        runs_repo.finish_run(conn, run_id, status, outputs_json=dumps(outputs or {}), error_text=error)
    if label:
        runs_repo.set_label(conn, run_id, label)


def _ids(model) -> list[str]:
    return [model.index(r, 0).data(rm.RunIdRole) for r in range(model.rowCount())]


@pytest.fixture
def seeded(ctx):
    c = ctx.conn
    _run(c, "a", label="monthly invoice", days=40)
    _run(c, "b", "plot", outputs={"title": "invoice chart"}, days=3)
    _run(c, "c", status="error", error="KeyError: invoice_total", days=0.01)
    _run(c, "d", label="unrelated", days=2)
    return ctx


def test_model_search_pages_and_live_updates(qtbot, seeded):
    events = StoreEvents()
    model = RunsModel(seeded.conn, tool_id=None, page_size=2, events=events)
    model.reload()
    model.set_search(RunFilter(text="invoice"))
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert _ids(model) == ["c", "b", "a"]
    model.set_search(RunFilter(text="invoice", status="error"))
    assert _ids(model) == ["c"]
    model.set_search(RunFilter(text="invoice"))
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    # a new matching run appears, a non-matching one does not, an edit that stops matching leaves
    _run(seeded.conn, "e", label="invoice again", days=0)
    _run(seeded.conn, "f", label="nothing here", days=0)
    events.runChanged.emit("e")
    events.runChanged.emit("f")
    assert _ids(model) == ["e", "c", "b", "a"]
    runs_repo.set_label(seeded.conn, "a", "renamed")
    events.runChanged.emit("a")
    assert _ids(model) == ["e", "c", "b"]
    model.set_search(RunFilter())
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert sorted(_ids(model)) == ["a", "b", "c", "d", "e", "f"]


def test_search_bar_filters_as_you_type(qtbot, seeded):
    view = HistoryView(seeded, StoreEvents())
    qtbot.addWidget(view)
    view.show()
    assert view.model.rowCount() == 4
    qtbot.keyClicks(view.search_field, "invoi")
    qtbot.waitUntil(lambda: _ids(view.model) == ["c", "b", "a"], timeout=3000)
    view.status_filter.setCurrentIndex(view.status_filter.findData("ok"))
    assert _ids(view.model) == ["b", "a"]
    view.tool_filter.setCurrentIndex(view.tool_filter.findData("plot"))
    assert _ids(view.model) == ["b"]
    view.tool_filter.setCurrentIndex(0)
    view.since_filter.setCurrentIndex(view.since_filter.findData(30))
    assert _ids(view.model) == ["b"]          # a is 40 days old
    view.search_field.setText("zzznothing")
    view.apply_search()
    assert view.model.rowCount() == 0 and view.empty.isVisibleTo(view)
    assert "match" in view.empty.text()
    view.since_filter.setCurrentIndex(0)
    view.status_filter.setCurrentIndex(0)
    view.search_field.setFocus()
    qtbot.keyClick(view.search_field, Qt.Key.Key_Escape)
    assert view.search_field.text() == ""
    view.apply_search()
    assert view.model.rowCount() == 4 and not view.empty.isVisibleTo(view)


def test_ctrl_f_on_history_focuses_run_search(qtbot, make_window, seeded):
    win = make_window()
    win.show()
    win.show_page("history")
    act = win.action_registry.qaction("findTool")
    assert QKeySequence(QKeySequence.StandardKey.Find) in act.shortcuts()
    act.trigger()
    qtbot.waitUntil(lambda: win.history_page.search_field.hasFocus(), timeout=3000)
    win.show_page("home")
    act.trigger()
    assert not win.history_page.search_field.hasFocus()


def test_backfill_extension_indexes_old_runs_with_progress(qtbot, seeded):
    from pixie_desktop.ui.extensions import Services
    from pixie_desktop.ui.extensions.search_index import SearchIndexExtension
    from pixie_desktop.queries import search as sq

    seeded.conn.execute("DELETE FROM run_search_docs")
    seeded.conn.execute("DELETE FROM settings WHERE key = 'search_index_version'")
    assert sq.search(seeded.conn, RunFilter(text="invoice")) == []
    messages: list[str] = []
    services = Services(ctx=seeded, events=StoreEvents(), window=None, actions=None, runner=lambda: None,
                        status=lambda text, ms=0: messages.append(text), submit=None, tools=lambda: [])
    ext = SearchIndexExtension()
    ext.install(services)
    assert ext.task is not None
    qtbot.waitUntil(lambda: ext.result is not None, timeout=10_000)
    assert ext.result.finished and ext.result.indexed == 4
    assert ext.progress and ext.progress[-1][0] == 1.0
    assert any("indexed" in m for m in messages)
    assert [r.id for r in sq.search(seeded.conn, RunFilter(text="invoice"))] == ["c", "b", "a"]
    ext.shutdown()
    again = SearchIndexExtension()
    again.install(services)      # done once: nothing to run on the next start
    assert again.task is None


def test_batch_token_filters_history_to_one_batch(qtbot, seeded):
    from pixie_desktop.queries.search import split_batch_token

    assert split_batch_token("invoice batch:B1 chart") == ("invoice chart", "B1")
    assert split_batch_token("plain words") == ("plain words", None)
    runs_repo.update_meta(seeded.conn, "a", batch_id="B1")
    runs_repo.update_meta(seeded.conn, "d", batch_id="B1")
    runs_repo.update_meta(seeded.conn, "b", batch_id="B2")
    view = HistoryView(seeded, StoreEvents())
    qtbot.addWidget(view)
    view.show()
    view.search_field.setText("batch:B1")
    view.apply_search()
    assert _ids(view.model) == ["d", "a"]
    view.search_field.setText("invoice batch:B1")  # words and the batch together
    view.apply_search()
    assert _ids(view.model) == ["a"]
    view.search_field.setText("batch:nope")
    view.apply_search()
    assert view.model.rowCount() == 0
