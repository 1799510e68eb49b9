"""SidebarModel: the sidebar's two-level tree — sections (Favourites & pinned, one per workspace,
Tools not in a workspace, Archived) holding tool rows — built on top of ToolsModel and
WorkspacesModel, plus SidebarFilterProxy for search-as-you-type, tag and active-workspace filters.

Tool rows answer every ToolsModel role, so delegates and tests read the same data in both.
Drag and drop lives here because it is data: a tool id dragged (MIME `application/x-pixie-tool-id`)
onto a workspace header joins that workspace; dropped between tools of a workspace it is
reordered there (tool_state.sort_order_in_workspace_json); files (`text/uri-list`) dropped on a
tool row are announced through `filesDropped(tool_id, paths)`."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import (QAbstractItemModel, QMimeData, QModelIndex, QObject, QPersistentModelIndex,
                            QSortFilterProxyModel, Qt, Signal)

from pixie_desktop.ops import workspaces as workspace_ops
from pixie_desktop.queries import workspaces as workspace_queries
from pixie_desktop.ui.publish import publish
from pixie_desktop.ui.models import tools_model as tm
from pixie_desktop.ui.models.tools_model import ToolRow, ToolsModel
from pixie_desktop.ui.models.workspaces_model import WorkspacesModel

TOOL_MIME = "application/x-pixie-tool-id"

IsSectionRole = Qt.ItemDataRole.UserRole + 100
SectionKindRole = Qt.ItemDataRole.UserRole + 101   # "favourites" | "workspace" | "tools" | "archived"
SectionKeyRole = Qt.ItemDataRole.UserRole + 102    # stable key, e.g. "ws:3"
WorkspaceIdRole = Qt.ItemDataRole.UserRole + 103   # section rows of kind workspace
SectionColourRole = Qt.ItemDataRole.UserRole + 104
CountRole = Qt.ItemDataRole.UserRole + 105
SectionToolIdsRole = Qt.ItemDataRole.UserRole + 106

# ToolsModel roles whose change can move a tool between sections
_STRUCTURAL = (tm.FavouriteRole, tm.PinnedRole, tm.ArchivedRole, tm.WorkspacesRole, tm.WorkspaceOrderRole)


@dataclass
class Section:
    kind: str
    key: str
    title: str
    workspace_id: int | None = None
    colour: str | None = None
    tool_ids: list[str] = field(default_factory=list)


class SidebarModel(QAbstractItemModel):
    filesDropped = Signal(str, list)       # tool_id, [Path]
    structureChanged = Signal()            # emitted after a rebuild (views restore expansion)

    def __init__(self, tools: ToolsModel, workspaces: WorkspacesModel, conn: sqlite3.Connection,
                 parent: QObject | None = None, *, events: Any = None):
        super().__init__(parent)
        self.tools = tools
        self.workspaces = workspaces
        self.conn = conn
        self.events = events
        self.show_archived = False
        self._sections: list[Section] = []
        self._signature: tuple = ()
        self.rebuild()
        tools.modelReset.connect(self.rebuild)
        tools.dataChanged.connect(self._on_tools_changed)
        workspaces.modelReset.connect(self.rebuild)
        workspaces.dataChanged.connect(lambda *a: self.rebuild())

    # -- structure -----------------------------------------------------------------------------
    def _compute(self) -> list[Section]:
        rows = self.tools.rows()
        by_name = sorted(rows, key=lambda r: (r.info.name.lower(), r.info.tool_id))
        sections: list[Section] = []
        fav = [r for r in by_name if not r.state.archived and (r.state.favourited or r.state.pinned)]
        # pinned first (most recently pinned on top), then favourites by name
        fav = sorted([r for r in fav if r.state.pinned], key=lambda r: r.state.pinned_at or "", reverse=True) + \
            [r for r in fav if not r.state.pinned]
        if fav:
            sections.append(Section("favourites", "favourites", "Favourites & pinned",
                                    tool_ids=[r.info.tool_id for r in fav]))
        in_any_ws: set[str] = set()
        known = {r.info.tool_id for r in rows}
        row_by_id = {r.info.tool_id: r for r in rows}
        for ws in self.workspaces.workspaces():
            members = [t for t in ws.tool_ids if t in known and not row_by_id[t].state.archived]
            in_any_ws.update(t for t in ws.tool_ids if t in known)
            key = str(ws.id)
            members.sort(key=lambda t: (row_by_id[t].workspace_order.get(key, 1 << 30),
                                        row_by_id[t].info.name.lower()))
            sections.append(Section("workspace", f"ws:{ws.id}", ws.name, ws.id, ws.colour, members))
        loose = [r for r in by_name if not r.state.archived and r.info.tool_id not in in_any_ws]
        loose.sort(key=lambda r: (r.state.sort_order if r.state.sort_order is not None else 1 << 30,
                                  r.info.name.lower()))
        sections.append(Section("tools", "tools", "Tools" if self.workspaces.workspaces() else "All tools",
                                tool_ids=[r.info.tool_id for r in loose]))
        archived = [r.info.tool_id for r in by_name if r.state.archived]
        if self.show_archived and archived:
            sections.append(Section("archived", "archived", "Archived", tool_ids=archived))
        return sections

    @staticmethod
    def _sig(sections: list[Section]) -> tuple:
        return tuple((s.key, s.title, s.colour, tuple(s.tool_ids)) for s in sections)

    def rebuild(self) -> None:
        sections = self._compute()
        sig = self._sig(sections)
        if sig == self._signature:
            self._sections = sections
            if sections:
                self.dataChanged.emit(self.index(0, 0), self.index(len(sections) - 1, 0))
            return
        self.beginResetModel()
        self._sections = sections
        self._signature = sig
        self.endResetModel()
        self.structureChanged.emit()

    def set_show_archived(self, on: bool) -> None:
        if on != self.show_archived:
            self.show_archived = on
            self.rebuild()

    def archived_count(self) -> int:
        return sum(1 for r in self.tools.rows() if r.state.archived)

    def _on_tools_changed(self, top_left: QModelIndex, bottom_right: QModelIndex, roles: list[int] = ()) -> None:
        if not roles or any(r in _STRUCTURAL for r in roles):
            new = self._compute()
            if self._sig(new) != self._signature:
                self.rebuild()
                return
            self._sections = new
        changed = {self.tools.rows()[r].info.tool_id for r in range(top_left.row(), bottom_right.row() + 1)
                   if 0 <= r < self.tools.rowCount()}
        for si, sec in enumerate(self._sections):
            rows = [i for i, t in enumerate(sec.tool_ids) if t in changed]
            if rows:
                parent = self.index(si, 0)
                self.dataChanged.emit(self.index(min(rows), 0, parent), self.index(max(rows), 0, parent))
        for si in range(len(self._sections)):
            self.dataChanged.emit(self.index(si, 0), self.index(si, 0), [CountRole])

    # -- lookups -------------------------------------------------------------------------------
    def sections(self) -> list[Section]:
        return list(self._sections)

    def section_index(self, key: str) -> QModelIndex:
        for i, s in enumerate(self._sections):
            if s.key == key:
                return self.index(i, 0)
        return QModelIndex()

    def tool_indexes(self, tool_id: str) -> list[QModelIndex]:
        out = []
        for si, s in enumerate(self._sections):
            for ti, t in enumerate(s.tool_ids):
                if t == tool_id:
                    out.append(self.index(ti, 0, self.index(si, 0)))
        return out

    def section_of(self, index: QModelIndex | QPersistentModelIndex) -> Section | None:
        if not index.isValid():
            return None
        sid = index.internalId()
        si = index.row() if sid == 0 else sid - 1
        return self._sections[si] if 0 <= si < len(self._sections) else None

    def tool_row_at(self, index: QModelIndex | QPersistentModelIndex) -> ToolRow | None:
        if not index.isValid() or index.internalId() == 0:
            return None
        sec = self.section_of(index)
        if sec is None or not 0 <= index.row() < len(sec.tool_ids):
            return None
        return self.tools.tool_row(sec.tool_ids[index.row()])

    def favourites(self) -> list[str]:
        sec = next((s for s in self._sections if s.kind == "favourites"), None)
        return list(sec.tool_ids) if sec else []

    # -- Qt tree API ---------------------------------------------------------------------------
    def index(self, row: int, column: int = 0, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> QModelIndex:
        if column != 0 or row < 0:
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, 0, 0) if row < len(self._sections) else QModelIndex()
        if parent.internalId() != 0:
            return QModelIndex()
        si = parent.row()
        if si >= len(self._sections) or row >= len(self._sections[si].tool_ids):
            return QModelIndex()
        return self.createIndex(row, 0, si + 1)

    def parent(self, index: QModelIndex | QPersistentModelIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid() or index.internalId() == 0:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, 0)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        if not parent.isValid():
            return len(self._sections)
        if parent.column() != 0 or parent.internalId() != 0:
            return 0
        return len(self._sections[parent.row()].tool_ids) if parent.row() < len(self._sections) else 0

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 1

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if index.internalId() == 0:
            if not 0 <= index.row() < len(self._sections):
                return None
            sec = self._sections[index.row()]
            if role == Qt.ItemDataRole.DisplayRole:
                return sec.title
            if role == IsSectionRole:
                return True
            if role == SectionKindRole:
                return sec.kind
            if role == SectionKeyRole:
                return sec.key
            if role == WorkspaceIdRole:
                return sec.workspace_id
            if role == SectionColourRole:
                return sec.colour
            if role == CountRole:
                return len(sec.tool_ids)
            if role == SectionToolIdsRole:
                return list(sec.tool_ids)
            if role == Qt.ItemDataRole.ToolTipRole and sec.kind == "workspace":
                return f"Workspace “{sec.title}” — drop a tool here to add it"
            return None
        row = self.tool_row_at(index)
        if row is None:
            return None
        if role == IsSectionRole:
            return False
        sec = self.section_of(index)
        if role == SectionKindRole:
            return sec.kind if sec else None
        if role == WorkspaceIdRole:
            return sec.workspace_id if sec else None
        return ToolsModel.row_data(row, role, 0)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        if index.internalId() == 0:
            f = Qt.ItemFlag.ItemIsEnabled
            if self._sections[index.row()].kind == "workspace":
                f |= Qt.ItemFlag.ItemIsDropEnabled
            return f
        return (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
                | Qt.ItemFlag.ItemIsDropEnabled)

    # -- drag and drop -------------------------------------------------------------------------
    def mimeTypes(self) -> list[str]:
        return [TOOL_MIME, "text/uri-list"]

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction | Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction | Qt.DropAction.MoveAction

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData:
        ids = []
        for ix in indexes:
            row = self.tool_row_at(ix)
            if row is not None and row.info.tool_id not in ids:
                ids.append(row.info.tool_id)
        data = QMimeData()
        data.setData(TOOL_MIME, "\n".join(ids).encode("utf-8"))
        if ids:
            data.setText(ids[0])
        return data

    @staticmethod
    def tool_ids_from(data: QMimeData) -> list[str]:
        if not data.hasFormat(TOOL_MIME):
            return []
        raw = bytes(data.data(TOOL_MIME).data()).decode("utf-8", "replace")
        return [t for t in (line.strip() for line in raw.splitlines()) if t]

    @staticmethod
    def paths_from(data: QMimeData) -> list[Path]:
        if not data.hasUrls():
            return []
        return [Path(u.toLocalFile()) for u in data.urls() if u.isLocalFile() and u.toLocalFile()]

    def _drop_target(self, row: int, parent: QModelIndex | QPersistentModelIndex) -> tuple[Section | None, int, str | None]:
        """(section, insert position or -1, tool id under the cursor or None)."""
        if not parent.isValid():
            return None, -1, None
        if parent.internalId() == 0:
            return self.section_of(parent), row, None
        sec = self.section_of(parent)
        target = self.tool_row_at(parent)
        return sec, parent.row(), target.info.tool_id if target else None

    def canDropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,
                        parent: QModelIndex | QPersistentModelIndex) -> bool:
        sec, _pos, target = self._drop_target(row, parent)
        if sec is None:
            return False
        if data.hasFormat(TOOL_MIME):
            return sec.kind == "workspace" and bool(self.tool_ids_from(data))
        if data.hasUrls():
            if target is None:
                return False
            info = self.tools.tool(target)
            return info is not None and info.ok and bool(self.paths_from(data))
        return False

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,
                     parent: QModelIndex | QPersistentModelIndex) -> bool:
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        sec, pos, target = self._drop_target(row, parent)
        assert sec is not None
        if data.hasFormat(TOOL_MIME):
            return self.add_to_workspace(sec.workspace_id, self.tool_ids_from(data), pos)  # type: ignore[arg-type]
        assert target is not None
        self.filesDropped.emit(target, self.paths_from(data))
        return True

    def add_to_workspace(self, workspace_id: int, tool_ids: list[str], position: int = -1) -> bool:
        """Add tools to a workspace (a tool may be in several) and place them at `position`
        among its members (-1 = end). Persists the per-workspace order of every member."""
        sec = next((s for s in self._sections if s.workspace_id == workspace_id), None)
        current = list(sec.tool_ids) if sec else list(workspace_queries.members(self.conn, workspace_id))
        moving = [t for t in tool_ids if self.tools.tool_row(t) is not None]
        if not moving:
            return False
        order = [t for t in current if t not in moving]
        if position < 0 or position > len(current):
            insert_at = len(order)
        else:
            insert_at = len([t for t in current[:position] if t not in moving])
        order[insert_at:insert_at] = moving
        try:
            change = workspace_ops.place_tools(self.conn, workspace_id, moving, order)
        except (sqlite3.Error, workspace_ops.WorkspaceError):
            return False
        for t in order:
            self.tools.refresh_tool(t)
        self.workspaces.reload()
        if self.events is not None:
            publish(change, self.events)
        self.rebuild()
        return True


class SidebarFilterProxy(QSortFilterProxyModel):
    """Search text (every word must appear in name/id/tags/description), tag and active-workspace
    filters. Workspace sections stay visible while nothing is filtered, so tools can be dropped
    on empty ones; while filtering, a section shows only if one of its tools matches."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.setRecursiveFilteringEnabled(True)
        self.setDynamicSortFilter(False)
        self._words: list[str] = []
        self._tag: str | None = None
        self._workspace: int | None = None

    def _refilter(self, change) -> None:
        """Apply a filter change; Qt ≥ 6.10 wants begin/endFilterChange around it."""
        if hasattr(self, "endFilterChange") and hasattr(QSortFilterProxyModel, "Direction"):
            self.beginFilterChange()
            change()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:  # pragma: no cover - older Qt
            change()
            self.invalidateRowsFilter()

    @property
    def filtering(self) -> bool:
        return bool(self._words or self._tag)

    def set_text(self, text: str) -> None:
        words = [w for w in (text or "").lower().split() if w]
        if words != self._words:
            self._refilter(lambda: setattr(self, "_words", words))

    def set_tag(self, tag: str | None) -> None:
        if tag != self._tag:
            self._refilter(lambda: setattr(self, "_tag", tag or None))

    def set_workspace(self, workspace_id: int | None) -> None:
        if workspace_id != self._workspace:
            self._refilter(lambda: setattr(self, "_workspace", workspace_id))

    @property
    def tag(self) -> str | None:
        return self._tag

    @property
    def workspace(self) -> int | None:
        return self._workspace

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        src = self.sourceModel()
        if not isinstance(src, SidebarModel):
            return True
        if not source_parent.isValid():
            sections = src._sections
            if not 0 <= source_row < len(sections):
                return False
            sec = sections[source_row]
            if self._workspace is not None and sec.kind == "workspace" and sec.workspace_id != self._workspace:
                return False
            # unfiltered: every workspace section shows (even empty: it is a drop target)
            return not self.filtering and sec.kind == "workspace"
        sec = src._sections[source_parent.row()] if source_parent.row() < len(src._sections) else None
        if sec is None or not 0 <= source_row < len(sec.tool_ids):
            return False
        if self._workspace is not None and sec.kind == "workspace" and sec.workspace_id != self._workspace:
            return False
        row = src.tools.tool_row(sec.tool_ids[source_row])
        if row is None:
            return False
        if self._workspace is not None and self._workspace not in row.workspaces:
            return False
        if self._tag is not None and self._tag not in row.tags:
            return False
        hay = row.haystack
        return all(w in hay for w in self._words)
