"""The actions registry: every user command is declared once — id (the QAction's objectName),
title, optional icon, shortcuts, where it appears, enabled/checked/visible predicates and a
callback — and the menu bar, the sidebar's tool menu, the tool page's ⋯ menu, the command
palette's command entries and Help ▸ Keyboard shortcuts are all built from those declarations,
so they cannot drift apart.

Places an action can appear in:
- a menu-bar path: "File", "Edit", "View", "View/Theme", "Tools", "Help";
- `TOOL_CONTEXT` (right click on a tool in the sidebar) and `TOOL_MORE` (the ⋯ button on a
  tool page), both built fresh from the tool's current state each time they open;
- `PALETTE` (a command entry in the command palette);
- `WINDOW` (a window-wide shortcut with no menu entry, e.g. Ctrl+1…9);
- `RUN_CONTEXT` (right click on a run in History): the context carries `run_id`. The tool menus
  export the tool's latest run (the tool page's own run when it has one).

Predicates and callbacks take an `ActionContext`: `host` is the object the command acts on (the
main window for menu-bar commands, the sidebar for tool-menu commands), plus the current tool,
its model row and, in the sidebar, the workspace section the menu was opened in.

Shortcut conflicts are settled here: an action registered later takes a key sequence from
earlier ones (the command palette takes Ctrl+K from Find tool, which keeps Ctrl+F)."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any, Callable, Iterable, Iterator

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QDesktopServices, QIcon, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

TOOL_CONTEXT = "tool-context"
TOOL_MORE = "tool-more"
PALETTE = "palette"
WINDOW = "window"
RUN_CONTEXT = "run-context"
MENU_BAR = ("File", "Edit", "View", "Tools", "Help")
TOOL_MENUS = (TOOL_CONTEXT, TOOL_MORE)
Shortcut = str | QKeySequence.StandardKey


def open_local(path: Any) -> bool:
    """Open a local file or folder with the desktop's own handler. QUrl is imported here, on
    use: touching it creates its enums, which the start-up does not need."""
    from PySide6.QtCore import QUrl

    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


@dataclass(frozen=True)
class ActionContext:
    host: Any = None
    tool_id: str | None = None
    row: Any = None              # the tool's ToolRow (info, state, workspaces, validation)
    workspace_id: int | None = None
    checked: bool = False        # the new checked state when a checkable action fires
    run_id: str | None = None    # the run a RUN_CONTEXT / RUN_MORE command acts on

    @property
    def state(self) -> Any:
        return self.row.state if self.row is not None else None


Predicate = Callable[[ActionContext], bool]


@dataclass(frozen=True)
class Action:
    id: str
    title: str | Callable[[ActionContext], str]
    callback: Callable[[ActionContext], Any]
    places: tuple[str, ...] = ()
    shortcuts: tuple[Shortcut, ...] = ()
    icon: str | None = None
    section: int = 0             # separators fall between sections of one menu
    help: str | None = None      # Help ▸ Keyboard shortcuts line (default: the title)
    enabled_when: Predicate | None = None
    checked_when: Predicate | None = None   # set: the action is checkable
    visible_when: Predicate | None = None
    exclusive: str | None = None            # radio group name
    submenu: Callable[[ActionContext, QMenu], None] | None = None  # fills a sub-menu instead

    def text(self, c: ActionContext) -> str:
        return self.title(c) if callable(self.title) else self.title

    def key_sequences(self) -> list[QKeySequence]:
        return [QKeySequence(s) for s in self.shortcuts]


def _menu_paths(a: Action) -> list[str]:
    return [p for p in a.places if p.split("/")[0] in MENU_BAR]


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").replace("…", "").strip()


class ActionRegistry:
    """Declarations in registration order, plus the QActions built for the menu bar of one window
    (owned by that window). A plain object: it has no signals and needs no Qt parent."""

    def __init__(self, declarations: Iterable[Action] = ()):
        self._actions: dict[str, Action] = {}
        self._qactions: dict[str, QAction] = {}
        self._groups: dict[str, QActionGroup] = {}
        self._menus: dict[str, QMenu] = {}
        self._window: QWidget | None = None
        self._context: Callable[[], ActionContext] = ActionContext
        self._batching, self._pending = 0, False
        for a in declarations:
            self.register(a)

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Register/unregister several declarations with one rebuild of the menus and shortcuts
        at the end, instead of one per change (start-up registers dozens)."""
        self._batching += 1
        try:
            yield
        finally:
            self._batching -= 1
            if not self._batching and self._pending:
                self._pending = False
                self._rebind()

    # -- declarations -------------------------------------------------------------------------
    def register(self, action: Action) -> Action:
        if action.id in self._actions:
            raise ValueError(f"action {action.id!r} is already registered")
        self._actions[action.id] = action
        self._rebind()
        return action

    def unregister(self, action_id: str) -> None:
        if self._actions.pop(action_id, None) is not None:
            act = self._qactions.pop(action_id, None)
            if act is not None and self._window is not None:
                self._window.removeAction(act)
                act.deleteLater()
            self._rebind()

    def get(self, action_id: str) -> Action | None:
        return self._actions.get(action_id)

    def actions(self, place: str | None = None) -> list[Action]:
        """Declarations in `place` (menu path or TOOL_CONTEXT…; a menu path includes its
        sub-menus), in the order they are shown."""
        out = [a for a in self._actions.values()
               if place is None or any(p == place or p.startswith(place + "/") for p in a.places)]
        if place is not None and place != PALETTE:
            out.sort(key=lambda a: a.section)  # stable: registration order within a section
        return out

    def effective_shortcuts(self, action_id: str) -> list[QKeySequence]:
        """The action's key sequences minus those a later registration took over."""
        return self._all_effective_shortcuts().get(action_id, [])

    def _all_effective_shortcuts(self) -> dict[str, list[QKeySequence]]:
        """effective_shortcuts of every action in one pass (latest registration first)."""
        out: dict[str, list[QKeySequence]] = {}
        taken: set[str] = set()
        for action_id in reversed(list(self._actions)):
            seqs = [s for s in self._actions[action_id].key_sequences() if not s.isEmpty()]
            out[action_id] = [s for s in seqs if s.toString() not in taken]
            taken.update(s.toString() for s in seqs)
        return out

    # -- the menu bar and window shortcuts --------------------------------------------------------
    def bind_window(self, window: QWidget, menus: dict[str, QMenu],
                    context: Callable[[], ActionContext]) -> None:
        """Build (and keep rebuilding on register/unregister) the window's menus and shortcuts."""
        self._window, self._context = window, context
        self._menus = dict(menus)
        for menu in menus.values():
            menu.aboutToShow.connect(self.refresh)
        self._rebind()

    def qaction(self, action_id: str) -> QAction | None:
        return self._qactions.get(action_id)

    def _make_qaction(self, a: Action) -> QAction:
        act = QAction(QIcon.fromTheme(a.icon) if a.icon else QIcon(), a.text(self._context()), self._window)
        act.setObjectName(a.id)
        act.setCheckable(a.checked_when is not None)
        act.triggered.connect(lambda checked=False, i=a.id: self.trigger(i, checked))
        if a.exclusive:
            group = self._groups.get(a.exclusive) or QActionGroup(self._window)
            self._groups[a.exclusive] = group
            group.addAction(act)
        return act

    def _rebind(self) -> None:
        if self._window is None:
            return
        if self._batching:
            self._pending = True
            return
        for name, menu in list(self._menus.items()):
            if "/" not in name:
                menu.clear()  # sub-menus are rebuilt below; our QActions belong to the window
        shortcuts = self._all_effective_shortcuts()
        for a in self._actions.values():
            if a.submenu is not None or not (_menu_paths(a) or WINDOW in a.places):
                continue
            act = self._qactions.get(a.id) or self._make_qaction(a)
            self._qactions[a.id] = act
            act.setShortcuts(shortcuts[a.id])
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            if WINDOW in a.places and act not in self._window.actions():
                self._window.addAction(act)
        for top in MENU_BAR:
            if top in self._menus:
                self._fill(top, self._menus[top])
        self.refresh()

    def _fill(self, path: str, menu: QMenu) -> None:
        section: int | None = None
        done: set[str] = set()
        for a in self.actions(path):
            here = next(p for p in a.places if p == path or p.startswith(path + "/"))
            if here != path:  # lives in a sub-menu: place the sub-menu once, where it first appears
                sub_path = path + "/" + here[len(path) + 1:].split("/")[0]
                if sub_path in done:
                    continue
                done.add(sub_path)
                sub = self._menus.get(sub_path) or QMenu(sub_path.rsplit("/", 1)[1], self._window)
                self._menus[sub_path] = sub
                sub.clear()
                self._fill(sub_path, sub)
                item = sub.menuAction()
            else:
                item = self._qactions.get(a.id)
                if item is None:
                    continue
            if section is not None and a.section != section:
                menu.addSeparator()
            section = a.section
            menu.addAction(item)

    def refresh(self) -> None:
        """Re-evaluate titles, enabled and checked predicates of the menu-bar actions."""
        c = self._context()
        for action_id, act in self._qactions.items():
            a = self._actions[action_id]
            act.setText(a.text(c))
            act.setEnabled(a.enabled_when(c) if a.enabled_when else True)
            act.setVisible(a.visible_when(c) if a.visible_when else True)
            if a.checked_when is not None:
                act.setChecked(a.checked_when(c))

    def trigger(self, action_id: str, checked: bool = False, context: ActionContext | None = None) -> Any:
        a = self._actions.get(action_id)
        if a is None:
            return None
        return a.callback(replace(context or self._context(), checked=checked))

    # -- tool menus ---------------------------------------------------------------------------
    def tool_menu(self, place: str, host: Any, tool_id: str, row: Any, workspace_id: int | None = None,
                  parent: QWidget | None = None) -> QMenu:
        """A fresh menu of the actions declared for `place` (TOOL_CONTEXT or TOOL_MORE)."""
        c = ActionContext(host=host, tool_id=tool_id, row=row, workspace_id=workspace_id)
        menu = QMenu(parent)
        menu.setObjectName("ToolMenu")
        return self.fill_menu(menu, place, c)

    def run_menu(self, host: Any, run_id: str, tool_id: str | None = None, parent: QWidget | None = None,
                 menu: QMenu | None = None) -> QMenu:
        """The RUN_CONTEXT actions for one run (appended to `menu` when given)."""
        menu = menu if menu is not None else QMenu(parent)
        return self.fill_menu(menu, RUN_CONTEXT, ActionContext(host=host, tool_id=tool_id, run_id=run_id))

    def fill_menu(self, menu: QMenu, place: str, c: ActionContext) -> QMenu:
        """Add the actions declared for `place`, as seen from context `c`, to `menu`."""
        section: int | None = None
        for a in self.actions(place):
            if a.visible_when is not None and not a.visible_when(c):
                continue
            if section is not None and a.section != section:
                menu.addSeparator()
            section = a.section
            if a.submenu is not None:
                sub = menu.addMenu(a.text(c))
                sub.menuAction().setObjectName(a.id)
                a.submenu(c, sub)
                continue
            act = menu.addAction(a.text(c))
            act.setObjectName(a.id)
            if a.icon:
                act.setIcon(QIcon.fromTheme(a.icon))
            if a.checked_when is not None:
                act.setCheckable(True)
                act.setChecked(a.checked_when(c))
            if a.enabled_when is not None:
                act.setEnabled(a.enabled_when(c))
            act.triggered.connect(lambda checked=False, a=a: a.callback(replace(c, checked=checked)))
        return menu

    # -- palette and help ---------------------------------------------------------------------
    def palette_entries(self) -> list[tuple[str, str, Callable[[], Any], str]]:
        """(title, where, trigger, shortcut) for each enabled PALETTE action, in menu order."""
        self.refresh()
        c = self._context()
        out: list[tuple[str, str, Callable[[], Any], str]] = []
        order = [a for top in MENU_BAR for a in self.actions(top)]
        order += [a for a in self._actions.values() if a not in order]
        for a in order:
            if PALETTE not in a.places or (a.enabled_when and not a.enabled_when(c)) or \
                    (a.visible_when and not a.visible_when(c)):
                continue
            where = " › ".join(_plain(p) for p in (_menu_paths(a) or [""])[0].split("/") if p)
            act = self._qactions.get(a.id)
            trigger = act.trigger if act is not None else (lambda i=a.id: self.trigger(i))
            keys = self.effective_shortcuts(a.id)
            out.append((_plain(a.text(c)), where, trigger,
                        keys[0].toString(QKeySequence.SequenceFormat.NativeText) if keys else ""))
        return out

    def shortcut_rows(self) -> list[tuple[str, str, list[str]]]:
        """(keys, what, action ids) for Help ▸ Keyboard shortcuts; actions sharing a help text
        share a row ("Ctrl+1…9  open a favourite")."""
        rows: dict[str, tuple[list[str], list[str]]] = {}
        c = self._context()
        for a in self._actions.values():
            keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in self.effective_shortcuts(a.id)]
            if not keys:
                continue
            what = a.help or _plain(a.text(c))
            row = rows.setdefault(what, ([], []))
            row[0].extend(k for k in keys if k not in row[0])
            row[1].append(a.id)
        out = []
        for what, (keys, ids) in rows.items():
            if len(ids) > 2 and all(k[:-1] == keys[0][:-1] for k in keys):
                shown = f"{keys[0]}…{keys[-1][-1]}"
            else:
                shown = ", ".join(keys)
            out.append((shown, what, ids))
        return out

    def shortcuts_text(self) -> str:
        return "\n".join(f"{keys}  {what}" for keys, what, _ids in self.shortcut_rows())


