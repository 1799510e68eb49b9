"""A tool page's batches: the "Batch…" button's dialog, the "Run on all N files" offer when
several files are dropped on an input that takes one, and the batches started from the page
(each a BatchRunner over the window's RunController plus its BatchView). `batchStarted(view)`
lets the window show the view (in its Batches dock); a page on its own just keeps them.

`ask_run_on_all(n, input_label) -> bool` and `exec_dialog(dialog) -> bool` are replaceable, so
tests drive both without modal dialogs."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDialog, QMessageBox

from pixie_desktop.batch import plan
from pixie_desktop.batch.state import Batch
from pixie_desktop.ui.batch_runner import BatchRunner
from pixie_desktop.ui.views.batch_dialog import FOLDER, BatchDialog
from pixie_desktop.ui.views.batch_view import BatchView


class ToolBatches(QObject):
    batchStarted = Signal(object)  # BatchView

    def __init__(self, page: Any):
        super().__init__(page)
        self.page = page
        self.runners: list[BatchRunner] = []
        self.views: list[BatchView] = []
        self.ask_run_on_all: Callable[[int, str], bool] = self._ask_run_on_all
        self.exec_dialog: Callable[[QDialog], bool] = lambda d: d.exec() == QDialog.DialogCode.Accepted

    def _base(self) -> dict:
        form = self.page.form
        return dict(form.values()) if form is not None else {}

    # -- starting -----------------------------------------------------------------------------
    def start(self, items: list[plan.BatchItem]) -> BatchView:
        info = self.page.info
        batch = Batch(info.tool_id, items, output_keys=[o.key for o in info.spec.outputs] if info.spec else [])
        address = str(getattr(self.page.ctx.settings, "compute_address", "") or "").strip()
        if address:  # Settings ▸ Compute: batches run on a Dask cluster
            from pixie_desktop.ui.batch_runner import ClusterBatchRunner

            runner: Any = ClusterBatchRunner(address, self.page._runner, info, batch,  # noqa: SLF001
                                             events=self.page.events, parent=self)
        else:
            runner = BatchRunner(self.page.controller, info, batch, parent=self)
        view = BatchView(runner, title=f"{info.name} · {len(items)} items")
        self.runners.append(runner)
        self.views.append(view)
        runner.finished.connect(lambda: self.page.message.emit(
            f"{info.name} batch: {batch.progress().text()}"
            + (f" — {runner.error}" if getattr(runner, "error", None) else "")))
        self.batchStarted.emit(view)
        runner.start()
        view.refresh()
        return view

    def open_dialog(self, files: list[Path] | None = None) -> BatchView | None:
        dialog = BatchDialog(self.page.info, self._base(), files=files, parent=self.page)
        if files:
            dialog.set_mode(FOLDER)
            dialog.update_preview()
        try:
            if not self.exec_dialog(dialog):
                return None
            items = dialog.items()
        except (plan.BatchPlanError, OSError) as exc:
            self.page.message.emit(str(exc))
            return None
        finally:
            dialog.deleteLater()
        return self.start(items)

    def offer_for_drop(self, paths: list[Path]) -> str | None:
        """Several files dropped on a tool whose matching input takes one file: offer to run
        the tool once per file. Returns the input key when a batch was started, else None."""
        form, spec = self.page.form, self.page.info.spec
        if form is None or spec is None or len(paths) < 2:
            return None
        for ispec in spec.inputs:
            if not ispec.is_file_like or ispec.multiple or not form.is_shown(ispec.key):
                continue
            widget = form.widget_for(ispec.key)
            usable = [p for p in paths if widget is not None and widget.problem_with(p) is None]
            if len(usable) < 2:
                continue
            if not self.ask_run_on_all(len(usable), ispec.label or ispec.key):
                return None
            self.start(plan.expand(self._base(), over_key=ispec.key, files=usable))
            return ispec.key
        return None

    def _ask_run_on_all(self, n: int, label: str) -> bool:
        box = QMessageBox(self.page)
        box.setWindowTitle("Several files")
        box.setText(f"“{label}” takes one file. Run {self.page.info.name} once per file?")
        run_all = box.addButton(f"Run on all {n} files", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Use the first file", QMessageBox.ButtonRole.RejectRole)
        box.exec()
        return box.clickedButton() is run_all

    def shutdown(self) -> None:
        for r in self.runners:
            r.shutdown()
