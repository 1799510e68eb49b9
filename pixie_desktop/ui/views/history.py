"""Run history: a table over RunsModel (status dot, tool, started, duration, label, star marker,
artefact bytes) for one tool (a tab on its page) or for every tool (the History page). Actions:
star, label (inline edit), delete (with confirm; artefact files unlinked), re-run with the same
inputs, load inputs into the form, open outputs, and compare two runs side by side.

The search bar (Ctrl+F on the History page) narrows the table as you type: words over labels,
inputs (file names too), outputs and error text, plus tool, status and date filters. The model
pages through `queries.search` exactly as it pages the unfiltered history."""

from __future__ import annotations

import sqlite3
from typing import Any, Callable

from datetime import datetime, timedelta, timezone

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QMenu, QMessageBox, QPushButton, QTableView, QVBoxLayout, QWidget)

from pixie_desktop.ops import runs as run_ops
from pixie_desktop.queries import search as search_queries
from pixie_desktop.queries.search import RunFilter
from pixie_desktop.ui.delegates.item_delegates import ColourChipDelegate, StarDelegate, StatusDotDelegate
from pixie_desktop.ui.models import runs_model as rm
from pixie_desktop.ui.models.runs_model import RunsModel
from pixie_desktop.ui.publish import publish


def delete_runs_and_files(conn: sqlite3.Connection, settings: Any, run_ids: list[str]) -> int:
    """Delete runs with their artefact files (see `ops.runs.delete_runs`); returns how many went.
    Announcing is the caller's job (`delete_selected` publishes)."""
    return run_ops.delete_runs(conn, settings, run_ids)[0]


class RunsTable(QTableView):
    def repaint_rows(self, *_: object) -> None:
        self.viewport().update()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(30)
        self.horizontalHeader().setHighlightSections(False)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setMouseTracking(True)
        self.on_resized: Callable[[], None] | None = None

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if self.on_resized is not None:
            self.on_resized()


SEARCH_DEBOUNCE_MS = 180
INPUTS_MIN_WIDTH, INPUTS_MAX_WIDTH = 220, 720  # px: the Inputs column, by window width (see _fit_inputs_column)
DETAILS_MIN_HEIGHT = 380  # below this the selected run's inputs would squeeze the table to a row
# (label, days back) for the date filter; None = any time
SINCE_CHOICES: tuple[tuple[str, int | None], ...] = (("Any time", None), ("Today", 0), ("Last 7 days", 7),
                                                       ("Last 30 days", 30), ("Last 365 days", 365))