# -- the standard declarations -------------------------------------------------------------------

def _host(name: str) -> Callable[[ActionContext], Any]:
    return lambda c: getattr(c.host, name)()


def _find(c: ActionContext) -> None:
    """Ctrl+F searches what is on screen: the History page's runs there, the tool list elsewhere
    (one window-wide shortcut; a second page-level Ctrl+F would make Qt call both ambiguous)."""
    page = c.host.stack.currentWidget() if hasattr(c.host, "stack") else None
    if callable(getattr(page, "focus_search", None)):
        page.focus_search()
    else:
        c.host.sidebar.focus_search()


def window_actions(app_name: str) -> list[Action]:
    """File, Edit, View, Tools and Help of the main window plus its window-wide shortcuts; `host`
    is the MainWindow."""
    def theme(value: str, label: str) -> Action:
        return Action(f"theme.{value}", label, lambda c: c.host.set_theme(value), ("View/Theme", PALETTE),
                      section=1, exclusive="theme", checked_when=lambda c: c.host.ctx.settings.theme == value)

    open_folder = (lambda c: open_local(c.host.ctx.settings.tools_dir))
    acts = [
        Action("newTool", "New tool…", _host("new_tool"), ("File", PALETTE), (QKeySequence.StandardKey.New,)),
        Action("refreshTools", "Refresh tools", _host("refresh_tools"), ("File", PALETTE), ("F5",),
               help="rescan tools"),
        Action("openToolsFolder", "Open tools folder", open_folder, ("File", PALETTE)),
        Action("quit", "Quit", _host("close"), ("File", PALETTE), (QKeySequence.StandardKey.Quit,), section=1),
        Action("findTool", "Find tool…", _find, ("Edit", PALETTE),
               ("Ctrl+K", QKeySequence.StandardKey.Find), help="find a tool (on History: search runs)"),
        Action("showArchived", "Show archived tools", lambda c: c.host.sidebar.archived_toggle.setChecked(c.checked),
               ("View", PALETTE), section=1, checked_when=lambda c: c.host.sidebar.archived_toggle.isChecked()),
        Action("showRunQueue", "Run queue", _host("show_run_queue"), ("View", PALETTE), ("Ctrl+Shift+Q",),
               section=1, help="show the run queue"),
        theme("system", "Follow the system"), theme("light", "Light"), theme("dark", "Dark"),
        Action("run", "Run", _host("run_current"), ("Tools", PALETTE), ("Ctrl+Return", "Ctrl+Enter"),
               help="run"),
        Action("cancelRun", "Cancel run", _host("cancel_current"), ("Tools", PALETTE), ("Esc",),
               help="cancel the run"),
        Action("savePreset", "Save inputs as preset…", _host("save_preset"), ("Tools", PALETTE),
               enabled_when=lambda c: c.host.current_tool_page() is not None),
        Action("validateTool", "Validate this tool", lambda c: c.host.validate_tool(c.tool_id or ""),
               ("Tools", PALETTE), section=1),
        Action("manageWorkspaces", "Manage workspaces…", _host("manage_workspaces"), ("Tools", PALETTE), section=1),
        Action("showShortcuts", "Keyboard shortcuts", _host("show_shortcuts"), ("Help", PALETTE)),
        Action("about", f"About {app_name}", _host("about"), ("Help", PALETTE)),
    ]
    acts += [Action(f"favourite{n}", f"Favourite {n}", lambda c, n=n: c.host.open_favourite(n), (WINDOW,),
                    (f"Ctrl+{n}",), help="open a favourite") for n in range(1, 10)]
    return acts


