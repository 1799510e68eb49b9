"""Per-tool Settings (issue 15 item 4): resource overrides saved through ops.tools and applied
on the next run, clear history (starred kept unless asked), restart the warm process, remove
the tool (folder to the trash — a temp folder here, never the real trash)."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from pixie_desktop.ops import tools as tool_ops
from pixie_desktop.store import artefacts_repo, runs_repo, tool_state_repo


def _finished_run(ctx, run_id: str, tool_id: str, *, starred: bool = False, with_file: bool = True) -> Path:
    runs_repo.create_run(ctx.conn, run_id, tool_id, {"x": 1})
    runs_repo.finish_run(ctx.conn, run_id, "ok")
    if starred:
        runs_repo.set_starred(ctx.conn, run_id, True)
    root = Path(ctx.settings.artefacts_root)
    f = root / tool_id / run_id / "out.txt"
    if with_file:
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text("hello")
        artefacts_repo.insert(ctx.conn, run_id=run_id, tool_id=tool_id, output_key="out",
                              rel_path=f"{tool_id}/{run_id}/out.txt", filename="out.txt", mime="text/plain",
                              size_bytes=5, sha256="0" * 64)
    return f


# -- Qt-free ops --------------------------------------------------------------------------------

def test_resource_overrides_merge_keep_other_keys_and_refuse_bad_values(ctx):
    tool_state_repo.set_overrides(ctx.conn, "t", {"something_else": 1, "max_memory_mb": 300})
    change = tool_ops.set_resource_overrides(ctx.conn, "t", {"max_runtime_seconds": 5, "concurrent": False,
                                                             "max_memory_mb": None, "warm_keep_seconds": 0})
    assert change.tool_ids == {"t"}
    assert tool_state_repo.get(ctx.conn, "t").overrides == {"something_else": 1, "max_runtime_seconds": 5,
                                                            "concurrent": False, "warm_keep_seconds": 0}
    for bad in ({"max_runtime_seconds": 0}, {"max_memory_mb": "a lot"}, {"concurrent": 1}, {"nice": 3}):
        with pytest.raises(ValueError):
            tool_ops.set_resource_overrides(ctx.conn, "t", bad)
    assert tool_state_repo.get(ctx.conn, "t").overrides["max_runtime_seconds"] == 5  # nothing written


def test_timeout_override_applies_on_next_run(ctx, install, runner):
    install("misbehave")
    tool = ctx.find_tool("misbehave")
    assert runner.run(tool, {"mode": "sleep", "seconds": 1.5}).status == "ok"  # tool.json's own limit
    tool_ops.set_resource_overrides(ctx.conn, "misbehave", {"max_runtime_seconds": 1})
    res = runner.run(tool, {"mode": "sleep", "seconds": 30})
    assert res.status == "error" and "timed out after 1 s" in res.error


def test_clear_history_keeps_starred_unless_asked(ctx):
    plain = _finished_run(ctx, "r1", "t")
    starred = _finished_run(ctx, "r2", "t", starred=True)
    other = _finished_run(ctx, "r3", "other")
    runs_repo.create_run(ctx.conn, "r4", "t", {})  # still running: never deleted
    n, change = tool_ops.clear_history(ctx.conn, ctx.settings, "t")
    assert n == 1 and "r1" in change.run_ids and change.artefacts and "t" in change.tool_ids
    assert runs_repo.get_run(ctx.conn, "r1") is None and not plain.exists() and not plain.parent.exists()
    assert runs_repo.get_run(ctx.conn, "r2") is not None and starred.exists()
    assert runs_repo.get_run(ctx.conn, "r3") is not None and other.exists()
    n, _ = tool_ops.clear_history(ctx.conn, ctx.settings, "t", include_starred=True)
    assert n == 1 and runs_repo.get_run(ctx.conn, "r2") is None and not starred.exists()
    assert runs_repo.get_run(ctx.conn, "r4") is not None and runs_repo.get_run(ctx.conn, "r3") is not None


# -- the dialog ---------------------------------------------------------------------------------

def test_settings_action_is_in_both_tool_menus():
    from pixie_desktop.ui import actions

    reg = actions.standard_tool_actions()
    for place in (actions.TOOL_MORE, actions.TOOL_CONTEXT):
        assert "tool.settings" in [a.id for a in reg.actions(place)]


def _dialog(qtbot, ctx, tool_id, **kw):
    from pixie_desktop.ui.views.tool_settings_dialog import ToolSettingsDialog

    dlg = ToolSettingsDialog(ctx, tool_id, **kw)
    qtbot.addWidget(dlg)
    return dlg


def _answer_yes(monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question",
                        staticmethod(lambda _p, title, *a, **k: asked.append(title) or QMessageBox.StandardButton.Yes))
    return asked


def test_dialog_saves_overrides_and_shows_them_again(qtbot, ctx, install):
    install("calculator")
    dlg = _dialog(qtbot, ctx, "calculator")
    assert dlg.values() == {"max_memory_mb": None, "max_runtime_seconds": None, "warm_keep_seconds": None,
                            "concurrent": None}
    dlg.timeout.setValue(7)
    dlg.memory.setValue(256)
    dlg.concurrency.setCurrentIndex(2)
    dlg.save()
    assert tool_state_repo.get(ctx.conn, "calculator").overrides == {"max_runtime_seconds": 7, "max_memory_mb": 256,
                                                                     "concurrent": False}
    again = _dialog(qtbot, ctx, "calculator")
    assert again.values()["max_runtime_seconds"] == 7 and again.values()["concurrent"] is False
    again.timeout.setValue(again.timeout.minimum())  # back to "Default"
    again.save()
    assert "max_runtime_seconds" not in tool_state_repo.get(ctx.conn, "calculator").overrides


def test_dialog_clear_history_confirms_and_keeps_starred(qtbot, ctx, install, monkeypatch):
    install("calculator")
    _finished_run(ctx, "a", "calculator")
    _finished_run(ctx, "b", "calculator", starred=True)
    asked = _answer_yes(monkeypatch)
    dlg = _dialog(qtbot, ctx, "calculator")
    threads = []
    real = tool_ops.clear_history
    monkeypatch.setattr(tool_ops, "clear_history",
                        lambda *a, **k: threads.append(threading.current_thread()) or real(*a, **k))
    with qtbot.waitSignal(dlg.historyCleared, timeout=20_000) as blocker:
        assert dlg.clear_history() is True and asked == ["Clear history"]
        assert not dlg.clear_button.isEnabled() and dlg.clear_progress.isVisibleTo(dlg)
    assert blocker.args == [1] and threads and threads[0] is not threading.main_thread()
    assert dlg.clear_button.isEnabled() and not dlg.clear_progress.isVisibleTo(dlg)
    assert runs_repo.get_run(ctx.conn, "a") is None and runs_repo.get_run(ctx.conn, "b") is not None
    assert "Deleted 1 run" in dlg.status.text()


def test_clear_history_in_batches_with_progress_and_stop(ctx):
    for i in range(5):
        _finished_run(ctx, f"r{i}", "t")
    said = []
    n, _ = tool_ops.clear_history(ctx.conn, ctx.settings, "t", batch=2, progress=lambda f, t: said.append(f),
                                  cancelled=lambda: len(said) >= 2)
    assert n == 4 and said == [0.4, 0.8]  # stopped between batches: the fifth run is still there
    assert len(runs_repo.list_runs(ctx.conn, tool_id="t")) == 1


def test_dialog_allows_cluster_secrets_per_tool(qtbot, ctx, install):
    install("calculator")
    dlg = _dialog(qtbot, ctx, "calculator")
    assert not dlg.cluster_secrets.isChecked() and not tool_ops.cluster_secrets_allowed(ctx.conn, "calculator")
    dlg.cluster_secrets.setChecked(True)
    dlg.save()
    assert tool_ops.cluster_secrets_allowed(ctx.conn, "calculator")
    again = _dialog(qtbot, ctx, "calculator")
    assert again.cluster_secrets.isChecked()
    again.timeout.setValue(9)
    again.cluster_secrets.setChecked(False)
    again.save()
    ov = tool_state_repo.get(ctx.conn, "calculator").overrides
    assert ov == {"max_runtime_seconds": 9}


def test_dialog_restart_stops_the_warm_process(qtbot, ctx, install, runner):
    install("calculator")
    tool = ctx.find_tool("calculator")
    assert runner.run(tool, {"a": 1, "b": 2, "op": "add"}).status == "ok"
    assert runner.pool.is_warm("calculator")
    dlg = _dialog(qtbot, ctx, "calculator", runner=lambda: runner)
    dlg.restart_process()
    qtbot.waitUntil(lambda: not runner.pool.is_warm("calculator"), timeout=15_000)
    assert runner.run(tool, {"a": 1, "b": 2, "op": "add"}).status == "ok"
    assert runner.pool.spawn_count == 2  # the next run started a fresh process


def test_dialog_remove_moves_folder_to_trash_and_rescans(qtbot, ctx, install, tmp_path, monkeypatch):
    from pixie_desktop.ui.views import tool_settings_dialog as mod

    folder = install("calculator")
    trash = tmp_path / "fake-trash"
    trash.mkdir()
    monkeypatch.setattr(mod, "move_to_trash", lambda p: bool(shutil.move(str(p), str(trash / p.name))))
    asked = _answer_yes(monkeypatch)
    rescans: list[int] = []
    dlg = _dialog(qtbot, ctx, "calculator", on_removed=lambda: rescans.append(1))
    assert dlg.remove_tool() is True
    assert asked == ["Remove tool"] and rescans == [1]
    assert not folder.exists() and (trash / "calculator" / "tool.json").is_file()
    assert ctx.find_tool("calculator") is None


def test_dialog_remove_refuses_clearly_without_a_trash(qtbot, ctx, install, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from pixie_desktop.ui.views import tool_settings_dialog as mod

    folder = install("calculator")
    monkeypatch.setattr(mod, "move_to_trash", lambda p: False)
    _answer_yes(monkeypatch)
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda _p, _t, text, *a, **k: warned.append(text)))
    rescans: list[int] = []
    dlg = _dialog(qtbot, ctx, "calculator", on_removed=lambda: rescans.append(1))
    assert dlg.remove_tool() is False
    assert folder.is_dir() and not rescans and "Nothing was deleted" in warned[0]


def test_sidebar_menu_opens_settings_and_remove_rescans_the_window(qtbot, ctx, install, make_window, tmp_path,
                                                                  monkeypatch):
    from PySide6.QtWidgets import QDialog

    from pixie_desktop.ui.views import tool_settings_dialog as mod

    install("calculator")
    trash = tmp_path / "fake-trash"
    trash.mkdir()
    monkeypatch.setattr(mod, "move_to_trash", lambda p: bool(shutil.move(str(p), str(trash / p.name))))
    _answer_yes(monkeypatch)
    win = make_window()
    assert win.tools_model.tool_row("calculator") is not None
    menu = win.sidebar.tool_menu("calculator")
    next(a for a in menu.actions() if a.objectName() == "tool.settings").trigger()
    dlg = win.findChild(QDialog, "ToolSettingsDialog")
    assert dlg is not None and dlg.isVisible()
    assert dlg.remove_tool() is True
    qtbot.waitUntil(lambda: win.tools_model.tool_row("calculator") is None, timeout=15_000)
