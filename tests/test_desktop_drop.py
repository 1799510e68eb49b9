"""Window-level drops: a tool folder is imported (copy or link) and discovery lists it; files open
the one tool that takes them (input prefilled) or offer a chooser; a folder without tool.json is
refused with a clear message; the overlay shows during the drag."""

from __future__ import annotations


import pytest
from conftest import write_tool
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMainWindow

from pixie_desktop.ui import workers
from pixie_desktop.ui.extensions.drops import DropController
from pixie_desktop.ui.views.drop_overlay import open_tool_with_files, plan_drop

# Qt marks the QPoint constructors of drag events deprecated, but they are what a test can build.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
OUT = [{"key": "o", "type": "text", "label": "O"}]


class FakeWindow(QMainWindow):
    def __init__(self, ctx):
        super().__init__()
        self.ctx = ctx
        self.opened: list[tuple[str, dict | None]] = []
        self.refreshed = 0

    def open_tool(self, tool_id, prefill=None):
        self.opened.append((tool_id, prefill))
        return True

    def refresh_tools(self):
        self.refreshed += 1


@pytest.fixture
def window(qtbot, ctx, tools_dir):
    write_tool(tools_dir, "csv-summary", {"id": "csv-summary", "name": "CSV Summary", "outputs": OUT,
                                          "inputs": [{"key": "data", "type": "file", "label": "CSV file",
                                                      "accept": [".csv"]}]})
    write_tool(tools_dir, "thumbs", {"id": "thumbs", "name": "Thumbnails", "outputs": OUT,
                                     "inputs": [{"key": "pics", "type": "image", "label": "Pictures",
                                                 "multiple": True}]})
    write_tool(tools_dir, "any", {"id": "any", "name": "Hash anything", "outputs": OUT,
                                  "inputs": [{"key": "f", "type": "file", "label": "File"}]})
    w = FakeWindow(ctx)
    qtbot.addWidget(w)
    w.resize(800, 600)
    w.show()
    yield w
    workers.wait_for_all(5000)


def _mime(paths):
    m = QMimeData()
    m.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return m


def _drag_and_drop(window, paths):
    mime = _mime(paths)
    enter = QDragEnterEvent(QPoint(100, 100), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(100, 100), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, drop)
    assert drop.isAccepted()


@pytest.mark.parametrize("mode", ["copy", "link"])
def test_dropping_a_tool_folder_imports_it(qtbot, window, ctx, tmp_path, mode):
    src = write_tool(tmp_path / "downloads", "word-count", {"id": "word-count", "name": "Word count",
                                                            "inputs": [], "outputs": OUT}, main_py="")
    controller = DropController(window)
    asked = []
    controller.choose_import_mode = lambda plans: asked.append([p.tool_id for p in plans]) or mode
    with qtbot.waitSignal(controller.toolImported, timeout=5000) as sig:
        _drag_and_drop(window, [src])
    assert sig.args == ["word-count"] and asked == [["word-count"]]
    dest = ctx.settings.tools_dir / "word-count"
    assert dest.is_symlink() == (mode == "link")
    assert "word-count" in [t.tool_id for t in ctx.tools() if t.ok]
    assert window.refreshed == 1 and window.opened == [("word-count", None)]
    assert not controller.overlay.isVisible()


def test_cancelled_import_does_nothing(qtbot, window, ctx, tmp_path):
    src = write_tool(tmp_path / "dl", "nope", {"id": "nope", "name": "Nope", "inputs": [], "outputs": OUT})
    controller = DropController(window)
    controller.choose_import_mode = lambda plans: None
    controller.handle_drop([src])
    assert not (ctx.settings.tools_dir / "nope").exists() and window.opened == []


def test_folder_without_tool_json_is_refused_clearly(qtbot, window, ctx, tmp_path):
    d = tmp_path / "photos"
    d.mkdir()
    controller = DropController(window)
    with qtbot.waitSignal(controller.message, timeout=3000) as sig:
        _drag_and_drop(window, [d])
    assert "‘photos’ is not a Pixie tool" in sig.args[0] and "tool.json" in sig.args[0]
    assert window.opened == [] and sorted(p.name for p in ctx.settings.tools_dir.iterdir()) == [
        "any", "csv-summary", "thumbs"]


def test_overlay_shows_plan_while_dragging_and_hides_on_leave(qtbot, window, tmp_path):
    f = tmp_path / "sales.csv"
    f.write_text("a\n1\n")
    controller = DropController(window)
    mime = _mime([f])  # the event keeps a raw pointer: the QMimeData must outlive it
    enter = QDragEnterEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    assert controller.overlay.isVisible() and controller.overlay.geometry() == window.rect()
    assert controller.overlay.plan.kind == "files" and "sales.csv" in controller.overlay.plan.title
    QApplication.sendEvent(window, QDragLeaveEvent())
    assert not controller.overlay.isVisible()


def test_non_local_drag_is_ignored(qtbot, window):
    DropController(window)
    m = QMimeData()
    m.setText("hello")
    enter = QDragEnterEvent(QPoint(10, 10), Qt.DropAction.CopyAction, m, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    assert not enter.isAccepted()


def test_csv_opens_the_only_tool_with_specific_accept_first(qtbot, window, tmp_path):
    f = tmp_path / "sales.csv"
    f.write_text("a\n1\n")
    controller = DropController(window)
    plan = plan_drop([f], window.ctx.tools())
    assert [s.tool.tool_id for s in plan.suggestions] == ["csv-summary", "any"]
    controller.handle_drop([f])
    menu = controller.chooser
    assert menu is not None
    acts = [a for a in menu.actions() if a.data()]
    assert [a.data() for a in acts] == ["csv-summary", "any"]
    acts[0].trigger()
    assert window.opened == [("csv-summary", {"data": str(f)})]
    menu.close()


def test_single_match_opens_directly_with_all_files(qtbot, window, ctx, tools_dir, tmp_path):
    (tools_dir / "any").joinpath("tool.json").unlink()  # leave only the image tool able to take pngs
    import shutil

    shutil.rmtree(tools_dir / "any")
    pics = [tmp_path / "a.png", tmp_path / "b.png"]
    for p in pics:
        p.write_bytes(b"png")
    controller = DropController(window)
    _drag_and_drop(window, pics)
    qtbot.waitUntil(lambda: bool(window.opened), timeout=3000)
    assert window.opened == [("thumbs", {"pics": [str(p) for p in pics]})]
    assert controller.chooser is None


def test_open_tool_with_files_for_sidebar_drops(qtbot, window, ctx, tmp_path):
    tools = {t.tool_id: t for t in ctx.tools()}
    f = tmp_path / "notes.txt"
    f.write_text("x")
    assert "not one of .csv" in open_tool_with_files(window, tools["csv-summary"], [f])
    assert open_tool_with_files(window, tools["any"], [f]) is None
    assert window.opened == [("any", {"f": str(f)})]
