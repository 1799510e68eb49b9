"""The per-tool "Settings…" dialog (tool ⋯ menu and sidebar tool menu): resource overrides
(memory, timeout, warm keep, concurrency) saved to tool_state.overrides_json through
ops.tools and applied by the Runner on the next run; whether the tool's secrets may go to a
cluster that is not tls:// (same place, read by batch/cluster.py); clear this tool's history
(on the background pool, with progress and Cancel); restart the tool's warm process; remove the
tool (folder to the system trash, then rescan)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QFile, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QGroupBox,
                               QHBoxLayout, QLabel, QMessageBox, QProgressBar, QPushButton, QSpinBox, QVBoxLayout,
                               QWidget)

from pixie_desktop.ops import tools as tool_ops
from pixie_desktop.queries import tools as tool_queries
from pixie_desktop.ui.publish import publish

_CONCURRENCY = (("Default (tool.json)", None), ("On", True), ("Off", False))


def move_to_trash(path: Path) -> bool:
    """Move a folder to the system trash (Qt's QFile.moveToTrash); False when the platform or
    the file system has no trash. A seam for tests, which must never touch the real trash."""
    result = QFile.moveToTrash(str(path))
    return bool(result[0] if isinstance(result, tuple) else result)


def clear_history_job(handle: Any, db_path: str, settings: Any, tool_id: str, include_starred: bool) -> Any:
    """The background half of "Clear this tool's history": its own connection, batches with
    progress, a cancel between batches."""
    from pixie_desktop.queries import artefacts as artefact_queries

    return tool_ops.clear_history(artefact_queries.thread_connection(db_path), settings, tool_id,
                                  include_starred=include_starred, progress=handle.progress,
                                  cancelled=handle.cancelled)


class ToolSettingsDialog(QDialog):
    """One tool's settings. `runner` returns the shared Runner or None (none: nothing is warm);
    `on_removed` runs after the tool's folder went to the trash (the window rescans)."""

    historyCleared = Signal(int)  # runs deleted (after Stop: those deleted until then)

    def __init__(self, ctx: Any, tool_id: str, *, runner: Callable[[], Any] | None = None,
                 on_removed: Callable[[], None] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("ToolSettingsDialog")
        self.ctx, self.tool_id = ctx, tool_id
        self._runner, self._on_removed = runner, on_removed
        self.tool = ctx.find_tool(tool_id)
        name = self.tool.name if self.tool is not None and getattr(self.tool, "name", None) else tool_id
        self.setWindowTitle(f"{name} — Settings")
        ov = tool_queries.state(ctx.conn, tool_id).overrides
        spec = getattr(self.tool, "spec", None)

        def spin(obj: str, lo: int, hi: int, key: str, default: Any, unit: str) -> QSpinBox:
            s = QSpinBox(self)
            s.setObjectName(obj)
            s.setRange(lo - 1, hi)  # one below the range: "Default"
            s.setSpecialValueText(f"Default ({default} {unit})" if default is not None else "Default")
            s.setSuffix(f" {unit}")
            v = ov.get(key)
            s.setValue(int(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else lo - 1)
            return s

        self.memory = spin("memoryOverride", 64, 65536, "max_memory_mb", getattr(spec, "max_memory_mb", None), "MB")
        self.timeout = spin("timeoutOverride", 1, 86400, "max_runtime_seconds",
                            getattr(spec, "max_runtime_seconds", None), "s")
        self.warm_keep = spin("warmKeepOverride", 0, 86400, "warm_keep_seconds", None, "s")
        self.concurrency = QComboBox(self)
        self.concurrency.setObjectName("concurrencyOverride")
        for text, value in _CONCURRENCY:
            self.concurrency.addItem(text, value)
        if isinstance(ov.get("concurrent"), bool):
            self.concurrency.setCurrentIndex(1 if ov["concurrent"] else 2)

        res = QGroupBox("Resources (applied on the next run)", self)
        form = QFormLayout(res)
        form.addRow("Memory limit", self.memory)
        form.addRow("Timeout", self.timeout)
        form.addRow("Keep warm for", self.warm_keep)
        form.addRow("Concurrent runs", self.concurrency)
        self.cluster_secrets = QCheckBox("Allow sending this tool's secrets to a cluster that is not tls://", self)
        self.cluster_secrets.setObjectName("allowClusterSecrets")
        self.cluster_secrets.setToolTip("Batches on a Dask cluster ship the tool's .env only to a tls:// "
                                        "scheduler unless this is on")
        self.cluster_secrets.setChecked(ov.get(tool_ops.CLUSTER_SECRETS_KEY) is True)
        form.addRow("Cluster", self.cluster_secrets)

        maint = QGroupBox("Maintenance", self)
        mlay = QVBoxLayout(maint)
        self.include_starred = QCheckBox("Include starred runs", self)
        self.include_starred.setObjectName("includeStarred")
        self.clear_button = QPushButton("Clear this tool's history…", self)
        self.clear_button.setObjectName("clearHistory")
        self.restart_button = QPushButton("Restart tool process", self)
        self.restart_button.setObjectName("restartProcess")
        self.remove_button = QPushButton("Remove tool…", self)
        self.remove_button.setObjectName("removeTool")
        row = QHBoxLayout()
        row.addWidget(self.clear_button)
        row.addWidget(self.include_starred)
        row.addStretch(1)
        mlay.addLayout(row)
        mlay.addWidget(self.restart_button)
        mlay.addWidget(self.remove_button)
        self.clear_progress = QProgressBar(self)
        self.clear_progress.setObjectName("clearProgress")
        self.clear_progress.setRange(0, 100)
        self.clear_progress.setAccessibleName("Clearing history")
        self.clear_cancel = QPushButton("Stop", self)
        self.clear_cancel.setObjectName("clearCancel")
        prow = QHBoxLayout()
        prow.addWidget(self.clear_progress, 1)
        prow.addWidget(self.clear_cancel)
        mlay.addLayout(prow)
        self.clear_progress.hide()
        self.clear_cancel.hide()
        self.clear_task: Any = None
        self.status = QLabel("", self)
        self.status.setObjectName("settingsStatus")
        self.status.setWordWrap(True)
        mlay.addWidget(self.status)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close, self)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.clear_button.clicked.connect(self.clear_history)
        self.clear_cancel.clicked.connect(lambda: self.clear_task is not None and self.clear_task.cancel())
        self.restart_button.clicked.connect(self.restart_process)
        self.remove_button.clicked.connect(self.remove_tool)

        lay = QVBoxLayout(self)
        lay.addWidget(res)
        lay.addWidget(maint)
        lay.addWidget(buttons)

    # -- overrides ----------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        """The overrides as edited (None: back to the tool's own setting)."""
        def v(s: QSpinBox) -> int | None:
            return None if s.value() == s.minimum() else s.value()
        return {"max_memory_mb": v(self.memory), "max_runtime_seconds": v(self.timeout),
                "warm_keep_seconds": v(self.warm_keep), "concurrent": self.concurrency.currentData()}

    def save(self) -> None:
        publish(tool_ops.set_resource_overrides(self.ctx.conn, self.tool_id, self.values()))
        publish(tool_ops.set_cluster_secrets(self.ctx.conn, self.tool_id, self.cluster_secrets.isChecked()))
        self.accept()

    # -- maintenance --------------------------------------------------------------------------
    def _confirm(self, title: str, text: str) -> bool:
        yes, cancel = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.Cancel
        return QMessageBox.question(self, title, text, yes | cancel, cancel) == yes

    def clear_history(self, *, confirm: bool = True) -> bool:
        """Ask, then delete on the background pool (a tool with years of runs and files takes a
        while): progress and Stop here, `historyCleared(n)` and the status line when done.
        False when nothing was started (declined, or a clear already going)."""
        if self.clear_task is not None:
            return False
        starred = self.include_starred.isChecked()
        what = "every run, starred ones included," if starred else "every run except starred ones"
        if confirm and not self._confirm("Clear history", f"Delete {what} of this tool, with their files?"):
            return False
        from pixie_desktop.ui import workers

        self._clearing(True)
        self.status.setText("Clearing history…")
        self.clear_task = workers.submit_job(
            clear_history_job, str(self.ctx.settings.db_path), self.ctx.settings, self.tool_id, starred,
            on_progress=self._clear_progress, on_result=self._cleared, on_error=self._clear_failed)
        return True

    def _clearing(self, on: bool) -> None:
        self.clear_progress.setValue(0)
        self.clear_progress.setVisible(on)
        self.clear_cancel.setVisible(on)
        self.clear_button.setEnabled(not on)
        self.include_starred.setEnabled(not on)

    def _clear_progress(self, fraction: Any, text: str) -> None:
        if fraction is not None:
            self.clear_progress.setValue(int(min(1.0, float(fraction)) * 100))
        if text:
            self.status.setText(text)

    def _cleared(self, result: Any) -> None:
        # also after Stop: the job ends between batches and returns what it deleted so far
        stopped = self.clear_task is not None and self.clear_task.is_cancelled()
        self.clear_task = None
        self._clearing(False)
        n, change = result
        publish(change)
        done = f"Deleted {n} run{'s' if n != 1 else ''}"
        self.status.setText(f"Stopped. {done}; those stay deleted." if stopped else f"{done}.")
        self.historyCleared.emit(int(n))

    def _clear_failed(self, exc: BaseException) -> None:
        self.clear_task = None
        self._clearing(False)
        from pixie_desktop.ui.workers import describe

        self.status.setText(f"Could not clear the history: {describe(exc)}")

    def restart_process(self) -> None:
        """Stop the warm process (off the UI thread: stopping waits for it to exit)."""
        runner = self._runner() if self._runner is not None else None
        pool = getattr(runner, "pool", None)
        if pool is not None:
            from pixie_desktop.ui.workers import submit

            submit(pool.stop, self.tool_id, reason="restarted from the tool's settings")
        self.status.setText("The next run starts a fresh process.")

    def remove_tool(self) -> bool:
        if self.tool is None:
            return False
        path = Path(self.tool.path)
        if not self._confirm("Remove tool", f"Move the folder {path} to the trash?"):
            return False
        runner = self._runner() if self._runner is not None else None
        if runner is not None and getattr(runner, "pool", None) is not None:
            runner.pool.stop(self.tool_id, reason="tool removed", grace=1.0)
        if not move_to_trash(path):
            QMessageBox.warning(self, "Remove tool",
                                f"The folder could not be moved to the trash (no trash here?). Nothing was "
                                f"deleted; remove {path} yourself if you want it gone.")
            return False
        if self._on_removed is not None:
            self._on_removed()
        self.accept()
        return True


def open_tool_settings(host: Any, ctx: Any, tool_id: str) -> ToolSettingsDialog | None:
    """Open the dialog for a tool-menu action (host: the Sidebar, whose window owns the runner)."""
    if ctx is None or tool_id is None:
        return None
    win = host.window() if isinstance(host, QWidget) else None
    get_runner = getattr(win, "get_runner", None)
    refresh = getattr(win, "refresh_tools", None)
    dlg = ToolSettingsDialog(ctx, tool_id, runner=(lambda: get_runner(create=False)) if get_runner else None,
                             on_removed=refresh, parent=win)
    dlg.open()
    return dlg
