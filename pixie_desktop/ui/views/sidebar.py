"""The sidebar: page navigation (Home, History, Gallery…), tool search-as-you-type, tag chips, an
active-workspace filter and the tool tree — Favourites & pinned, one collapsible section per
workspace (colour chip), Tools, and Archived behind a toggle. Each tool row shows its validation
dot, a running spinner and a favourite star; broken tools show their parse error on hover.

Everything that changes the store (favourite, pin, keep warm, archive, colour, tags, workspace
membership) is done here through the repositories and announced on the StoreEvents hub, so the
models update one row at a time."""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QKeyEvent, QPainter, QPalette, QPen
# The dialogs (QColorDialog, QInputDialog, QMessageBox) and QUrl are imported where used: each class
# creates its enums when first touched, which the start-up should not pay for.
# So is QStyle (its ~11 enums, among them the largest of QtWidgets, cost ~5 ms): only the row
# painters read it, and the first paint may have no rows yet.
from PySide6.QtWidgets import (QAbstractItemView, QButtonGroup, QComboBox, QFrame, QHBoxLayout, QLabel, QLineEdit,
                               QMenu, QPushButton, QStyledItemDelegate, QToolButton, QTreeView, QVBoxLayout, QWidget)

from pixie_desktop.ops import settings as settings_ops
from pixie_desktop.ops import tools as tool_ops
from pixie_desktop.ops import workspaces as workspace_ops
from pixie_desktop.ops.change import Change
from pixie_desktop.queries import settings as settings_queries
from pixie_desktop.ui.publish import publish
from pixie_desktop.ui.delegates.painters import (paint_colour_chip, paint_dot, paint_spinner,
                                                 paint_star, status_colour)
from pixie_desktop.ui.models import sidebar_model as sm
from pixie_desktop.ui.models import tools_model as tm
from pixie_desktop.ui.models.sidebar_model import SidebarFilterProxy, SidebarModel
from pixie_desktop.ui.models.tools_model import ToolsModel
from pixie_desktop.ui.models.workspaces_model import WorkspacesModel
from pixie_desktop.ui.views.flow_layout import FlowLayout

if TYPE_CHECKING:
    from PySide6.QtWidgets import QStyleOptionViewItem

COLLAPSED_KEY = "ui.sidebar.collapsed"
ACTIVE_WS_KEY = "ui.sidebar.active_workspace"
SECTION_H = 32
TOOL_H = 32


def avatar_colour(tool_id: str, colour: str | None) -> QColor:
    """The tool's own colour, else a stable pleasant hue derived from its id."""
    c = QColor(colour) if colour else QColor()
    if c.isValid():
        return c
    h = 0
    for ch in tool_id:
        h = (h * 31 + ord(ch)) & 0xFFFFFFFF
    return QColor.fromHsl(h % 360, 120, 150)


def nav_icon(key: str, colour: QColor | None = None) -> QIcon:
    """Small line icons for the navigation entries, drawn so they follow the palette."""
    from PySide6.QtGui import QPainterPath, QPixmap

    c = colour or QColor("#6b7380")
    pm = QPixmap(32, 32)
    pm.setDevicePixelRatio(2)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    pen = QPen(c, 1.5)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    p.setPen(pen)
    if key == "home":
        path = QPainterPath()
        path.moveTo(2.5, 8)
        path.lineTo(8, 3)
        path.lineTo(13.5, 8)
        p.drawPath(path)
        p.drawRect(QRectF(4, 7.5, 8, 6.5))
    elif key == "history":
        p.drawEllipse(QRectF(2.5, 2.5, 11, 11))
        p.drawLine(QPointF(8, 5), QPointF(8, 8))
        p.drawLine(QPointF(8, 8), QPointF(10.5, 9.5))
    elif key == "gallery":
        p.drawRoundedRect(QRectF(2, 3, 12, 10), 2, 2)
        p.drawPolyline([QPointF(3, 12), QPointF(7, 8), QPointF(10, 11), QPointF(11.5, 9.5), QPointF(13.5, 11.5)])
        p.drawEllipse(QRectF(9.5, 5, 2, 2))
    else:
        for i in range(3):
            p.drawLine(QPointF(3, 4.5 + i * 3.5), QPointF(13, 4.5 + i * 3.5))
    p.end()
    return QIcon(pm)


def paint_pin(p: QPainter, centre: QPointF, colour: QColor) -> None:
    """A small push-pin: round head, short collar, needle."""
    p.save()
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(colour)
    x, y = centre.x(), centre.y()
    p.drawEllipse(QPointF(x, y - 3), 3.2, 3.2)
    p.drawRect(QRectF(x - 1.2, y - 1, 2.4, 2.5))
    p.setPen(QPen(colour, 1.2))
    p.drawLine(QPointF(x, y + 1.5), QPointF(x, y + 6))
    p.restore()


