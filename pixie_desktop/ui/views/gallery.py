"""The gallery page: every artefact as an icon grid or a details list, a filter bar, a preview
pane, actions (star, label, tags, Trash with Undo, restore, empty Trash, open, reveal, copy
path, drag out as file URLs). (The background housekeeping sweep is the "sweeper" extension,
ui/extensions/sweeper.py.)

Main window API: `GalleryView(ctx, parent)` with signals `goToRun(str)` and
`statusMessage(str)`; `gallery.show_run(run_id)` filters to one run; `gallery.shutdown()`
stops thumbnail work.
"""

from __future__ import annotations

import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QPoint, QProcess, QRectF, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (QAction, QDesktopServices, QDrag, QGuiApplication, QKeySequence, QPainter, QPalette,
                           QPixmap)
from PySide6.QtWidgets import (QAbstractItemView, QBoxLayout, QButtonGroup, QComboBox, QHBoxLayout, QHeaderView, QInputDialog,
                               QLabel, QLineEdit, QListView, QMenu, QMessageBox, QPushButton, QSizePolicy, QSlider, QSplitter,
                               QStackedWidget, QStyledItemDelegate, QStyleOptionViewItem, QTableView, QToolButton,
                               QVBoxLayout, QWidget, QWidgetAction)

from pixie_desktop.artefacts import sweeper
from pixie_desktop.ui.widgets.empty_state import EmptyState
from pixie_desktop.ops import settings as settings_ops
from pixie_desktop.queries import artefacts as queries
from pixie_desktop.queries import settings as settings_queries
from pixie_desktop.queries import workspaces as workspace_queries
from pixie_desktop.queries.artefacts import ArtefactQuery
from pixie_desktop.ui import workers
from pixie_desktop.ui.delegates.artefact_delegate import ArtefactDelegate, paint_run_band
from pixie_desktop.ui.models.artefacts_model import (COL_CREATED, COL_KIND, COL_LABEL, COL_NAME, COL_SIZE,
                                                     COL_TOOL, ArtefactsModel, GroupRole, ThumbnailRole)
from pixie_desktop.ui.thumbnails import ThumbnailService
from pixie_desktop.ui.views.artefact_preview import ArtefactPreview
from pixie_desktop.ui.widgets.icons import set_button_icon, set_icon_button

TILE_KEY = "gallery_tile_size"
MODE_KEY = "gallery_view_mode"
TILE_MIN, TILE_MAX, TILE_DEFAULT = 96, 320, 168
UNDO_MS = 10_000

KIND_FILTERS = (("All kinds", ()), ("Images", ("image", "svg")), ("PDFs", ("pdf",)), ("Tables", ("table",)),
                ("Text & code", ("text",)), ("Audio", ("audio",)), ("Video", ("video",)), ("Other", ("other",)))
DATE_FILTERS = (("Any time", None), ("Today", 1), ("Last 7 days", 7), ("Last 30 days", 30), ("Last year", 365))


def reveal_in_file_manager(path: Path) -> bool:
    """Show a file selected in the platform's file manager (no Qt API exists for this)."""
    path = Path(path)
    if sys.platform == "darwin":
        return QProcess.startDetached("open", ["-R", str(path)])[0]
    if sys.platform.startswith("win"):
        return QProcess.startDetached("explorer", [f"/select,{path}"])[0]
    # freedesktop: the FileManager1 D-Bus call selects the item; fall back to opening the folder
    ok = QProcess.startDetached("dbus-send", [
        "--session", "--dest=org.freedesktop.FileManager1", "--type=method_call",
        "/org/freedesktop/FileManager1", "org.freedesktop.FileManager1.ShowItems",
        f"array:string:{QUrl.fromLocalFile(str(path)).toString()}", "string:"])[0]
    return ok or QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent)))


def start_file_drag(view: QAbstractItemView, actions: Qt.DropAction) -> Qt.DropAction | None:
    """Drag the selected artefacts out as file URLs (+ artefact ids), with the first thumbnail
    as the drag image. Returns the drop action, or None when nothing could be dragged."""
    model = view.model()
    rows = sorted({i.row() for i in view.selectionModel().selectedIndexes()})
    indexes = [model.index(r, 0) for r in rows]
    if not indexes:
        return None
    data = model.mimeData(indexes)
    if not data.urls():
        return None
    drag = QDrag(view)
    drag.setMimeData(data)
    pm = indexes[0].data(ThumbnailRole)
    if isinstance(pm, QPixmap) and not pm.isNull():
        drag.setPixmap(pm.scaled(72, 72, Qt.AspectRatioMode.KeepAspectRatio,
                                 Qt.TransformationMode.SmoothTransformation))
    return drag.exec(actions | Qt.DropAction.CopyAction, Qt.DropAction.CopyAction)


