"""Craft at every window size (issue 13): the clipping self-check (tests/clipping.py) over Home,
History, Gallery, a bundled tool page after a real run, the every-input form and Settings, at
960×640, 1280×800 and 1920×1080, light and dark, and at 3840×2160 (4K at 100 % scale) light — zero
findings. One window per size is built once and reused across pages and themes to keep the runtime
down; 4K is checked in one theme only (the themes share every layout, only colours differ)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from accessibility import unnamed_interactive
from clipping import find_clipping
from conftest import write_tool
from fixtures_ui_shell import copy_bundled, wait_idle

DATA = Path(__file__).parent / "data"
SIZES = [(960, 640), (1280, 800), (1920, 1080), (3840, 2160)]
ALL_INPUT_VALUES = {"t_date_range": ["2026-03-01", "2026-03-31"], "t_table": [{"name": "Widgets", "count": 12}],
                    "t_text": "A fairly ordinary sentence typed into the text field",
                    "t_map_point": [51.5, -0.12]}


def _settle(qtbot, win) -> None:
    from PySide6.QtWidgets import QApplication

    for _ in range(3):
        QApplication.processEvents()
    qtbot.wait(30)
    QApplication.processEvents()


def _pages(qtbot, win, ctx):
    """(name, widget to check) for every page, shown in turn."""
    yield "home", (win.show_page("home"), win)[1]
    yield "history", (win.show_page("history"), win)[1]
    yield "gallery", (win.show_page("gallery"), win)[1]
    yield "tools", (win.show_page("tools"), win)[1]
    win.open_tool("calculator")
    yield "calculator after a run", win
    win.open_tool("all-inputs-tool")
    yield "every-input form", win
    from pixie_desktop.ui.views.settings_dialog import SettingsDialog

    dlg = SettingsDialog(ctx.settings, ctx.conn, win)
    dlg.resize(min(760, win.width()), min(680, win.height()))
    dlg.show()
    qtbot.waitExposed(dlg)
    try:
        yield "settings", dlg
    finally:
        dlg.close()
        dlg.deleteLater()


@pytest.fixture
def craft_tools(tools_dir):
    copy_bundled(tools_dir, "calculator", "csv-summary", "image-thumbnail", "slow-counter")  # six home cards
    spec = json.loads((DATA / "all-inputs.tool.json").read_text())
    write_tool(tools_dir, "all-inputs-tool", spec, main_py="")
    return tools_dir


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_no_clipping_at_every_size(qtbot, make_window, craft_tools, ctx, size):
    win = make_window(restore=False)
    win.resize(*size)
    win.show()
    qtbot.waitExposed(win)
    win.resize(*size)  # offscreen screens are small: a window may still be larger than its screen
    assert win.open_tool("calculator")
    page = win.tool_pages["calculator"]
    page.form.set_values({"a": 6, "op": "multiply", "b": 7})
    assert page.run()
    wait_idle(qtbot, page)
    assert page.last_result.status == "ok", page.last_result.error
    assert win.open_tool("all-inputs-tool")
    win.tool_pages["all-inputs-tool"].form.set_values(ALL_INPUT_VALUES)
    findings: list[str] = []
    for theme in ("light",) if size[0] > 1920 else ("light", "dark"):
        win.set_theme(theme)
        for name, widget in _pages(qtbot, win, ctx):
            _settle(qtbot, win)
            assert (win.width(), win.height()) == size
            findings += [f"{theme} {name}: {f}" for f in find_clipping(widget)]
    assert not findings, f"{len(findings)} clipping findings at {size[0]}×{size[1]}:\n" + "\n".join(findings)


def test_self_check_finds_clipped_text_and_overflow(qtbot):
    """The checker itself: a cut label, a cut button and a widget past its window are found; an
    elided label with its full text in the tool tip and a fitting label are not."""
    from PySide6.QtWidgets import QLabel, QPushButton, QWidget

    root = QWidget()
    qtbot.addWidget(root)
    root.resize(300, 200)
    cut = QLabel("A label whose text is much too long for forty pixels", root)
    cut.setGeometry(0, 0, 40, 20)
    elided = QLabel("Short…", root)
    elided.setGeometry(0, 30, 200, 20)
    long_elided = QLabel("A label whose text is much too long for forty pixels", root)
    long_elided.setProperty("elided", True)
    long_elided.setToolTip(long_elided.text())
    long_elided.setGeometry(0, 60, 40, 20)
    button = QPushButton("Open folder", root)
    button.setGeometry(0, 90, 30, 26)
    outside = QPushButton("Run", root)
    outside.setGeometry(270, 150, 100, 30)
    root.show()
    qtbot.waitExposed(root)
    findings = find_clipping(root)
    assert any("much too long" in f and "needs" in f for f in findings)
    assert any("Open folder" in f for f in findings)
    assert any("'Run'" in f and "sticks out" in f for f in findings)
    assert not any("Short" in f for f in findings)
    assert len(findings) == 3, findings


def _shown(qtbot, win, size):
    win.resize(*size)
    win.show()
    qtbot.waitExposed(win)
    win.resize(*size)
    qtbot.wait(20)


def test_narrow_tool_page_stacks_and_moves_buttons_into_menu(qtbot, make_window, shell_tools):
    from PySide6.QtCore import Qt

    win = make_window(restore=False)
    _shown(qtbot, win, (960, 640))
    assert win.open_tool("alpha")
    page = win.tool_pages["alpha"]
    qtbot.waitUntil(lambda: page.layout_mode == "narrow")
    assert page.splitter.orientation() == Qt.Orientation.Vertical
    assert not page.folder_button.isVisible() and not page.history_button.isVisible()
    assert page.run_button.isVisible() and page.more_button.isVisible()
    menu = page.more_menu()
    texts = [a.text() for a in menu.actions()]
    assert texts[:2] == ["Open folder", "History"], texts
    menu.deleteLater()
    win.resize(1600, 900)
    qtbot.waitUntil(lambda: page.layout_mode == "wide")
    assert page.splitter.orientation() == Qt.Orientation.Horizontal
    assert page.folder_button.isVisible() and page.history_button.isVisible()
    menu = page.more_menu()
    assert "History" not in [a.text() for a in menu.actions()]
    menu.deleteLater()


def test_long_title_elides_with_full_name_in_tool_tip(qtbot, make_window, tools_dir):
    from fixtures_ui_shell import make_tool

    name = "Quarterly Sales Summary With A Very Long Descriptive Name"
    make_tool(tools_dir, "long", name)
    win = make_window(restore=False)
    _shown(qtbot, win, (960, 640))
    assert win.open_tool("long")
    title = win.tool_pages["long"].title
    qtbot.waitUntil(title.is_elided)
    assert title.text() == name and title.toolTip() == name
    win.resize(1920, 1080)
    qtbot.waitUntil(lambda: not title.is_elided())
    assert title.toolTip() == ""


def test_tool_splitter_remembered_per_tool_and_arrangement(qtbot, make_window, shell_tools):
    win = make_window(restore=False)
    _shown(qtbot, win, (1600, 900))
    win.open_tool("alpha")
    page = win.tool_pages["alpha"]
    qtbot.waitUntil(lambda: page.layout_mode == "wide")
    page.splitter.setSizes([600, 600])
    wanted = page.splitter.sizes()
    win.window_state.save_tool_page(page)
    win.open_tool("gamma")
    other = win.tool_pages["gamma"].splitter.sizes()
    again = make_window(restore=False)
    _shown(qtbot, again, (1600, 900))
    again.open_tool("alpha")
    qtbot.waitUntil(lambda: again.tool_pages["alpha"].layout_mode == "wide")
    assert again.tool_pages["alpha"].splitter.sizes() == wanted
    again.open_tool("gamma")
    assert win.tool_pages["gamma"].splitter.sizes() == other != wanted  # gamma kept its own


def test_restored_geometry_is_clamped_to_the_screen(qtbot, make_window, shell_tools):
    win = make_window(restore=False)
    _shown(qtbot, win, (2400, 1500))
    win.move(3000, 2000)
    win.save_state()
    again = make_window()
    again.show()
    qtbot.waitExposed(again)
    avail = again.screen().availableGeometry()
    frame = again.frameGeometry()
    assert avail.adjusted(-2, -2, 2, 2).contains(frame), (avail, frame)  # offscreen frames are 1 px
    assert again.width() <= avail.width() and again.height() <= avail.height()


def test_gallery_filters_collapse_into_a_menu_and_list_keeps_names(qtbot, make_window, shell_tools):
    from pixie_desktop.ui.models.artefacts_model import COL_LABEL, COL_NAME

    win = make_window(restore=False)
    _shown(qtbot, win, (1920, 1080))
    win.show_page("gallery")
    gallery = win.pages["gallery"]
    qtbot.waitUntil(lambda: gallery.bar_mode == "wide")
    assert gallery.filter_box.parentWidget() is gallery.filter_bar and not gallery.filters_btn.isVisible()
    win.resize(960, 640)
    qtbot.waitUntil(lambda: gallery.bar_mode == "narrow")
    assert gallery.filters_btn.isVisible() and gallery.filter_box.parentWidget() is gallery.filters_holder
    assert gallery.tool_combo.parentWidget() is gallery.filter_box  # same combos, now in the menu
    qtbot.wait(20)
    bar = gallery.filter_bar
    assert bar.layout().minimumSize().width() <= bar.width(), "toolbar widgets overlap"  # search vs Filters
    gallery.set_view_mode("list", save=False)
    qtbot.wait(20)
    table = gallery.table

    def names_fit() -> bool:
        table.fit_columns()
        others = sum(table.columnWidth(c) for c in range(table.model().columnCount())
                     if c != COL_NAME and not table.isColumnHidden(c))
        return table.viewport().width() - others >= table.NAME_MIN

    assert names_fit() and table.isColumnHidden(COL_LABEL)
    hidden_narrow = sum(table.isColumnHidden(c) for c in table.DROP_ORDER)
    win.resize(1920, 1080)
    qtbot.waitUntil(lambda: gallery.bar_mode == "wide")
    qtbot.wait(50)
    assert names_fit()
    assert sum(table.isColumnHidden(c) for c in table.DROP_ORDER) <= hidden_narrow


def test_every_interactive_widget_has_an_accessible_name(qtbot, make_window, craft_tools, ctx):
    """Home, History, Gallery, a tool page after a run, the every-input form and Settings: no
    button, field, list or tab bar a screen reader would announce without a name."""
    win = make_window(restore=False)
    _shown(qtbot, win, (1280, 800))
    assert win.open_tool("calculator")
    page = win.tool_pages["calculator"]
    assert page.run()
    wait_idle(qtbot, page)
    missing: list[str] = []
    for name, widget in _pages(qtbot, win, ctx):
        _settle(qtbot, win)
        missing += [f"{name}: {m}" for m in unnamed_interactive(widget)]
    assert not missing, f"{len(missing)} unnamed:\n" + "\n".join(missing)


def test_designed_empty_states_and_selection_buttons(qtbot, make_window, monkeypatch):
    """No tools: Home offers "Create a tool…" and "Open tools folder"; empty History and Gallery
    show a title, one sentence and one action in one compact block; buttons that need a
    selection are disabled without one."""
    from PySide6.QtGui import QDesktopServices

    win = make_window(restore=False)
    _shown(qtbot, win, (1280, 800))
    home = win.home
    assert home.empty.isVisibleTo(home) and home.create_button.isVisibleTo(home)
    created, opened = [], []
    win.new_tool = lambda: created.append(1)
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    home.create_button.click()
    home.folder_button.click()
    assert created == [1] and opened == [str(win.ctx.settings.tools_dir)]

    win.show_page("history")
    history = win.history_page
    _settle(qtbot, win)
    assert history.empty.isVisible() and not history.table.isVisible()
    assert history.empty.text().startswith("No runs yet") and history.empty.button.isVisible()
    # compact: the heading stays at the top instead of being spread down the page
    assert history.empty.geometry().top() < 200
    for b in (history.open_button, history.load_button, history.rerun_button, history.compare_button,
              history.delete_button):
        assert not b.isEnabled(), b.text()

    win.show_page("gallery")
    gallery = win.pages["gallery"]
    qtbot.waitUntil(lambda: gallery.views.currentWidget() is gallery.empty_label)
    assert gallery.empty_label.text().startswith("No artefacts yet")
    gallery.search.setText("nothing-matches")
    qtbot.waitUntil(lambda: "No artefacts match" in gallery.empty_label.text())
    assert gallery.empty_label.button.text() == "Clear filters"
    gallery.empty_label.button.click()
    assert gallery.search.text() == ""
    qtbot.waitUntil(lambda: gallery.empty_label.text().startswith("No artefacts yet"))
    gallery.trash_btn.setChecked(True)
    qtbot.waitUntil(lambda: gallery.empty_label.text().startswith("The Trash is empty"))
    assert not gallery.restore_btn.isEnabled() and not gallery.purge_btn.isEnabled()
    gallery.empty_label.button.click()  # "Back to the gallery"
    assert not gallery.trash_btn.isChecked()


# -- what the screenshot review at 4K found ------------------------------------------------------

def test_wide_windows_keep_fields_readable_and_columns_useful(qtbot, make_window, craft_tools, ctx):
    """At 3840×2160 the form keeps to a readable width, a drop zone's prompt stays on one line,
    the History Inputs column grows with the window (unless resized by hand) and the table
    output keeps its rows right under its toolbar."""
    from PySide6.QtWidgets import QWidget

    from pixie_desktop.ui.inputs.form import FORM_MAX_WIDTH
    from pixie_desktop.ui.models import runs_model as rm
    from pixie_desktop.ui.views.history import INPUTS_MIN_WIDTH

    win = make_window(restore=False)
    _shown(qtbot, win, (3840, 2160))
    assert win.open_tool("all-inputs-tool")
    form = win.tool_pages["all-inputs-tool"].form
    _settle(qtbot, win)
    body = form.scroll.widget()
    assert body.width() <= FORM_MAX_WIDTH < form.scroll.viewport().width()
    zone = form.widgets["t_image"].zone
    assert not zone.prompt.wordWrap() and zone.prompt.height() < 2 * zone.prompt.fontMetrics().height()
    win.resize(960, 640)
    _settle(qtbot, win)
    assert zone.width() >= zone.minimumSizeHint().width()  # narrow: wraps again rather than widening

    win.resize(3840, 2160)
    assert win.open_tool("calculator")
    page = win.tool_pages["calculator"]
    assert page.run()
    wait_idle(qtbot, page)
    _settle(qtbot, win)
    table = next(c for c in page.outputs.findChildren(QWidget) if type(c).__name__ == "TableRenderer")
    gap = table.view.mapTo(table, table.view.rect().topLeft()).y() - (
        table.count.mapTo(table, table.count.rect().bottomLeft()).y())
    assert gap < 40, gap  # was ~200 px of empty card between "5 rows" and the header

    win.show_page("history")
    history = win.pages["history"]
    _settle(qtbot, win)
    wide = history.table.columnWidth(rm.COL_INPUTS)
    assert wide > INPUTS_MIN_WIDTH
    win.resize(960, 640)
    _settle(qtbot, win)
    assert history.table.columnWidth(rm.COL_INPUTS) < wide
    history.table.setColumnWidth(rm.COL_INPUTS, 333)  # by hand: kept
    win.resize(1920, 1080)
    _settle(qtbot, win)
    assert history.table.columnWidth(rm.COL_INPUTS) == 333


def test_code_editor_recolours_on_theme_change(qtbot, make_window, craft_tools):
    win = make_window(restore=False)
    _shown(qtbot, win, (1280, 800))
    win.set_theme("light")
    assert win.open_tool("all-inputs-tool")
    edit = win.tool_pages["all-inputs-tool"].form.widgets["t_json"].edit
    light = dict(edit.highlighter.formats)
    win.set_theme("dark")
    _settle(qtbot, win)
    assert edit.highlighter.formats != light  # the dark style: keys readable on the dark field
    win.set_theme("light")


def test_multiselect_rows_fit_and_dark_bevels_are_dark(qtbot):
    """A multiselect's options get full-height rows that all fit its list; the dark palette's
    bevel roles are dark (QPalette()'s white Light role drew a white line under tab bars)."""
    from PySide6.QtGui import QColor, QPalette

    from pixie_desktop.manifest.parse import parse_tool_file
    from pixie_desktop.ui import theme
    from pixie_desktop.ui.inputs.choices import ROW_HEIGHT
    from pixie_desktop.ui.inputs.form import ToolForm

    form = ToolForm(parse_tool_file(DATA / "all-inputs.tool.json"))
    qtbot.addWidget(form)
    form.resize(700, 900)
    form.show()
    qtbot.waitExposed(form)
    lst = form.widgets["t_multiselect"].list
    rects = [lst.visualItemRect(lst.item(i)) for i in range(lst.count())]
    assert all(r.height() >= ROW_HEIGHT - 1 for r in rects), rects
    assert all(lst.viewport().rect().contains(r.bottomLeft()) for r in rects), rects
    dark = theme.palette_for(theme.current(True))
    assert dark.color(QPalette.ColorRole.Light).lightness() < QColor("#ffffff").lightness() // 2


def test_tool_header_buttons_share_one_centre_line(qtbot, make_window, craft_tools):
    win = make_window(restore=False)
    _shown(qtbot, win, (1920, 1080))
    assert win.open_tool("calculator")
    page = win.tool_pages["calculator"]
    _settle(qtbot, win)
    buttons = [b for b in (page.fav_button, page.more_button, page.presets_button, page.batch_button,
                           page.folder_button, page.history_button, page.cancel_button, page.run_button)
               if b is not None and b.isVisible()]
    centres = {b.accessibleName() or b.text(): b.mapTo(page, b.rect().center()).y() for b in buttons}
    assert max(centres.values()) - min(centres.values()) <= 1, centres