class SidebarDelegate(QStyledItemDelegate):
    """Paints section headers (chevron, colour chip, title, count) and tool rows (avatar, name,
    running spinner, favourite star, validation dot)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.phase = 0.0
        self.expanded: Callable[[QModelIndex], bool] = lambda ix: True

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        from pixie_desktop.ui.widgets.craft_style import row_height

        # the `density` setting: compact rows are shorter, airy ones taller
        return QSize(option.rect.width() or 200, row_height(SECTION_H if index.data(sm.IsSectionRole) else TOOL_H))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        painter.save()
        pal: QPalette = option.palette
        rect = QRectF(option.rect)
        if index.data(sm.IsSectionRole):
            self._paint_section(painter, rect, pal, index, option)
        else:
            self._paint_tool(painter, rect, pal, index, option)
        painter.restore()

    def _paint_section(self, p: QPainter, rect: QRectF, pal: QPalette, index: QModelIndex, option) -> None:
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        muted = pal.color(QPalette.ColorRole.PlaceholderText)
        from PySide6.QtWidgets import QStyle  # see the imports at the top

        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
        x = rect.left() + 10
        cy = rect.center().y() + 3
        # chevron
        p.setPen(QPen(muted, 1.4))
        open_ = self.expanded(index)
        if open_:
            p.drawPolyline([QPointF(x, cy - 2), QPointF(x + 3.5, cy + 1.5), QPointF(x + 7, cy - 2)])
        else:
            p.drawPolyline([QPointF(x + 1.5, cy - 4), QPointF(x + 5, cy - 0.5), QPointF(x + 1.5, cy + 3)])
        x += 14
        colour = index.data(sm.SectionColourRole)
        if index.data(sm.SectionKindRole) == "workspace":
            chip = QRectF(x, cy - 5, 10, 10)
            if not paint_colour_chip(p, chip, colour, radius=3):
                p.setPen(QPen(muted, 1.0, Qt.PenStyle.DashLine))
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawRoundedRect(chip, 3, 3)
            x += 16
        font = QFont(option.font)
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.82))
        font.setBold(True)
        font.setLetterSpacing(QFont.SpacingType.AbsoluteSpacing, 0.6)
        p.setFont(font)
        p.setPen(pal.color(QPalette.ColorRole.WindowText) if hovered else muted)
        count = index.data(sm.CountRole) or 0
        count_w = 28
        text_rect = QRectF(x, rect.top() + 6, rect.right() - x - count_w - 6, rect.height() - 6)
        title = option.fontMetrics.elidedText(str(index.data()).upper(), Qt.TextElideMode.ElideRight,
                                              int(text_rect.width()))
        p.drawText(text_rect, int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), title)
        p.setPen(muted)
        p.drawText(QRectF(rect.right() - count_w - 8, rect.top() + 6, count_w, rect.height() - 6),
                   int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight), str(count))

    def _paint_tool(self, p: QPainter, rect: QRectF, pal: QPalette, index: QModelIndex, option) -> None:
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        from PySide6.QtWidgets import QStyle  # see the imports at the top

        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
        bg_rect = rect.adjusted(6, 1, -6, -1)
        if selected or hovered:
            hl = QColor(pal.color(QPalette.ColorRole.Highlight))
            hl.setAlphaF(0.16 if selected else 0.07)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(hl)
            p.drawRoundedRect(bg_rect, 7, 7)
            if selected:
                bar = QRectF(bg_rect.left(), bg_rect.top() + 7, 3, bg_rect.height() - 14)
                p.setBrush(pal.color(QPalette.ColorRole.Highlight))
                p.drawRoundedRect(bar, 1.5, 1.5)
        tool_id = index.data(tm.ToolIdRole) or ""
        error = index.data(tm.ErrorRole)
        name = str(index.data() or tool_id)
        # avatar: rounded square with the first letter
        av = QRectF(bg_rect.left() + 10, rect.center().y() - 10, 20, 20)
        colour = avatar_colour(tool_id, index.data(tm.ColourRole))
        if error:
            colour = QColor("#9aa0a6")
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(colour)
        from pixie_desktop.ui.delegates.painters import contrast_text
        from pixie_desktop.ui.widgets import icons

        info = index.data(tm.ToolInfoRole)
        value = (getattr(getattr(info, "spec", None), "icon", None) or "").strip() if not error else ""
        own = icons.tool_icon(info, 20) if value and not icons.has_icon(value) else None
        if own is not None:  # tool.json `icon`: an image in the tool folder or an emoji
            soft = QColor(colour)
            soft.setAlpha(46)
            p.setBrush(soft)
            p.drawRoundedRect(av, 6, 6)
            p.drawPixmap(av.adjusted(2, 2, -2, -2), own, QRectF(own.rect()))
        elif value and icons.has_icon(value):  # a bundled icon name ("calculator", "table"…)
            p.drawRoundedRect(av, 6, 6)
            glyph = icons.named_pixmap(value, 12, contrast_text(colour).name())
            p.drawPixmap(av.adjusted(4, 4, -4, -4), glyph, QRectF(glyph.rect()))
        else:
            p.drawRoundedRect(av, 6, 6)
            letter_font = QFont(option.font)
            letter_font.setBold(True)
            letter_font.setPointSizeF(max(7.0, option.font.pointSizeF() * 0.85))
            p.setFont(letter_font)
            p.setPen(contrast_text(colour))
            p.drawText(av, int(Qt.AlignmentFlag.AlignCenter), "!" if error else (name[:1].upper() or "?"))
        # right-hand markers: validation dot, star, spinner, what the tool needs before it runs
        right = bg_rect.right() - 10
        status = "broken" if error else (index.data(tm.ValidationRole) or "unchecked")
        paint_dot(p, QPointF(right - 4, rect.center().y()), 3.8, status_colour(status),
                  hollow=status in ("unchecked", "skip"))
        right -= 14
        if index.data(tm.RunningRole):
            paint_spinner(p, QPointF(right - 6, rect.center().y()), 5.5, pal.color(QPalette.ColorRole.Highlight),
                          self.phase)
            right -= 18
        if index.data(tm.FavouriteRole):
            paint_star(p, QRectF(right - 12, rect.center().y() - 6.5, 13, 13), True)
            right -= 17
        if index.data(tm.PinnedRole) and not index.data(tm.FavouriteRole):
            paint_pin(p, QPointF(right - 6, rect.center().y()), pal.color(QPalette.ColorRole.PlaceholderText))
            right -= 14
        ready = index.data(tm.ReadinessRole)
        if ready is not None and ready.key in ("key_required", "needs_setup") and not error:
            # the words are in the tool tip and the accessible text; the row shows a small sign
            sign = icons.named_pixmap("key" if ready.key == "key_required" else "download", 12, "#d18b1f")
            p.drawPixmap(QRectF(right - 12, rect.center().y() - 6, 12, 12), sign, QRectF(sign.rect()))
            right -= 16
        p.setFont(option.font)
        text_colour = pal.color(QPalette.ColorRole.Text)
        if error:
            text_colour = status_colour("fail")
        elif index.data(tm.ArchivedRole):
            text_colour = pal.color(QPalette.ColorRole.PlaceholderText)
        p.setPen(text_colour)
        text_rect = QRectF(av.right() + 9, rect.top(), right - av.right() - 14, rect.height())
        p.drawText(text_rect, int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
                   option.fontMetrics.elidedText(name, Qt.TextElideMode.ElideRight, int(text_rect.width())))


class SidebarTree(QTreeView):
    """Tree with section headers that toggle on click and file drops onto tool rows."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setRootIsDecorated(False)
        self.setIndentation(0)
        self.setUniformRowHeights(True)  # sections and tools share one height: fast layout at 1000s of rows
        self.setMouseTracking(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setExpandsOnDoubleClick(False)
        self.setAnimated(False)
        self.setAutoExpandDelay(500)
        # rows highlight on hover: WA_Hover comes from the shell's style sheet (ui/shell_style.py)


class Sidebar(QWidget):
    toolActivated = Signal(str)               # open this tool
    filesDroppedOnTool = Signal(str, list)    # tool_id, [Path]
    navRequested = Signal(str)                # page key
    pinnedWarmChanged = Signal(str, bool)     # tool_id, keep warm
    validateRequested = Signal(str)           # tool_id ("Validate now")
    reportRequested = Signal(str)             # tool_id (show latest validation report)
    manageWorkspacesRequested = Signal()
    setupRequested = Signal(str)              # tool_id: create / rebuild its .venv

    def __init__(self, conn: sqlite3.Connection, tools: ToolsModel, workspaces: WorkspacesModel,
                 events: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("Sidebar")
        self.conn = conn
        self.tools = tools
        self.workspaces = workspaces
        self.events = events
        self.model = SidebarModel(tools, workspaces, conn, self, events=events)
        self.proxy = SidebarFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self._collapsed: set[str] = set(self._load_json(COLLAPSED_KEY, []))
        self._applying = False

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 10, 0, 8)
        lay.setSpacing(6)

        brand = QHBoxLayout()
        brand.setContentsMargins(14, 0, 14, 2)
        logo = QLabel("P")
        logo.setObjectName("BrandLogo")
        logo.setFixedSize(26, 26)
        logo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title = QLabel("Pixie")
        title.setObjectName("BrandTitle")
        brand.addWidget(logo)
        brand.addWidget(title)
        brand.addStretch(1)
        lay.addLayout(brand)

        self.nav_box = QVBoxLayout()
        self.nav_box.setContentsMargins(8, 4, 8, 0)
        self.nav_box.setSpacing(1)
        self._nav_group = QButtonGroup(self)
        self._nav_group.setExclusive(True)
        self._nav: dict[str, QPushButton] = {}
        lay.addLayout(self.nav_box)

        self.search = QLineEdit()
        self.search.setObjectName("SidebarSearch")
        self.search.setAccessibleName("Search tools")
        self.search.setPlaceholderText("Search tools   Ctrl+F")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.set_search)
        self.search.installEventFilter(self)
        search_row = QHBoxLayout()
        search_row.setContentsMargins(10, 6, 10, 0)
        search_row.addWidget(self.search)
        lay.addLayout(search_row)

        self.workspace_filter = QComboBox()
        self.workspace_filter.setObjectName("WorkspaceFilter")
        self.workspace_filter.currentIndexChanged.connect(self._on_workspace_filter)
        ws_row = QHBoxLayout()
        ws_row.setContentsMargins(10, 0, 10, 0)
        ws_row.addWidget(self.workspace_filter)
        lay.addLayout(ws_row)

        self.tag_box = QWidget()
        self.tag_flow = FlowLayout(self.tag_box, spacing=4)
        self.tag_box.setContentsMargins(10, 0, 10, 0)
        lay.addWidget(self.tag_box)
        self._tag_buttons: dict[str, QToolButton] = {}

        self.tree = SidebarTree(self)
        self.tree.setAccessibleName("Tools")
        self.tree.setModel(self.proxy)
        self.delegate = SidebarDelegate(self.tree)
        self.delegate.expanded = lambda ix: self.tree.isExpanded(ix)
        self.tree.setItemDelegate(self.delegate)
        from pixie_desktop.config import on_setting_changed

        # density changed: rows are measured again (the delegate reads the new height)
        tree = self.tree

        def relayout(name: str, _value: Any) -> None:
            if name == "density":
                try:
                    tree.scheduleDelayedItemsLayout()
                except RuntimeError:  # the sidebar is already gone
                    pass
        undo = on_setting_changed(relayout)
        self.destroyed.connect(lambda *_: undo())
        self.tree.clicked.connect(self._on_clicked)
        self.tree.activated.connect(self._on_activated)
        self.tree.expanded.connect(lambda ix: self._on_expand_changed(ix, False))
        self.tree.collapsed.connect(lambda ix: self._on_expand_changed(ix, True))
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._on_context_menu)
        lay.addWidget(self.tree, 1)

        self.empty_label = QLabel("No tools yet.\nAdd a folder with a tool.json under tools/.")
        self.empty_label.setObjectName("Muted")
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(self.empty_label)

        self.archived_toggle = QToolButton()
        self.archived_toggle.setObjectName("ArchivedToggle")
        self.archived_toggle.setCheckable(True)
        self.archived_toggle.toggled.connect(self.model.set_show_archived)
        self.archived_toggle.toggled.connect(lambda _on: self._schedule_chrome())
        bottom = QHBoxLayout()
        bottom.setContentsMargins(10, 0, 10, 0)
        bottom.addWidget(self.archived_toggle)
        bottom.addStretch(1)
        lay.addLayout(bottom)

        self.model.filesDropped.connect(self.filesDroppedOnTool)
        self.model.structureChanged.connect(self._after_structure_change)
        self.proxy.modelReset.connect(self._apply_expansion)
        self.proxy.layoutChanged.connect(self._apply_expansion)
        self.proxy.rowsInserted.connect(lambda *a: self._apply_expansion())
        self.tools.modelReset.connect(self._schedule_chrome)
        self.tools.dataChanged.connect(self._on_tools_data_changed)
        self.workspaces.modelReset.connect(self._schedule_chrome)
        self.workspaces.dataChanged.connect(lambda *a: self._schedule_chrome())
        self._chrome_timer = QTimer(self)
        self._chrome_timer.setSingleShot(True)
        self._chrome_timer.setInterval(0)
        self._chrome_timer.timeout.connect(self._refresh_chrome)
        self._spin = QTimer(self)
        self._spin.setInterval(60)
        self._spin.timeout.connect(self._tick)
        self.tools.dataChanged.connect(lambda *a: self._update_spinner())
        self._refresh_chrome()
        saved_ws = settings_queries.get_setting(conn, ACTIVE_WS_KEY)
        if saved_ws and saved_ws.isdigit():
            i = self.workspace_filter.findData(int(saved_ws))
            if i > 0:
                self.workspace_filter.setCurrentIndex(i)
        self._apply_expansion()

    # -- small persistence helpers -----------------------------------------------------------------
    def _load_json(self, key: str, default: Any) -> Any:
        try:
            raw = settings_queries.get_setting(self.conn, key)
            return json.loads(raw) if raw else default
        except (sqlite3.Error, ValueError):
            return default

    def _save(self, key: str, value: str) -> None:
        try:
            settings_ops.set_setting(self.conn, key, value)
        except sqlite3.Error:  # a sidebar layout preference: losing it must not interrupt the user
            pass

    # -- navigation entries ------------------------------------------------------------------------
    def add_nav(self, key: str, title: str, icon: QIcon | None = None) -> QPushButton:
        btn = QPushButton(title)
        btn.setObjectName("NavButton")
        btn.setIcon(icon if icon is not None else nav_icon(key))
        btn.setIconSize(QSize(16, 16))
        btn.setCheckable(True)
        btn.setFlat(True)
        btn.setCursor(Qt.CursorShape.PointingHandCursor)
        btn.clicked.connect(lambda: self.navRequested.emit(key))
        self._nav_group.addButton(btn)
        self.nav_box.addWidget(btn)
        self._nav[key] = btn
        return btn

    def set_current_nav(self, key: str | None) -> None:
        btn = self._nav.get(key or "")
        if btn is not None:
            btn.setChecked(True)
        else:
            self._nav_group.setExclusive(False)
            for b in self._nav.values():
                b.setChecked(False)
            self._nav_group.setExclusive(True)
        if key != "tool":
            self.tree.clearSelection()

    # -- search and filters ------------------------------------------------------------------------
    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def set_search(self, text: str) -> None:
        if self.search.text() != text:
            self.search.setText(text)  # re-enters through textChanged
            return
        self.proxy.set_text(text)
        self._apply_expansion()

    def set_tag_filter(self, tag: str | None) -> None:
        for t, btn in self._tag_buttons.items():
            btn.blockSignals(True)
            btn.setChecked(t == tag)
            btn.blockSignals(False)
        self.proxy.set_tag(tag)
        self._apply_expansion()

    def set_active_workspace(self, workspace_id: int | None) -> None:
        i = self.workspace_filter.findData(workspace_id) if workspace_id is not None else 0
        self.workspace_filter.setCurrentIndex(max(0, i))

    def _on_workspace_filter(self, i: int) -> None:
        ws = self.workspace_filter.itemData(i)
        self.proxy.set_workspace(ws if isinstance(ws, int) else None)
        self._save(ACTIVE_WS_KEY, str(ws) if isinstance(ws, int) else "")
        self._apply_expansion()

    def visible_tool_ids(self) -> list[str]:
        """Tool ids in display order as filtered now (sections in order, duplicates kept once)."""
        out: list[str] = []
        for si in range(self.proxy.rowCount()):
            sec = self.proxy.index(si, 0)
            for ti in range(self.proxy.rowCount(sec)):
                tid = self.proxy.index(ti, 0, sec).data(tm.ToolIdRole)
                if tid and tid not in out:
                    out.append(tid)
        return out

    def visible_sections(self) -> list[str]:
        return [self.proxy.index(i, 0).data(sm.SectionKeyRole) for i in range(self.proxy.rowCount())]

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt override
        if obj is self.search and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                ids = self.visible_tool_ids()
                if ids:
                    self.toolActivated.emit(ids[0])
                return True
            if event.key() == Qt.Key.Key_Down:
                self.tree.setFocus()
                first = self._first_tool_index()
                if first.isValid():
                    self.tree.setCurrentIndex(first)
                return True
            if event.key() == Qt.Key.Key_Escape and self.search.text():
                self.search.clear()
                return True
        return super().eventFilter(obj, event)

    def _first_tool_index(self) -> QModelIndex:
        for si in range(self.proxy.rowCount()):
            sec = self.proxy.index(si, 0)
            if self.proxy.rowCount(sec):
                return self.proxy.index(0, 0, sec)
        return QModelIndex()

    # -- chrome: tag chips, workspace combo, archived toggle, empty label --------------------------
    def _on_tools_data_changed(self, _tl=None, _br=None, roles=()) -> None:
        if list(roles) != [tm.RunningRole]:  # a run starting/ending changes no chip or count
            self._schedule_chrome()

    def _schedule_chrome(self) -> None:
        self._chrome_timer.start()

    def _refresh_chrome(self) -> None:
        # workspace filter (rebuilt only when the workspaces changed)
        current = self.workspace_filter.currentData()
        ws_sig = [(w.id, w.name, w.colour) for w in self.workspaces.workspaces()]
        if ws_sig != getattr(self, "_ws_sig", None):
            self._ws_sig = ws_sig
            self._rebuild_workspace_filter(current)
        self._refresh_tags_and_toggle()

    def _rebuild_workspace_filter(self, current) -> None:
        self.workspace_filter.blockSignals(True)
        self.workspace_filter.clear()
        self.workspace_filter.addItem("All workspaces", None)
        for ws in self.workspaces.workspaces():
            self.workspace_filter.addItem(self._chip_icon(ws.colour), ws.name, ws.id)
        i = self.workspace_filter.findData(current) if current is not None else 0
        self.workspace_filter.setCurrentIndex(max(0, i))
        self.workspace_filter.blockSignals(False)
        if current is not None and i < 0:
            self._on_workspace_filter(0)
        self.workspace_filter.setVisible(bool(self.workspaces.workspaces()))

    def _refresh_tags_and_toggle(self) -> None:
        tags: dict[str, int] = {}
        for row in self.tools.rows():
            if not row.state.archived:
                for t in row.tags:
                    tags[t] = tags.get(t, 0) + 1
        wanted = sorted(tags, key=lambda t: (-tags[t], t))[:6]
        if wanted != list(self._tag_buttons):
            self.tag_flow.clear()
            self._tag_buttons = {}
            for t in wanted:
                b = QToolButton()
                b.setObjectName("TagChip")
                b.setText(f"#{t}")
                b.setCheckable(True)
                b.setChecked(t == self.proxy.tag)
                b.setToolTip(f"Show only tools tagged “{t}”")
                b.toggled.connect(lambda on, tag=t: self.set_tag_filter(tag if on else None))
                self.tag_flow.addWidget(b)
                self._tag_buttons[t] = b
            if self.proxy.tag and self.proxy.tag not in self._tag_buttons:
                self.set_tag_filter(None)
        self.tag_box.setVisible(bool(self._tag_buttons))
        n = self.model.archived_count()
        self.archived_toggle.setText(("Hide archived" if self.archived_toggle.isChecked() else "Show archived")
                                     + f" ({n})")
        self.archived_toggle.setVisible(n > 0)
        if n == 0 and self.archived_toggle.isChecked():
            self.archived_toggle.setChecked(False)
        self.empty_label.setVisible(self.tools.rowCount() == 0)

    @staticmethod
    def _chip_icon(colour: str | None) -> QIcon:
        from PySide6.QtGui import QPixmap

        pm = QPixmap(14, 14)
        pm.fill(Qt.GlobalColor.transparent)
        p = QPainter(pm)
        if not paint_colour_chip(p, QRectF(2, 2, 10, 10), colour, radius=3):
            p.setPen(QPen(QColor("#9aa0a6"), 1, Qt.PenStyle.DashLine))
            p.drawRoundedRect(QRectF(2.5, 2.5, 9, 9), 3, 3)
        p.end()
        return QIcon(pm)

    # -- expansion state ---------------------------------------------------------------------------
    def _after_structure_change(self) -> None:
        self._apply_expansion()
        self._schedule_chrome()

    def _is_collapsed(self, key: str, ws_id: int | None) -> bool:
        if ws_id is not None:
            ws = self.workspaces.workspace(ws_id)
            return bool(ws and ws.collapsed)
        return key in self._collapsed

    def _apply_expansion(self) -> None:
        self._applying = True
        try:
            filtering = self.proxy.filtering
            for i in range(self.proxy.rowCount()):
                ix = self.proxy.index(i, 0)
                collapsed = not filtering and self._is_collapsed(ix.data(sm.SectionKeyRole),
                                                                 ix.data(sm.WorkspaceIdRole))
                self.tree.setExpanded(ix, not collapsed)
        finally:
            self._applying = False

    def _on_expand_changed(self, ix: QModelIndex, collapsed: bool) -> None:
        if self._applying or self.proxy.filtering or not ix.data(sm.IsSectionRole):
            return
        self.set_section_collapsed(ix.data(sm.SectionKeyRole), collapsed)

    def set_section_collapsed(self, key: str, collapsed: bool) -> None:
        """Collapse/expand a section and persist it (workspaces in their row, others in settings)."""
        sec = next((s for s in self.model.sections() if s.key == key), None)
        if sec is None:
            return
        if sec.workspace_id is not None:
            try:
                workspace_ops.set_collapsed(self.conn, sec.workspace_id, collapsed)  # shown already: not published
            except sqlite3.Error:
                return
            ws = self.workspaces.workspace(sec.workspace_id)
            if ws is not None:
                ws.collapsed = 1 if collapsed else 0
        else:
            (self._collapsed.add if collapsed else self._collapsed.discard)(key)
            self._save(COLLAPSED_KEY, json.dumps(sorted(self._collapsed)))
        ix = self.proxy.mapFromSource(self.model.section_index(key))
        if ix.isValid() and self.tree.isExpanded(ix) == collapsed:
            self._applying = True
            self.tree.setExpanded(ix, not collapsed)
            self._applying = False

    # -- selection / activation --------------------------------------------------------------------
    def _on_clicked(self, ix: QModelIndex) -> None:
        if ix.data(sm.IsSectionRole):
            self.tree.setExpanded(ix, not self.tree.isExpanded(ix))
            return
        tid = ix.data(tm.ToolIdRole)
        if tid:
            self.toolActivated.emit(tid)

    def _on_activated(self, ix: QModelIndex) -> None:
        if not ix.data(sm.IsSectionRole):
            tid = ix.data(tm.ToolIdRole)
            if tid:
                self.toolActivated.emit(tid)

    def select_tool(self, tool_id: str | None) -> None:
        if not tool_id:
            self.tree.clearSelection()
            return
        for src in self.model.tool_indexes(tool_id):
            ix = self.proxy.mapFromSource(src)
            if ix.isValid():
                self.tree.setCurrentIndex(ix)
                self.tree.scrollTo(ix)
                return

    # -- running indicator animation ---------------------------------------------------------------
    def _update_spinner(self) -> None:
        running = any(r.running for r in self.tools.rows())
        if running and not self._spin.isActive():
            self._spin.start()
        elif not running and self._spin.isActive():
            self._spin.stop()
            self.tree.viewport().update()

    def _tick(self) -> None:
        self.delegate.phase = (self.delegate.phase + 0.06) % 1.0
        # repaint only the rows of running tools, not the whole tree
        for row in self.tools.rows():
            if row.running:
                for src in self.model.tool_indexes(row.info.tool_id):
                    ix = self.proxy.mapFromSource(src)
                    if ix.isValid():
                        self.tree.viewport().update(self.tree.visualRect(ix))

    # -- context menu and the actions behind it ----------------------------------------------------
    def _on_context_menu(self, pos) -> None:
        ix = self.tree.indexAt(pos)
        if not ix.isValid():
            return
        if ix.data(sm.IsSectionRole):
            menu = self.section_menu(ix.data(sm.SectionKeyRole))
        else:
            menu = self.tool_menu(ix.data(tm.ToolIdRole), ix.data(sm.WorkspaceIdRole))
        if menu is not None:
            menu.exec(self.tree.viewport().mapToGlobal(pos))
            menu.deleteLater()

    def section_menu(self, key: str) -> QMenu | None:
        sec = next((s for s in self.model.sections() if s.key == key), None)
        if sec is None:
            return None
        menu = QMenu(self)
        if sec.workspace_id is not None:
            ws_id = sec.workspace_id
            menu.addAction("Rename…", lambda: self.rename_workspace_dialog(ws_id))
            menu.addAction("Colour…", lambda: self.workspace_colour_dialog(ws_id))
            menu.addAction("Show only this workspace", lambda: self.set_active_workspace(ws_id))
            menu.addSeparator()
            menu.addAction("Delete workspace…", lambda: self.delete_workspace_dialog(ws_id))
        menu.addAction("New workspace…", self.new_workspace_dialog)
        menu.addAction("Manage workspaces…", self.manageWorkspacesRequested.emit)
        return menu

    action_registry: Any = None  # the window's ActionRegistry; None: the standard declarations

    def tool_menu(self, tool_id: str, in_workspace: int | None = None, place: str = "") -> QMenu | None:
        """A fresh menu of the tool actions declared for `place` (default: the sidebar's context
        menu; the tool page's ⋯ menu asks for TOOL_MORE) — see ui/actions.py."""
        from pixie_desktop.ui import actions

        row = self.tools.tool_row(tool_id)
        if row is None:
            return None
        registry = self.action_registry or actions.standard_tool_actions()
        return registry.tool_menu(place or actions.TOOL_CONTEXT, self, tool_id, row, in_workspace, parent=self)

    def _changed(self, tool_id: str, change: Change | None = None) -> None:
        if self.events is not None:
            publish(change or Change.of(tool_ids=[tool_id]), self.events)
        else:
            self.tools.refresh_tool(tool_id)

    def set_flag(self, tool_id: str, flag: str, on: bool) -> None:
        from PySide6.QtWidgets import QMessageBox  # dialogs: imported on use (see the top)

        try:
            change = tool_ops.set_flag(self.conn, tool_id, flag, on)
        except (sqlite3.Error, KeyError) as exc:
            QMessageBox.warning(self, "Could not save", str(exc))
            return
        self._changed(tool_id, change)
        if flag == "pinned_warm":
            self.pinnedWarmChanged.emit(tool_id, on)

    def set_colour(self, tool_id: str, colour: str | None) -> None:
        self._changed(tool_id, tool_ops.set_colour(self.conn, tool_id, colour))

    def set_user_tags(self, tool_id: str, tags: list[str]) -> list[str]:
        """Replace the user tags; returns the error messages for tags that were refused."""
        clean, errors = tool_ops.check_tags(tags)
        if errors:
            return errors
        self._changed(tool_id, tool_ops.set_user_tags(self.conn, tool_id, clean))
        return []

    def add_to_workspace(self, tool_id: str, workspace_id: int) -> bool:
        return self.model.add_to_workspace(workspace_id, [tool_id])

    def remove_from_workspace(self, tool_id: str, workspace_id: int) -> None:
        change = workspace_ops.remove_tool(self.conn, workspace_id, tool_id)
        self.workspaces.reload()
        self.tools.refresh_memberships()
        if self.events is not None:
            publish(change, self.events)

    def create_workspace(self, name: str, colour: str | None = None) -> int | None:
        from PySide6.QtWidgets import QMessageBox  # dialogs: imported on use (see the top)

        try:
            ws, change = workspace_ops.create(self.conn, name, colour)
        except workspace_ops.WorkspaceError as exc:
            QMessageBox.warning(self, "Workspace", str(exc))
            return None
        self.workspaces.reload()
        if self.events is not None:
            publish(change, self.events)
        return ws.id

    def open_folder(self, tool_id: str) -> None:
        info = self.tools.tool(tool_id)
        if info is not None:
            from pixie_desktop.ui.actions import open_local

            open_local(info.path)

    # dialogs (thin: the actions above are what tests call) --------------------------------------
    def tool_colour_dialog(self, tool_id: str) -> None:
        from PySide6.QtWidgets import QColorDialog  # dialogs: imported on use (see the top)

        row = self.tools.tool_row(tool_id)
        start = QColor(row.state.colour) if row and row.state.colour else avatar_colour(tool_id, None)
        c = QColorDialog.getColor(start, self, "Tool colour")
        if c.isValid():
            self.set_colour(tool_id, c.name())

    def tags_dialog(self, tool_id: str) -> None:
        row = self.tools.tool_row(tool_id)
        if row is None:
            return
        from pixie_desktop.ui.widgets.tag_editor import TagsDialog

        TagsDialog(self.conn, row.info, self).exec()
        self._changed(tool_id)

    def new_workspace_dialog(self, tool_id: str | None = None) -> None:
        from PySide6.QtWidgets import QInputDialog  # dialogs: imported on use (see the top)

        name, ok = QInputDialog.getText(self, "New workspace", "Name")
        if ok and name.strip():
            ws_id = self.create_workspace(name.strip())
            if ws_id is not None and tool_id:
                self.add_to_workspace(tool_id, ws_id)

    def rename_workspace_dialog(self, workspace_id: int) -> None:
        from PySide6.QtWidgets import QInputDialog, QMessageBox  # dialogs: imported on use (see the top)

        ws = self.workspaces.workspace(workspace_id)
        if ws is None:
            return
        name, ok = QInputDialog.getText(self, "Rename workspace", "Name", text=ws.name)
        if ok:
            try:
                change = workspace_ops.rename(self.conn, workspace_id, name)
            except workspace_ops.WorkspaceError as exc:
                QMessageBox.warning(self, "Workspace", str(exc))
                return
            self.workspaces.reload()
            if self.events is not None:
                publish(change, self.events)

    def workspace_colour_dialog(self, workspace_id: int) -> None:
        from PySide6.QtWidgets import QColorDialog  # dialogs: imported on use (see the top)

        ws = self.workspaces.workspace(workspace_id)
        c = QColorDialog.getColor(QColor(ws.colour) if ws and ws.colour else QColor("#5563d1"), self,
                                  "Workspace colour")
        if c.isValid():
            change = workspace_ops.set_colour(self.conn, workspace_id, c.name())
            self.workspaces.reload()
            if self.events is not None:
                publish(change, self.events)

    def delete_workspace_dialog(self, workspace_id: int) -> None:
        from PySide6.QtWidgets import QMessageBox  # dialogs: imported on use (see the top)

        ws = self.workspaces.workspace(workspace_id)
        if ws is None:
            return
        if QMessageBox.question(self, "Delete workspace",
                                f"Delete the workspace “{ws.name}”? Its tools stay where they are.") \
                != QMessageBox.StandardButton.Yes:
            return
        change = workspace_ops.delete(self.conn, workspace_id)
        self.workspaces.reload()
        self.tools.refresh_memberships()
        if self.events is not None:
            publish(change, self.events)
