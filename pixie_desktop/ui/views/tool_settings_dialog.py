"""The per-tool "Settings…" dialog (tool ⋯ menu and sidebar tool menu): resource overrides
(memory, timeout, warm keep, concurrency) saved to tool_state.overrides_json through
ops.tools and applied by the Runner on the next run; clear this tool's history; restart the
tool's warm process; remove the tool (folder to the system trash, then rescan)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QFile
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QGroupBox,
                               QHBoxLayout, QLabel, QMessageBox, QPushButton, QSpinBox, QVBoxLayout, QWidget)

from pixie_desktop.ops import tools as tool_ops
from pixie_desktop.queries import tools as tool_queries
from pixie_desktop.ui.publish import publish

_CONCURRENCY = (("Default (tool.json)", None), ("On", True), ("Off", False))


def move_to_trash(path: Path) -> bool:
    """Move a folder to the system trash (Qt's QFile.moveToTrash); False when the platform or
    the file system has no trash. A seam for tests, which must never touch the real trash."""
    result = QFile.moveToTrash(str(path))
    return bool(result[0] if isinstance(result, tuple) else result)


class ToolSettingsDialog(QDialog):
    """One tool's settings. `runner` returns the shared Runner or None (none: nothing is warm);
    `on_removed` runs after the tool's folder went to the trash (the window rescans)."""

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
        self.status = QLabel("", self)
        self.status.setObjectName("settingsStatus")
        self.status.setWordWrap(True)
        mlay.addWidget(self.status)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close, self)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.clear_button.clicked.connect(self.clear_history)
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
        self.accept()

    # -- maintenance --------------------------------------------------------------------------
    def _confirm(self, title: str, text: str) -> bool:
        yes, cancel = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.Cancel
        return QMessageBox.question(self, title, text, yes | cancel, cancel) == yes

    def clear_history(self) -> int:
        starred = self.include_starred.isChecked()
        what = "every run, starred ones included," if starred else "every run except starred ones"
        if not self._confirm("Clear history", f"Delete {what} of this tool, with their files?"):
            return 0
        n, change = tool_ops.clear_history(self.ctx.conn, self.ctx.settings, self.tool_id, include_starred=starred)
        publish(change)
        self.status.setText(f"Deleted {n} run{'s' if n != 1 else ''}.")
        return n

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
