"""Command palette (Ctrl+K / Ctrl+Shift+P): a frameless popup with a search field over tools,
recent runs, starred artefacts and menu actions, ranked by fuzzy score and driven entirely by
the keyboard (type, ↑/↓, PgUp/PgDn, Enter, Esc).

    palette = install_command_palette(main_window)   # shortcuts + the default item provider
    palette.open()                                   # also what the shortcuts do

In the app the palette is the "palette" extension: its command entries come from the actions
registry (`registry_commands`), its tools from the sidebar's model (archived tools left out).

The palette knows nothing about pages: each item carries a callback. The default provider wires
tools to `main_window.open_tool(id)`, runs to `main_window.open_run(id)`, artefacts to their run
(or the file itself) and actions to `QAction.trigger()`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from PySide6.QtCore import (QAbstractListModel, QEvent, QModelIndex, QObject, QPersistentModelIndex, QPoint,
                            QRect, QSize, Qt, QTimer, QUrl, Signal)
from PySide6.QtGui import (QAction, QColor, QDesktopServices, QFont, QFontMetrics, QKeySequence, QPainter,
                           QPainterPath, QShortcut)
from PySide6.QtWidgets import (QFrame, QLabel, QLineEdit, QListView,
                               QMenu, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QVBoxLayout, QWidget)

from pixie_desktop.matching.fuzzy import rank
from pixie_desktop.ui.plain_text import plain_tooltip
from pixie_desktop.ui.widgets.icons import named_pixmap

KIND_LABELS = {"tool": "Tool", "run": "Run", "artefact": "Starred", "action": "Action", "preset": "Preset"}
# bundled SVGs (resources/icons), not symbol glyphs: ◆ ▶ ★ ⌘ ≡ are missing-glyph boxes in some stock fonts
KIND_ICONS = {"tool": "layers", "run": "play", "artefact": "star-filled", "action": "zap", "preset": "list"}
DEFAULT_SHORTCUTS = ("Ctrl+K", "Ctrl+Shift+P")
MAX_RESULTS = 50


@dataclass
class PaletteItem:
    kind: str  # tool | run | artefact | action
    title: str
    subtitle: str = ""
    trigger: Callable[[], Any] | None = None
    keywords: list[str] = field(default_factory=list)
    key: str = ""  # stable id: tool id, run id, artefact id, action text
    shortcut: str = ""
    colour: str | None = None

    def search_keys(self) -> list[str]:
        return [self.title, self.subtitle, " ".join(self.keywords)]


class PaletteModel(QAbstractListModel):
    ItemRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.items: list[PaletteItem] = []

    def set_items(self, items: list[PaletteItem]) -> None:
        self.beginResetModel()
        self.items = list(items)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008,N802
        return 0 if parent.isValid() else len(self.items)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.items):
            return None
        item = self.items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return item.title
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(item.subtitle) or None
        if role == self.ItemRole:
            return item
        return None


class PaletteDelegate(QStyledItemDelegate):
    """Two-line row: a kind glyph in a soft chip, title, muted subtitle, and a right-aligned
    kind/shortcut hint."""

    ROW_H = 46

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:  # noqa: N802
        return QSize(option.rect.width(), self.ROW_H)

    def paint(self, p: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        item: PaletteItem | None = index.data(PaletteModel.ItemRole)
        if item is None:
            return
        pal = option.palette
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        accent = pal.highlight().color()
        p.save()
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = option.rect.adjusted(6, 2, -6, -2)
        if selected:
            bg = QColor(accent)
            bg.setAlpha(40)
            path = QPainterPath()
            path.addRoundedRect(r, 8, 8)
            p.fillPath(path, bg)
            bar = QPainterPath()
            bar.addRoundedRect(r.left(), r.top() + 8, 3, r.height() - 16, 1.5, 1.5)
            p.fillPath(bar, accent)
        chip = QRect(r.left() + 10, r.top() + (r.height() - 28) // 2, 28, 28)
        chip_bg = QColor(item.colour) if item.colour else QColor(accent)
        chip_bg.setAlpha(52 if not item.colour else 210)
        path = QPainterPath()
        path.addRoundedRect(chip, 7, 7)
        p.fillPath(path, chip_bg)
        ink = QColor("#ffffff") if item.colour else accent
        edge = 16
        p.drawPixmap(chip.left() + (chip.width() - edge) // 2, chip.top() + (chip.height() - edge) // 2,
                     named_pixmap(KIND_ICONS.get(item.kind, "more-horizontal"), edge, ink.name()))
        text_left = chip.right() + 12
        hint = item.shortcut or KIND_LABELS.get(item.kind, item.kind)
        small = QFont(option.font)
        small.setPointSizeF(max(7.0, option.font.pointSizeF() - 1))
        hint_w = QFontMetrics(small).horizontalAdvance(hint) + 16
        text_w = r.right() - 10 - hint_w - text_left
        title_font = QFont(option.font)
        title_font.setWeight(QFont.Weight.DemiBold)
        p.setFont(title_font)
        p.setPen(pal.text().color())
        fm = QFontMetrics(title_font)
        line_h = fm.height()
        top = r.top() + (r.height() - line_h * 2) // 2 if item.subtitle else r.top() + (r.height() - line_h) // 2
        p.drawText(QRect(text_left, top, text_w, line_h), Qt.AlignmentFlag.AlignVCenter,
                   fm.elidedText(item.title, Qt.TextElideMode.ElideRight, text_w))
        if item.subtitle:
            muted = QColor(pal.text().color())
            muted.setAlphaF(0.6)
            p.setPen(muted)
            p.setFont(small)
            sfm = QFontMetrics(small)
            p.drawText(QRect(text_left, top + line_h, text_w, line_h), Qt.AlignmentFlag.AlignVCenter,
                       sfm.elidedText(item.subtitle, Qt.TextElideMode.ElideRight, text_w))
        hint_rect = QRect(r.right() - hint_w - 6, r.top() + (r.height() - 20) // 2, hint_w, 20)
        hint_bg = QColor(pal.text().color())
        hint_bg.setAlpha(18)
        path = QPainterPath()
        path.addRoundedRect(hint_rect, 5, 5)
        p.fillPath(path, hint_bg)
        hint_fg = QColor(pal.text().color())
        hint_fg.setAlphaF(0.65)
        p.setPen(hint_fg)
        p.setFont(small)
        p.drawText(hint_rect, Qt.AlignmentFlag.AlignCenter, hint)
        p.restore()


class CommandPalette(QFrame):
    """The popup. `set_provider(fn)` supplies items on every open; `set_items` sets them once."""

    itemTriggered = Signal(object)  # PaletteItem

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Popup | Qt.WindowType.FramelessWindowHint)
        self.setObjectName("CommandPalette")
        self._provider: Callable[[], list[PaletteItem]] | None = None
        self._all: list[PaletteItem] = []
        self.search = QLineEdit(self)
        self.search.setObjectName("PaletteSearch")
        self.search.setAccessibleName("Search commands")
        self.search.setPlaceholderText("Search tools, runs, starred outputs and actions…")
        self.search.setClearButtonEnabled(True)
        self.search.installEventFilter(self)
        self.model = PaletteModel(self)
        self.list = QListView(self)
        self.list.setObjectName("PaletteList")
        self.list.setModel(self.model)
        self.list.setItemDelegate(PaletteDelegate(self.list))
        self.list.setUniformItemSizes(True)
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.list.clicked.connect(lambda ix: self.activate(ix.row()))
        self.footer = QLabel("↑↓ to move   ↵ to open   esc to close", self)
        self.footer.setObjectName("PaletteFooter")
        self.empty = QLabel("No matches", self.list)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.hide()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 10, 10, 8)
        lay.setSpacing(8)
        lay.addWidget(self.search)
        lay.addWidget(self.list, 1)
        lay.addWidget(self.footer)
        # Ranking a few hundred items takes a few ms, so filter on every keystroke.
        self.search.textChanged.connect(lambda _t: self._refilter())
        self.resize(620, 420)
        self._restyle()

    def _restyle(self) -> None:
        pal = self.palette()
        base = pal.base().color().name()
        window = pal.window().color()
        border = QColor(pal.text().color())
        border.setAlpha(40)
        muted = QColor(pal.text().color())
        muted.setAlphaF(0.55)
        accent = pal.highlight().color().name()
        rgba = f"rgba({border.red()},{border.green()},{border.blue()},{border.alpha()})"
        self.setStyleSheet(
            f"#CommandPalette {{ background: {window.name()}; border: 1px solid {rgba}; border-radius: 12px; }}"
            f"#PaletteSearch {{ font-size: 15px; padding: 9px 12px; border: 1px solid {rgba};"
            f" border-radius: 8px; background: {base}; }}"
            f"#PaletteSearch:focus {{ border: 1.5px solid {accent}; }}"
            f"#PaletteList {{ background: transparent; border: none; outline: 0; }}"
            f"#PaletteFooter {{ color: {muted.name(QColor.NameFormat.HexArgb)}; font-size: 11px; padding: 0 4px; }}")
        self.empty.setStyleSheet(f"color: {muted.name(QColor.NameFormat.HexArgb)};")

    # -- data ------------------------------------------------------------------------------
    def set_provider(self, provider: Callable[[], list[PaletteItem]]) -> None:
        self._provider = provider

    def set_items(self, items: Iterable[PaletteItem]) -> None:
        self._all = list(items)
        self._refilter()

    def visible_items(self) -> list[PaletteItem]:
        return list(self.model.items)

    def current_item(self) -> PaletteItem | None:
        ix = self.list.currentIndex()
        return ix.data(PaletteModel.ItemRole) if ix.isValid() else None

    def _refilter(self) -> None:
        query = self.search.text().strip()
        items = rank(query, self._all, PaletteItem.search_keys, limit=MAX_RESULTS) if query else \
            self._all[:MAX_RESULTS]
        self.model.set_items(items)
        self.empty.setVisible(not items)
        self.empty.setText("No matches" if query else "Nothing here yet")
        self.empty.resize(self.list.viewport().size())
        if items:
            self.list.setCurrentIndex(self.model.index(0))

    # -- showing ---------------------------------------------------------------------------
    def open(self, query: str = "") -> None:
        if self._provider is not None:
            try:
                self._all = list(self._provider())
            except Exception as exc:  # noqa: BLE001 - a broken source must not stop the palette
                self._all = [PaletteItem("action", "Could not load items", str(exc))]
        self._restyle()
        self.search.setText(query)
        self._refilter()
        host = self.parentWidget().window() if self.parentWidget() else None
        if host is not None and host.isVisible():
            width = min(640, max(420, host.width() - 80))
            height = min(460, max(240, host.height() - 120))
            self.resize(width, height)
            top_left = host.mapToGlobal(QPoint((host.width() - width) // 2, min(90, host.height() // 8)))
            self.move(top_left)
        self.show()
        self.raise_()
        self.activateWindow()
        self.search.setFocus(Qt.FocusReason.PopupFocusReason)
        self.search.selectAll()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self.empty.resize(self.list.viewport().size())

    # -- keyboard --------------------------------------------------------------------------
    def move_selection(self, delta: int) -> None:
        n = self.model.rowCount()
        if not n:
            return
        row = self.list.currentIndex().row()
        row = (0 if delta > 0 else n - 1) if row < 0 else max(0, min(n - 1, row + delta))
        self.list.setCurrentIndex(self.model.index(row))

    def activate(self, row: int | None = None) -> None:
        if row is None:
            row = self.list.currentIndex().row()
        if not 0 <= row < len(self.model.items):
            return
        item = self.model.items[row]
        self.hide()
        self.itemTriggered.emit(item)
        if item.trigger is not None:
            # after the popup is gone, so a dialog opened by the action gets focus
            QTimer.singleShot(0, item.trigger)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if obj is self.search and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            page = max(1, self.list.viewport().height() // PaletteDelegate.ROW_H - 1)
            moves = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1, Qt.Key.Key_PageDown: page, Qt.Key.Key_PageUp: -page}
            if key in moves:
                self.move_selection(moves[key])
                return True
            if key == Qt.Key.Key_Tab:
                self.move_selection(1)
                return True
            if key == Qt.Key.Key_Backtab:
                self.move_selection(-1)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.activate()
                return True
            if key == Qt.Key.Key_Escape:
                self.hide()
                return True
        return super().eventFilter(obj, event)


# -- default provider -----------------------------------------------------------------------

def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").replace("…", "").strip()


def menu_actions(menus: dict[str, QMenu] | Iterable[QMenu]) -> list[PaletteItem]:
    """Every enabled, visible leaf action of the window's menus (sub-menus walked)."""
    out: list[PaletteItem] = []
    seen: set[int] = set()

    def walk(menu: QMenu, trail: str) -> None:
        for act in menu.actions():
            if act.isSeparator() or not act.isVisible() or id(act) in seen:
                continue
            seen.add(id(act))
            sub = act.menu()
            if sub is not None:
                walk(sub, f"{trail} › {_plain(act.text())}")
                continue
            if not act.isEnabled() or not _plain(act.text()):
                continue
            out.append(PaletteItem("action", _plain(act.text()), trail, act.trigger, key=_plain(act.text()),
                                   shortcut=act.shortcut().toString(QKeySequence.SequenceFormat.NativeText)))

    menu_list = menus.items() if isinstance(menus, dict) else ((_plain(m.title()), m) for m in menus)
    for name, menu in menu_list:
        walk(menu, _plain(name))
    return out


