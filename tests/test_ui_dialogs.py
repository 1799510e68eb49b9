"""GUI tests for H5's Qt pieces: revalidate-all progress and cancel, the nightly sweep, the status
widget, the report dialog, secrets editor, settings dialog, workspace manager and tag editor."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from pixie_desktop.store import settings_repo, tags_repo, validate_jobs_repo, validation_repo, workspaces_repo
from pixie_desktop.ui.workers import wait_for_all
from pixie_desktop.validation import batch


@pytest.fixture
def three_tools(make_sqrt_tool):
    for name in ("validate-a", "validate-b", "validate-c"):
        make_sqrt_tool(name, spec_changes={"id": name}, reference=False)


@pytest.fixture
def controller(qtbot, ctx):
    from pixie_desktop.ui.revalidate import RevalidateController

    ctl = RevalidateController(ctx)
    yield ctl
    ctl.shutdown()
    assert wait_for_all(10_000)


def test_revalidate_all_reports_progress_and_saves(qtbot, ctx, three_tools, controller):
    from pixie_desktop.ui.revalidate import RevalidateStatusWidget
    from pixie_desktop.ui.store_events import store_events

    widget = RevalidateStatusWidget(controller)
    qtbot.addWidget(widget)
    progress, announced = [], []
    controller.progress.connect(lambda d, t, tid: progress.append((d, t, tid)))
    store_events().validationChanged.connect(announced.append)
    with qtbot.waitSignal(controller.finished, timeout=30_000) as blocker:
        assert controller.revalidate_all()
        assert not controller.revalidate_all()  # one pass at a time
        assert not widget.isHidden() and widget.label.text() == "Validating tools…"
    result = blocker.args[0]
    assert progress == [(1, 3, "validate-a"), (2, 3, "validate-b"), (3, 3, "validate-c")]
    assert sorted(announced) == ["validate-a", "validate-b", "validate-c"]
    assert (result.status, result.passed, result.total) == ("ok", 3, 3)
    job = validate_jobs_repo.get(ctx.conn, result.job_id)
    assert job.completed == 3 and job.details["kind"] == "revalidate_all"
    assert set(validation_repo.latest_all(ctx.conn)) == {"validate-a", "validate-b", "validate-c"}
    assert widget.label.text() == "Validated 3 tools: 3 ok"
    assert not controller.running


def test_revalidate_cancel_ends_job_as_cancelled(qtbot, ctx, three_tools, controller):
    from pixie_desktop.ui.revalidate import RevalidateStatusWidget

    widget = RevalidateStatusWidget(controller)
    qtbot.addWidget(widget)
    controller.progress.connect(lambda *_: widget.cancel_button.click())
    with qtbot.waitSignal(controller.finished, timeout=30_000) as blocker:
        controller.revalidate_all()
    result = blocker.args[0]
    job = validate_jobs_repo.get(ctx.conn, result.job_id)
    assert job.status == "error" and job.details["note"] == "cancelled by user"
    assert 1 <= job.completed < 3
    assert widget.label.text().startswith("Validation stopped")


def test_nightly_sweep_only_revalidates_changed_tools(qtbot, ctx, three_tools, controller):
    tools = ctx.tools()
    batch.run_batch(ctx.conn, ctx.settings, tools)
    manifest = ctx.settings.tools_dir / "validate-b" / "tool.json"
    manifest.write_text(manifest.read_text() + "\n")
    seen = []
    controller.toolValidated.connect(lambda tid, overall: seen.append(tid))
    with qtbot.waitSignal(controller.finished, timeout=30_000):
        controller._maybe_sweep()  # never swept before → due now
    assert seen == ["validate-b"]
    assert settings_repo.get_setting(ctx.conn, "validation.last_sweep_at")
    controller._maybe_sweep()  # swept just now → not due
    assert not controller.running
    controller.start_nightly(60_000)
    assert controller._timer.isActive()


def test_report_dialog_lists_checks_and_validates_again(qtbot, ctx, make_sqrt_tool):
    from pixie_desktop.ui.views.validation_dialog import CheckRole, ValidationReportDialog

    make_sqrt_tool(behaviour={"wrong_shape": True}, reference=False)
    dlg = ValidationReportDialog.for_tool(ctx, "validate-sqrt")
    qtbot.addWidget(dlg)
    assert dlg.list.count() == 0 and "No report yet" in dlg.subtitle.text()
    with qtbot.waitSignal(dlg.reportChanged, timeout=20_000):
        dlg.validate_again()
    assert dlg.list.count() == 13
    current = dlg.list.currentItem().data(CheckRole)
    assert current["name"] == "output_conforms" and current["status"] == "fail"  # first failure selected
    assert "output 'result'" in dlg.details.toPlainText()
    assert "Validation failed" in dlg.title.text()
    assert validation_repo.latest(ctx.conn, "validate-sqrt").overall == "fail"
    assert wait_for_all(5000)


def test_secrets_editor_writes_env_0600_and_never_the_db(qtbot, ctx, make_sqrt_tool, db_path: Path):
    from pixie_desktop.ui.views.secrets_editor import SecretsEditorDialog
    from pixie_desktop.validation.secrets_status import missing_required_secrets
    from pixie_desktop.validation.validator import validate_tool
    from pixie_desktop.validation import report as report_mod

    d = make_sqrt_tool(behaviour={"echo_env": "API_TOKEN"}, reference=False,
                       spec_changes={"secrets": [{"key": "API_TOKEN", "description": "Token", "required": True},
                                                 {"key": "OPTIONAL_URL"}]})
    (d / ".env").write_text("# keep this comment\nOTHER=1\n")
    tool = ctx.find_tool("validate-sqrt")
    assert missing_required_secrets(tool) == ["API_TOKEN"]
    stopped = []
    dlg = SecretsEditorDialog(tool, on_saved=stopped.append)
    qtbot.addWidget(dlg)
    assert list(dlg.fields) == ["API_TOKEN", "OPTIONAL_URL", "OTHER"]
    field = dlg.fields["API_TOKEN"]
    assert field.edit.echoMode() == field.edit.EchoMode.Password
    field.reveal.click()
    assert field.edit.echoMode() == field.edit.EchoMode.Normal
    secret = "tok-5b1e-VERY-secret"
    field.edit.setText(secret)
    assert dlg.changes() == {"API_TOKEN": secret}
    assert dlg.save()
    env = (d / ".env").read_text()
    assert "# keep this comment" in env and secret in env
    assert stat.S_IMODE(os.stat(d / ".env").st_mode) == 0o600
    assert stopped == ["validate-sqrt"]
    assert missing_required_secrets(tool) == []
    # the tool uses it, the validator reports on it, and the DB never holds it
    rep = validate_tool(tool, ctx.settings)
    report_mod.save(ctx.conn, rep)
    ctx.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    blob = b"".join(p.read_bytes() for p in db_path.parent.glob(db_path.name + "*"))
    assert secret.encode() not in blob
    # clearing a value removes the key
    dlg.fields["OTHER"].edit.setText("")
    assert dlg.save()
    assert "OTHER" not in (d / ".env").read_text()


def test_settings_dialog_applies_resets_and_rejects(qtbot, ctx):
    from PySide6.QtWidgets import QLineEdit, QSpinBox

    from pixie_desktop.config import on_setting_changed
    from pixie_desktop.ui.views.settings_dialog import SettingsDialog

    changes = []
    unsubscribe = on_setting_changed(lambda name, value: changes.append((name, value)))
    try:
        dlg = SettingsDialog(ctx.settings, ctx.conn)
        qtbot.addWidget(dlg)
        spin = dlg.rows["warm_keep_seconds"].editor
        assert isinstance(spin, QSpinBox) and spin.value() == 300
        assert not dlg.apply_button.isEnabled()
        spin.setValue(120)
        assert dlg.apply_button.isEnabled() and dlg.dirty() == {"warm_keep_seconds": 120}
        assert dlg.apply()
        assert ctx.settings.warm_keep_seconds == 120 and ("warm_keep_seconds", 120) in changes
        assert settings_repo.get_setting(ctx.conn, "warm_keep_seconds") == "120"
        assert dlg.rows["warm_keep_seconds"].source.text() == "saved"
        # a bad value: inline message, nothing saved, other values still applied
        interval = dlg.rows["sweeper_interval_seconds"].editor
        assert isinstance(interval, QLineEdit)
        interval.setText("5")
        dlg.rows["developer_mode"].editor.setChecked(True)
        assert not dlg.apply()
        err = dlg.rows["sweeper_interval_seconds"].error
        assert not err.isHidden() and "below the minimum 60" in err.text()
        assert ctx.settings.developer_mode is True
        assert settings_repo.get_setting(ctx.conn, "sweeper_interval_seconds") is None
        # reset one row, then all
        dlg.reset("warm_keep_seconds")
        assert ctx.settings.warm_keep_seconds == 300 and spin.value() == 300
        assert settings_repo.get_setting(ctx.conn, "warm_keep_seconds") is None
        dlg.reset_all()
        assert ctx.settings.developer_mode is False and settings_repo.get_setting(ctx.conn, "developer_mode") is None
        assert dlg.findChild(QLineEdit, "path-tools").isReadOnly()
    finally:
        unsubscribe()


def test_workspace_manager_reorder_rename_delete(qtbot, ctx, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    from pixie_desktop.ui.views import workspace_dialogs as wd

    a = workspaces_repo.create(ctx.conn, "Alpha", "#5563d1")
    b = workspaces_repo.create(ctx.conn, "Beta")
    workspaces_repo.add_tool(ctx.conn, a.id, "tool-1")
    dlg = wd.WorkspaceManagerDialog(ctx.conn)
    qtbot.addWidget(dlg)
    assert dlg.ordered_ids() == [a.id, b.id]
    item = dlg.list.takeItem(1)
    dlg.list.insertItem(0, item)
    dlg.save_order()
    assert [w.name for w in workspaces_repo.list_all(ctx.conn)] == ["Beta", "Alpha"]
    # create: a duplicate name is refused with the repo's message, then a good one is accepted
    answers = iter([("alpha", True), ("Gamma", True)])
    prompts = []

    def fake_get_text(parent, title, label, text=""):  # noqa: ANN001
        prompts.append(label)
        return next(answers)
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(fake_get_text))
    ws = wd.create_workspace(dlg, ctx.conn, tool_id="tool-2")
    assert ws.name == "Gamma" and ws.colour in wd.PRESET_COLOURS and ws.colour != "#5563d1"
    assert "already exists" in prompts[1]
    assert workspaces_repo.members(ctx.conn, ws.id) == ["tool-2"]
    assert dlg.list.count() == 3  # reloaded from the workspacesChanged signal
    msg = wd.delete_message(workspaces_repo.get(ctx.conn, a.id))
    assert "1 tool stay" in msg and "only this grouping is removed" in msg
    assert wd.delete_workspace(dlg, ctx.conn, a.id, confirm=False)
    assert workspaces_repo.get(ctx.conn, a.id) is None
    assert ctx.conn.execute("SELECT COUNT(*) FROM tool_workspaces WHERE workspace_id = ?", (a.id,)).fetchone()[0] == 0
    dlg.close()


def test_tag_editor_kebab_case_and_persistence(qtbot, ctx):
    from pixie_desktop.ui.widgets.tag_editor import TagEditor

    changed = []
    ed = TagEditor(conn=ctx.conn, tool_id="tool-1", fixed=["from-json"])
    qtbot.addWidget(ed)
    ed.tagsChanged.connect(changed.append)
    ed.edit.setText("Data Cleaning!")
    ed.add_from_field()
    assert not ed.error.isHidden()
    assert "not kebab-case" in ed.error.text() and "Try “data-cleaning”" in ed.error.text()
    assert ed.edit.text() == "Data Cleaning!"  # kept so it can be fixed
    ed.edit.setText("data-cleaning, Quick")
    ed.add_from_field()
    assert ed.error.isHidden() and ed.edit.text() == ""
    assert tags_repo.tags_of(ctx.conn, "tool-1") == ["data-cleaning", "quick"]
    assert ed.add_tag("from-json") and tags_repo.tags_of(ctx.conn, "tool-1") == ["data-cleaning", "quick"]
    ed.remove_tag("quick")
    assert tags_repo.tags_of(ctx.conn, "tool-1") == ["data-cleaning"] and changed[-1] == ["data-cleaning"]
    assert not ed.add_tag("x" * 40) and "too long" in ed.error.text()


def test_revalidation_extension_adds_actions_and_status_widget(qtbot, ctx):
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QMainWindow

    from pixie_desktop.ui.actions import ActionContext, ActionRegistry
    from pixie_desktop.ui.extensions import Services
    from pixie_desktop.ui.extensions.revalidation import RevalidationExtension
    from pixie_desktop.ui.revalidate import RevalidateStatusWidget

    win = QMainWindow()
    qtbot.addWidget(win)
    registry = ActionRegistry()
    menus = {"Tools": win.menuBar().addMenu("Tools"), "Edit": win.menuBar().addMenu("Edit")}
    registry.bind_window(win, menus, lambda: ActionContext(win))
    services = Services(ctx=ctx, events=None, window=win, actions=registry, runner=lambda: None,
                        status=lambda text, ms=0: win.statusBar().showMessage(text, ms),
                        submit=lambda *a, **k: None, tools=list)
    ext = RevalidationExtension()
    ext.install(services)
    assert ext.controller._timer.isActive()
    assert [a.objectName() for a in menus["Tools"].actions()] == ["validateAll", "editSecrets"]
    assert [a.objectName() for a in menus["Edit"].actions()] == ["openSettings"]
    assert win.findChild(QAction, "openSettings").shortcut().toString() == "Ctrl+,"
    assert win.statusBar().findChild(RevalidateStatusWidget) is not None
    win.findChild(QAction, "editSecrets").trigger()  # no tool open: a message, no dialog
    assert "Open a tool first" in win.statusBar().currentMessage()
    ext.shutdown()
    assert not ext.controller._timer.isActive()
    assert registry.get("validateAll") is None and menus["Tools"].actions() == []


def test_startup_sweep_validates_new_tools_soon_after_start(qtbot, ctx, three_tools, controller):
    from pixie_desktop.store import validation_repo

    assert validation_repo.latest_all(ctx.conn) == {}
    seen = []
    controller.toolValidated.connect(lambda tid, overall: seen.append(tid))
    with qtbot.waitSignal(controller.finished, timeout=60_000):
        controller.start_nightly(60_000, startup_delay_ms=0)
    assert sorted(seen) == sorted(t.tool_id for t in ctx.tools() if t.ok)
    assert set(validation_repo.latest_all(ctx.conn)) == set(seen)
    controller.stop_nightly()
    assert not controller._startup_timer.isActive() and not controller._timer.isActive()