def page_action(key: str, title: str) -> Action:
    """View ▸ <page>: one per page added with MainWindow.add_page (before the other View items)."""
    return Action(f"page.{key}", title, lambda c: c.host.show_page(key), ("View", PALETTE), section=0)


def _fill_add_to_workspace(c: ActionContext, menu: QMenu) -> None:
    bar = c.host
    menu.setObjectName("AddToWorkspace")
    for ws in bar.workspaces.workspaces():
        act = menu.addAction(bar._chip_icon(ws.colour), ws.name)  # noqa: SLF001 - the sidebar's chip
        act.setEnabled(ws.id not in c.row.workspaces)
        act.triggered.connect(lambda _=False, w=ws.id: bar.add_to_workspace(c.tool_id, w))
    if bar.workspaces.workspaces():
        menu.addSeparator()
    menu.addAction("New workspace…", lambda: bar.new_workspace_dialog(c.tool_id))


def _fill_remove_from_workspace(c: ActionContext, menu: QMenu) -> None:
    for ws_id in c.row.workspaces:
        ws = c.host.workspaces.workspace(ws_id)
        if ws is not None:
            menu.addAction(ws.name, lambda w=ws_id: c.host.remove_from_workspace(c.tool_id, w))


def _in_section(c: ActionContext) -> int | None:
    return c.workspace_id if c.row is not None and c.workspace_id in c.row.workspaces else None