class _BandedCellDelegate(QStyledItemDelegate):
    """A details-list cell drawn below its run's band on the first row of a run (grouped)."""

    def paint(self, painter, option, index) -> None:  # noqa: ANN001 - Qt override
        if index.data(GroupRole):
            option = QStyleOptionViewItem(option)
            option.rect = option.rect.adjusted(0, ArtefactDelegate.GROUP_H, 0, 0)
        super().paint(painter, option, index)


class GalleryTableView(QTableView):
    """Details list; drags out like the grid. A narrow list hides its less useful columns
    (label, kind, created, tool — in that order) so the stretching name column keeps room to
    show names. Grouped by run, the first row of each run is taller and carries the run's band
    across the whole width, as the grid's tiles do."""

    NAME_MIN = 200
    DROP_ORDER = (COL_LABEL, COL_KIND, COL_CREATED, COL_TOOL)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._grouped = False
        self.setItemDelegate(_BandedCellDelegate(self))

    def setModel(self, model) -> None:  # noqa: N802, ANN001 - Qt override
        super().setModel(model)
        if model is not None:
            # a row's band depends on the row above it: size the new rows and the one after them
            model.rowsInserted.connect(lambda _p, first, last: self._size_rows(first, last + 1))
            model.rowsRemoved.connect(lambda _p, first, _last: self._size_rows(first, first))

    def set_grouped(self, on: bool) -> None:
        self._grouped = bool(on)
        if self.model() is not None:
            self._size_rows(0, self.model().rowCount() - 1)

    def _size_rows(self, first: int, last: int) -> None:
        model = self.model()
        if model is None:
            return
        header = self.verticalHeader()
        base = header.defaultSectionSize()
        for row in range(max(0, first), min(last, model.rowCount() - 1) + 1):
            want = base + ArtefactDelegate.GROUP_H if self._grouped and model.index(row, COL_NAME).data(GroupRole) \
                else base
            if header.sectionSize(row) != want:
                header.resizeSection(row, want)

    def paintEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt override
        super().paintEvent(event)
        model = self.model()
        if not self._grouped or model is None or model.rowCount() == 0:
            return
        vp = self.viewport()
        first = self.rowAt(0)
        last = self.rowAt(vp.height() - 1)
        if first < 0:
            return
        last = model.rowCount() - 1 if last < 0 else last
        painter = QPainter(vp)
        try:
            pal = self.palette()
            for row in range(first, last + 1):  # only the rows on screen
                text = model.index(row, COL_NAME).data(GroupRole)
                if not text:
                    continue
                band = QRectF(0, self.rowViewportPosition(row), vp.width(), ArtefactDelegate.GROUP_H)
                painter.fillRect(band, pal.color(QPalette.ColorRole.Base))
                paint_run_band(painter, band.adjusted(4, 0, -4, 0), text, pal, self.font())
        finally:
            painter.end()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self.fit_columns()

    def fit_columns(self) -> None:
        if self.model() is None:
            return
        avail = self.viewport().width()
        for col in self.DROP_ORDER:
            self.setColumnHidden(col, False)
        others = lambda: sum(self.columnWidth(c) for c in range(self.model().columnCount())  # noqa: E731
                             if c != COL_NAME and not self.isColumnHidden(c))
        for col in self.DROP_ORDER:
            if avail - others() >= self.NAME_MIN:
                break
            self.setColumnHidden(col, True)

    def startDrag(self, supportedActions: Qt.DropAction) -> None:  # noqa: N802 - Qt override
        start_file_drag(self, supportedActions)


