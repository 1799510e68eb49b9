"""The tool page: header (name, version, description, tag chips, validation badge, warm/running
state, Run / Cancel / History / Favourite / Open folder), the form and the outputs side by side
(`form`), stacked in one column (`split`), or a conversation (`chat`), plus the tool's own run
history in a tab. Broken tools get a page that shows their parse error clearly.

Running: Run → ToolForm.validate → Runner.check_inputs (InputError → inline field errors, no run)
→ RunController.submit. The page follows its own run through the controller's signals (filtered
by run id): "Queued (2nd)" while it waits its turn, then progress, elapsed time and streamed
outputs as RunEvents; the history row appears through StoreEvents.runChanged (single-row update,
never a reset), which the controller announces."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QElapsedTimer, QRectF, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QColor, QDesktopServices, QGuiApplication, QPainter, QPixmap
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QPlainTextEdit, QProgressBar,
                               QPushButton, QSizePolicy, QSplitter, QTabWidget, QToolButton, QVBoxLayout,
                               QWidget)

from pixie_desktop.catalog.discovery import ToolInfo
from pixie_desktop.ops import tools as tool_ops
from pixie_desktop.queries import runs as run_queries
from pixie_desktop.queries import tools as tool_queries
from pixie_desktop.ui.publish import publish
from pixie_desktop.ui.delegates.painters import STATUS_LABELS, contrast_text, status_colour
from pixie_desktop.ui.views.flow_layout import FlowLayout
from pixie_desktop.ui.widgets.elided_label import ElidedLabel

# below this page width the form stacks above the outputs and the header's secondary buttons
# move into the ⋯ menu (a 960 px window, half a 1920 screen, is below it with the sidebar open)
NARROW_PAGE_WIDTH = 820

VALIDATION_TEXT = {"pass": "Validated", "warn": "Warnings", "fail": "Failing", "skip": "Skipped",
                   "unchecked": "Not validated", "broken": "Won't parse"}


def pill(text: str, colour: str | QColor, *, filled: bool = False) -> QLabel:
    c = QColor(colour)
    lab = QLabel(text)
    lab.setTextFormat(Qt.TextFormat.PlainText)  # tool text: never HTML (an <img> would be loaded)
    lab.setObjectName("Pill")
    dark = QGuiApplication.palette().window().color().lightness() < 128
    bg = c.name() if filled else f"rgba({c.red()},{c.green()},{c.blue()},{60 if dark else 38})"
    fg = contrast_text(c).name() if filled else (c.lighter(140) if dark else c.darker(115)).name()
    lab.setStyleSheet(f"QLabel {{ background: {bg}; color: {fg}; border-radius: 9px; padding: 2px 9px;"
                      f" font-size: 8.5pt; font-weight: 600; }}")
    lab.setMinimumHeight(20)  # the 9 px radius needs the height to round the ends
    return lab


# one reading of pyproject dependencies for the notice and the "Needs setup" badge
from pixie_desktop.queries.readiness import declared_dependencies as _declared_dependencies  # noqa: E402
from pixie_desktop.queries.readiness import needs_own_environment as _needs_own_environment  # noqa: E402


class BrokenToolPanel(QFrame):
    """What a tool whose tool.json does not parse shows instead of a form."""

    def __init__(self, info: ToolInfo, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("ErrorBox")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(18, 16, 18, 16)
        head = QLabel(f"“{info.folder}” won't load: its tool.json has a problem")
        head.setTextFormat(Qt.TextFormat.PlainText)  # tool text: never HTML (an <img> would be loaded)
        head.setStyleSheet("font-size: 13pt; font-weight: 600;")
        head.setWordWrap(True)
        lay.addWidget(head)
        hint = QLabel("Fix the file below and the tool appears here automatically. Nothing was run.")
        hint.setObjectName("Muted")
        lay.addWidget(hint)
        self.details = QPlainTextEdit(info.error or "unknown error")
        self.details.setReadOnly(True)
        self.details.setObjectName("ErrorDetails")
        self.details.setMinimumHeight(120)
        lay.addWidget(self.details, 1)
        row = QHBoxLayout()
        copy = QPushButton("Copy details")
        copy.setObjectName("Small")
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(info.error or ""))
        folder = QPushButton("Open folder")
        folder.setObjectName("Small")
        folder.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(info.path))))
        row.addWidget(copy)
        row.addWidget(folder)
        row.addStretch(1)
        lay.addLayout(row)


class Avatar(QLabel):
    """The tool's square: its colour with its `icon` from tool.json (a bundled icon name drawn in
    the contrasting colour; an image file inside the tool folder or an emoji drawn as is), else
    the first letter of its name."""

    def __init__(self, tool_id: str, name: str, colour: str | None, size: int = 40, info: Any = None):
        super().__init__()
        from pixie_desktop.ui.views.sidebar import avatar_colour
        from pixie_desktop.ui.widgets import icons

        c = avatar_colour(tool_id, colour)
        pm = QPixmap(size * 2, size * 2)
        pm.setDevicePixelRatio(2)
        pm.fill(Qt.GlobalColor.transparent)
        p = QPainter(pm)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(c)
        value = (getattr(getattr(info, "spec", None), "icon", None) or "").strip()
        own = icons.tool_icon(info, size) if info is not None and not icons.has_icon(value) else None
        self.icon_kind = "letter"
        if own is not None:  # an image or emoji: drawn on a soft tile of the tool's colour
            soft = QColor(c)
            soft.setAlpha(46)
            p.setBrush(soft)
            p.drawRoundedRect(QRectF(0, 0, size, size), size * 0.28, size * 0.28)
            inset = size * 0.12
            p.drawPixmap(QRectF(inset, inset, size - 2 * inset, size - 2 * inset), own, QRectF(own.rect()))
            self.icon_kind = "image"
        else:
            p.drawRoundedRect(QRectF(0, 0, size, size), size * 0.28, size * 0.28)
            if icons.has_icon(value):
                edge = int(size * 0.58)
                glyph = icons.render_svg(icons._svg_text(value), edge, contrast_text(c).name())
                off = (size - edge) / 2
                p.drawPixmap(QRectF(off, off, edge, edge), glyph, QRectF(glyph.rect()))
                self.icon_kind = "named"
            else:
                f = self.font()
                f.setBold(True)
                f.setPointSizeF(size * 0.38)
                p.setFont(f)
                p.setPen(contrast_text(c))
                p.drawText(QRectF(0, 0, size, size), int(Qt.AlignmentFlag.AlignCenter), (name[:1] or "?").upper())
        p.end()
        self.setPixmap(pm)
        self.setFixedSize(size, size)


class ToolPage(QWidget):
    historyRequested = Signal(str)           # tool_id
    message = Signal(str)                    # for the status bar
    layoutModeChanged = Signal(str)          # "wide" or "narrow": the splitter's orientation changed

    def __init__(self, ctx: Any, info: ToolInfo, *, events: Any, runner: Callable[[], Any],
                 tools_model: Any = None, parent: QWidget | None = None,
                 menu_provider: Callable[[str], Any] | None = None, controller: Any = None):
        super().__init__(parent)
        self.setObjectName("ToolPage")
        self.ctx = ctx
        self.info = info
        self.tool_id = info.tool_id
        self.events = events
        self._runner = runner
        self.tools_model = tools_model
        self.menu_provider = menu_provider  # the ⋯ menu: the same declarations as the sidebar menu
        self.layout_mode = "wide"
        self.splitter: QSplitter | None = None
        self.form: Any = None
        self.outputs: Any = None
        self.chat: Any = None
        self.history: Any = None
        self.run_panel: Any = None       # "This run": the shown run's inputs and files (run_inputs.py)
        self.shown_run_id: str | None = None  # the run whose outputs are on screen
        self._shown_inputs: dict | None = None  # the form's values for that run (None: no comparison)
        if controller is None:  # a page on its own (no window): its own controller
            from pixie_desktop.ui.run_controller import RunController

            controller = RunController(runner, events=events, parent=self)
        self.controller = controller
        self.run_id: str | None = None   # this page's latest run (queued, running or ended)
        self._run_started = False        # its run left the queue and is running
        self.last_result: Any = None
        self._chat_key: str | None = None
        self._elapsed = QElapsedTimer()
        self._tick = QTimer(self)
        self._tick.setInterval(100)
        self._tick.timeout.connect(self._update_elapsed)
        controller.runStarted.connect(self._on_run_started)
        controller.runEvent.connect(self._on_event)
        controller.runFinished.connect(self._on_run_finished)
        controller.runFailed.connect(self._on_run_failed)
        controller.queueChanged.connect(self._on_queue_changed)

        root = QVBoxLayout(self)
        root.setContentsMargins(20, 16, 20, 12)
        root.setSpacing(10)
        root.addWidget(self._build_header())
        if not info.ok or info.spec is None:
            root.addWidget(BrokenToolPanel(info), 1)
            self.run_button.setEnabled(False)
            return
        self.notice = self._build_notice()
        if self.notice is not None:
            root.addWidget(self.notice)
        self.body = self._build_body()
        root.addWidget(self.body, 1)
        self._prefill()
        self.refresh_header()
        self._update_run_look()

    # -- header ---------------------------------------------------------------------------------
    def _build_header(self) -> QWidget:
        info = self.info
        head = QWidget()
        head.setObjectName("ToolHeader")
        lay = QHBoxLayout(head)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(12)
        st = tool_queries.state(self.ctx.conn, self.tool_id)
        self.avatar = Avatar(self.tool_id, info.name, st.colour, 44, info)
        lay.addWidget(self.avatar, 0, Qt.AlignmentFlag.AlignTop)
        col = QVBoxLayout()
        col.setSpacing(4)
        title_row = QHBoxLayout()
        title_row.setSpacing(8)
        self.title = ElidedLabel(info.name)  # plain text; a narrow window shortens the name, never cuts it
        self.title.setObjectName("ToolTitle")
        self.title.setStyleSheet("font-size: 16pt; font-weight: 650;")
        title_row.addWidget(self.title)  # Preferred: shrinks (eliding) before anything else
        version = info.spec.version if info.spec else None
        if version:
            v = QLabel(f"v{version}")
            v.setTextFormat(Qt.TextFormat.PlainText)  # tool text: never HTML (an <img> would be loaded)
            v.setObjectName("Muted")
            title_row.addWidget(v)
        self.badge_widget = QWidget()  # beside the title when wide, under it when narrow
        self.badge_widget.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Preferred)
        self.badge_box = QHBoxLayout(self.badge_widget)
        self.badge_box.setContentsMargins(0, 0, 0, 0)
        self.badge_box.setSpacing(6)
        title_row.addWidget(self.badge_widget)
        title_row.addStretch(1)
        self._title_row, self._header_col = title_row, col
        col.addLayout(title_row)
        desc = QLabel(info.description or ("" if info.ok else "This tool cannot be loaded."))
        desc.setTextFormat(Qt.TextFormat.PlainText)  # tool text: never HTML (an <img> would be loaded)
        desc.setObjectName("Muted")
        desc.setWordWrap(True)
        desc.setVisible(bool(desc.text()))
        col.addWidget(desc)
        self.tag_row = QWidget()
        self.tag_flow = FlowLayout(self.tag_row, spacing=5)
        col.addWidget(self.tag_row)
        lay.addLayout(col, 1)

        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        self.fav_button = QToolButton()
        self.fav_button.setObjectName("Small")
        self.fav_button.setCheckable(True)
        self.fav_button.setToolTip("Favourite")
        self.fav_button.toggled.connect(self._on_fav_toggled)
        self.fav_button.setMinimumWidth(30)
        self.fav_button.setAccessibleName("Favourite")
        self.folder_button = QPushButton("Open folder")
        self.folder_button.setObjectName("Small")
        self.folder_button.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(info.path))))
        self.history_button = QPushButton("History")
        self.history_button.setObjectName("Small")
        self.history_button.clicked.connect(self.show_history)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("Small")
        self.cancel_button.setToolTip("Stop this run (Esc)")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.run_button = QPushButton("Run")
        self.run_button.setObjectName("Primary")
        self.run_button.setAccessibleName("Run")
        self.run_button.setToolTip("Run with these inputs (Ctrl+Enter)")
        self.run_button.setMinimumWidth(96)
        self.run_button.clicked.connect(self.run)
        self.more_button = QToolButton()
        self.more_button.setObjectName("Small")
        self.more_button.setToolTip("Pin, keep warm, archive, colour, tags, workspaces, validation…")
        from pixie_desktop.ui.widgets.icons import set_icon_button

        set_icon_button(self.more_button, "more-horizontal", "More actions")  # ⋯ is a box in some stock fonts
        self.more_button.setMinimumWidth(30)
        self.more_button.setVisible(self.menu_provider is not None)
        self.secondary_buttons = (self.folder_button, self.history_button)  # into ⋯ when narrow
        self.more_button.clicked.connect(self.show_more_menu)
        self.presets_button = self.batch_button = None
        if info.ok and info.spec is not None:  # named input sets (ui/widgets/presets_button.py)
            from pixie_desktop.ui.views.tool_batches import ToolBatches
            from pixie_desktop.ui.widgets.presets_button import PresetsButton

            self.presets_button = PresetsButton(
                self.ctx, info, lambda: self.form.values() if self.form is not None else {},
                self.set_prefill, say=self._say, hub=self.events)
            self.batches = ToolBatches(self)  # Batch… dialog, "Run on all N files", running batches
            self.batch_button = QPushButton("Batch…")
            self.batch_button.setObjectName("Small")
            self.batch_button.setToolTip("Run over a folder of files, a CSV of inputs or a grid of values")
            self.batch_button.clicked.connect(lambda: self.batches.open_dialog())
        for b in (self.fav_button, self.more_button, self.presets_button, self.batch_button, self.folder_button,
                  self.history_button, self.cancel_button, self.run_button):
            if b is None:
                continue
            # centred on one line: top-aligned, the short "Small" buttons sat ~4 px above the Run
            # button's centre (seen in the 4K screenshots); the row itself stays at the top
            buttons.addWidget(b, 0, Qt.AlignmentFlag.AlignVCenter)
        lay.addLayout(buttons)
        lay.setAlignment(buttons, Qt.AlignmentFlag.AlignTop)
        return head

    def more_menu(self) -> Any:
        """A fresh ⋯ menu (the TOOL_MORE declarations of ui/actions.py, built from the tool's
        current state each time), or None. In a narrow page it starts with the header buttons
        that were moved into it (History, Open folder)."""
        menu = self.menu_provider(self.tool_id) if self.menu_provider is not None else None
        if self.layout_mode == "narrow":
            from PySide6.QtWidgets import QMenu

            if menu is None:
                menu = QMenu(self)
            first = menu.actions()[0] if menu.actions() else None
            for button in self.secondary_buttons:
                act = menu.addAction(button.text())
                act.triggered.connect(button.click)
                if first is not None:
                    menu.removeAction(act)
                    menu.insertAction(first, act)
            if first is not None:
                menu.insertSeparator(first)
        return menu

    # -- responsive layout ------------------------------------------------------------------------
    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self.apply_layout_mode("narrow" if self.width() < NARROW_PAGE_WIDTH else "wide")

    def apply_layout_mode(self, mode: str) -> None:
        """Wide: form beside outputs, every header button shown. Narrow: the form stacks above the
        outputs and History / Open folder move into the ⋯ menu."""
        if mode == self.layout_mode:
            return
        self.layout_mode = mode
        narrow = mode == "narrow"
        has_menu = self.menu_provider is not None
        for b in self.secondary_buttons:
            b.setVisible(not narrow)
        # narrow: the badges go under the title so the name keeps its room
        if narrow:
            self._title_row.removeWidget(self.badge_widget)
            self._header_col.insertWidget(1, self.badge_widget, 0, Qt.AlignmentFlag.AlignLeft)
        else:
            self._header_col.removeWidget(self.badge_widget)
            self._title_row.insertWidget(self._title_row.count() - 1, self.badge_widget)  # before the stretch
        self.more_button.setVisible(has_menu or narrow)
        if self.splitter is not None and getattr(self, "layout_kind", "") == "form":
            self.splitter.setOrientation(Qt.Orientation.Vertical if narrow else Qt.Orientation.Horizontal)
            # stacked, the form gets the larger share: it is what the user works in
            self.splitter.setStretchFactor(0, 3 if narrow else 2)
            self.splitter.setStretchFactor(1, 2 if narrow else 3)
            self.splitter.setSizes([3000, 2000] if narrow else [380, 620])
        self.layoutModeChanged.emit(mode)

    def show_more_menu(self) -> None:
        menu = self.more_menu()
        if menu is not None:
            menu.exec(self.more_button.mapToGlobal(self.more_button.rect().bottomLeft()))
            menu.deleteLater()  # built fresh on every open

    def refresh_header(self) -> None:
        """Badges, tag chips and the favourite star from the current store state."""
        row = self.tools_model.tool_row(self.tool_id) if self.tools_model is not None else None
        st = row.state if row else tool_queries.state(self.ctx.conn, self.tool_id)
        validation = "broken" if not self.info.ok else (row.validation if row else "unchecked")
        from pixie_desktop.queries.readiness import tool_readiness

        ready = tool_readiness(self.info)
        developer = bool(getattr(self.ctx.settings, "values", {}).get("developer_mode", False))
        warm = self._is_warm()
        state, state_colour, state_tip = self.state_words(ready, warm)
        internal = ("Warm" if warm else "Dormant") if developer else ""
        wanted = (validation, state, bool(st.pinned_warm), internal, state_tip)
        if wanted != getattr(self, "_shown_badges", None):  # badges change rarely: no relayout per run
            self._shown_badges = wanted
            while self.badge_box.count():
                w = self.badge_box.takeAt(0).widget()
                if w is not None:
                    w.hide()  # deleteLater runs only back in the main loop: hide it now
                    w.deleteLater()
            badge = pill(VALIDATION_TEXT.get(validation, validation), status_colour(validation))
            badge.setObjectName("ValidationBadge")
            badge.setToolTip(STATUS_LABELS.get(validation, validation))
            self.badge_box.addWidget(badge)
            self.validation_badge = badge
            self.state_badge = pill(state, state_colour)
            from pixie_desktop.ui.plain_text import plain_tooltip

            self.state_badge.setToolTip(plain_tooltip(state_tip))  # may name the tool's secrets
            self.state_badge.setAccessibleName(f"State: {state}")
            self.badge_box.addWidget(self.state_badge)
            self.internal_badge = None
            if internal:  # developer mode: the pool's own word for the process
                self.internal_badge = pill(internal, QColor("#2f9e5b") if warm else QColor("#9aa0a6"))
                self.internal_badge.setToolTip("Warm: its process is kept running, so the next run starts at once"
                                               if warm else "Dormant: no process yet; the next run starts one")
                self.badge_box.addWidget(self.internal_badge)
            if st.pinned_warm:
                self.badge_box.addWidget(pill("Keep warm", "#5563d1"))
            from pixie_desktop.ui.widgets.icons import icon as svg_icon

            self.more_button.setIcon(svg_icon("more-horizontal"))  # follows the scheme (recolour_pages)
            if hasattr(self, "status_label"):
                self._update_run_look()
        self.fav_button.blockSignals(True)
        self.fav_button.setChecked(bool(st.favourited))
        from pixie_desktop.ui.widgets.icons import icon as svg_icon

        self.fav_button.setText("")
        self.fav_button.setIcon(svg_icon("star-filled", "#e0a800") if st.favourited else svg_icon("star"))
        self.fav_button.setAccessibleName("Favourite")
        self.fav_button.setToolTip("Remove from favourites" if st.favourited else "Add to favourites (Ctrl+1…9 opens it)")
        self.fav_button.blockSignals(False)
        tags = row.tags if row else (list(self.info.spec.tags) if self.info.spec else [])
        if tags != getattr(self, "_shown_tags", None):  # rebuilding chips relayouts: only on change
            self._shown_tags = list(tags)
            self.tag_flow.clear()
            for t in tags:
                chip = QLabel(f"#{t}")
                chip.setTextFormat(Qt.TextFormat.PlainText)  # tool text: never HTML (an <img> would be loaded)
                chip.setObjectName("TagPill")
                self.tag_flow.addWidget(chip)
            self.tag_row.setVisible(bool(tags))

    def state_words(self, ready: Any, warm: bool) -> tuple[str, QColor, str]:
        """The state badge a user can act on: Queued / Starting… / Running while a run is on,
        else Needs setup / Key required / Ready (see queries/readiness.py)."""
        if self.is_running:
            if not self._run_started:
                return "Queued", status_colour("running"), "Waiting for a free slot to run"
            if getattr(self, "_phase", "running") == "starting":
                return "Starting…", status_colour("running"), "Starting the tool's process"
            return "Running", status_colour("running"), "Running now: Esc cancels"
        if ready.key == "key_required":
            return ready.text, QColor("#d18b1f"), ready.tip
        if ready.key == "needs_setup":
            return ready.text, QColor("#d18b1f"), ready.tip
        if ready.key == "broken":
            return ready.text, status_colour("fail"), ready.tip
        return "Ready", QColor("#2f9e5b"), "Ready to run: Ctrl+Enter runs it"

    def _is_warm(self) -> bool:
        try:
            runner = self._runner(create=False)
        except TypeError:
            runner = None
        pool = getattr(runner, "pool", None)
        try:
            return bool(pool and pool.is_warm(self.tool_id))
        except Exception:  # noqa: BLE001 - the badge is advisory
            return False

    def _on_fav_toggled(self, on: bool) -> None:
        publish(tool_ops.set_favourite(self.ctx.conn, self.tool_id, on), self.events)
        self.refresh_header()

    # -- body -----------------------------------------------------------------------------------
    def _build_notice(self) -> QWidget | None:
        deps = _declared_dependencies(self.info.path)
        if not deps or self.info.has_venv or not _needs_own_environment(deps):
            return None
        box = QFrame()
        box.setObjectName("Fallback")
        lay = QHBoxLayout(box)
        lay.setContentsMargins(12, 8, 12, 8)
        from html import escape  # rich text (the <code>), so the tool's own words are escaped

        text = QLabel(f"This tool declares dependencies ({escape(', '.join(deps[:4]))}{'…' if len(deps) > 4 else ''}) "
                      f"but has no environment yet, so it runs on the app's own Python. Set it up once to "
                      f"install them into <code>{escape(str(self.info.path / '.venv'))}</code>.")
        text.setTextFormat(Qt.TextFormat.RichText)
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.RichText)
        lay.addWidget(text, 1)
        self.setup_button = QPushButton("Set up environment…")
        self.setup_button.setObjectName("Small")
        self.setup_button.clicked.connect(self.set_up_environment)
        lay.addWidget(self.setup_button, 0, Qt.AlignmentFlag.AlignVCenter)
        box.setProperty("missingVenv", True)
        self.notice = box
        return box

    def set_up_environment(self) -> Any:
        """Create the tool's .venv (uv sync, else venv + pip) in a dialog with the streamed log,
        progress and Cancel; on success the warm process on the app's Python is stopped so the
        next run uses the new environment."""
        from pixie_desktop.ui.views.tool_setup_dialog import ToolSetupDialog

        dlg = ToolSetupDialog(self.info.path, self.info.name, self)
        dlg.finished_setup.connect(self._on_setup_finished)
        dlg.open()
        dlg.start()
        return dlg

    def _on_setup_finished(self, result: Any) -> None:
        if not getattr(result, "ok", False):
            return
        try:
            runner = self._runner(create=False)
        except TypeError:
            runner = None
        pool = getattr(runner, "pool", None)
        if pool is not None:
            from pixie_desktop.ui.workers import submit

            submit(pool.stop, self.tool_id)
        notice = getattr(self, "notice", None)
        if notice is not None:
            notice.hide()
        self._say("Environment ready: runs now use the tool's own .venv")

    def _build_body(self) -> QWidget:
        spec = self.info.spec
        assert spec is not None
        from pixie_desktop.ui.outputs.panel import OutputPanel

        self.outputs = OutputPanel(spec, artefacts_root=self.ctx.settings.artefacts_root)
        form_spec = spec
        if spec.layout == "chat":
            # the conversation supplies messages/history; the form shows only the other inputs
            import dataclasses

            form_spec = dataclasses.replace(spec, inputs=[i for i in spec.inputs
                                                          if i.key not in ("messages", "history")])
        from pixie_desktop.ui.inputs.form import ToolForm

        self.form = ToolForm(form_spec, autocomplete=self._autocomplete)
        self.form.submitted.connect(self.run)
        self.form.changed.connect(self._on_form_changed)
        self._look_timer = QTimer(self)  # the Run button's "fill these in first" look, after typing settles
        self._look_timer.setSingleShot(True)
        self._look_timer.setInterval(150)
        self._look_timer.timeout.connect(self._update_run_look)
        self.form.changed.connect(self._look_timer.start)
        form_widget: QWidget = self.form
        self.progress = QProgressBar()
        self.progress.setObjectName("RunProgress")
        self.progress.setTextVisible(False)
        self.progress.setFixedHeight(6)
        self.progress.hide()
        self.status_label = ElidedLabel("")
        self.status_label.setObjectName("Muted")
        # fixed box: the elapsed-time text changes 10×/s and must not relayout (and repaint) the page
        self.status_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.status_label.setFixedHeight(self.status_label.fontMetrics().height() + 6)

        from pixie_desktop.ui.views.history import HistoryView
        self.history = HistoryView(self.ctx, self.events, tool_id=self.tool_id,
                                   tool_name=lambda _t: self.info.name, compact=True)
        self.history.rerunRequested.connect(self.rerun)
        self.history.loadInputsRequested.connect(self.load_inputs_of)
        self.history.openOutputsRequested.connect(self.open_outputs_of)

        self.right_tabs = QTabWidget()
        self.right_tabs.setObjectName("ToolTabs")
        self.right_tabs.setDocumentMode(True)
        from pixie_desktop.ui.views.run_inputs import RunProvenancePanel

        self.run_panel = RunProvenancePanel(self.ctx, {i.key: i.label for i in spec.inputs})
        outputs_tab = QWidget()
        outputs_tab.setObjectName("OutputsTab")
        otl = QVBoxLayout(outputs_tab)
        otl.setContentsMargins(0, 6, 0, 0)
        otl.setSpacing(0)
        otl.addWidget(self.run_panel)
        otl.addWidget(self.outputs, 1)

        layout = spec.layout if spec.layout in ("form", "split", "chat") else "form"
        self.layout_kind = layout
        if layout == "chat":
            from pixie_desktop.ui.views.chat import ChatView, reply_key
            self.chat = ChatView()
            self.chat.sendRequested.connect(self.send_chat)
            self._chat_key = reply_key(spec)
            self.right_tabs.addTab(self.chat, "Conversation")
            self.right_tabs.addTab(outputs_tab, "Outputs")
            self.right_tabs.addTab(self.history, "History")
            self._watch_developer_mode()
            others = [i for i in spec.inputs if i.key not in ("messages", "history") and i.type != "hidden"]
            if self.form is not None and others:
                self.splitter = QSplitter(Qt.Orientation.Horizontal)
                self.splitter.addWidget(self.right_tabs)
                self.splitter.addWidget(self._form_column(form_widget, with_run=False))
                self.splitter.setStretchFactor(0, 3)
                self.splitter.setStretchFactor(1, 1)
                return self._wrap_with_status(self.splitter)
            if self.form is not None:  # no other inputs: the form stays (values, validate) but hidden,
                form_widget.setParent(self)  # and parented, not a stray top-level window
                form_widget.hide()
            return self._wrap_with_status(self.right_tabs)
        self.right_tabs.addTab(outputs_tab, "Outputs")
        self.right_tabs.addTab(self.history, "History")
        self._watch_developer_mode()
        self.splitter = QSplitter(Qt.Orientation.Vertical if layout == "split" else Qt.Orientation.Horizontal)
        self.splitter.setObjectName("ToolSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self._form_column(form_widget, with_run=True))
        self.splitter.addWidget(self.right_tabs)
        self.splitter.setStretchFactor(0, 2 if layout == "form" else 1)
        self.splitter.setStretchFactor(1, 3)
        if layout == "form":
            self.splitter.setSizes([380, 620])
        return self._wrap_with_status(self.splitter)

    def _form_column(self, form_widget: QWidget, *, with_run: bool) -> QWidget:
        col = QFrame()
        col.setObjectName("Card")
        lay = QVBoxLayout(col)
        lay.setContentsMargins(14, 12, 14, 12)
        top = QHBoxLayout()
        heading = QLabel("INPUTS")
        heading.setObjectName("SectionHeading")
        top.addWidget(heading)
        top.addStretch(1)
        reset = QPushButton("Reset")
        reset.setObjectName("Small")
        reset.setToolTip("Restore every field to its default")
        reset.clicked.connect(lambda: self.form.reset() if self.form is not None else None)
        top.addWidget(reset)
        lay.addLayout(top)
        lay.addWidget(self._build_differs_banner())
        lay.addWidget(form_widget, 1)
        # status line under the form, outside its scroll area so it never scrolls away; the
        # split layout (one tall column) also gets its own sticky Run button here
        bar = QHBoxLayout()
        bar.addWidget(self.status_label, 1)
        if with_run and self.info.spec is not None and self.info.spec.layout == "split":
            self.run_bar_button = QPushButton("Run")
            self.run_bar_button.setObjectName("Primary")
            self.run_bar_button.setAccessibleName("Run")
            self.run_bar_button.clicked.connect(self.run)
            bar.addWidget(self.run_bar_button)
        lay.addLayout(bar)
        self._status_in_form = True
        return col

    def _wrap_with_status(self, inner: QWidget) -> QWidget:
        w = QWidget()
        lay = QVBoxLayout(w)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(6)
        lay.addWidget(self.progress)
        lay.addWidget(inner, 1)
        if not getattr(self, "_status_in_form", False):
            lay.addWidget(self.status_label)
        return w

    def _prefill(self) -> None:
        if self.form is None:
            return
        st = tool_queries.state(self.ctx.conn, self.tool_id)
        last = self._recorded_inputs(st.last_inputs)
        if not last:  # never run: the tool's default preset, if it has one, fills the form
            from pixie_desktop.queries import presets as preset_queries

            default = preset_queries.default_for(self.ctx.conn, self.tool_id)
            last = dict(default.inputs) if default is not None else {}
        if last:
            try:
                self.form.set_values({k: v for k, v in last.items() if k not in ("messages", "history")})
            except Exception:  # noqa: BLE001 - stale inputs must never stop the page opening
                pass

    def _autocomplete(self, endpoint: str, query: str) -> list[dict]:
        """Blocking call made by the form off the UI thread."""
        runner = self._runner()
        from urllib.parse import quote

        with runner.pool.lease(self.info) as proc:
            from pixie_desktop.runtime.client import ToolClient
            import json

            status, body = ToolClient(proc.port, token=getattr(proc, "token", None)).get(f"/autocomplete/{quote(endpoint)}?q={quote(query)}", timeout=5.0)
        if status != 200:
            return []
        data = json.loads(body or b"[]")
        return data if isinstance(data, list) else []

    # -- running --------------------------------------------------------------------------------
    @property
    def is_running(self) -> bool:
        """This page's run is queued or running (the RunController knows)."""
        return self.run_id is not None and self.controller.is_active(self.run_id)

    def set_prefill(self, values: dict | None) -> None:
        """Prefill the form. A file/image/audio input may be given local paths (what a window
        drop or the command line has) instead of data URLs: those are read like a drop."""
        if not values or self.form is None or self.info.spec is None:
            return
        plain: dict = {}
        for key, value in values.items():
            spec = self.info.spec.input(key)
            paths = _local_paths(value) if spec is not None and spec.is_file_like else None
            widget = self.form.widget_for(key) if paths else None
            if paths and widget is not None:
                problems = widget.drop_files(paths)
                if problems:
                    self._say("; ".join(problems[:2]), error=True)
            else:
                plain[key] = value
        if plain:
            self.form.set_values(plain)

    def drop_files(self, paths: list[Path]) -> str | None:
        if self.form is None:
            return None
        if len(paths) > 1 and self.chat is None:  # several files, one-file input: offer a batch
            key = self.batches.offer_for_drop([Path(p) for p in paths])
            if key is not None:
                return key
        key = self.form.drop_files(paths)
        if key is None:
            self.message.emit(f"{self.info.name} has no input that accepts "
                              f"{', '.join(p.name for p in paths[:3])}")
        return key

    def run(self) -> bool:
        """Validate and start a run. Returns False (and shows why) when nothing was started."""
        if self.chat is not None:
            text = self.chat.input.toPlainText().strip()
            if text:
                self.chat._send()
                return True
            return False
        return self._start(self.form.values() if self.form is not None else {})

    def send_chat(self, text: str) -> None:
        extra = self.form.values() if self.form is not None else {}
        inputs = {k: v for k, v in extra.items() if k not in ("messages", "history")}
        inputs.update(self.chat.chat_inputs(text))
        if not self._start(inputs):
            self.chat.fail_reply(self.status_label.text() or "Could not send the message.")
            return
        self.chat.begin_reply()

    def _start(self, inputs: dict, source: str = "page") -> bool:
        if self.is_running or not self.info.ok:
            return False
        self._loading_outputs_of = None  # a past run's outputs still loading must not cover this run's
        if self.form is not None and self.chat is None:
            problems = self.form.validate()
            if problems:
                self._say(self._field_problems(problems), error=True, fields=True)
                return False
        try:
            from pixie_desktop.runtime.runner import InputError
            runner = self._runner()
            runner.check_inputs(self.info, inputs)
        except InputError as exc:
            for key, msg in exc.problems:
                w = self.form.widget_for(key) if (self.form is not None and key) else None
                if w is not None:
                    w.set_error(msg)
            self._say(self._field_problems(exc.problems) or "The inputs were refused.", error=True,
                      fields=any(k for k, _m in exc.problems))
            return False
        import uuid

        if self.outputs is not None and hasattr(self.outputs, "clear") and self.chat is None:
            self.outputs.clear()
        # the id is ours before submitting: the controller may start the run inside submit()
        self.run_id, self._run_started = str(uuid.uuid4()), False
        self._set_running_ui(True)
        try:
            self.controller.submit(self.info, inputs, run_id=self.run_id, source=source)
        except RuntimeError as exc:  # the app is shutting down
            self._set_running_ui(False)
            self._say(str(exc), error=True)
            return False
        if not self._run_started:
            self._show_queued()
        if self.chat is None:  # the form now describes this run; the banner is about later edits
            self._set_shown_run(self.run_id, self.form.values() if self.form is not None else None,
                                describe=False)
        return True

    def _field_problems(self, problems: list[tuple[str, str]]) -> str:
        """The first three problems, each naming its field by the form's label ("Check 'CSV
        file': this field is required"), plus how many more there are."""
        from pixie_desktop.runtime.inputs import field_message

        labels = {i.key: i.label for i in (self.info.spec.inputs if self.info.spec else [])}
        texts = [field_message(labels.get(k, k) if k else "", m) for k, m in problems[:3]]
        more = len(problems) - len(texts)
        return "; ".join(texts) + (f" (and {more} more)" if more > 0 else "")

    def cancel(self) -> bool:
        if not self.is_running:
            return False
        run_id = self.run_id
        queued = self.controller.is_queued(run_id)
        self.controller.cancel(run_id)  # a queued run is dropped at once (runFinished, cancelled)
        if not queued:
            self._say("Cancelling…")
            self.cancel_button.setEnabled(False)
        return True

    def _on_run_started(self, run_id: str, _tool_id: str) -> None:
        if run_id != self.run_id:
            return
        self._run_started = True
        self._phase = "running" if self._is_warm() else "starting"  # the runner's status events refine it
        self._elapsed.start()
        self._tick.start()
        self._say("Running…")
        self.refresh_header()
        self._update_run_look()

    def _on_queue_changed(self) -> None:
        if self.run_id is not None and not self._run_started and self.controller.is_queued(self.run_id):
            self._show_queued()

    def _show_queued(self) -> None:
        from pixie_desktop.runtime.queue import ordinal

        pos = self.controller.position(self.run_id) if self.run_id else None
        text = f"Queued ({ordinal(pos)})" if pos else "Queued"
        if self.status_label.text() != text:
            self._say(text)
        self.refresh_header()

    def _set_running_ui(self, running: bool) -> None:
        self.run_button.setEnabled(not running and self.info.ok)
        if hasattr(self, "run_bar_button"):
            self.run_bar_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.progress.setVisible(running)
        if running:
            self.progress.setRange(0, 0)  # indeterminate until the tool reports progress
        else:
            self._tick.stop()
        self.refresh_header()
        self._update_run_look()

    def _run_buttons(self) -> list[QPushButton]:
        return [b for b in (self.run_button, getattr(self, "run_bar_button", None)) if b is not None]

    def _update_run_look(self) -> None:
        """The Run button in its three looks: ready ("Run" on the accent), running ("Running…" with a
        turning arc; Cancel beside it is the way out) and waiting for input (muted, the tool tip
        says which field; a click still runs the checks and marks the fields)."""
        from pixie_desktop.ui.widgets.icons import icon as svg_icon

        running = self.is_running
        problems = [] if running else self._quiet_problems()
        state = "running" if running else ("invalid" if problems else ("broken" if not self.info.ok else "ready"))
        for b in self._run_buttons():
            if b.property("runState") != state:
                b.setProperty("runState", state)
                b.style().unpolish(b)
                b.style().polish(b)
            if running:
                b.setText("Queued…" if not self._run_started else
                          ("Starting…" if getattr(self, "_phase", "") == "starting" else "Running…"))
                b.setIcon(self._spinner_icon())
                b.setToolTip("Running: Cancel (Esc) stops it")
                b.setAccessibleName(b.text())
            else:
                b.setText("Run")
                from pixie_desktop.ui import theme as theme_mod

                b.setIcon(svg_icon("play", theme_mod.current().accent_text if state == "ready" else None))
                b.setAccessibleName("Run")
                from pixie_desktop.ui.plain_text import plain_tooltip  # field labels are tool text

                b.setToolTip(plain_tooltip(self._field_problems(problems[:1]) + " — fill it in, then run (Ctrl+Enter)")
                             if problems else "Run with these inputs (Ctrl+Enter)")
        if self.cancel_button.property("runState") != state:  # Cancel stands out while a run is on
            self.cancel_button.setProperty("runState", state)
            self.cancel_button.style().unpolish(self.cancel_button)
            self.cancel_button.style().polish(self.cancel_button)

    def _quiet_problems(self) -> list[tuple[str, str]]:
        """What the form would refuse, without marking fields, moving focus or scrolling (that
        is the click's job: ToolForm.validate)."""
        form = self.form
        if form is None or self.chat is not None or not self.info.ok:
            return []
        out: list[tuple[str, str]] = []
        try:
            for ispec in form.spec.inputs:
                w = form.widgets[ispec.key]
                if not w.visible_in_form or not form.is_shown(ispec.key):
                    continue
                msg = w.validate()
                if msg:
                    out.append((ispec.key, msg))
        except Exception:  # noqa: BLE001 - a look only: the real check runs on click
            return []
        return out

    def _spinner_icon(self) -> Any:
        from PySide6.QtCore import QPointF
        from PySide6.QtGui import QIcon

        from pixie_desktop.ui.delegates.painters import paint_spinner

        phase = (self._elapsed.elapsed() / 900.0) % 1.0 if self._elapsed.isValid() else 0.0
        pm = QPixmap(32, 32)
        pm.setDevicePixelRatio(2)
        pm.fill(Qt.GlobalColor.transparent)
        p = QPainter(pm)
        paint_spinner(p, QPointF(8, 8), 5.5, QColor(self.palette().color(self.foregroundRole())), phase)
        p.end()
        return QIcon(pm)

    def _update_elapsed(self) -> None:
        secs = self._elapsed.elapsed() / 1000
        if self._run_started and self.is_running:
            self.status_label.setText(f"Running… {secs:.1f} s")
            for b in self._run_buttons():
                b.setIcon(self._spinner_icon())  # the arc turns while the run goes on

    def _on_event(self, run_id: str, ev: Any) -> None:
        if run_id != self.run_id or ev.kind == "started":
            return
        if ev.kind == "status" and ev.message in ("starting the tool…", "running"):
            self._phase = "starting" if ev.message != "running" else "running"
            self.refresh_header()
            self._update_run_look()
        if ev.kind == "progress" and isinstance(ev.fraction, (int, float)):
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(max(0.0, min(1.0, float(ev.fraction))) * 1000))
            if ev.message:
                self._say(str(ev.message))
        if self.chat is not None and ev.kind == "stream" and ev.key == self._chat_key:
            from pixie_desktop.ui.views.chat import reply_text
            self.chat.append_reply(reply_text(ev.value))
        if self.outputs is not None and hasattr(self.outputs, "apply_event"):
            try:
                self.outputs.apply_event(ev)
            except Exception as exc:  # noqa: BLE001 - a renderer bug must not kill the run view
                self._say(f"Could not show a live update: {exc}", error=True)

    # -- developer mode -------------------------------------------------------------------------
    def _watch_developer_mode(self) -> None:
        """The "Developer" tab (run id, pid, port, raw JSON) exists while developer_mode is on."""
        from pixie_desktop.config import on_setting_changed

        self.developer: Any = None
        self._sync_developer_tab()

        def changed(name: str, _value: Any) -> None:
            if name == "developer_mode":
                try:
                    self._sync_developer_tab()
                    self.refresh_header()  # Warm/Dormant appear or go
                except RuntimeError:  # the page is already gone
                    pass
        undo = on_setting_changed(changed)
        self.destroyed.connect(lambda *_: undo())

    def _sync_developer_tab(self) -> None:
        from pixie_desktop.ui.widgets.developer_details import DeveloperDetails, developer_mode_on

        on = developer_mode_on(self.ctx.settings)
        if on and self.developer is None:
            self.developer = DeveloperDetails()
            self.right_tabs.addTab(self.developer, "Developer")
            self._show_developer_details()
        elif not on and self.developer is not None:
            self.right_tabs.removeTab(self.right_tabs.indexOf(self.developer))
            self.developer.deleteLater()
            self.developer = None

    def _show_developer_details(self) -> None:
        if self.developer is None:
            return
        rec = None
        run_id = self.run_id or (self.last_result.run_id if self.last_result is not None else None)
        if run_id:
            try:
                rec = run_queries.get_run(self.ctx.conn, run_id)
            except Exception:  # noqa: BLE001 - a locked database: the tab stays as it was
                return
        process = None
        try:
            runner = self._runner(create=False)
        except TypeError:
            runner = None
        pool = getattr(runner, "pool", None)
        if pool is not None:
            try:
                process = next((e for e in pool.snapshot() if e.get("tool_id") == self.tool_id), None)
            except Exception:  # noqa: BLE001 - advisory
                process = None
        self.developer.show_run(rec, process)

    def _on_run_finished(self, run_id: str, _tool_id: str, result: Any) -> None:
        if run_id != self.run_id:
            return
        self.last_result = result
        self._end(result.status)
        self._show_developer_details()
        if self.chat is not None:
            from pixie_desktop.ui.views.chat import reply_text
            if result.status == "ok":
                value = (result.outputs or {}).get(self._chat_key) if self._chat_key else None
                self.chat.finish_reply(reply_text(value) if value is not None else None)
            else:
                self.chat.fail_reply(result.error or result.status)
        if self.run_panel is not None and self.shown_run_id == run_id:
            self.run_panel.show_run(run_id)  # recorded by now: its inputs and files
        if result.status == "ok":
            if hasattr(self.outputs, "show_outputs"):
                self.outputs.show_outputs(result.outputs or {}, run_id=result.run_id)
            self._say(f"Done in {result.duration_s:.2f} s" + (f" · {len(result.artefacts)} artefact"
                                                             f"{'s' if len(result.artefacts) != 1 else ''}"
                                                             if result.artefacts else ""))
        elif result.status == "cancelled":
            self._say("Cancelled before it started" if getattr(result, "never_started", False)
                      else f"Cancelled after {result.duration_s:.1f} s")
            if result.outputs and hasattr(self.outputs, "show_outputs"):
                self.outputs.show_outputs(result.outputs, run_id=result.run_id)
        else:
            if hasattr(self.outputs, "show_error"):
                self.outputs.show_error(result.error or "The run failed.")
            self._say("Run failed", error=True)
        self.right_tabs.setCurrentIndex(0)

    def _on_run_failed(self, run_id: str, _tool_id: str, text: str) -> None:
        if run_id != self.run_id:
            return
        if self.run_panel is not None and self.shown_run_id == run_id:
            self.run_panel.show_run(run_id)
        self._end("error")
        self._show_developer_details()
        if self.chat is not None:
            self.chat.fail_reply(text)
        if hasattr(self.outputs, "show_error"):
            self.outputs.show_error(text)
        self._say("Run failed", error=True)

    def _end(self, status: str) -> None:
        self._set_running_ui(False)
        self.progress.hide()

    def _say(self, text: str, *, error: bool = False, fields: bool = False) -> None:
        """The status line under the form. `fields=True`: the message is about field problems
        and is cleared (or shortened) as soon as the fields are fixed (_on_form_changed)."""
        self._status_about_fields = fields
        self.status_label.setText(text)
        if error != getattr(self, "_status_is_error", False):
            self._status_is_error = error
            self.status_label.setStyleSheet(f"color: {status_colour('fail').name()};" if error else "")
        self.message.emit(text)

    # -- history actions ------------------------------------------------------------------------
    def show_history(self) -> None:
        if self.history is not None:
            self.right_tabs.setCurrentWidget(self.history)
        self.historyRequested.emit(self.tool_id)

    def load_inputs_of(self, run_id: str) -> bool:
        rec = run_queries.get_run(self.ctx.conn, run_id)
        if rec is None or self.form is None:
            return False
        self._load_form_from(rec)
        if self.shown_run_id != run_id:  # the outputs on screen are another run's: nothing to compare
            self._shown_inputs = None
            self._update_differs()
        self._say("Inputs loaded from the run of " + rec.started_at[:19].replace("T", " ")
                  + self._missing_files_note(rec))
        return True

    def _load_form_from(self, rec: Any) -> dict:
        """Fill the form with a run's recorded inputs (file inputs keep their names); returns them."""
        recorded = rec.inputs
        inputs = self._recorded_inputs(recorded)
        if self.form is not None:
            values = {k: v for k, v in inputs.items() if k not in ("messages", "history")}
            # a stored file that is gone empties its field: never leave another run's file there
            values.update({k: None for k in recorded if k not in inputs and k not in ("messages", "history")})
            self.form.set_values(values)
            if self.shown_run_id == rec.id:
                self._shown_inputs = self.form.values()
                self._update_differs()
        return inputs

    def _missing_files_note(self, rec: Any) -> str:
        from pixie_desktop.artefacts import provenance

        gone = [f.display_name for f in provenance.input_files(rec.inputs)
                if provenance.blob_missing(f, self.ctx.settings.artefacts_root)]
        if not gone:
            return ""
        return f" · {', '.join(gone[:2])}{' …' if len(gone) > 2 else ''} no longer stored: choose it again"

    # -- the run on screen vs the form ------------------------------------------------------------
    def _build_differs_banner(self) -> QWidget:
        self.differs_banner = QFrame()
        self.differs_banner.setObjectName("FormDiffersBanner")
        self.differs_banner.setStyleSheet(
            "QFrame#FormDiffersBanner { background: rgba(217,154,11,40); border: 1px solid rgba(217,154,11,140);"
            " border-radius: 6px; }")
        row = QHBoxLayout(self.differs_banner)
        row.setContentsMargins(8, 4, 4, 4)
        row.setSpacing(6)
        self.differs_label = QLabel("Inputs changed since this run — Run to update the outputs")
        self.differs_label.setWordWrap(True)
        row.addWidget(self.differs_label, 1)
        self.differs_restore = QPushButton("Undo changes")
        self.differs_restore.setObjectName("Small")
        self.differs_restore.setToolTip("Put back the inputs of the run shown on the right")
        self.differs_restore.clicked.connect(self.restore_shown_inputs)
        row.addWidget(self.differs_restore, 0, Qt.AlignmentFlag.AlignVCenter)
        self.differs_banner.hide()
        return self.differs_banner

    def _set_shown_run(self, run_id: str | None, form_values: dict | None, *, describe: bool = True) -> None:
        self.shown_run_id = run_id
        self._shown_inputs = form_values
        if self.run_panel is not None:  # a run still going is described once it has ended
            self.run_panel.show_run(run_id if describe else None)
        self._update_differs()

    @property
    def form_differs(self) -> bool:
        """The form no longer holds the inputs of the run whose outputs are shown."""
        return self._shown_inputs is not None and self.form is not None and self.form.values() != self._shown_inputs

    def _update_differs(self) -> None:
        banner = getattr(self, "differs_banner", None)
        if banner is not None:
            banner.setVisible(self.chat is None and self.form_differs)

    def restore_shown_inputs(self) -> bool:
        """The banner's "Undo changes": the shown run's inputs back into the form."""
        rec = run_queries.get_run(self.ctx.conn, self.shown_run_id) if self.shown_run_id else None
        if rec is None or self.form is None:
            return False
        self._load_form_from(rec)
        return True

    def _on_form_changed(self) -> None:
        self._update_differs()
        if getattr(self, "_status_about_fields", False) and self.form is not None:
            # a field message is stale once its field is fixed: shorten it, or clear it
            problems = [(k, e) for k, w in self.form.widgets.items() if (e := w.error_text())]
            if not problems:
                self._say("")
            elif self.status_label.text() != self._field_problems(problems):
                self._say(self._field_problems(problems), error=True, fields=True)

    def rerun(self, run_id: str) -> bool:
        rec = run_queries.get_run(self.ctx.conn, run_id)
        if rec is None:
            return False
        return self._start(self._load_form_from(rec), source="history")

    def _recorded_inputs(self, inputs: dict) -> dict:
        """Inputs as recorded in the database, with stored file inputs turned back into data URLs."""
        from pixie_desktop.artefacts.input_blobs import expand_inputs

        return expand_inputs(inputs, self.ctx.settings.artefacts_root)

    def open_outputs_of(self, run_id: str) -> bool:
        rec = run_queries.get_run(self.ctx.conn, run_id)
        if rec is None or not hasattr(self.outputs, "show_outputs"):
            return False
        from pixie_desktop.artefacts.spill import spilled_paths

        paths = spilled_paths(self.ctx.conn, self.ctx.settings, rec)
        if paths:  # a big answer (a 6 MB table): read and parse it off the UI thread
            from shiboken6 import isValid

            from pixie_desktop.ui.workers import submit

            def show(outputs: dict | None) -> None:
                if isValid(self) and getattr(self, "_loading_outputs_of", None) == rec.id:
                    self._show_outputs_of(rec, outputs)

            self._loading_outputs_of = rec.id
            self._show_run_inputs(rec)
            self._say("Loading the outputs of that run…")
            submit(read_spilled_outputs, paths, on_result=show, on_error=lambda _exc: show(None))
            return True
        self._loading_outputs_of = None
        self._show_run_inputs(rec)
        self._show_outputs_of(rec, load_run_outputs(self.ctx, rec))
        return True

    def _show_run_inputs(self, rec: Any) -> None:
        """Opening a past run: its inputs go into the form next to its outputs, and "This run"
        describes it. A run of this page still going keeps the form as it is."""
        if self.is_running:
            return
        self._set_shown_run(rec.id, None)
        if self.form is not None and self.chat is None:
            self._load_form_from(rec)

    def _show_outputs_of(self, rec: Any, outputs: dict | None) -> None:
        self._loading_outputs_of = None
        if rec.status == "error" and not outputs:
            self.outputs.show_error(rec.error_text or "This run failed.")
        elif outputs is None:
            self.outputs.show_error("The outputs of this run were not kept (too large, or the files were removed). "
                                    "Re-run it to see them again.")
        else:
            self.outputs.show_outputs(outputs, run_id=rec.id)
        self.right_tabs.setCurrentIndex(0)
        self._say(f"Showing the run of {rec.started_at[:19].replace('T', ' ')} with its inputs"
                  + self._missing_files_note(rec))


