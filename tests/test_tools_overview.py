"""Tools overview page: the Qt-free overview query, the bulk/sort-order ops, ToolsOverviewModel
through data(index, role) and qtmodeltester, sorting and filtering through its proxy, and the
page's bulk archive / tag (published once) and move up/down (sort_order written)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from pixie_desktop.ops import tools as tool_ops
from pixie_desktop.ops.tools import TagError
from pixie_desktop.queries import tools as tool_queries
from pixie_desktop.store import runs_repo, tags_repo, tool_state_repo
from pixie_desktop.ui.models import tools_overview_model as om
from pixie_desktop.ui.models.tools_overview_model import ToolsOverviewModel, make_proxy
from pixie_desktop.ui.store_events import StoreEvents
from pixie_desktop.ui.views.tools_overview import ToolsOverview

TOOLS = [("alpha", "Alpha"), ("beta", "beta tool"), ("gamma", "Gamma")]


def _runs(conn, tool_id: str, n: int, day: int) -> None:
    for i in range(n):
        runs_repo.create_run(conn, f"{tool_id}-{i}", tool_id, {}, started_at=f"2026-01-{day:02d}T10:0{i}:00+00:00")


@pytest.fixture
def seeded(conn):
    _runs(conn, "alpha", 1, 3)
    _runs(conn, "gamma", 3, 1)
    tool_state_repo.update(conn, "beta", disk_bytes=5 * 1024 * 1024)
    tool_state_repo.update(conn, "alpha", disk_bytes=10)
    tags_repo.add_tag(conn, "gamma", "maths")
    tool_state_repo.set_flag(conn, "beta", "archived", True)
    return conn


class Hub:
    """Counts each hub signal publish() emits."""

    def __init__(self):
        self.events = StoreEvents()
        self.tool_states: list[str] = []
        self.events.toolStateChanged.connect(self.tool_states.append)


def test_overview_query_rows_and_order(seeded):
    rows = tool_queries.overview(seeded, TOOLS)
    assert [r.tool_id for r in rows] == ["alpha", "beta", "gamma"]  # no sort_order yet: by name
    by = {r.tool_id: r for r in rows}
    assert by["gamma"].runs == 3 and by["alpha"].runs == 1 and by["beta"].runs == 0
    assert by["alpha"].last_used.startswith("2026-01-03") and by["beta"].last_used is None
    assert by["beta"].archived and not by["alpha"].archived
    assert by["beta"].disk_bytes == 5 * 1024 * 1024
    assert by["gamma"].tags == ["maths"]
    tool_ops.set_sort_order(seeded, ["gamma", "alpha"])
    assert [r.tool_id for r in tool_queries.overview(seeded, TOOLS)] == ["gamma", "alpha", "beta"]


def test_set_sort_order_writes_only_changed_positions(conn):
    change = tool_ops.set_sort_order(conn, ["b", "a", "c"])
    assert change.tool_ids == {"a", "b", "c"}
    assert [tool_state_repo.get(conn, t).sort_order for t in ("b", "a", "c")] == [0, 1, 2]
    change = tool_ops.set_sort_order(conn, ["a", "b", "c"])
    assert change.tool_ids == {"a", "b"}
    assert tool_state_repo.get(conn, "a").sort_order == 0


def test_add_tag_many_refuses_bad_tag_and_writes_nothing(conn):
    with pytest.raises(TagError):
        tool_ops.add_tag_many(conn, ["a", "b"], "Not A Tag!")
    assert tags_repo.tags_of(conn, "a") == []


def test_overview_model_roles(qtmodeltester, seeded):
    model = ToolsOverviewModel(seeded)
    model.load(TOOLS)
    qtmodeltester.check(model)
    assert model.rowCount() == 3 and model.columnCount() == 6
    g = model.row_of("gamma")
    assert model.index(g, om.NAME).data() == "Gamma"
    assert model.index(g, om.RUNS).data() == 3
    assert model.index(g, om.TAGS).data() == "maths"
    assert model.index(g, om.LAST_USED).data() == "2026-01-01 10:02"
    assert model.index(g, 0).data(om.ToolIdRole) == "gamma"
    b = model.row_of("beta")
    assert model.index(b, om.DISK).data() == "5.0 MB"
    assert model.index(b, om.ARCHIVED).data() == "yes"
    assert model.index(b, 0).data(om.ArchivedRole) is True
    assert model.index(b, om.LAST_USED).data() == "never"
    assert model.headerData(om.DISK, Qt.Orientation.Horizontal) == "Disk use"


@pytest.mark.parametrize("column, order, expected", [
    (om.NAME, Qt.SortOrder.AscendingOrder, ["alpha", "beta", "gamma"]),
    (om.LAST_USED, Qt.SortOrder.DescendingOrder, ["alpha", "gamma", "beta"]),
    (om.RUNS, Qt.SortOrder.DescendingOrder, ["gamma", "alpha", "beta"]),
    (om.DISK, Qt.SortOrder.DescendingOrder, ["beta", "alpha", "gamma"]),
])
def test_overview_sort(qtmodeltester, seeded, column, order, expected):
    model = ToolsOverviewModel(seeded)
    model.load(TOOLS)
    proxy = make_proxy(model)
    proxy.sort(column, order)
    qtmodeltester.check(proxy)
    assert [proxy.index(r, 0).data(om.ToolIdRole) for r in range(proxy.rowCount())] == expected


def test_overview_filter_by_name_id_and_tag(seeded):
    model = ToolsOverviewModel(seeded)
    model.load(TOOLS)
    proxy = make_proxy(model)
    proxy.set_text("MATHS")
    assert [proxy.index(r, 0).data(om.ToolIdRole) for r in range(proxy.rowCount())] == ["gamma"]
    proxy.set_text("tool")
    assert [proxy.index(r, 0).data(om.ToolIdRole) for r in range(proxy.rowCount())] == ["beta"]
    proxy.set_text("a(")  # plain text, not a pattern
    assert proxy.rowCount() == 0
    proxy.set_text("")
    assert proxy.rowCount() == 3


def test_moved_keeps_edges_and_blocks():
    model = ToolsOverviewModel(None)
    model._rows = [tool_queries.OverviewRow(t, t) for t in "abcd"]  # noqa: SLF001
    assert model.moved(["c"], -1) == list("acbd")
    assert model.moved(["a", "b"], -1) == list("abcd")
    assert model.moved(["b", "c"], 1) == list("adbc")
    assert model.moved(["d"], 1) == list("abcd")


@pytest.fixture
def page(qtbot, seeded):
    hub = Hub()
    view = ToolsOverview(seeded, lambda: list(TOOLS), hub.events)
    qtbot.addWidget(view)
    view.reload()
    view.hub = hub
    return view


def test_bulk_archive_published_once(page, conn):
    page.select_tools(["alpha", "gamma"])
    assert page.selected_tool_ids() == ["alpha", "gamma"]
    page.set_archived_selected(True)
    assert tool_queries.archived_ids(conn) == {"alpha", "beta", "gamma"}
    assert sorted(page.hub.tool_states) == ["alpha", "gamma"]
    assert page.selected_tool_ids() == ["alpha", "gamma"]  # the selection survives the reload
    page.hub.tool_states.clear()
    page.select_tools(["beta"])
    page.set_archived_selected(False)
    assert tool_queries.archived_ids(conn) == {"alpha", "gamma"}
    assert page.hub.tool_states == ["beta"]
    assert page.model.index(page.model.row_of("beta"), om.ARCHIVED).data() == ""


def test_bulk_tag_published_once(page, conn):
    page.select_tools(["alpha", "beta"])
    assert page.add_tag_selected("Data Cleaning") is False  # refused: message, nothing written
    assert page.hub.tool_states == [] and "kebab-case" in page.message.text()
    assert page.add_tag_selected("data-cleaning")
    assert tags_repo.tags_of(conn, "alpha") == ["data-cleaning"]
    assert tags_repo.tags_of(conn, "beta") == ["data-cleaning"]
    assert sorted(page.hub.tool_states) == ["alpha", "beta"]
    assert page.model.index(page.model.row_of("alpha"), om.TAGS).data() == "data-cleaning"


def test_move_writes_sort_order(page, conn):
    page.table.sortByColumn(om.RUNS, Qt.SortOrder.DescendingOrder)
    page.select_tools(["gamma"])
    page.move_selected(-1)  # column sort dropped: the user's order is alpha, beta, gamma
    assert page.model.tool_ids() == ["alpha", "gamma", "beta"]
    assert {t: tool_state_repo.get(conn, t).sort_order for t in ("alpha", "gamma", "beta")} == \
        {"alpha": 0, "gamma": 1, "beta": 2}
    assert [page.proxy.index(r, 0).data(om.ToolIdRole) for r in range(3)] == ["alpha", "gamma", "beta"]
    page.hub.tool_states.clear()
    page.move_selected(-1)
    assert page.model.tool_ids() == ["gamma", "alpha", "beta"]
    assert sorted(page.hub.tool_states) == ["alpha", "gamma"]
    assert page.selected_tool_ids() == ["gamma"]


def test_window_has_tools_page_in_nav_and_view_menu(qtbot, make_window, shell_tools):
    win = make_window(restore=False)
    win.show()
    qtbot.waitExposed(win)
    assert "tools" in win.pages and win.sidebar._nav["tools"].text() == "Tools"  # noqa: SLF001
    assert win.action_registry.qaction("page.tools") is not None
    win.action_registry.trigger("page.tools")
    assert win.current_page == "tools"
    page = win.tools_overview
    qtbot.waitUntil(lambda: page.model.rowCount() == 4)
    assert {page.model.index(r, 0).data(om.ToolIdRole) for r in range(4)} >= {"alpha", "beta", "gamma"}
    # reordering on the page reorders the sidebar's "All tools" (it sorts by sort_order)
    page.select_tools(["gamma"])
    for _ in range(3):  # alpha, beta, broken, gamma → gamma first
        page.move_selected(-1)
    assert page.model.tool_ids()[0] == "gamma"

    def sidebar_first() -> str:
        return next(s for s in win.sidebar.model.sections() if s.key == "tools").tool_ids[0]

    qtbot.waitUntil(lambda: sidebar_first() == "gamma")


def test_cards_grid_selection_sort_and_toggle(qtbot, page, conn):
    """The page opens as a grid of cards; a card click selects the tool for the bulk actions;
    the sort choice orders the cards; Grid/List switches views over one selection."""
    from PySide6.QtCore import QItemSelectionModel

    page.resize(900, 600)
    page.show()
    qtbot.waitExposed(page)
    assert page.view_mode == "grid" and page.views.currentWidget() is page.cards
    assert page.cards.selectionModel() is page.table.selectionModel()

    def card_ids() -> list[str]:
        return [page.proxy.index(r, 0).data(om.ToolIdRole) for r in range(page.proxy.rowCount())]

    delegate = page.cards.itemDelegate()
    gamma = page.proxy.index(card_ids().index("gamma"), 0)
    last = gamma.siblingAtColumn(om.LAST_USED).data()
    assert delegate.lines(gamma) == ["Gamma", "3 runs · 0 B", f"Last used {last}", "maths"]
    beta = page.proxy.index(card_ids().index("beta"), 0)
    assert delegate.lines(beta)[3] == "Archived"
    rect = page.cards.visualRect(gamma)
    assert rect.width() >= delegate.CARD.width() - 1 and page.cards.viewport().rect().contains(rect.center())
    qtbot.mouseClick(page.cards.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert page.selected_tool_ids() == ["gamma"] and page.archive_btn.isEnabled()
    page.set_archived_selected(True)
    assert "gamma" in tool_queries.archived_ids(conn)
    page.sort_combo.setCurrentText("Runs")
    assert card_ids() == ["gamma", "alpha", "beta"]
    page.sort_combo.setCurrentText("Disk use")
    assert card_ids() == ["beta", "alpha", "gamma"]
    page.sort_combo.setCurrentText("Your order")
    assert card_ids() == page.model.tool_ids()
    page.table.sortByColumn(om.NAME, Qt.SortOrder.AscendingOrder)  # a header click shows in the combo
    assert page.sort_combo.currentText() == "Name"
    page.list_btn.click()
    assert page.view_mode == "list" and page.views.currentWidget() is page.table
    page.cards.selectionModel().select(page.proxy.index(card_ids().index("alpha"), 0),
                                       QItemSelectionModel.SelectionFlag.ClearAndSelect)
    assert page.selected_tool_ids() == ["alpha"]  # one selection, whichever view made it
    page.grid_btn.click()
    assert page.view_mode == "grid"


def test_card_says_zero_runs(page):
    """A tool never run reads "0 runs · 0 B" on its card, not " runs · 0 B"."""
    delegate = page.cards.itemDelegate()
    lines = {}
    for row in range(page.model.rowCount()):
        index = page.cards.model().index(row, 0)
        lines[index.data()] = delegate.lines(index)[1]
    assert lines["beta tool"].startswith("0 runs · "), lines
    assert lines["Alpha"].startswith("1 run · ") and lines["Gamma"].startswith("3 runs · "), lines
