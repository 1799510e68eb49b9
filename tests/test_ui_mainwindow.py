"""Main window: pages and hooks, broken tool page, keyboard shortcuts, persisted geometry /
splitter / last tool, running a bundled tool from the form (real subprocess), cancel, inline
input errors, files dropped on a sidebar tool."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, Qt, QUrl
from PySide6.QtWidgets import QApplication, QLabel

from fixtures_ui_shell import copy_bundled, make_tool, wait_idle
from pixie_desktop.store import runs_repo, settings_repo, tool_state_repo
from pixie_desktop.ui.models import runs_model as rm

def test_window_lists_tools_and_hooks(qtbot, make_window, shell_tools):
    win = make_window()
    assert win.tools_model.rowCount() == 4
    assert set(win.sidebar.visible_tool_ids()) == {"alpha", "beta", "gamma", "broken"}
    assert {"home", "history"} <= set(win.pages)
    assert set(win.menus) == {"File", "Edit", "View", "Tools", "Help"}
    assert "3 tools ready" in win.home.summary.text() and "1 needs fixing" in win.home.summary.text()
    extra = QLabel("custom")
    win.add_page("custom", "Custom", extra)
    assert win.show_page("custom") and win.stack.currentWidget() is extra
    assert not win.open_tool("nope")
    assert win.open_tool("alpha") and win.current_tool_id == "alpha" and win.current_page == "tool"


def test_broken_tool_page_shows_error(qtbot, make_window, shell_tools):
    from pixie_desktop.ui.views.tool_page import BrokenToolPanel

    win = make_window()
    assert win.open_tool("broken")
    page = win.tool_pages["broken"]
    panel = page.findChild(BrokenToolPanel)
    assert panel is not None and "tool.json" in panel.details.toPlainText()
    assert not page.run_button.isEnabled()
    assert not page.run()


def test_empty_state_without_tools(qtbot, make_window):
    win = make_window()
    assert win.home.empty.isVisibleTo(win.home)
    assert "No tools found" in win.home.summary.text()
    assert win.sidebar.empty_label.isVisibleTo(win.sidebar)


def test_shortcuts(qtbot, make_window, shell_tools, ctx):
    tool_state_repo.set_flag(ctx.conn, "gamma", "favourited", True)
    tool_state_repo.set_flag(ctx.conn, "alpha", "favourited", True)
    win = make_window()
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    win.open_tool("beta")
    qtbot.keyClick(win, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(win.sidebar.search.hasFocus)
    assert [a.shortcut().toString() for a in win.favourite_actions[:2]] == ["Ctrl+1", "Ctrl+2"]
    favs = win.sidebar.model.favourites()
    assert favs == ["alpha", "gamma"]
    qtbot.keyClick(win, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert win.current_tool_id == "gamma"
    assert not win.open_favourite(5)
    assert "Ctrl+Return" in [s.toString() for s in win.run_action.shortcuts()]
    assert win.cancel_action.shortcut().toString() == "Esc"
    assert win.find_action.shortcut().toString() == "Ctrl+K"
    assert not win.cancel_current()  # nothing running: Esc is harmless


def test_geometry_splitter_and_last_tool_persist(qtbot, make_window, shell_tools, ctx):
    win = make_window()
    win.show()
    qtbot.waitExposed(win)
    win.resize(780, 520)  # the offscreen screen is 800×600; restoreGeometry clamps to it
    win.splitter.setSizes([300, 480])
    win.open_tool("gamma")
    sizes = win.splitter.sizes()
    win.close()
    assert settings_repo.get_setting(ctx.conn, "ui.main.geometry")
    assert settings_repo.get_setting(ctx.conn, "ui.main.last_tool") == "gamma"
    again = make_window()
    again.show()
    qtbot.waitExposed(again)
    assert (again.width(), again.height()) == (780, 520)
    assert again.splitter.sizes()[0] == sizes[0]
    assert again.current_tool_id == "gamma" and again.current_page == "tool"


def test_theme_setting_switches_palette(qtbot, make_window, shell_tools):
    win = make_window()
    win.set_theme("dark")
    assert QApplication.instance().palette().window().color().lightness() < 100
    assert win.theme_actions["dark"].isChecked()
    assert "QWidget#Sidebar" in QApplication.instance().styleSheet()
    win.set_theme("system")  # offscreen reports no scheme: the light palette
    assert QApplication.instance().palette().window().color().lightness() > 200


def test_run_bundled_tool_shows_outputs_and_history_row(qtbot, make_window, tools_dir, ctx):
    copy_bundled(tools_dir, "calculator")
    win = make_window()
    assert win.open_tool("calculator")
    page = win.tool_pages["calculator"]
    page.form.set_values({"a": 6, "op": "multiply", "b": 7})
    resets = []
    win.history_page.model.modelReset.connect(lambda: resets.append(1))
    qtbot.keyClick(page.run_button, Qt.Key.Key_Space) if False else page.run_button.click()
    assert page.is_running and win.run_controller.running_count() == 1
    assert win.tools_model.tool_row("calculator").running == 1
    wait_idle(qtbot, page)
    assert page.last_result.status == "ok", page.last_result.error
    assert page.last_result.outputs["result"] == 42
    assert page.outputs.renderer("result") is not None and page.outputs.content.isVisibleTo(page.outputs)
    qtbot.waitUntil(lambda: page.history.model.rowCount() == 1)
    assert page.history.model.index(0, 0).data(rm.StatusRole) == "ok"
    qtbot.waitUntil(lambda: win.history_page.model.rowCount() == 1)
    assert not resets  # the row arrived by run_changed, not a reset
    assert win.run_controller.running_count() == 0 and win.tools_model.tool_row("calculator").running == 0
    st = tool_state_repo.get(ctx.conn, "calculator")
    assert st.run_count_total == 1 and st.last_inputs.get("a") == 6


def test_input_error_is_inline_and_starts_nothing(qtbot, make_window, tools_dir, ctx):
    make_tool(tools_dir, "needs-name", inputs=[{"key": "name", "type": "text", "label": "Name", "required": True}],
              main_py="raise SystemExit(1)\n")
    win = make_window()
    win.open_tool("needs-name")
    page = win.tool_pages["needs-name"]
    page.form.set_values({"name": ""})
    assert not page.run()
    assert not page.is_running
    assert runs_repo.count_runs(ctx.conn) == 0
    assert page.status_label.text()


def test_cancel_from_esc_action(qtbot, make_window, tools_dir, ctx):
    copy_bundled(tools_dir, "slow-counter")
    win = make_window()
    win.open_tool("slow-counter")
    page = win.tool_pages["slow-counter"]
    page.form.set_values({"steps": 200, "delay": 0.2})
    assert page.run()
    qtbot.waitUntil(lambda: runs_repo.count_runs(ctx.conn, status="running") == 1, timeout=15_000)
    win.cancel_action.trigger()
    wait_idle(qtbot, page, 20_000)
    assert page.last_result.status == "cancelled"
    assert runs_repo.get_run(ctx.conn, page.last_result.run_id).status == "cancelled"
    qtbot.waitUntil(lambda: page.history.model.rowCount() == 1)
    assert page.history.model.index(0, 0).data(rm.StatusRole) == "cancelled"
    assert page.run_button.isEnabled() and not page.cancel_button.isEnabled()


def test_drop_file_on_sidebar_tool_opens_it_filled(qtbot, make_window, shell_tools, tmp_path):
    win = make_window()
    csv = tmp_path / "numbers.csv"
    csv.write_text("a,b\n1,2\n")
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(csv))])
    model = win.sidebar.model
    assert model.dropMimeData(data, Qt.DropAction.CopyAction, -1, 0, model.tool_indexes("beta")[0])
    assert win.current_tool_id == "beta"
    page = win.tool_pages["beta"]
    qtbot.waitUntil(lambda: page.form.values().get("data") is not None, timeout=5000)
    assert str(page.form.values()["data"]).startswith("data:")


FIXTURE_TOOLS = __import__("pathlib").Path(__file__).resolve().parent / "fixtures" / "tools"


def test_chat_layout_sends_messages_and_history(qtbot, make_window, tools_dir):
    import shutil

    shutil.copytree(FIXTURE_TOOLS / "ui-chat-echo", tools_dir / "ui-chat-echo")
    win = make_window()
    assert win.open_tool("ui-chat-echo")
    page = win.tool_pages["ui-chat-echo"]
    assert page.chat is not None and page.layout_kind == "chat"
    page.chat.input.setPlainText("hello there")
    qtbot.keyClick(page.chat.input, Qt.Key.Key_Return)
    assert page.is_running
    wait_idle(qtbot, page)
    assert page.last_result.status == "ok", page.last_result.error
    assert page.chat.messages == [{"role": "user", "content": "hello there"},
                                  {"role": "assistant", "content": "echo: hello there (turn 1)"}]
    page.form.set_values({"shout": True})  # the tool's other inputs sit beside the conversation
    page.chat.input.setPlainText("again")
    page.chat.send_button.click()
    wait_idle(qtbot, page)
    assert page.chat.messages[-1]["content"] == "ECHO: AGAIN (TURN 2)"
    assert len(page.chat.messages) == 4
    page.chat.clear()
    assert page.chat.messages == [] and page.chat.empty.isVisibleTo(page.chat)


def test_split_layout_is_one_column_with_sticky_run(qtbot, make_window, tools_dir):
    make_tool(tools_dir, "tall", layout="split")
    win = make_window()
    win.open_tool("tall")
    page = win.tool_pages["tall"]
    assert page.form is not None
    assert page.splitter.orientation() == Qt.Orientation.Vertical
    assert hasattr(page, "run_bar_button")


def test_missing_venv_notice(qtbot, make_window, tools_dir):
    d = make_tool(tools_dir, "needs-numpy")
    (d / "pyproject.toml").write_text('[project]\nname = "needs-numpy"\nversion = "0.1"\n'
                                      'dependencies = ["numpy>=1.26"]\n')
    make_tool(tools_dir, "stdlib-only")
    win = make_window()
    win.open_tool("needs-numpy")
    notice = win.tool_pages["needs-numpy"].notice
    assert notice is not None and notice.property("missingVenv")
    win.open_tool("stdlib-only")
    assert win.tool_pages["stdlib-only"].notice is None


def test_home_cards_and_recent_runs_open_things(qtbot, make_window, shell_tools, ctx):
    runs_repo.create_run(ctx.conn, "old-run", "gamma", {"x": "1"})
    runs_repo.finish_run(ctx.conn, "old-run", "ok", outputs_json='{"y": "done"}')
    tool_state_repo.set_flag(ctx.conn, "gamma", "favourited", True)
    win = make_window()
    cards = [win.home.cards_flow.itemAt(i).widget() for i in range(win.home.cards_flow.count())]
    assert cards[0].tool_id == "gamma"  # favourites first
    assert "broken" not in [c.tool_id for c in cards]
    qtbot.mouseClick(cards[1], Qt.MouseButton.LeftButton)
    assert win.current_tool_id == cards[1].tool_id
    win.show_page("home")
    assert win.home.recent.count() == 1
    item = win.home.recent.item(0)
    assert "Gamma Ray" in item.text()
    win.home.recent.itemClicked.emit(item)
    assert win.current_tool_id == "gamma" and win.current_page == "tool"
    assert win.tool_pages["gamma"].history.selected_run_ids() == ["old-run"]


def test_extensions_install_without_errors(qtbot, make_window, shell_tools, ctx):
    from pixie_desktop.ui.app import install_extensions

    win = make_window()
    exts = install_extensions(win, ctx)
    assert exts.failed == []
    assert exts.names() == ["palette", "drops", "revalidation", "tray", "sweeper", "live_discovery",
                            "search-index"]
    exts.shutdown()


FAILING_MAIN = '''
import sys
from pathlib import Path
try:
    from pixie_desktop import sdk
except ImportError:
    sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
    from pixie_desktop import sdk

tool = sdk.Tool(__file__)


@tool.handler
def run(inputs, ctx):
    raise ValueError("the token sk-SECRET-123456 was refused by the server")


if __name__ == "__main__":
    tool.serve()
'''


def test_failed_run_shows_redacted_error_and_prefills_last_inputs(qtbot, make_window, tools_dir, ctx):
    d = make_tool(tools_dir, "fails", main_py=FAILING_MAIN)
    (d / ".env").write_text("API_TOKEN=sk-SECRET-123456\n")
    tool_state_repo.set_last_inputs(ctx.conn, "fails", {"x": "remembered"})
    win = make_window()
    win.open_tool("fails")
    page = win.tool_pages["fails"]
    assert page.form.values()["x"] == "remembered"  # last inputs pre-filled
    win.run_action.trigger()  # Ctrl+Enter
    assert page.is_running
    wait_idle(qtbot, page)
    assert page.last_result.status == "error"
    assert page.outputs.error_box.isVisibleTo(page.outputs)
    shown = page.outputs.error_text.toPlainText()
    assert "refused" in shown and "sk-SECRET-123456" not in shown
    assert page.status_label.text() == "Run failed"
    qtbot.waitUntil(lambda: page.history.model.rowCount() == 1)
    assert page.history.model.index(0, 0).data(rm.StatusRole) == "error"


def test_open_tool_with_path_prefill(qtbot, make_window, shell_tools, tmp_path):
    """The hook the window-level drop and the command line use: prefill a file input by path."""
    csv = tmp_path / "in.csv"
    csv.write_text("a\n1\n")
    win = make_window()
    assert win.open_tool("beta", {"data": str(csv)})
    page = win.tool_pages["beta"]
    qtbot.waitUntil(lambda: page.form.values().get("data") is not None, timeout=5000)
    assert str(page.form.values()["data"]).startswith("data:")
    assert win.open_files([csv]) and win.current_tool_id == "beta"


def test_tool_page_more_menu_offers_the_sidebar_actions(qtbot, make_window, shell_tools, ctx):
    from pixie_desktop.store import tool_state_repo

    win = make_window()
    tool_id = win.tools_model.rows()[0].info.tool_id
    assert win.open_tool(tool_id)
    page = win.tool_pages[tool_id]
    assert page.more_button.isVisibleTo(page)
    menu = page.more_menu()
    texts = [a.text() for a in menu.actions()]
    for wanted in ("Pin", "Keep warm", "Archive", "Colour…", "Tags…"):
        assert wanted in texts
    next(a for a in menu.actions() if a.text() == "Pin").trigger()
    assert tool_state_repo.get(ctx.conn, tool_id).pinned == 1
    assert tool_state_repo.get(ctx.conn, tool_id).pinned_at
    menu = page.more_menu()  # rebuilt from the new state
    assert next(a for a in menu.actions() if a.text() == "Pin").isChecked()


def test_new_tool_from_file_menu_opens_it(qtbot, make_window, ctx):
    win = make_window()
    dlg = win.new_tool()
    qtbot.addWidget(dlg)
    dlg.name.setText("Greeter deluxe")
    dlg.tool_id.setText("greeter-deluxe")
    dlg.create()
    assert win.current_tool_id == "greeter-deluxe"
    assert win.tools_model.tool("greeter-deluxe").ok


def test_tool_with_dependencies_offers_environment_setup(qtbot, make_window, tools_dir, ctx, monkeypatch):
    from conftest import write_tool

    write_tool(tools_dir, "needs-deps", {"id": "needs-deps", "name": "Needs deps", "inputs": [],
                                         "outputs": [{"key": "o", "type": "text", "label": "O"}]},
               main_py="print('x')\n",
               extra={"pyproject.toml": '[project]\nname = "needs-deps"\nversion = "0.1"\n'
                                        'dependencies = ["six"]\n'})
    win = make_window()
    assert win.open_tool("needs-deps")
    page = win.tool_pages["needs-deps"]
    assert page.setup_button.isVisibleTo(page)
    texts = [a.text() for a in win.sidebar.tool_menu("needs-deps").actions()]
    assert "Set up environment…" in texts and "Open in editor" in texts
    opened = []
    from pixie_desktop.ui.views import tool_setup_dialog

    monkeypatch.setattr(tool_setup_dialog.ToolSetupDialog, "start", lambda self: opened.append(self.tool_dir))
    dlg = win.set_up_tool("needs-deps")
    qtbot.addWidget(dlg)
    assert opened == [tools_dir / "needs-deps"]
    from pixie_desktop.lifecycle.envsetup import SetupResult

    page._on_setup_finished(SetupResult(True))
    assert not page.notice.isVisibleTo(page)