def registry_commands(registry: Any) -> list[PaletteItem]:
    """The command entries declared for the palette in an ActionRegistry (ui/actions.py)."""
    return [PaletteItem("action", title, where, trigger, key=title, shortcut=shortcut)
            for title, where, trigger, shortcut in registry.palette_entries()]


def preset_commands(main_window: Any, ctx: Any) -> list[PaletteItem]:
    """"Load preset “X”" for every saved preset: opens its tool and loads the preset."""
    from pixie_desktop.queries import presets as preset_queries

    def load(tool_id: str, name: str) -> Callable[[], Any]:
        return lambda: main_window.load_preset(tool_id, name)

    if not hasattr(main_window, "load_preset"):
        return []
    items = []
    for p in preset_queries.list_all(ctx.conn):
        name = main_window._tool_name(p.tool_id) if hasattr(main_window, "_tool_name") else p.tool_id  # noqa: SLF001
        items.append(PaletteItem("preset", f"Load preset “{p.name}”", name, load(p.tool_id, p.name),
                                 keywords=[p.tool_id, "preset"], key=f"preset:{p.tool_id}:{p.name}"))
    return items


def default_provider(main_window: Any, ctx: Any, *, commands: Callable[[], list[PaletteItem]] | None = None,
                     tools: Callable[[], list] | None = None) -> Callable[[], list[PaletteItem]]:
    """Items from the tools (`tools()`, default a discovery scan), the runs/artefacts tables and
    the commands (`commands()`, default the window's menus walked)."""

    def provide() -> list[PaletteItem]:
        from pixie_desktop.queries import artefacts as artefact_queries, runs as run_queries

        items: list[PaletteItem] = []
        if tools is not None:
            found = tools()
        else:
            from pixie_desktop.queries.tools import archived_flags

            archived = archived_flags(ctx.conn)  # read on every open: the app's flag, as the sidebar shows it
            found = [t for t in ctx.tools() if not archived.get(t.tool_id, bool(t.spec and t.spec.archived))]
        tools_now = list(found)
        names = {t.tool_id: t.name for t in tools_now}
        runs = run_queries.recent(ctx.conn, 15)
        for r in runs:
            when = r.started_at.replace("T", " ")[:16]
            title = f"{names.get(r.tool_id, r.tool_id)} — {r.label}" if r.label else names.get(r.tool_id, r.tool_id)
            items.append(PaletteItem("run", title, f"{r.status} · {when}", _call(main_window, "open_run", r.id),
                                     keywords=[r.tool_id, r.status], key=r.id))
        for t in tools_now:
            desc = t.description or ("Cannot load: " + (t.error or "") if not t.ok else "")
            kw = [t.tool_id, t.folder, *(t.spec.tags if t.spec else []), (t.spec.category or "") if t.spec else ""]
            items.append(PaletteItem("tool", t.name, desc, _call(main_window, "open_tool", t.tool_id),
                                     keywords=kw, key=t.tool_id))
        for a in artefact_queries.starred(ctx.conn, 30):
            trigger = _call(main_window, "open_run", a.run_id) if hasattr(main_window, "open_run") else \
                _open_file(ctx.settings.artefacts_root / a.rel_path)
            items.append(PaletteItem("artefact", a.label or a.filename,
                                     f"{names.get(a.tool_id, a.tool_id)} · {a.created_at[:10]}", trigger,
                                     keywords=[a.filename, a.tags or "", a.mime], key=str(a.id)))
        items.extend(preset_commands(main_window, ctx))
        items.extend(commands() if commands is not None else menu_actions(getattr(main_window, "menus", None) or {}))
        # Empty query order: the latest 5 runs, then tools, then starred, then actions.
        recent = [i for i in items if i.kind == "run"][:5]
        rest = [i for i in items if i.kind != "run"]
        return recent + rest + [i for i in items if i.kind == "run"][5:]

    return provide