class GalleryListView(QListView):
    """Icon grid: uniform tiles, batched layout, drag out only."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setUniformItemSizes(True)
        self.setLayoutMode(QListView.LayoutMode.Batched)
        self.setBatchSize(400)
        self.setSpacing(0)  # the grid cell already pads each tile
        self.setWrapping(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.setMouseTracking(True)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.verticalScrollBar().setSingleStep(24)
        self.setFrameShape(QListView.Shape.NoFrame)

    def startDrag(self, supportedActions: Qt.DropAction) -> None:  # noqa: N802 - Qt override
        start_file_drag(self, supportedActions)

    def set_tile(self, tile: int) -> None:
        self._tile = int(tile)
        self._fit_grid()

    def set_grouped(self, on: bool) -> None:
        """Grouped by run: every cell gets the delegate's run band on top."""
        self._grouped = bool(on)
        delegate = self.itemDelegate()
        if isinstance(delegate, ArtefactDelegate):
            delegate.grouped = self._grouped
        self._fit_grid()

    def _fit_grid(self) -> None:
        """Spread the columns over the whole width: cells are `tile` wide plus an even share
        of the leftover, so the grid never ends in a ragged empty strip."""
        tile = getattr(self, "_tile", 168)
        width = max(1, self.viewport().width() - 2)
        cols = max(1, width // (tile + 4))
        cell_w = max(tile + 4, width // cols)
        band = ArtefactDelegate.GROUP_H if getattr(self, "_grouped", False) else 0
        size = QSize(cell_w, tile + ArtefactDelegate.TEXT_H + 4 + band)
        if size != self.gridSize():
            self.setGridSize(size)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._fit_grid()


class GalleryView(QWidget):
    goToRun = Signal(str)
    statusMessage = Signal(str)

    def __init__(self, ctx: Any, parent: QWidget | None = None, *, asynchronous: bool = True):
        super().__init__(parent)
        self.ctx = ctx
        s = ctx.settings
        self.thumbs = ThumbnailService(s.artefacts_root, s.db_path, edge=int(s.thumb_max_edge_px),
                                       workers=int(s.thumb_workers), parent=self)
        self.model = ArtefactsModel(ctx, self, thumbnails=self.thumbs, asynchronous=asynchronous)
        self._undo_ids: list[int] = []
        self._build()
        self._load_prefs()
        self._reload_filter_choices()
        self.model.countsChanged.connect(self._on_counts)
        self.model.modelChanged.connect(self._sync_preview)
        self.model.modelReset.connect(self.preview.clear)
        self.model.rowsInserted.connect(lambda *_: self._update_empty())
        self.model.rowsRemoved.connect(lambda *_: self._update_empty())
        self.model.loadingChanged.connect(self._update_empty)
        self.model.refresh()
        from pixie_desktop.config import on_setting_changed

        self._unsubscribe = on_setting_changed(self._on_setting_changed)
        self.destroyed.connect(lambda *_: self._unsubscribe())

    def _on_setting_changed(self, name: str, value: Any) -> None:
        """Thumbnail size/threads apply live: new edge → new cache key → fresh thumbnails."""
        if name == "thumb_max_edge_px":
            self.thumbs.set_edge(int(value))
            self.thumbs.clear_memory()
            self.current_view().viewport().update()
        elif name == "thumb_workers":
            self.thumbs.max_workers = max(1, int(value))

    # ------------------------------------------------------------------ building
    def _build(self) -> None:
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)

        bar = QWidget()
        bar.setObjectName("galleryFilterBar")
        bl = QHBoxLayout(bar)
        bl.setContentsMargins(10, 8, 10, 8)
        bl.setSpacing(6)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search names and labels  ( / )")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search artefacts")
        self.search.setMinimumWidth(220)  # the whole placeholder stays readable
        self._search_timer = QTimer(self, singleShot=True, interval=250)
        self._search_timer.timeout.connect(self._apply_filters)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.tool_combo = QComboBox()
        self.ws_combo = QComboBox()
        self.kind_combo = QComboBox()
        for label, kinds in KIND_FILTERS:
            self.kind_combo.addItem(label, kinds)
        self.tag_combo = QComboBox()
        self.date_combo = QComboBox()
        for label, days in DATE_FILTERS:
            self.date_combo.addItem(label, days)
        self.sort_combo = QComboBox()
        for key, label in queries.SORT_LABELS.items():
            self.sort_combo.addItem(label, key)
        self.starred_btn = QToolButton()
        self.starred_btn.setText("Starred")  # ★ is a missing-glyph box in some stock fonts: the SVG
        set_button_icon(self.starred_btn, "star")
        self.starred_btn.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.starred_btn.setCheckable(True)
        self.starred_btn.setToolTip("Only starred artefacts")
        for combo in (self.tool_combo, self.ws_combo, self.kind_combo, self.tag_combo, self.date_combo,
                      self.sort_combo):
            combo.currentIndexChanged.connect(self._apply_filters)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.starred_btn.toggled.connect(self._apply_filters)
        bl.addWidget(self.search, 2)
        # the filters sit in the bar when it is wide enough, else in the "Filters" button's menu
        self.filter_box = QWidget()
        self.filter_layout = QBoxLayout(QBoxLayout.Direction.LeftToRight, self.filter_box)
        self.filter_layout.setContentsMargins(0, 0, 0, 0)
        self.filter_layout.setSpacing(6)
        for w in (self.tool_combo, self.ws_combo, self.kind_combo, self.tag_combo, self.date_combo,
                  self.starred_btn):
            self.filter_layout.addWidget(w)
        bl.addWidget(self.filter_box)
        self.filters_btn = QToolButton()
        self.filters_btn.setText("Filters")
        set_button_icon(self.filters_btn, "filter")
        self.filters_btn.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.filters_btn.setStyleSheet("QToolButton::menu-indicator { image: none; width: 0; }")
        self.filters_btn.setToolTip("Tool, workspace, kind, tag, date and starred filters, and the sort order")
        self.filters_btn.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.filters_menu = QMenu(self.filters_btn)
        self.filters_holder = QWidget()
        holder = QVBoxLayout(self.filters_holder)
        holder.setContentsMargins(8, 8, 8, 8)
        filters_action = QWidgetAction(self.filters_menu)
        filters_action.setDefaultWidget(self.filters_holder)
        self.filters_menu.addAction(filters_action)
        self.filters_btn.setMenu(self.filters_menu)
        self.filters_btn.hide()
        bl.addWidget(self.filters_btn)
        self.bar_mode = "wide"
        bl.addStretch(1)
        bl.addWidget(self.sort_combo)
        self.grid_btn = QToolButton()
        set_icon_button(self.grid_btn, "grid", "Grid")  # ▦ and ☰: boxes in some stock fonts
        self.list_btn = QToolButton()
        set_icon_button(self.list_btn, "list", "Details list")
        self.mode_group = QButtonGroup(self)
        for i, b in enumerate((self.grid_btn, self.list_btn)):
            b.setCheckable(True)
            self.mode_group.addButton(b, i)
            bl.addWidget(b)
        self.grid_btn.setChecked(True)
        self.mode_group.idToggled.connect(lambda i, on: on and self.set_view_mode("grid" if i == 0 else "list"))
        self.zoom = QSlider(Qt.Orientation.Horizontal)
        self.zoom.setRange(TILE_MIN, TILE_MAX)
        self.zoom.setFixedWidth(110)
        self.zoom.setToolTip("Tile size")
        self.zoom.setAccessibleName("Tile size")
        self.zoom.valueChanged.connect(self._on_zoom)
        self._zoom_save = QTimer(self, singleShot=True, interval=500)
        self._zoom_save.timeout.connect(self._save_zoom)
        bl.addWidget(self.zoom)
        self.export_btn = QToolButton()  # the context menu's "Export to folder…", for the selection
        self.export_btn.setObjectName("galleryExport")
        self.export_btn.setText("Export…")
        self.export_btn.setToolTip("Copy the selected artefacts' files to a folder")
        self.export_btn.setEnabled(False)  # until something is selected
        self.export_btn.clicked.connect(lambda: self.export_selected())
        bl.addWidget(self.export_btn)
        self.trash_btn = QToolButton()
        self.trash_btn.setText("Trash")
        self.trash_btn.setCheckable(True)
        self.trash_btn.setToolTip("Show deleted artefacts")
        self.trash_btn.toggled.connect(self._on_trash_toggled)
        bl.addWidget(self.trash_btn)
        self.filter_bar = bar
        # its width never forces the page wider: a bar too narrow for its filters folds them into
        # the Filters menu instead (_update_bar_mode)
        bar.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        root.addWidget(bar)

        # trash strip / undo strip
        self.trash_strip = QWidget()
        tl = QHBoxLayout(self.trash_strip)
        tl.setContentsMargins(12, 4, 12, 4)
        self.trash_info = QLabel()
        self.restore_btn = QPushButton("Restore")
        self.restore_btn.clicked.connect(self.restore_selected)
        self.purge_btn = QPushButton("Delete forever")
        self.purge_btn.clicked.connect(self.purge_selected)
        self.empty_btn = QPushButton("Empty Trash…")
        self.empty_btn.clicked.connect(self.empty_trash)
        tl.addWidget(self.trash_info, 1)
        self.restore_btn.setEnabled(False)  # until something is selected
        self.purge_btn.setEnabled(False)
        for b in (self.restore_btn, self.purge_btn, self.empty_btn):
            tl.addWidget(b)
        self.trash_strip.hide()
        root.addWidget(self.trash_strip)
        from pixie_desktop.ui.widgets.export_strip import ExportStrip

        self.export_strip = ExportStrip(self)
        self.export_strip.statusMessage.connect(self.statusMessage)
        root.addWidget(self.export_strip)

        split = QSplitter(Qt.Orientation.Horizontal)
        self.splitter = split
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.setSpacing(0)
        self.views = QStackedWidget()
        self.grid = GalleryListView()
        self.grid.setAccessibleName("Artefacts")
        self.grid.setModel(self.model)
        self.delegate = ArtefactDelegate(self.grid)
        self.grid.setItemDelegate(self.delegate)
        self.table = GalleryTableView()
        self.table.setAccessibleName("Artefacts list")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setDragEnabled(True)
        self.table.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(34)
        self.table.setItemDelegateForColumn(COL_NAME, ArtefactDelegate(self.table, compact=True))
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Stretch)
        hh.setHighlightSections(False)
        self.table.setWordWrap(False)
        for col, width in ((COL_TOOL, 130), (COL_KIND, 70), (COL_SIZE, 84), (COL_CREATED, 140), (COL_LABEL, 150)):
            self.table.setColumnWidth(col, width)
        # one selection model for both views, so switching keeps the selection
        self.table.setSelectionModel(self.grid.selectionModel())
        self.views.addWidget(self.grid)
        self.views.addWidget(self.table)
        self.empty_label = EmptyState()
        self.empty_label.actionRequested.connect(self._on_empty_action)
        self.views.addWidget(self.empty_label)
        ll.addWidget(self.views, 1)

        self.undo_bar = QWidget()
        self.undo_bar.setObjectName("galleryUndoBar")
        ul = QHBoxLayout(self.undo_bar)
        ul.setContentsMargins(12, 6, 12, 6)
        self.undo_label = QLabel()
        self.undo_btn = QPushButton("Undo")
        self.undo_btn.clicked.connect(self.undo_delete)
        ul.addWidget(self.undo_label, 1)
        ul.addWidget(self.undo_btn)
        self.undo_bar.hide()
        self._undo_timer = QTimer(self, singleShot=True, interval=UNDO_MS)
        self._undo_timer.timeout.connect(self.undo_bar.hide)
        ll.addWidget(self.undo_bar)

        self.count_label = QLabel()
        self.count_label.setContentsMargins(12, 4, 12, 6)
        self.count_label.setEnabled(False)
        ll.addWidget(self.count_label)
        split.addWidget(left)

        self.preview = ArtefactPreview(self.ctx)
        split.addWidget(self.preview)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setSizes([760, 340])
        root.addWidget(split, 1)

        self.grid.selectionModel().selectionChanged.connect(lambda *_: self._sync_preview())
        self.model.modelReset.connect(self._update_selection_buttons)  # a reset drops the selection silently
        self.model.modelReset.connect(lambda: self.grid.set_grouped(self.model.grouped))
        self.model.modelReset.connect(lambda: self.table.set_grouped(self.model.grouped))
        for view in (self.grid, self.table):
            view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            view.customContextMenuRequested.connect(self._context_menu)
            view.doubleClicked.connect(lambda _i: self.open_selected())
            view.verticalScrollBar().valueChanged.connect(self._schedule_retain)
        self._retain_timer = QTimer(self, singleShot=True, interval=120)
        self._retain_timer.timeout.connect(self._retain_visible)

        p = self.preview
        p.goToRun.connect(self.goToRun)
        p.openRequested.connect(self.open_selected)
        p.revealRequested.connect(self.reveal_selected)
        p.copyPathRequested.connect(self.copy_paths)
        p.starToggled.connect(self.toggle_star_selected)
        p.labelEdited.connect(lambda text: self.model.set_label(self._preview_ids(), text))
        p.tagsEdited.connect(lambda tags: self.model.set_tags(self._preview_ids(), tags))

        self._add_shortcut("Delete", self.delete_selected)
        self._add_shortcut(QKeySequence.StandardKey.Copy, self.copy_paths)
        self._add_shortcut("Return", self.open_selected)
        self._add_shortcut("S", self.toggle_star_selected)
        self._add_shortcut("/", self.search.setFocus)
        self._add_shortcut("Esc", lambda: self.grid.selectionModel().clearSelection())

    def _add_shortcut(self, key: Any, fn: Any) -> QAction:
        act = QAction(self)
        act.setShortcut(QKeySequence(key))
        act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        act.triggered.connect(fn)
        for view in (self.grid, self.table):
            view.addAction(act)
        return act

    # ------------------------------------------------------------------ prefs
    def _load_prefs(self) -> None:
        conn = self.ctx.conn
        try:
            tile = int(settings_queries.get_setting(conn, TILE_KEY, str(TILE_DEFAULT)) or TILE_DEFAULT)
        except ValueError:
            tile = TILE_DEFAULT
        tile = min(TILE_MAX, max(TILE_MIN, tile))
        self.zoom.blockSignals(True)
        self.zoom.setValue(tile)
        self.zoom.blockSignals(False)
        self._apply_tile(tile)
        mode = settings_queries.get_setting(conn, MODE_KEY, "grid")
        self.set_view_mode("list" if mode == "list" else "grid", save=False)

    def _apply_tile(self, tile: int) -> None:
        self.delegate.set_tile(tile)
        self.grid.set_tile(tile)

    def _on_zoom(self, value: int) -> None:
        self._apply_tile(value)
        self._zoom_save.start()

    def _save_zoom(self) -> None:
        settings_ops.set_setting(self.ctx.conn, TILE_KEY, str(self.zoom.value()))

    def set_view_mode(self, mode: str, *, save: bool = True) -> None:
        self.views.setCurrentWidget(self.table if mode == "list" else self.grid)
        (self.list_btn if mode == "list" else self.grid_btn).setChecked(True)
        self.zoom.setEnabled(mode != "list")
        if save:
            settings_ops.set_setting(self.ctx.conn, MODE_KEY, mode)
        self._update_empty()

    def view_mode(self) -> str:
        return "list" if self.views.currentWidget() is self.table or self.list_btn.isChecked() else "grid"

    def current_view(self) -> QAbstractItemView:
        return self.table if self.view_mode() == "list" else self.grid

    # ------------------------------------------------------------------ filters
    def _reload_filter_choices(self) -> None:
        """Tools, workspaces and tags that exist (small queries)."""
        conn = self.ctx.conn
        for combo, items, first in (
                (self.tool_combo, [(t, t) for t in queries.tool_ids(conn)], "All tools"),
                (self.ws_combo, [(w.name, w.id) for w in workspace_queries.list_all(conn)], "All workspaces"),
                (self.tag_combo, [(f"#{t} ({n})", t) for t, n in queries.tag_counts(conn)], "All tags")):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(first, None)
            for label, value in items:
                combo.addItem(label, value)
            i = combo.findData(current)
            combo.setCurrentIndex(max(0, i))
            combo.blockSignals(False)
        self.ws_combo.setVisible(self.ws_combo.count() > 1)
        self.tag_combo.setVisible(self.tag_combo.count() > 1)

    def current_query(self) -> ArtefactQuery:
        days = self.date_combo.currentData()
        date_from = (datetime.now(timezone.utc) - timedelta(days=days)).isoformat() if days else None
        return ArtefactQuery(
            tool_id=self.tool_combo.currentData(), workspace_id=self.ws_combo.currentData(),
            tag=self.tag_combo.currentData(), starred=self.starred_btn.isChecked(),
            kinds=tuple(self.kind_combo.currentData() or ()), date_from=date_from, text=self.search.text(),
            run_id=self.model.query().run_id, trash=self.trash_btn.isChecked(),
            sort=self.sort_combo.currentData() or "newest", batch_id=self.model.query().batch_id)

    def _apply_filters(self) -> None:
        self.model.set_query(self.current_query())

    def set_grouped_by_run(self, on: bool) -> None:
        """Group the tiles by the run that made them (the sort menu's "Grouped by run")."""
        i = self.sort_combo.findData("run" if on else "newest")
        if i >= 0:
            self.sort_combo.setCurrentIndex(i)

    def show_run(self, run_id: str | None) -> None:
        """Show only one run's artefacts (None shows all again)."""
        self.model.set_query(self.current_query().with_(run_id=run_id))

    def show_batch(self, batch_id: str | None) -> None:
        """Show only the artefacts of one batch's runs (None shows all again)."""
        self.model.set_query(self.current_query().with_(batch_id=batch_id, run_id=None))

    def _on_trash_toggled(self, on: bool) -> None:
        self.trash_strip.setVisible(on)
        self.undo_bar.hide()
        self._apply_filters()

    def _on_counts(self, matching: int, total: int) -> None:
        where = "in the Trash" if self.model.query().trash else "artefacts"
        self.count_label.setText(f"{matching:,} of {total:,} {where}" if self.model.query().is_filtered
                                 else f"{total:,} {where}")
        if self.model.query().trash:
            days = self.ctx.settings.soft_delete_retention_days
            self.trash_info.setText(f"{total:,} deleted artefacts · removed for good after {days} days")
            self.empty_btn.setEnabled(total > 0)
        self._update_empty()

    def _update_empty(self) -> None:
        if self.model.rowCount() > 0 or self.model.is_loading():
            target = self.table if self.list_btn.isChecked() else self.grid
            if self.views.currentWidget() is not target:
                self.views.setCurrentWidget(target)
            return
        q = self.model.query()
        if q.trash:
            self.empty_label.set_content("The Trash is empty.", "Artefacts you delete wait here for "
                                         f"{self.ctx.settings.soft_delete_retention_days} days.", "Back to the gallery")
        elif q.is_filtered:
            self.empty_label.set_content("No artefacts match those filters.",
                                         "Try another tool, kind or date, or clear the filters.", "Clear filters")
        else:
            self.empty_label.set_content("No artefacts yet.", "Files your tools write show up here, "
                                         "ready to preview, drag out or open.")
        self.views.setCurrentWidget(self.empty_label)

    def _on_empty_action(self) -> None:
        if self.trash_btn.isChecked():
            self.trash_btn.setChecked(False)
            return
        self.clear_filters()

    def clear_filters(self) -> None:
        """Every filter back to "all" (one reload, not one per control)."""
        controls = (self.search, self.tool_combo, self.ws_combo, self.kind_combo, self.tag_combo,
                    self.date_combo, self.starred_btn)
        for w in controls:
            w.blockSignals(True)
        self.search.clear()
        for combo in controls[1:6]:
            combo.setCurrentIndex(0)
        self.starred_btn.setChecked(False)
        for w in controls:
            w.blockSignals(False)
        self._search_timer.stop()
        self._apply_filters()

    # ------------------------------------------------------------------ selection
    def selected_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.grid.selectionModel().selectedIndexes()})
        return [self.model.row_at(r).record.id for r in rows if self.model.row_at(r)]

    def _preview_ids(self) -> list[int]:
        pid = self.preview.current_id()
        return [pid] if pid is not None else []

    def select_ids(self, ids: list[int]) -> None:
        from PySide6.QtCore import QItemSelection, QItemSelectionModel

        sel = QItemSelection()
        for i in ids:
            row = self.model.row_of(i)
            if row >= 0:
                sel.select(self.model.index(row, 0), self.model.index(row, self.model.columnCount() - 1))
        self.grid.selectionModel().select(sel, QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def _update_selection_buttons(self) -> None:
        """Restore and Delete forever act on the selection: disabled without one."""
        has = bool(self.selected_ids())
        self.export_btn.setEnabled(has)
        self.restore_btn.setEnabled(has)
        self.purge_btn.setEnabled(has and not getattr(self, "_purging", False))

    def _sync_preview(self) -> None:
        self._update_selection_buttons()
        ids = self.selected_ids()
        if not ids:
            self.preview.clear()
            return
        row = self.model.row_at(self.model.row_of(ids[-1]))
        if row is not None:
            self.preview.show_row(row, self.model.abs_path(row.record))

    def _selected_paths(self) -> list[Path]:
        out = []
        for i in self.selected_ids():
            rec = self.model.record(self.model.row_of(i))
            path = self.model.abs_path(rec) if rec else None
            if path is not None:
                out.append(path)
        return out

    def _schedule_retain(self, _value: int = 0) -> None:
        # a throttle, not a debounce: during a long fling jobs for tiles already scrolled
        # past are dropped every 120 ms instead of only once scrolling stops
        if not self._retain_timer.isActive():
            self._retain_timer.start()

    def _retain_visible(self) -> None:
        view = self.current_view()
        vp = view.viewport().rect()
        # probe a few points: at some widths the corner and the centre fall in the gaps between tiles
        probes = (QPoint(x, y) for y in (8, vp.height() // 4, vp.height() // 2)
                  for x in (8, vp.width() // 4, vp.width() // 2, vp.width() * 3 // 4))
        first = next((i for i in (view.indexAt(p) for p in probes) if i.isValid()), QModelIndex())
        if not first.isValid():
            return
        visible: set[int] = set()
        row = max(0, first.row() - 12)  # a probe may have hit the second line of tiles: start well before
        while row < self.model.rowCount():
            rect = view.visualRect(self.model.index(row, 0))
            if rect.top() > vp.bottom():
                break
            if rect.intersects(vp):
                visible.add(self.model.row_at(row).record.id)
            row += 1
        self.thumbs.retain(visible)

    # ------------------------------------------------------------------ actions
    def open_selected(self) -> None:
        for path in self._selected_paths()[:10]:
            if not path.is_file():
                self.statusMessage.emit(f"{path.name} is missing from the artefacts folder")
                continue
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def reveal_selected(self) -> None:
        paths = self._selected_paths()
        if paths:
            reveal_in_file_manager(paths[0])

    def copy_paths(self) -> None:
        paths = self._selected_paths()
        if paths:
            QGuiApplication.clipboard().setText("\n".join(str(p) for p in paths))
            self.statusMessage.emit(f"Copied {len(paths)} path{'s' if len(paths) != 1 else ''}")

    def toggle_star_selected(self) -> None:
        ids = self.selected_ids()
        if ids:
            self.model.toggle_starred(ids)

    def label_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        rec = self.model.record(self.model.row_of(ids[0]))
        text, ok = QInputDialog.getText(self, "Label", f"Label for {len(ids)} artefact(s):",
                                        text=(rec.label or "") if rec else "")
        if ok:
            self.model.set_label(ids, text)

    def tag_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        rec = self.model.record(self.model.row_of(ids[0]))
        current = ", ".join(t for t in (rec.tag_list if rec else []) if not t.startswith("_"))
        text, ok = QInputDialog.getText(self, "Tags", "Comma-separated tags:", text=current)
        if ok:
            self.model.set_tags(ids, [t.strip() for t in text.split(",") if t.strip()])
            self._reload_filter_choices()

    def delete_selected(self) -> None:
        if self.model.query().trash:
            self.purge_selected()
            return
        ids = self.model.soft_delete(self.selected_ids())
        if not ids:
            return
        self._undo_ids = ids
        self.undo_label.setText(f"Moved {len(ids)} artefact{'s' if len(ids) != 1 else ''} to the Trash")
        self.undo_bar.show()
        self._undo_timer.start()
        self.statusMessage.emit(self.undo_label.text())

    def undo_delete(self) -> None:
        if self._undo_ids:
            self.model.restore(self._undo_ids)
            self.statusMessage.emit(f"Restored {len(self._undo_ids)} artefact(s)")
            self._undo_ids = []
        self.undo_bar.hide()

    def export_selected(self, folder: str | None = None) -> bool:
        """Copy the selected artefacts' files into a folder (asked for unless given), in the
        background with progress and Cancel; originals stay, nothing is overwritten."""
        ids = self.selected_ids()
        if not ids or self.export_strip.is_running():
            return False
        if folder is None:
            from PySide6.QtWidgets import QFileDialog

            folder = QFileDialog.getExistingDirectory(self, "Export to folder")
            if not folder:
                return False
        recs = queries.get_many(self.ctx.conn, ids)
        return self.export_strip.start(Path(self.ctx.settings.artefacts_root), recs, Path(folder))

    def restore_selected(self) -> None:
        ids = self.selected_ids()
        if ids:
            self.model.restore(ids)

    def purge_selected(self, *, confirm: bool = True) -> None:
        ids = self.selected_ids()
        if not ids or not self.model.query().trash:
            return
        if confirm and QMessageBox.question(
                self, "Delete forever", f"Delete {len(ids)} artefact(s) and their files for good?") \
                != QMessageBox.StandardButton.Yes:
            return
        recs = queries.get_many(self.ctx.conn, ids)
        self._run_purge(sweeper.purge_records, recs)

    def empty_trash(self, *, confirm: bool = True) -> None:
        if confirm and QMessageBox.question(
                self, "Empty Trash", "Delete everything in the Trash and its files for good? "
                                     "Starred artefacts are kept.") != QMessageBox.StandardButton.Yes:
            return
        self._run_purge(None, None)

    def _run_purge(self, fn: Any, recs: Any) -> None:
        db, root = str(self.ctx.settings.db_path), Path(self.ctx.settings.artefacts_root)

        def job() -> sweeper.SweepReport:
            conn = queries.thread_connection(db)
            return sweeper.empty_trash(conn, root) if fn is None else fn(conn, root, recs)

        self._purging = True
        self.purge_btn.setEnabled(False)
        self.empty_btn.setEnabled(False)
        workers.submit(job, on_result=self._purged, on_error=self._purge_failed)

    def _purged(self, report: sweeper.SweepReport) -> None:
        self._purging = False
        self._update_selection_buttons()
        msg = f"Deleted {len(report.purged)} artefact(s) for good"
        if report.errors:
            msg += f"; {len(report.errors)} could not be removed ({report.errors[0]})"
        self.statusMessage.emit(msg)
        self.model.refresh()

    def _purge_failed(self, exc: BaseException) -> None:
        self._purging = False
        self._update_selection_buttons()
        self.empty_btn.setEnabled(True)
        self.statusMessage.emit(f"Delete failed: {exc}")

    def _context_menu(self, pos: QPoint) -> None:
        view = self.sender()
        idx = view.indexAt(pos) if isinstance(view, QAbstractItemView) else QModelIndex()
        if idx.isValid() and not view.selectionModel().isSelected(idx):
            self.select_ids([self.model.row_at(idx.row()).record.id])
        ids = self.selected_ids()
        if not ids:
            return
        menu = QMenu(self)
        trash = self.model.query().trash
        menu.addAction("Open", self.open_selected)
        menu.addAction("Show in folder", self.reveal_selected)
        menu.addAction("Copy path", self.copy_paths)
        menu.addAction("Export to folder…", self.export_selected)
        menu.addSeparator()
        if not trash:
            recs = [self.model.record(self.model.row_of(i)) for i in ids]
            all_starred = all(r.starred for r in recs if r)
            menu.addAction("Unstar" if all_starred else "Star", self.toggle_star_selected)
            menu.addAction("Label…", self.label_selected)
            menu.addAction("Tags…", self.tag_selected)
        if len(ids) == 1:
            run_id = self.model.record(self.model.row_of(ids[0])).run_id
            menu.addAction("Go to run", lambda: self.goToRun.emit(run_id))
        menu.addSeparator()
        if trash:
            menu.addAction("Restore", self.restore_selected)
            menu.addAction("Delete forever…", self.purge_selected)
        else:
            menu.addAction("Move to Trash", self.delete_selected)
        menu.exec(view.viewport().mapToGlobal(pos))

    # ------------------------------------------------------------------ lifecycle
    def refresh(self) -> None:
        self._reload_filter_choices()
        self.model.refresh()

    # ------------------------------------------------------------------ responsive filter bar
    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._update_bar_mode()

    def _wide_bar_width(self) -> int:
        """Width the bar needs with every filter in it: measured by its layout while the filters
        are in it, remembered while they are in the menu."""
        if self.bar_mode == "wide":
            self._wide_need = self.filter_bar.layout().minimumSize().width()
        return getattr(self, "_wide_need", 0)

    def _update_bar_mode(self) -> None:
        mode = "narrow" if self.width() < self._wide_bar_width() else "wide"
        if mode == self.bar_mode:
            return
        self.bar_mode = mode
        bar = self.filter_bar.layout()
        if mode == "narrow":
            self.filter_layout.setDirection(QBoxLayout.Direction.TopToBottom)
            self.filters_holder.layout().addWidget(self.filter_box)
            # the sort order goes along: with it in the bar a half-screen window still overlapped
            # the search box and the Filters button
            self.filters_holder.layout().addWidget(self.sort_combo)
        else:
            self.filter_layout.setDirection(QBoxLayout.Direction.LeftToRight)
            bar.insertWidget(bar.indexOf(self.filters_btn), self.filter_box)
            bar.insertWidget(bar.indexOf(self.grid_btn), self.sort_combo)
        self.sort_combo.show()
        self.filter_box.show()
        self.filters_btn.setVisible(mode == "narrow")

    def shutdown(self) -> None:
        self._unsubscribe()
        self.thumbs.shutdown()
        workers.app_pool().waitForDone(5000)