def _local_paths(value: Any) -> list[Path] | None:
    """Existing local files named by a str / Path / file:// URL or a list of them, else None."""
    items = value if isinstance(value, list) else [value]
    out: list[Path] = []
    for item in items:
        if isinstance(item, Path):
            p = item
        elif isinstance(item, str) and not item.startswith("data:"):
            p = Path(QUrl(item).toLocalFile()) if item.startswith("file://") else Path(item)
        else:
            return None
        if not p.is_file():
            return None
        out.append(p)
    return out or None


def read_spilled_outputs(paths: list[Path]) -> dict | None:
    """Worker thread: a spilled run's outputs, parsed like a tool's answer (cooperatively, the
    GC kept off the new rows) so the UI thread keeps the GIL most of the time."""
    from pixie_desktop.artefacts.spill import read_spilled
    from pixie_desktop.runtime import safejson

    def loads(data: bytes) -> Any:
        with safejson.gc_paused_for_big_answer(len(data)):
            return safejson.loads(data)

    return read_spilled(paths, loads)


def load_run_outputs(ctx: Any, rec: Any) -> dict | None:
    """The stored outputs of a run (inline or spilled), via the runtime's loader."""
    from pixie_desktop.runtime.runner import load_outputs

    try:
        return load_outputs(ctx.conn, ctx.settings, rec)
    except Exception:  # noqa: BLE001 - unreadable spill → "not kept"
        return None