def _section_name(c: ActionContext) -> str:
    ws = c.host.workspaces.workspace(_in_section(c))
    return f"Remove from “{ws.name if ws else _in_section(c)}”"


def _entry(c: ActionContext) -> Any:
    return next((c.row.info.path / n for n in ("main.py", "tool.json") if (c.row.info.path / n).is_file()), None)


def _has_deps(c: ActionContext) -> bool:
    p = c.row.info.path
    return (p / "pyproject.toml").is_file() or (p / "requirements.txt").is_file()


def _flag(flag: str) -> Callable[[ActionContext], None]:
    return lambda c: c.host.set_flag(c.tool_id, flag, not getattr(c.state, flag))


def _app_ctx(c: ActionContext) -> Any:
    """The AppContext of the host (a HistoryView has one; a Sidebar reaches it through its window)."""
    ctx = getattr(c.host, "ctx", None)
    if ctx is None and isinstance(c.host, QWidget):
        ctx = getattr(c.host.window(), "ctx", None)
    return ctx


def _latest_run(c: ActionContext) -> str | None:
    """The run a tool page's ⋯ menu exports: the page's latest run, else the tool's newest."""
    win = c.host.window() if isinstance(c.host, QWidget) else None
    page = (getattr(win, "tool_pages", None) or {}).get(c.tool_id)
    rid = getattr(page, "run_id", None)
    ctx = _app_ctx(c)
    if ctx is not None and c.tool_id is not None:
        from pixie_desktop.queries import runs as run_queries

        if rid is None or run_queries.get_run(ctx.conn, rid) is None:  # never run, or a run not yet recorded
            newest = run_queries.list_runs(ctx.conn, tool_id=c.tool_id, limit=1)
            rid = newest[0].id if newest else None
    return rid