def _call(obj: Any, method: str, *args: Any) -> Callable[[], Any]:
    return lambda: getattr(obj, method)(*args)


def _open_file(path: Path) -> Callable[[], Any]:
    return lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def install_command_palette(main_window: QWidget, ctx: Any = None,
                            shortcuts: Iterable[str] = DEFAULT_SHORTCUTS, steal: bool = True,
                            provider: Callable[[], list[PaletteItem]] | None = None) -> CommandPalette:
    """Create the palette for `main_window`, bind its shortcuts and the provider (default:
    `default_provider`). With `steal`, a window action already bound to one of the sequences
    loses that binding (an ambiguous shortcut would fire neither); the palette also searches
    tools, so it supersedes a "focus tool search" binding. The app's palette is the "palette"
    extension (ui/extensions/palette.py), whose shortcut is declared in the actions registry."""
    ctx = ctx if ctx is not None else getattr(main_window, "ctx", None)
    palette = CommandPalette(main_window)
    if provider is not None or ctx is not None:
        palette.set_provider(provider or default_provider(main_window, ctx))
    palette.shortcuts = []  # type: ignore[attr-defined]
    for seq_text in shortcuts:
        seq = QKeySequence(seq_text)
        if steal:
            for act in main_window.findChildren(QAction):
                if seq in act.shortcuts():
                    act.setShortcuts([s for s in act.shortcuts() if s != seq])
            for sc in main_window.findChildren(QShortcut):
                if sc.key() == seq:
                    sc.setEnabled(False)
        sc = QShortcut(seq, main_window)
        sc.setContext(Qt.ShortcutContext.WindowShortcut)
        sc.activated.connect(palette.open)
        palette.shortcuts.append(sc)  # type: ignore[attr-defined]
    return palette