class HistoryView(QWidget):
    rerunRequested = Signal(str)           # run_id
    loadInputsRequested = Signal(str)      # run_id
    openOutputsRequested = Signal(str)     # run_id
    compareRequested = Signal(str, str)    # two run ids

    def __init__(self, ctx: Any, events: Any, *, tool_id: str | None = None,
                 tool_name: Callable[[str], str] | None = None, compact: bool = False,
                 tool_colour: Callable[[str], str | None] | None = None,
                 runner: Callable[..., Any] | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.compact = compact
        #: `get_runner(create=False)`: the warm pool's process for developer details (never starts one)
        self._get_runner = runner
        self.events = events
        self.tool_id = tool_id
        from pixie_desktop.ui.actions import standard_tool_actions

        self.run_actions = standard_tool_actions()  # RUN_CONTEXT declarations for the context menu
        self.model = RunsModel(ctx.conn, self, tool_id=tool_id, page_size=ctx.settings.library_page_size,
                               tool_name=tool_name, tool_colour=tool_colour, events=events)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0 if compact else 20, 6 if compact else 16, 0 if compact else 20, 0)
        lay.setSpacing(8)
        if not compact:
            title = QLabel("History")
            title.setStyleSheet("font-size: 16pt; font-weight: 650;")
            lay.addWidget(title)
            sub = QLabel("Every run of every tool, newest first. Double-click a label to edit it; "
                         "starred and labelled runs are never pruned.")
            sub.setObjectName("Muted")
            lay.addWidget(sub)
        bar = QHBoxLayout()
        bar.setSpacing(6)
        self.open_button = self._button("Open outputs", self._open)
        self.load_button = self._button("Load inputs", self._load)
        self.rerun_button = self._button("Re-run", self._rerun)
        self.compare_button = self._button("Compare", self._compare)
        self.star_button = self._button("Star", self._toggle_star)
        self.delete_button = self._button("Delete…", lambda: self.delete_selected(confirm=True))
        for b in (self.open_button, self.load_button, self.rerun_button, self.compare_button, self.star_button):
            bar.addWidget(b)
        bar.addStretch(1)
        self.starred_only = QCheckBox("Starred only")
        self.starred_only.toggled.connect(self.model.set_starred_only)
        bar.addWidget(self.starred_only)
        bar.addWidget(self.delete_button)
        lay.addLayout(bar)
        lay.addLayout(self._search_bar(tool_name))

        self.table = RunsTable(self)
        self.table.on_resized = self._fit_inputs_column
        self.table.setAccessibleName("Runs")
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(rm.COL_STATUS, StatusDotDelegate(rm.StatusRole, self.table))
        self.table.setItemDelegateForColumn(rm.COL_STAR, StarDelegate(rm.StarredRole, self.table))
        self.table.setItemDelegateForColumn(rm.COL_TOOL, ColourChipDelegate(rm.ToolColourRole, self.table))
        if events is not None and tool_colour is not None:  # a recoloured tool/workspace repaints its chips
            events.workspacesChanged.connect(self.table.viewport().update)
            # a bound slot of the table, not a lambda: Qt drops it when the table is destroyed
            # (the hub outlives windows; a lambda raised "RunsTable already deleted")
            events.toolStateChanged.connect(self.table.repaint_rows)
        hh = self.table.horizontalHeader()
        hh.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hh.setSectionResizeMode(rm.COL_LABEL, QHeaderView.ResizeMode.Stretch)
        hh.setSectionResizeMode(rm.COL_STAR, QHeaderView.ResizeMode.Fixed)
        for col, width in ((rm.COL_STATUS, 110), (rm.COL_TOOL, 150), (rm.COL_STARTED, 170),
                           (rm.COL_DURATION, 90), (rm.COL_STAR, 36), (rm.COL_BYTES, 90),
                           (rm.COL_INPUTS, INPUTS_MIN_WIDTH)):
            self.table.setColumnWidth(col, width)
        hh.moveSection(hh.visualIndex(rm.COL_INPUTS), hh.visualIndex(rm.COL_LABEL))  # inputs before the label
        if tool_id is not None:
            self.table.setColumnHidden(rm.COL_TOOL, True)
        self.table.doubleClicked.connect(self._double_clicked)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.table.selectionModel().selectionChanged.connect(lambda *a: self._update_buttons())
        lay.addWidget(self.table, 1)
        lay.addWidget(self._build_details())
        from pixie_desktop.ui.widgets.empty_state import EmptyState

        self._empty_content = ("No runs yet", "Run the tool and its history appears here." if tool_id else
                               "Every run of every tool lands here, newest first.",
                               None if tool_id else "Find a tool…")
        self.empty = EmptyState(*self._empty_content)
        lay.addWidget(self.empty, 1)  # takes the room the table would: the header stays compact
        self.model.rowsInserted.connect(lambda *a: self._update_empty())
        self.model.rowsRemoved.connect(lambda *a: self._update_empty())
        self.model.modelReset.connect(self._update_empty)
        delete = QAction(self)
        delete.setShortcut(QKeySequence.StandardKey.Delete)
        delete.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        delete.triggered.connect(lambda: self.delete_selected(confirm=True))
        self.table.addAction(delete)
        self.model.reload()
        self._update_buttons()
        self._update_empty()

    # -- search -------------------------------------------------------------------------------
    def _search_bar(self, tool_name: Callable[[str], str] | None) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(6)
        self.search_field = QLineEdit(self)
        self.search_field.setObjectName("RunSearch")
        self.search_field.setPlaceholderText("Search runs   Ctrl+F")
        self.search_field.setToolTip("Words to find in labels, inputs, outputs and errors; batch:ID shows one batch")
        self.search_field.setToolTip("Words in a run's label, inputs (file names too), outputs or error text")
        self.search_field.setAccessibleName("Search runs")
        self.search_field.setClearButtonEnabled(True)
        self._debounce = QTimer(self, singleShot=True, interval=SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.apply_search)
        self.search_field.textChanged.connect(lambda _t: self._debounce.start())
        self.search_field.returnPressed.connect(self.apply_search)
        row.addWidget(self.search_field, 1)
        self.status_filter = QComboBox(self)
        for text, value in (("Any status", None), ("Done", "ok"), ("Failed", "error"), ("Cancelled", "cancelled"),
                            ("Running", "running")):
            self.status_filter.addItem(text, value)
        self.tool_filter = QComboBox(self)
        self.tool_filter.addItem("All tools", None)
        self._tool_name = tool_name or (lambda tid: tid)
        self.refresh_tool_filter()
        self.tool_filter.setVisible(self.tool_id is None)
        self.since_filter = QComboBox(self)
        for text, days in SINCE_CHOICES:
            self.since_filter.addItem(text, days)
        for combo, name in ((self.status_filter, "Filter by status"), (self.tool_filter, "Filter by tool"),
                            (self.since_filter, "Filter by date")):
            combo.setAccessibleName(name)
            combo.currentIndexChanged.connect(lambda _i: self.apply_search())
            row.addWidget(combo)
        find = QAction(self)  # Esc in the field clears the search
        find.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        find.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        find.triggered.connect(self.search_field.clear)
        self.search_field.addAction(find)
        return row

    def refresh_tool_filter(self) -> None:
        """The tool filter lists every tool with runs (refreshed each time the page is shown)."""
        if self.tool_id is not None:
            return
        try:
            ids = search_queries.run_tool_ids(self.ctx.conn)
        except sqlite3.Error:
            return  # the filter keeps what it offered
        current = self.tool_filter.currentData()
        self.tool_filter.blockSignals(True)
        self.tool_filter.clear()
        self.tool_filter.addItem("All tools", None)
        for tid in ids:
            self.tool_filter.addItem(self._tool_name(tid), tid)
        self.tool_filter.setCurrentIndex(max(0, self.tool_filter.findData(current)))
        self.tool_filter.blockSignals(False)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._update_details()

    def _fit_inputs_column(self) -> None:
        """The Inputs column grows with the window (a 4K window showed "a: 6 · op: multiply · …"
        beside an empty, 2000 px Label column) — unless the user has resized it by hand."""
        cur = self.table.columnWidth(rm.COL_INPUTS)
        if cur != getattr(self, "_auto_inputs_width", INPUTS_MIN_WIDTH):
            return  # set by hand: kept
        want = max(INPUTS_MIN_WIDTH, min(INPUTS_MAX_WIDTH, int(self.table.viewport().width() * 0.3)))
        self._auto_inputs_width = want
        if want != cur:
            self.table.setColumnWidth(rm.COL_INPUTS, want)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.refresh_tool_filter()
        super().showEvent(event)

    def focus_search(self) -> None:
        """Ctrl+F on this page (the window's Find action asks the current page first)."""
        self.search_field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_field.selectAll()

    def current_filter(self) -> RunFilter:
        days = self.since_filter.currentData()
        since = None
        if days is not None:
            start = datetime.now().astimezone().replace(hour=0, minute=0, second=0, microsecond=0)
            since = (start - timedelta(days=int(days))).astimezone(timezone.utc).isoformat()
        from pixie_desktop.queries.search import split_batch_token

        text, batch_id = split_batch_token(self.search_field.text().strip())  # "batch:ID": one batch's runs
        return RunFilter(text=text, tool_id=self.tool_filter.currentData(),
                         status=self.status_filter.currentData(), since=since, batch_id=batch_id)

    def apply_search(self) -> None:
        self._debounce.stop()
        self.model.set_search(self.current_filter())
        self._update_empty()

    def _button(self, text: str, slot: Callable[[], Any]) -> QPushButton:
        b = QPushButton(text)
        b.setObjectName("Small")
        b.clicked.connect(slot)
        return b

    def _update_empty(self) -> None:
        has = self.model.rowCount() > 0
        if not self.model.search.is_empty():  # searching: say nothing matched, not "no runs yet"
            self.empty.set_content("No runs match", "Change the words or the filters, or press Esc to clear.")
        else:
            self.empty.set_content(*self._empty_content)
        self.table.setVisible(has)
        self.empty.setVisible(not has)
        self._update_details()

    # -- selection ------------------------------------------------------------------------------
    def selected_run_ids(self) -> list[str]:
        rows = sorted({ix.row() for ix in self.table.selectionModel().selectedRows()})
        return [self.model.index(r, 0).data(rm.RunIdRole) for r in rows]

    def select_runs(self, run_ids: list[str]) -> None:
        sel = self.table.selectionModel()
        sel.clearSelection()
        for rid in run_ids:
            r = self.model.row_of(rid)
            while r < 0 and self.model.canFetchMore(QModelIndex()):
                self.model.fetchMore(QModelIndex())
                r = self.model.row_of(rid)
            if r >= 0:
                sel.select(self.model.index(r, 0), QItemSelectionModel.SelectionFlag.Select
                           | QItemSelectionModel.SelectionFlag.Rows)
                self.table.scrollTo(self.model.index(r, 0))

    # -- the selected run's inputs ----------------------------------------------------------------
    def _build_details(self) -> QWidget:
        """Under the table: the one selected run's inputs — files by name, size and thumbnail."""
        from pixie_desktop.ui.views.run_inputs import InputFilesView

        self.details = QWidget(self)
        self.details.setObjectName("RunInputsDetails")
        dl = QVBoxLayout(self.details)
        dl.setContentsMargins(0, 2, 0, 6)
        dl.setSpacing(4)
        heading = QLabel("INPUTS OF THE SELECTED RUN", self.details)
        heading.setObjectName("SectionHeading")
        dl.addWidget(heading)
        self.details_inputs = InputFilesView(self.ctx.settings.artefacts_root, self.details)
        dl.addWidget(self.details_inputs)
        self.details.hide()
        self._details_run: str | None = None
        self.developer: Any = None  # DeveloperDetails while developer mode is on (History page only)
        self._developer_run: str | None = None
        if not self.compact:  # a tool page has its own Developer tab
            from pixie_desktop.config import on_setting_changed

            def changed(name: str, _value: Any) -> None:
                if name == "developer_mode":
                    try:
                        self._developer_run = None
                        self._update_details()
                    except RuntimeError:  # the view is already gone
                        pass
            undo = on_setting_changed(changed)
            self.destroyed.connect(lambda *_: undo())
        return self.details

    def _update_details(self) -> None:
        ids = self.selected_run_ids() if self.table.isVisible() or self.model.rowCount() else []
        rid = ids[0] if len(ids) == 1 and self.height() >= DETAILS_MIN_HEIGHT else None
        if rid is None:
            self._details_run = None
            self.details.hide()
            return
        row = self.model.row_of(rid)
        rec = self.model.record(row) if row >= 0 else None
        if rec is None:
            self.details.hide()
            return
        key = f"{rec.id}:{len(rec.inputs_json)}"
        if key != self._details_run:
            self._details_run = key
            self.details_inputs.set_inputs(rec.inputs)
        self._sync_developer(rec)
        self.details.show()

    def _sync_developer(self, rec: Any) -> None:
        """Developer mode: the selected run's id, tool pid, port and raw JSON under its inputs."""
        from pixie_desktop.ui.widgets.developer_details import DeveloperDetails, developer_mode_on

        on = not self.compact and developer_mode_on(self.ctx.settings)
        if not on:
            if self.developer is not None:
                self.developer.hide()
                self.developer.deleteLater()
                self.developer = None
            self._developer_run = None
            return
        if self.developer is None:
            self.developer = DeveloperDetails(self.details)
            self.developer.setMaximumHeight(max(160, self.developer.fontMetrics().height() * 14))
            self.details.layout().addWidget(self.developer)
            self.developer.show()
        key = f"{rec.id}:{rec.status}:{rec.finished_at}"
        if key == self._developer_run:
            return
        self._developer_run = key
        full = rec
        if rec.outputs_json is None or rec.meta_json is None:  # list rows may be trimmed: the stored run
            try:
                from pixie_desktop.queries import runs as run_queries

                full = run_queries.get_run(self.ctx.conn, rec.id) or rec
            except Exception:  # noqa: BLE001 - a locked database: show what the row has
                full = rec
        self.developer.show_run(full, self._process_of(rec.tool_id))

    def _process_of(self, tool_id: str) -> dict | None:
        """The warm pool's entry for `tool_id` ({"pid", "port", "alive", …}), if one is kept."""
        if self._get_runner is None:
            return None
        try:
            pool = getattr(self._get_runner(create=False), "pool", None)
            return next((e for e in pool.snapshot() if e.get("tool_id") == tool_id), None) if pool else None
        except Exception:  # noqa: BLE001 - advisory only
            return None

    def _update_buttons(self) -> None:
        self._update_details()
        n = len(self.selected_run_ids())
        for b in (self.open_button, self.load_button, self.rerun_button, self.star_button):
            b.setEnabled(n == 1)
        self.compare_button.setEnabled(n == 2)
        self.delete_button.setEnabled(n >= 1)

    def _one(self) -> str | None:
        ids = self.selected_run_ids()
        return ids[0] if len(ids) == 1 else None

    # -- actions --------------------------------------------------------------------------------
    def _open(self) -> None:
        if (rid := self._one()) is not None:
            self.openOutputsRequested.emit(rid)

    def _load(self) -> None:
        if (rid := self._one()) is not None:
            self.loadInputsRequested.emit(rid)

    def _rerun(self) -> None:
        if (rid := self._one()) is not None:
            self.rerunRequested.emit(rid)

    def _compare(self) -> None:
        ids = self.selected_run_ids()
        if len(ids) == 2:
            self.compareRequested.emit(ids[1], ids[0])  # older on the left
            self.open_compare(ids[1], ids[0])

    def open_compare(self, a: str, b: str):
        from pixie_desktop.ui.views.compare import CompareDialog

        dlg = CompareDialog(self.ctx, a, b, self)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.show()
        return dlg

    def _toggle_star(self) -> None:
        rid = self._one()
        if rid is None:
            return
        r = self.model.row_of(rid)
        ix = self.model.index(r, rm.COL_STAR)
        self.model.setData(ix, not ix.data(rm.StarredRole), rm.StarredRole)

    def _double_clicked(self, ix: QModelIndex) -> None:
        if ix.column() not in (rm.COL_LABEL, rm.COL_STAR):
            self.openOutputsRequested.emit(ix.data(rm.RunIdRole))

    def delete_selected(self, *, confirm: bool = True) -> int:
        ids = self.selected_run_ids()
        if not ids:
            return 0
        running = [r for r in ids if self.model.index(self.model.row_of(r), 0).data(rm.StatusRole) == "running"]
        ids = [r for r in ids if r not in running]
        if not ids:
            return 0
        if confirm:
            starred = sum(1 for r in ids if self.model.index(self.model.row_of(r), 0).data(rm.StarredRole))
            text = f"Delete {len(ids)} run{'s' if len(ids) != 1 else ''} and their artefact files?"
            if starred:
                text += f"\n{starred} of them {'is' if starred == 1 else 'are'} starred."
            if QMessageBox.question(self, "Delete runs", text) != QMessageBox.StandardButton.Yes:
                return 0
        n, change = run_ops.delete_runs(self.ctx.conn, self.ctx.settings, ids)
        publish(change, self.events)
        return n

    def _context_menu(self, pos) -> None:
        ix = self.table.indexAt(pos)
        if not ix.isValid():
            return
        if not self.table.selectionModel().isRowSelected(ix.row(), QModelIndex()):
            self.table.selectRow(ix.row())
        menu = self.context_menu(ix)
        menu.exec(self.table.viewport().mapToGlobal(pos))
        menu.deleteLater()

    def context_menu(self, ix: QModelIndex) -> QMenu:
        """The right-click menu for the run at `ix` (built fresh each time)."""
        rid = ix.data(rm.RunIdRole)
        menu = QMenu(self)
        menu.addAction("Open outputs", lambda: self.openOutputsRequested.emit(rid))
        menu.addAction("Load inputs into the form", lambda: self.loadInputsRequested.emit(rid))
        menu.addAction("Re-run with the same inputs", lambda: self.rerunRequested.emit(rid))
        if len(self.selected_run_ids()) == 2:
            menu.addAction("Compare the two runs", self._compare)
        menu.addSeparator()
        menu.addAction("Unstar" if ix.data(rm.StarredRole) else "Star", self._toggle_star)
        menu.addAction("Edit label", lambda: self.table.edit(self.model.index(ix.row(), rm.COL_LABEL)))
        menu.addAction("Copy run id", lambda: QGuiApplication.clipboard().setText(rid))
        rec = ix.data(rm.RunRole)
        menu.addAction("Copy inputs as JSON", lambda: QGuiApplication.clipboard().setText(rec.inputs_json))
        menu.addSeparator()
        if len(self.selected_run_ids()) == 1:  # export and other run commands: declared in ui/actions.py
            self.run_actions.run_menu(self, rid, ix.data(rm.ToolIdRole), menu=menu)
            menu.addSeparator()
        menu.addAction("Delete…", lambda: self.delete_selected(confirm=True))
        return menu
