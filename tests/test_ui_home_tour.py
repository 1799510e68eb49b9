"""The first-start tour on Home: shown on a fresh database, its buttons open the calculator, CSV
Summary and the gallery, and once dismissed it stays hidden (also after a restart); any recorded
run hides it too."""

from __future__ import annotations

import pytest

from fixtures_ui_shell import copy_bundled
from pixie_desktop.store import runs_repo, settings_repo
from pixie_desktop.ui.views.tour import TOUR_DISMISSED_KEY

NAMES = {"calculator": "Calculator", "csv-summary": "CSV Summary"}


@pytest.fixture
def home(qtbot, ctx):
    from pixie_desktop.ui.views.home import HomePage

    def make(names=NAMES):
        page = HomePage(ctx)
        qtbot.addWidget(page)
        page.refresh(dict(names))
        return page

    return make


def test_tour_shows_on_a_fresh_database(home):
    page = home()
    assert page.tour.isVisibleTo(page)
    assert all(b.isVisibleTo(page) for b in page.tour.buttons.values())


def test_tour_buttons_emit_the_signals_the_window_handles(qtbot, home):
    from PySide6.QtCore import Qt

    page = home()
    for key, signal, arg in (("tool:calculator", page.toolActivated, "calculator"),
                             ("tool:csv-summary", page.toolActivated, "csv-summary"),
                             ("page:gallery", page.navRequested, "gallery")):
        with qtbot.waitSignal(signal, timeout=1000) as blocker:
            qtbot.mouseClick(page.tour.buttons[key], Qt.MouseButton.LeftButton)
        assert blocker.args == [arg]


def test_dismissed_tour_stays_hidden_after_restart(qtbot, home, ctx):
    from PySide6.QtCore import Qt

    page = home()
    qtbot.mouseClick(page.tour.close_button, Qt.MouseButton.LeftButton)
    assert not page.tour.isVisibleTo(page)
    assert settings_repo.get_setting(ctx.conn, TOUR_DISMISSED_KEY) == "1"
    page.refresh(dict(NAMES))
    assert not page.tour.isVisibleTo(page)
    assert not home().tour.isVisibleTo(page)  # a new Home, as after a restart, reads the setting


def test_tour_hides_once_something_has_run_and_skips_missing_tools(home, ctx):
    page = home({"csv-summary": "CSV Summary"})
    assert page.tour.isVisibleTo(page)
    assert not page.tour.buttons["tool:calculator"].isVisibleTo(page)
    runs_repo.create_run(ctx.conn, "r1", "csv-summary", {})
    page.refresh({"csv-summary": "CSV Summary"})
    assert not page.tour.isVisibleTo(page)
    assert not home({}).tour.isVisibleTo(page)  # no tools at all: the empty state speaks instead


def test_main_window_follows_the_tour(qtbot, make_window, tools_dir):
    copy_bundled(tools_dir, "calculator", "csv-summary")
    win = make_window()
    assert win.home.tour.isVisibleTo(win.home)
    win.home.tour.buttons["tool:calculator"].click()
    assert win.current_tool_id == "calculator"
    win.home.tour.buttons["page:gallery"].click()
    assert win.current_page == "gallery"
