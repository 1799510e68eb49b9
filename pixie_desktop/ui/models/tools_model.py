"""ToolsModel: one row per discovered tool (broken ones included), joining discovery with
tool_state, tags (tool.json + user), workspace memberships, the latest validation report and
the UI-only "running" count. Row changes are announced one tool at a time (no full reset) except
when the set of tool folders itself changes."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt, Signal

from pixie_desktop.ui.models.base import RowListModel

from pixie_desktop.catalog.discovery import ToolInfo
from pixie_desktop.queries import tools as tool_queries
from pixie_desktop.queries.readiness import cached_readiness, readiness_of_all, tool_readiness
from pixie_desktop.queries.tools import ToolState
from pixie_desktop.ui.plain_text import plain_tooltip

ToolIdRole = Qt.ItemDataRole.UserRole + 1
ToolInfoRole = Qt.ItemDataRole.UserRole + 2
StateRole = Qt.ItemDataRole.UserRole + 3
ValidationRole = Qt.ItemDataRole.UserRole + 4      # "pass" | "warn" | "fail" | "skip" | "unchecked"
RunningRole = Qt.ItemDataRole.UserRole + 5         # int: runs in flight
FavouriteRole = Qt.ItemDataRole.UserRole + 6
PinnedRole = Qt.ItemDataRole.UserRole + 7
ArchivedRole = Qt.ItemDataRole.UserRole + 8
ColourRole = Qt.ItemDataRole.UserRole + 9          # "#rrggbb" or None
TagsRole = Qt.ItemDataRole.UserRole + 10           # list[str], tool.json tags first then user tags
WorkspacesRole = Qt.ItemDataRole.UserRole + 11     # list[int]
ErrorRole = Qt.ItemDataRole.UserRole + 12          # parse error text or None
SearchTextRole = Qt.ItemDataRole.UserRole + 13     # lower-cased name/id/tags/description haystack
PinnedWarmRole = Qt.ItemDataRole.UserRole + 14
WorkspaceOrderRole = Qt.ItemDataRole.UserRole + 15  # dict[str(ws_id), int]
UserTagsRole = Qt.ItemDataRole.UserRole + 16
ReadinessRole = Qt.ItemDataRole.UserRole + 17      # queries.readiness.Readiness (Ready / Needs setup / Key required)

COLUMNS = ("Name", "Id", "Validation", "Runs", "Last run")


@dataclass
class ToolRow:
    info: ToolInfo
    state: ToolState
    user_tags: list[str] = field(default_factory=list)
    workspaces: list[int] = field(default_factory=list)
    validation: str = "unchecked"
    running: int = 0
    haystack: str = ""
    readiness: Any = None  # queries.readiness.Readiness, refreshed with the row (cached per folder)

    @property
    def tags(self) -> list[str]:
        spec_tags = list(self.info.spec.tags) if self.info.spec else []
        return spec_tags + [t for t in self.user_tags if t not in spec_tags]

    def rebuild_haystack(self) -> None:
        parts = [self.info.name, self.info.tool_id, self.info.folder, self.info.description, *self.tags]
        if self.info.spec and self.info.spec.category:
            parts.append(self.info.spec.category)
        self.haystack = "\n".join(p for p in parts if p).lower()

    @property
    def workspace_order(self) -> dict[str, int]:
        return tool_queries.workspace_order(self.state)


class ToolsModel(RowListModel):
    COLUMNS = COLUMNS
    readinessChanged = Signal()  # badges worked out in the background arrived

    def __init__(self, conn: sqlite3.Connection, parent: QObject | None = None, *, events: Any = None,
                 hold_background: bool = False):
        super().__init__(parent)
        self.conn = conn
        self._rows: list[ToolRow] = []
        self._by_id: dict[str, int] = {}
        self._running: dict[str, int] = {}
        self._held: list[ToolInfo] | None = [] if hold_background else None  # see hold_background()
        if events is not None:
            self.connect_events(events)

    def connect_events(self, events: Any) -> None:
        events.toolStateChanged.connect(self.refresh_tool)
        events.validationChanged.connect(self.refresh_tool)
        events.workspacesChanged.connect(self.refresh_memberships)

    def disconnect_events(self, events: Any) -> None:
        for signal, slot in ((events.toolStateChanged, self.refresh_tool),
                             (events.validationChanged, self.refresh_tool),
                             (events.workspacesChanged, self.refresh_memberships)):
            try:
                signal.disconnect(slot)
            except (RuntimeError, TypeError):  # never connected, or the hub is already gone
                pass

    # -- loading -----------------------------------------------------------------------------
    def load(self, tools: list[ToolInfo]) -> None:
        """Replace the rows. With the same tool ids in the same order this only emits
        dataChanged; a different set of tools resets (tools were added or removed on disk)."""
        snap = tool_queries.snapshot_all(self.conn)
        rows: list[ToolRow] = []
        unknown: list[ToolInfo] = []
        for info in tools:
            one = snap.of(info.tool_id)
            row = ToolRow(info, one.state, one.user_tags, one.workspaces, one.validation,
                          self._running.get(info.tool_id, 0))
            row.rebuild_haystack()
            row.readiness = cached_readiness(info)  # cheap stats; the rest is worked out off-thread
            if row.readiness is None:
                unknown.append(info)
            rows.append(row)
        same = [r.info.tool_id for r in rows] == [r.info.tool_id for r in self._rows]
        if same and rows:
            self._rows = rows
            self.dataChanged.emit(self.index(0, 0), self.index(len(rows) - 1, len(COLUMNS) - 1))
            self._work_out_readiness(unknown)
            return
        self.beginResetModel()
        self._rows = rows
        self._by_id = {r.info.tool_id: i for i, r in enumerate(rows)}
        self.endResetModel()
        self._work_out_readiness(unknown)

    def _work_out_readiness(self, infos: list[ToolInfo]) -> None:
        """Readiness reads pyproject.toml/.env of every tool and loads the validation modules:
        with 200 tools that is ~200 ms, so it runs on the background pool, never at start on the
        UI thread; rows show no badge until it arrives."""
        if not infos:
            return
        if self._held is not None:  # the window is not painted yet: after it (release_background)
            self._held.extend(infos)
            return
        from pixie_desktop.ui.workers import submit

        submit(readiness_of_all, list(infos), on_result=self._apply_readiness,
               on_error=lambda _exc: None)  # advisory: no badge rather than an error dialog

    def hold_background(self) -> None:
        """Keep background work (readiness) until `release_background()`: the main window holds
        it until its first paint, so start-up neither waits for it nor competes with it."""
        if self._held is None:
            self._held = []

    def release_background(self) -> None:
        held, self._held = self._held, None
        if held:
            self._work_out_readiness(list({i.tool_id: i for i in held}.values()))

    def _apply_readiness(self, answers: dict[str, Any]) -> None:
        changed = False
        for tool_id, ready in answers.items():
            i = self._by_id.get(tool_id)
            if i is None or self._rows[i].readiness == ready:
                continue
            self._rows[i].readiness, changed = ready, True
            self.dataChanged.emit(self.index(i, 0), self.index(i, len(COLUMNS) - 1))
        if changed:
            self.readinessChanged.emit()  # Home's cards carry the badge too

    def refresh_tool(self, tool_id: str) -> None:
        """Re-read one tool's state, tags, memberships and validation; emit dataChanged for it."""
        i = self._by_id.get(tool_id)
        if i is None:
            return
        row = self._rows[i]
        try:
            one = tool_queries.snapshot(self.conn, tool_id)
        except sqlite3.Error:
            return  # closed/locked database: keep showing what we had
        row.state, row.user_tags, row.workspaces = one.state, one.user_tags, one.workspaces
        row.validation = one.validation
        row.rebuild_haystack()
        row.readiness = tool_readiness(row.info)  # secrets saved or an env built: the badge follows
        self.dataChanged.emit(self.index(i, 0), self.index(i, len(COLUMNS) - 1))

    def refresh_memberships(self) -> None:
        try:
            members = tool_queries.memberships(self.conn)
        except sqlite3.Error:
            return
        changed = []
        for i, row in enumerate(self._rows):
            new = members.get(row.info.tool_id, [])
            if new != row.workspaces:
                row.workspaces = new
                changed.append(i)
        for i in changed:
            self.dataChanged.emit(self.index(i, 0), self.index(i, len(COLUMNS) - 1), [WorkspacesRole])

    def set_running(self, tool_id: str, count: int) -> None:
        count = max(0, count)
        self._running[tool_id] = count
        i = self._by_id.get(tool_id)
        if i is not None and self._rows[i].running != count:
            self._rows[i].running = count
            self.dataChanged.emit(self.index(i, 0), self.index(i, len(COLUMNS) - 1), [RunningRole])

    # -- lookups -----------------------------------------------------------------------------
    def row_of(self, tool_id: str) -> int:
        return self._by_id.get(tool_id, -1)

    def tool_row(self, tool_id: str) -> ToolRow | None:
        i = self._by_id.get(tool_id)
        return self._rows[i] if i is not None else None

    def rows(self) -> list[ToolRow]:
        return list(self._rows)

    def tool(self, tool_id: str) -> ToolInfo | None:
        row = self.tool_row(tool_id)
        return row.info if row else None

    # -- Qt model API --------------------------------------------------------------------------
    def _row_data(self, row: ToolRow, role: int, column: int) -> Any:
        return self.row_data(row, role, column)

    @staticmethod
    def row_data(row: ToolRow, role: int, column: int = 0) -> Any:
        """Role data for a row; shared with the sidebar tree model so both agree exactly."""
        info, st = row.info, row.state
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return info.name
            if column == 1:
                return info.tool_id
            if column == 2:
                return "broken" if info.error else row.validation
            if column == 3:
                return st.run_count_total
            if column == 4:
                return st.last_run_at or ""
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            if info.error:
                return plain_tooltip(f"{info.name} — tool.json has a problem:\n{info.error}")
            ready = row.readiness
            if ready is not None and not ready.ready:
                return plain_tooltip(f"{ready.text}: {ready.tip}\n{info.description or info.name}")
            return plain_tooltip(info.description or info.name)
        if role == Qt.ItemDataRole.AccessibleTextRole and column == 0:
            ready = row.readiness
            return f"{info.name}, {ready.text}" if ready is not None and not ready.ready else info.name
        if role == ReadinessRole:
            return row.readiness
        if role == ToolIdRole:
            return info.tool_id
        if role == ToolInfoRole:
            return info
        if role == StateRole:
            return st
        if role == ValidationRole:
            return row.validation
        if role == RunningRole:
            return row.running
        if role == FavouriteRole:
            return bool(st.favourited)
        if role == PinnedRole:
            return bool(st.pinned)
        if role == PinnedWarmRole:
            return bool(st.pinned_warm)
        if role == ArchivedRole:
            return bool(st.archived)
        if role == ColourRole:
            return st.colour
        if role == TagsRole:
            return row.tags
        if role == UserTagsRole:
            return list(row.user_tags)
        if role == WorkspacesRole:
            return list(row.workspaces)
        if role == WorkspaceOrderRole:
            return row.workspace_order
        if role == ErrorRole:
            return info.error
        if role == SearchTextRole:
            return row.haystack
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