def _export(fmt: str, run_id: Callable[[ActionContext], str | None]) -> Callable[[ActionContext], Any]:
    def go(c: ActionContext) -> Any:
        from pixie_desktop.ui.export_run import export_run_interactive

        rid, ctx = run_id(c), _app_ctx(c)
        if rid is None or ctx is None:
            return None
        return export_run_interactive(c.host if isinstance(c.host, QWidget) else None, ctx, rid, fmt)
    return go


EXPORT_FORMATS = (("html", "HTML report…"), ("pdf", "PDF…"), ("zip", "ZIP bundle…"))


def _fill_export_latest(c: ActionContext, menu: QMenu) -> None:
    menu.setObjectName("ExportLatest")
    has_run = _latest_run(c) is not None
    for fmt, title in EXPORT_FORMATS:
        act = menu.addAction(f"As {title}")
        act.setObjectName(f"tool.exportLatest.{fmt}")
        act.setEnabled(has_run)
        act.triggered.connect(lambda _=False, fmt=fmt: _export(fmt, _latest_run)(c))


def run_actions() -> list[Action]:
    """Run commands: History's right-click menu (host: the HistoryView, run_id set) and, in both
    tool menus, "Export latest run" (host: the Sidebar; the tool page's run, else the newest)."""
    acts = [Action(f"run.export.{fmt}", f"Export run as {title}", _export(fmt, lambda c: c.run_id), (RUN_CONTEXT,),
                   section=9) for fmt, title in EXPORT_FORMATS]
    acts.append(Action("tool.exportLatest", "Export latest run", lambda c: None, TOOL_MENUS, section=4,
                       submenu=_fill_export_latest))
    return acts


def tool_actions() -> list[Action]:
    """The per-tool commands of the sidebar's context menu and the tool page's ⋯ menu; `host` is
    the Sidebar (its set_flag / dialogs / signals do the work)."""
    both = TOOL_MENUS
    return [
        Action("tool.open", "Open", lambda c: c.host.toolActivated.emit(c.tool_id), both),
        Action("tool.favourite", "Favourite", _flag("favourited"), both, section=1,
               checked_when=lambda c: bool(c.state.favourited)),
        Action("tool.pin", "Pin", _flag("pinned"), both, section=1, checked_when=lambda c: bool(c.state.pinned)),
        Action("tool.keepWarm", "Keep warm", _flag("pinned_warm"), both, section=1,
               checked_when=lambda c: bool(c.state.pinned_warm)),
        Action("tool.archive", lambda c: "Unarchive" if c.state.archived else "Archive", _flag("archived"), both,
               section=1),
        Action("tool.colour", "Colour…", lambda c: c.host.tool_colour_dialog(c.tool_id), both, section=2),
        Action("tool.clearColour", "Clear colour", lambda c: c.host.set_colour(c.tool_id, None), both, section=2,
               visible_when=lambda c: bool(c.state.colour)),
        Action("tool.tags", "Tags…", lambda c: c.host.tags_dialog(c.tool_id), both, section=2),
        Action("tool.addToWorkspace", "Add to workspace", lambda c: None, both, section=2,
               submenu=_fill_add_to_workspace),
        Action("tool.removeFromThis", _section_name,
               lambda c: c.host.remove_from_workspace(c.tool_id, _in_section(c)), both, section=2,
               visible_when=lambda c: _in_section(c) is not None),
        Action("tool.removeFrom", "Remove from workspace", lambda c: None, both, section=2,
               submenu=_fill_remove_from_workspace,
               visible_when=lambda c: bool(c.row.workspaces) and _in_section(c) is None),
        Action("tool.validate", "Validate now", lambda c: c.host.validateRequested.emit(c.tool_id), both, section=3),
        Action("tool.report", "Validation report…", lambda c: c.host.reportRequested.emit(c.tool_id), both,
               section=3, enabled_when=lambda c: c.row.validation != "unchecked"),
        Action("tool.openFolder", "Open folder", lambda c: c.host.open_folder(c.tool_id), both, section=3),
        Action("tool.openEditor", "Open in editor",
               lambda c: open_local(_entry(c)), both, section=3,
               visible_when=lambda c: _entry(c) is not None),
        Action("tool.setup", lambda c: "Rebuild environment…" if c.row.info.has_venv else "Set up environment…",
               lambda c: c.host.setupRequested.emit(c.tool_id), both, section=3, visible_when=_has_deps),
        Action("tool.settings", "Settings…", _tool_settings, both, section=5),
    ]


def _tool_settings(c: ActionContext) -> Any:
    from pixie_desktop.ui.views.tool_settings_dialog import open_tool_settings

    return open_tool_settings(c.host, _app_ctx(c), c.tool_id)


_STANDARD_TOOL_ACTIONS: ActionRegistry | None = None


def standard_tool_actions() -> ActionRegistry:
    """The tool-menu declarations for a sidebar used without a window (tests, embedding)."""
    global _STANDARD_TOOL_ACTIONS  # noqa: PLW0603 - one immutable registry of declarations
    if _STANDARD_TOOL_ACTIONS is None:
        _STANDARD_TOOL_ACTIONS = ActionRegistry(declarations=[*tool_actions(), *run_actions()])
    return _STANDARD_TOOL_ACTIONS


def standard_registry(app_name: str) -> ActionRegistry:
    """A window's registry: its own commands and the tool-menu commands."""
    return ActionRegistry([*window_actions(app_name), *tool_actions(), *run_actions()])


__all__ = ["Action", "ActionContext", "ActionRegistry", "MENU_BAR", "PALETTE", "RUN_CONTEXT", "TOOL_CONTEXT", "TOOL_MORE",
           "WINDOW", "page_action", "standard_registry", "standard_tool_actions", "tool_actions",
           "window_actions"]
