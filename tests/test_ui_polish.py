"""Issue 13 polish: badges a user can act on (Ready / Starting… / Running / Needs setup / Key
required; Warm/Dormant only in developer mode), field-named errors on the page, the Run
button's looks, developer mode's run details, density, focus and high contrast, bundled SVG
icons instead of symbol glyphs and a tool's own icon from tool.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import write_tool
from fixtures_ui_shell import copy_bundled, make_tool, wait_idle

GLYPHS = set("＋⋯☆★▶✕☰▦")
# symbol glyphs stock fonts on a fresh Linux install may lack (drawn as missing-glyph boxes)
SYMBOLS = GLYPHS | set("♪◆⌘≡⇪⤢−▾")
DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def _reset_styles():
    yield
    from pixie_desktop.ui import theme
    from pixie_desktop.ui.widgets import craft_style

    theme.set_contrast_setting("system")
    craft_style.set_density("comfortable")


def _shown(qtbot, win, size=(1280, 800)):
    win.resize(*size)
    win.show()
    qtbot.waitExposed(win)
    win.resize(*size)
    qtbot.wait(20)


def _secret_tool(tools_dir):
    spec = {"id": "keyed", "name": "Keyed", "description": "needs a key",
            "secrets": [{"key": "API_TOKEN", "description": "the service token", "required": True}],
            "inputs": [{"key": "x", "type": "text", "label": "X"}],
            "outputs": [{"key": "y", "type": "text", "label": "Y"}]}
    return write_tool(tools_dir, "keyed", spec, main_py="")


def _setup_tool(tools_dir):
    d = make_tool(tools_dir, "heavy", "Heavy", main_py="")
    (d / "pyproject.toml").write_text('[project]\nname = "heavy"\nversion = "1.0"\n'
                                      'dependencies = ["surely-not-installed-pkg>=1"]\n')
    return d


# -- readiness words ----------------------------------------------------------------------------

def test_readiness_says_what_a_user_can_act_on(ctx, tools_dir):
    from pixie_desktop.queries.readiness import tool_readiness
    from pixie_desktop.runtime.secrets import write_secret

    d = _secret_tool(tools_dir)
    _setup_tool(tools_dir)
    make_tool(tools_dir, "plain", "Plain", main_py="")
    by_id = {t.tool_id: t for t in ctx.tools()}
    keyed = tool_readiness(by_id["keyed"])
    assert (keyed.key, keyed.text) == ("key_required", "Key required") and "API_TOKEN" in keyed.tip
    assert tool_readiness(by_id["heavy"]).text == "Needs setup"
    assert tool_readiness(by_id["plain"]).text == "Ready"
    write_secret(d, "API_TOKEN", "s3cret-value")
    assert tool_readiness(by_id["keyed"]).text == "Ready"  # the .env changed: not the cached answer


def test_badges_on_page_home_and_sidebar(qtbot, make_window, tools_dir, ctx):
    from PySide6.QtCore import Qt

    from pixie_desktop.config import save_setting
    from pixie_desktop.ui.models import tools_model as tm

    _secret_tool(tools_dir)
    _setup_tool(tools_dir)
    make_tool(tools_dir, "plain", "Plain", main_py="")
    win = make_window(restore=False)
    _shown(qtbot, win)
    assert win.open_tool("keyed")
    page = win.tool_pages["keyed"]
    assert page.state_badge.text() == "Key required" and "API_TOKEN" in page.state_badge.toolTip()
    assert win.open_tool("plain")
    plain = win.tool_pages["plain"]
    assert plain.state_badge.text() == "Ready"
    assert plain.internal_badge is None  # Warm/Dormant are developer words
    texts = [w.text() for w in plain.badge_widget.findChildren(type(plain.state_badge))]
    assert "Dormant" not in texts and "Warm" not in texts
    save_setting(ctx.settings, ctx.conn, "developer_mode", True)
    assert plain.internal_badge is not None and plain.internal_badge.text() == "Dormant"
    assert win.open_tool("heavy")
    assert win.tool_pages["heavy"].state_badge.text() == "Needs setup"

    win.show_page("home")  # the badges are worked out in the background after the first paint

    def home_badges() -> dict:
        cards = win.home.cards_box.findChildren(
            __import__("pixie_desktop.ui.views.home", fromlist=["ToolCard"]).ToolCard)
        return {c.tool_id: (c.badge.text() if c.badge else None) for c in cards}

    qtbot.waitUntil(lambda: home_badges().get("heavy") == "Needs setup", timeout=10_000)
    badges = home_badges()
    assert badges.get("keyed") == "Key required" and badges.get("heavy") == "Needs setup"
    assert badges.get("plain") is None
    assert win.home.summary.text().startswith("1 tool ready · 2 need a key or setup")

    row = win.tools_model.row_of("keyed")
    ix = win.tools_model.index(row, 0)
    assert ix.data(tm.ReadinessRole).text == "Key required"
    assert ix.data(Qt.ItemDataRole.ToolTipRole).startswith("Key required")
    assert ix.data(Qt.ItemDataRole.AccessibleTextRole) == "Keyed, Key required"


def test_page_error_names_the_field(qtbot, make_window, tools_dir):
    make_tool(tools_dir, "needy", "Needy", main_py="",
              inputs=[{"key": "data", "type": "text", "label": "CSV file", "required": True}])
    win = make_window(restore=False)
    _shown(qtbot, win)
    assert win.open_tool("needy")
    page = win.tool_pages["needy"]
    assert not page.run()
    assert page.status_label.text() == "Check 'CSV file': this field is required"


# -- the Run button -------------------------------------------------------------------------------

def test_run_button_looks_ready_invalid_and_running(qtbot, make_window, tools_dir):
    copy_bundled(tools_dir, "slow-counter")
    make_tool(tools_dir, "needy", "Needy", main_py="",
              inputs=[{"key": "data", "type": "text", "label": "CSV file", "required": True}])
    win = make_window(restore=False)
    _shown(qtbot, win)
    assert win.open_tool("needy")
    needy = win.tool_pages["needy"]
    assert needy.run_button.property("runState") == "invalid"
    assert "Check 'CSV file'" in needy.run_button.toolTip()
    needy.form.set_values({"data": "a,b"})
    qtbot.waitUntil(lambda: needy.run_button.property("runState") == "ready")
    assert needy.run_button.text() == "Run" and not needy.run_button.icon().isNull()

    assert win.open_tool("slow-counter")
    page = win.tool_pages["slow-counter"]
    page.form.set_values({"steps": 200, "delay": 0.05})
    assert page.run()
    assert page.run_button.property("runState") == "running"
    qtbot.waitUntil(lambda: page.run_button.text() == "Running…", timeout=20_000)
    assert not page.run_button.isEnabled() and page.cancel_button.isEnabled()
    assert page.state_badge.text() == "Running"
    assert page.run_button.accessibleName() == "Running…"
    page.cancel()
    wait_idle(qtbot, page)
    assert page.run_button.property("runState") == "ready" and page.run_button.text() == "Run"
    assert page.state_badge.text() == "Ready"
    sheet = __import__("PySide6.QtWidgets", fromlist=["QApplication"]).QApplication.instance().styleSheet()
    assert 'QPushButton#Primary[runState="running"]' in sheet and "QPushButton#Primary:disabled" in sheet


# -- developer mode ------------------------------------------------------------------------------

def test_developer_mode_shows_ids_pids_ports_and_raw_json(qtbot, make_window, tools_dir, ctx):
    from pixie_desktop.config import save_setting

    copy_bundled(tools_dir, "calculator")
    win = make_window(restore=False)
    _shown(qtbot, win)
    assert win.open_tool("calculator")
    page = win.tool_pages["calculator"]
    tabs = [page.right_tabs.tabText(i) for i in range(page.right_tabs.count())]
    assert "Developer" not in tabs and page.developer is None
    save_setting(ctx.settings, ctx.conn, "developer_mode", True)
    assert page.developer is not None
    page.form.set_values({"a": 6, "op": "multiply", "b": 7})
    assert page.run()
    wait_idle(qtbot, page)
    text = page.developer.text.toPlainText()
    assert f"run id      {page.last_result.run_id}" in text
    assert "tool pid" in text and "port" in text and "outputs (raw JSON)" in text
    assert '"a": 6' in text  # the inputs as stored
    port_line = next(line for line in text.splitlines() if line.startswith("port"))
    assert any(ch.isdigit() for ch in port_line)  # the warm process's port
    assert page.internal_badge is not None and page.internal_badge.text() == "Warm"
    save_setting(ctx.settings, ctx.conn, "developer_mode", False)
    assert page.developer is None and page.internal_badge is None
    assert "Developer" not in [page.right_tabs.tabText(i) for i in range(page.right_tabs.count())]


# -- density, focus, contrast -------------------------------------------------------------------

def test_density_changes_paddings_and_sidebar_rows(qtbot, make_window, shell_tools, ctx):
    from PySide6.QtWidgets import QApplication

    from pixie_desktop.config import save_setting

    win = make_window(restore=False)
    _shown(qtbot, win)
    tree = win.sidebar.tree
    first_tool = tree.model().index(0, 0, tree.model().index(0, 0))
    comfortable = tree.visualRect(first_tool).height()
    save_setting(ctx.settings, ctx.conn, "density", "compact")
    sheet = QApplication.instance().styleSheet()
    assert "padding: 2px 5px" in sheet
    qtbot.waitUntil(lambda: tree.visualRect(first_tool).height() < comfortable)
    assert tree.visualRect(first_tool).height() == comfortable - 6
    save_setting(ctx.settings, ctx.conn, "density", "airy")
    assert "padding: 7px 9px" in QApplication.instance().styleSheet()
    qtbot.waitUntil(lambda: tree.visualRect(first_tool).height() == comfortable + 6)


def test_focus_ring_and_high_contrast(qtbot, make_window, shell_tools, ctx, monkeypatch):
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QApplication

    from pixie_desktop.config import save_setting
    from pixie_desktop.ui import theme

    win = make_window(restore=False)
    _shown(qtbot, win)
    sheet = QApplication.instance().styleSheet()
    for rule in ("QPushButton#Primary:focus", "QAbstractItemView:focus", "QFrame#ToolCard:focus",
                 "QPushButton#NavButton:focus", "QTabBar::tab:focus"):
        assert rule in sheet, rule
    normal_text = theme.current().text
    save_setting(ctx.settings, ctx.conn, "contrast", "high")
    t = theme.current()
    assert t.text in ("#000000", "#ffffff") and t.border == t.text and t.text != normal_text
    window = QApplication.instance().palette().color(QPalette.ColorRole.Window).name()
    assert window in ("#ffffff", "#000000")
    save_setting(ctx.settings, ctx.conn, "contrast", "system")
    assert theme.current().text == normal_text
    # "system" follows the platform's contrast preference (forced here: offscreen has none)
    monkeypatch.setattr(theme, "platform_wants_high_contrast", lambda: True)
    win.shell_style.apply() if hasattr(win, "shell_style") else theme.apply_theme()
    assert theme.current().border == theme.current().text


def test_keyboard_reaches_inputs_run_outputs_and_history(qtbot, make_window, tools_dir):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QWidget

    copy_bundled(tools_dir, "calculator")
    win = make_window(restore=False)
    _shown(qtbot, win)
    assert win.open_tool("calculator")
    page = win.tool_pages["calculator"]
    page.form.set_values({"a": 6, "op": "multiply", "b": 7})
    assert page.run()
    wait_idle(qtbot, page)
    qtbot.wait(50)

    def tab_chain(start: QWidget) -> list[QWidget]:
        seen, w = [], start.nextInFocusChain()
        while w is not start and len(seen) < 2000:
            if (w.isVisible() and w.isEnabled() and w.focusPolicy() & Qt.FocusPolicy.TabFocus
                    and w.window() is win):
                seen.append(w)
            w = w.nextInFocusChain()
        return seen

    chain = tab_chain(win)
    assert page.run_button in chain
    for key in ("a", "b"):
        field = page.form.widget_for(key)
        assert any(field.isAncestorOf(w) or w is field for w in chain), key
    assert any(page.right_tabs.isAncestorOf(w) for w in chain)  # the outputs area and its tab bar
    win.show_page("history")
    qtbot.wait(50)
    assert win.history_page.table in tab_chain(win)


# -- glyphs and icons -----------------------------------------------------------------------------

def test_no_symbol_glyphs_as_button_text(qtbot, make_window, shell_tools):
    from PySide6.QtWidgets import QAbstractButton

    win = make_window(restore=False)
    _shown(qtbot, win)
    assert win.open_tool("alpha")
    page = win.tool_pages["alpha"]
    assert page.more_button.text() == "" and not page.more_button.icon().isNull()
    assert page.more_button.accessibleName() == "More actions"
    assert page.fav_button.text() == "" and not page.fav_button.icon().isNull()
    bad = [b.text() for b in win.findChildren(QAbstractButton) if b.isVisible() and set(b.text()) & GLYPHS]
    assert not bad, bad


def _symbol_texts(root) -> list[str]:
    """Texts of every button and label under `root` (shown or not: a narrow window shows
    others) that draw a symbol glyph."""
    from PySide6.QtWidgets import QAbstractButton, QLabel

    widgets = [root, *root.findChildren(QAbstractButton), *root.findChildren(QLabel)]
    return [f"{type(w).__name__} {w.text()!r}" for w in widgets
            if isinstance(w, (QAbstractButton, QLabel)) and set(w.text()) & SYMBOLS]


def _icon_only(button, name: str) -> None:
    assert button.text() == "" and not button.icon().isNull(), button.text()
    assert button.accessibleName() == name


def test_gallery_and_preview_draw_icons_not_glyphs(qtbot, ctx, seeder):
    import dataclasses

    from fixtures_gallery import png_bytes
    from pixie_desktop.ui import workers
    from pixie_desktop.ui.views.gallery import GalleryView

    seeder.run("r1", "demo")
    aid = seeder.artefact("r1", "chart.png", png_bytes(40, 30), mime="image/png")
    gallery = GalleryView(ctx)
    qtbot.addWidget(gallery)
    gallery.resize(1100, 700)
    gallery.show()
    qtbot.waitUntil(lambda: gallery.model.rowCount() == 1, timeout=5000)
    gallery.select_ids([aid])
    preview = gallery.preview
    qtbot.waitUntil(lambda: preview.current_id() == aid, timeout=5000)
    _icon_only(gallery.grid_btn, "Grid")
    _icon_only(gallery.list_btn, "Details list")
    assert gallery.starred_btn.text() == "Starred" and not gallery.starred_btn.icon().isNull()
    assert gallery.filters_btn.text() == "Filters" and not gallery.filters_btn.icon().isNull()
    _icon_only(preview.star_btn, "Star")
    row = gallery.model.row_at(gallery.model.row_of(aid))
    preview.show_row(dataclasses.replace(row, record=dataclasses.replace(row.record, starred=True)), None)
    _icon_only(preview.star_btn, "Unstar")
    assert not _symbol_texts(gallery), _symbol_texts(gallery)
    workers.wait_for_all(10_000)


def test_every_input_widget_draws_icons_not_glyphs(qtbot):
    from PySide6.QtWidgets import QAbstractButton

    from pixie_desktop.manifest.parse import parse_tool_file
    from pixie_desktop.ui.inputs.form import ToolForm

    spec = parse_tool_file(DATA / "all-inputs.tool.json")
    form = ToolForm(spec)
    qtbot.addWidget(form)
    form.resize(900, 1400)
    form.set_values({"t_tags": ["alpha", "beta"], "t_date_range": ["2026-03-01", "2026-03-31"],
                     "t_table": [{"name": "Widgets", "count": 12}],
                     "t_file": "data:text/plain;base64,aGVsbG8=",
                     "t_map_multipoint": [[51.5, -0.12], [48.85, 2.35]]})
    form.show()
    qtbot.waitExposed(form)
    assert not _symbol_texts(form), _symbol_texts(form)
    unnamed_icons = [b for b in form.findChildren(QAbstractButton) if not b.text() and not b.accessibleName()]
    assert not unnamed_icons, [b.toolTip() for b in unnamed_icons]
    iconed = [b.accessibleName() for b in form.findChildren(QAbstractButton) if not b.icon().isNull()]
    for name in ("Remove alpha", "Zoom in", "Zoom out", "Fit", "Clear"):
        assert name in iconed, (name, iconed)


def test_palette_kinds_and_media_outputs_draw_icons_not_glyphs(qtbot, monkeypatch):
    from PySide6.QtGui import QPainter

    from pixie_desktop.manifest.model import OutputSpec
    from pixie_desktop.ui.outputs import create_renderer
    from pixie_desktop.ui.views.command_palette import CommandPalette, PaletteItem

    drawn: list[str] = []
    real = QPainter.drawText

    def spy(self, *args):
        drawn.extend(a for a in args if isinstance(a, str))
        return real(self, *args)

    palette = CommandPalette()
    qtbot.addWidget(palette)
    palette.set_items([PaletteItem(kind, f"Item {kind}") for kind in ("tool", "run", "artefact", "action", "preset")])
    palette.resize(600, 400)
    monkeypatch.setattr(QPainter, "drawText", spy)
    palette.list.grab()
    monkeypatch.undo()
    assert any("Item tool" in t for t in drawn), drawn  # the delegate did paint
    assert not [t for t in drawn if set(t) & SYMBOLS], drawn

    for kind in ("audio", "video"):
        card = create_renderer(OutputSpec(key=kind, type=kind, label=kind.title()))
        qtbot.addWidget(card)
        card.set_value("data:audio/wav;base64,UklGRiQAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YQAAAAA="
                       if kind == "audio" else "data:video/mp4;base64,AAAA")
        assert not _symbol_texts(card), (kind, _symbol_texts(card))
        assert card.icon.pixmap() is not None and not card.icon.pixmap().isNull()


def test_tool_icon_path_is_confined_to_the_tool_folder(tmp_path):
    from PySide6.QtGui import QImage

    from pixie_desktop.ui.widgets.icons import icon_file

    tool = tmp_path / "tool"
    tool.mkdir()
    img = QImage(8, 8, QImage.Format.Format_ARGB32)
    img.fill(0xFF3366CC)
    img.save(str(tool / "logo.png"))
    outside = tmp_path / "secret.png"
    img.save(str(outside))
    (tool / "link.png").symlink_to(outside)
    (tool / "notes.txt").write_text("hi")
    assert icon_file(tool, "logo.png") == (tool / "logo.png").resolve()
    for bad in ("../secret.png", str(outside), "link.png", "notes.txt", "missing.png", "~/x.png"):
        assert icon_file(tool, bad) is None, bad


def test_tool_icon_shown_in_header_home_and_sidebar(qtbot, make_window, tools_dir):
    from PySide6.QtGui import QImage

    d = make_tool(tools_dir, "pictured", "Pictured", main_py="")
    img = QImage(16, 16, QImage.Format.Format_ARGB32)
    img.fill(0xFF22AA44)
    img.save(str(d / "icon.png"))
    spec = json.loads((d / "tool.json").read_text())
    spec["icon"] = "icon.png"
    (d / "tool.json").write_text(json.dumps(spec))
    named = make_tool(tools_dir, "named", "Named", main_py="")
    spec = json.loads((named / "tool.json").read_text())
    spec["icon"] = "calculator"
    (named / "tool.json").write_text(json.dumps(spec))
    escape = make_tool(tools_dir, "escape", "Escape", main_py="")
    spec = json.loads((escape / "tool.json").read_text())
    spec["icon"] = "../pictured/icon.png"
    (escape / "tool.json").write_text(json.dumps(spec))

    win = make_window(restore=False)
    _shown(qtbot, win)
    kinds = {}
    for tid in ("pictured", "named", "escape"):
        assert win.open_tool(tid)
        kinds[tid] = win.tool_pages[tid].avatar.icon_kind
    assert kinds == {"pictured": "image", "named": "named", "escape": "letter"}
    win.show_page("home")
    win._refresh_home()
    from pixie_desktop.ui.views.tool_page import Avatar

    home_kinds = sorted(a.icon_kind for a in win.home.cards_box.findChildren(Avatar))
    assert home_kinds == ["image", "letter", "named"]
    tree = win.sidebar.tree
    tree.viewport().grab()  # the delegate paints every kind without error


def test_icons_render_from_svg():
    from pixie_desktop.ui.widgets import icons

    for name in ("plus", "more-horizontal", "star", "star-filled", "play", "x", "key", "calculator"):
        ic = icons.icon(name)
        assert not ic.isNull() and not ic.pixmap(16, 16).toImage().isNull(), name
    pm = icons.named_pixmap("plus", 16, "#ff0000")
    img = pm.toImage()
    assert any(img.pixelColor(x, 8).red() > 200 and img.pixelColor(x, 8).alpha() > 0 for x in range(2, 30))


# -- settings dialog -----------------------------------------------------------------------------

def test_settings_dialog_disk_cap_in_gb_and_storage_rows(qtbot, ctx):
    from pixie_desktop.ui.views.settings_dialog import SettingsDialog

    dlg = SettingsDialog(ctx.settings, ctx.conn)
    qtbot.addWidget(dlg)
    cap = dlg.rows["artefacts_total_disk_cap_bytes"].editor
    assert cap.suffix() == " GB" and cap.specialValueText() == "No cap"
    assert "contrast" in dlg.rows and "density" in dlg.rows and "dedup_artefacts" in dlg.rows
    assert not dlg.dirty()
    cap.setValue(2.5)
    assert dlg.dirty() == {"artefacts_total_disk_cap_bytes": 2_500_000_000}
    assert dlg.apply()
    assert ctx.settings.artefacts_total_disk_cap_bytes == 2_500_000_000
    assert not dlg.dirty()
    # Storage rows come right after the storage panel, before the other groups
    grid = dlg.grid
    pos = {n: grid.getItemPosition(grid.indexOf(r.editor))[0] for n, r in dlg.rows.items()}
    assert pos["artefacts_total_disk_cap_bytes"] < pos["theme"]


def test_window_icon_on_dialogs(qtbot, ctx):
    from PySide6.QtWidgets import QApplication

    from pixie_desktop.ui.tray import app_icon
    from pixie_desktop.ui.views.settings_dialog import SettingsDialog

    app = QApplication.instance()
    before = app.windowIcon()
    app.setWindowIcon(app_icon())  # what ui/app.py does at start
    try:
        dlg = SettingsDialog(ctx.settings, ctx.conn)
        qtbot.addWidget(dlg)
        assert not dlg.windowIcon().isNull()
    finally:
        app.setWindowIcon(before)


# -- help and README agree -------------------------------------------------------------------------

def test_readme_and_home_agree_with_the_shortcut_help(qtbot, make_window, shell_tools):
    import re

    from PySide6.QtWidgets import QLabel

    from pixie_desktop.ui.app import install_extensions

    win = make_window(restore=False)
    exts = install_extensions(win, win.ctx)
    try:
        rows = {keys: what for keys, what, _ids in win.action_registry.shortcut_rows()}
    finally:
        exts.shutdown()
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Keyboard shortcuts", 1)[1].split("\n## ", 1)[0]
    table = dict(re.findall(r"^\| ([^|]+?) \| ([^|]+?) \|$", section, re.M)[1:])  # skip the header row
    assert table == rows
    # every "Ctrl+X <words>" the README or Home mentions elsewhere names the same action
    tip = next(lab.text() for lab in win.home.findChildren(QLabel) if "command palette" in lab.text())
    find_keys = next(k for k, w in rows.items() if w.startswith("find a tool"))
    palette_keys = next(k for k, w in rows.items() if w.startswith("command palette"))
    assert "Ctrl+F searches tools" in tip and "Ctrl+F" in find_keys
    assert "Ctrl+K command palette" in tip and "Ctrl+K" in palette_keys
    assert "searchable as you type (Ctrl+F)" in readme and "press Ctrl+K for the command palette" in readme


# -- accessible names in dialogs --------------------------------------------------------------------

def test_dialogs_have_no_unnamed_interactive_widgets(qtbot, make_window, tools_dir, ctx):
    """The dialogs a user meets: new tool, secrets, per-tool settings, batch, workspaces, the
    command palette and Settings — every button, field and list has an accessible name."""
    from accessibility import unnamed_interactive
    from pixie_desktop.ui.views import workspace_dialogs as wd
    from pixie_desktop.ui.views.batch_dialog import BatchDialog
    from pixie_desktop.ui.views.command_palette import CommandPalette, PaletteItem
    from pixie_desktop.ui.views.new_tool_dialog import NewToolDialog
    from pixie_desktop.ui.views.secrets_editor import SecretsEditorDialog
    from pixie_desktop.ui.views.settings_dialog import SettingsDialog
    from pixie_desktop.ui.views.tool_settings_dialog import ToolSettingsDialog

    copy_bundled(tools_dir, "csv-summary")
    _secret_tool(tools_dir)
    win = make_window(restore=False)
    _shown(qtbot, win)
    assert win.open_tool("csv-summary")
    page = win.tool_pages["csv-summary"]
    palette = CommandPalette()
    palette.set_items([PaletteItem("action", "Alpha")])
    made = {"new tool": NewToolDialog(tools_dir), "secrets": SecretsEditorDialog(ctx.find_tool("keyed")),
            "tool settings": ToolSettingsDialog(ctx, "csv-summary"),
            "batch": BatchDialog(page.info, {}, parent=page), "workspaces": wd.WorkspaceManagerDialog(ctx.conn),
            "palette": palette, "settings": SettingsDialog(ctx.settings, ctx.conn)}
    missing = []
    for name, dlg in made.items():
        qtbot.addWidget(dlg)
        dlg.show()
        qtbot.waitExposed(dlg)
        missing += [f"{name}: {m}" for m in unnamed_interactive(dlg)]
        dlg.close()
    assert not missing, "\n".join(missing)


def test_gallery_with_tiles_is_named_and_reachable_by_tab(qtbot, make_window, shell_tools, ctx, seeder):
    from PySide6.QtCore import Qt

    from accessibility import unnamed_interactive
    from fixtures_gallery import png_bytes

    seeder.run("r1", "alpha")
    for i in range(3):
        seeder.artefact("r1", f"pic{i}.png", png_bytes(colour=f"#33{i}6cc"), tool_id="alpha", mime="image/png")
    win = make_window(restore=False)
    _shown(qtbot, win)
    win.show_page("gallery")
    gallery = win.pages["gallery"]
    qtbot.waitUntil(lambda: gallery.views.currentWidget() is not gallery.empty_label, timeout=10_000)
    qtbot.wait(50)
    assert unnamed_interactive(win) == []
    view = gallery.views.currentWidget()
    w, chain = win.nextInFocusChain(), []
    while w is not win and len(chain) < 2000:
        if w.isVisible() and w.isEnabled() and w.focusPolicy() & Qt.FocusPolicy.TabFocus:
            chain.append(w)
        w = w.nextInFocusChain()
    assert view in chain or any(view.isAncestorOf(x) for x in chain)


def test_warm_count_lists_pids_and_ports_in_developer_mode(qtbot, ctx):
    from types import SimpleNamespace

    from pixie_desktop.ui.widgets.warm_status import WarmCountLabel

    pool = SimpleNamespace(snapshot=lambda: [{"tool_id": "calculator", "pid": 4242, "port": 50123,
                                              "in_flight": 0, "idle_s": 3.0}])
    runner = SimpleNamespace(pool=pool, settings=ctx.settings)
    label = WarmCountLabel(lambda: runner)
    qtbot.addWidget(label)
    assert label.text() == "1 warm process" and "4242" not in label.toolTip()
    ctx.settings.values["developer_mode"] = True
    label.update_count()
    assert label.toolTip() == "calculator: pid 4242, port 50123, idle 3.0 s"
    label.stop()


def test_home_card_opens_with_the_keyboard(qtbot, make_window, shell_tools):
    from PySide6.QtCore import Qt

    from pixie_desktop.ui.views.home import ToolCard

    win = make_window(restore=False)
    _shown(qtbot, win)
    win.show_page("home")
    win._refresh_home()
    card = win.home.cards_box.findChildren(ToolCard)[0]
    assert card.focusPolicy() & Qt.FocusPolicy.TabFocus and card.accessibleName().startswith("Open ")
    with qtbot.waitSignal(win.home.toolActivated) as sig:
        qtbot.keyClick(card, Qt.Key.Key_Return)
    assert sig.args == [card.tool_id]


def test_validation_status_icons_draw_the_svg_check_and_cross(qtbot):
    from PySide6.QtGui import QImage

    from pixie_desktop.ui.views.validation_dialog import status_icon

    def white_pixels(img: QImage) -> int:
        return sum(1 for x in range(img.width()) for y in range(img.height())
                   if img.pixelColor(x, y).red() > 240 and img.pixelColor(x, y).green() > 240
                   and img.pixelColor(x, y).alpha() > 200)

    for status in ("pass", "fail"):
        assert white_pixels(status_icon(status).pixmap(40, 40).toImage()) > 10, status


def test_history_detail_shows_developer_details_in_developer_mode(qtbot, make_window, tools_dir, ctx):
    from pixie_desktop.config import save_setting

    copy_bundled(tools_dir, "calculator")
    win = make_window(restore=False)
    _shown(qtbot, win, (1280, 900))
    assert win.open_tool("calculator")
    page = win.tool_pages["calculator"]
    page.form.set_values({"a": 6, "op": "multiply", "b": 7})
    assert page.run()
    wait_idle(qtbot, page)
    run_id = page.last_result.run_id
    win.show_page("history")
    history = win.pages["history"]
    qtbot.waitUntil(lambda: history.model.row_of(run_id) >= 0, timeout=5000)
    history.select_runs([run_id])
    qtbot.waitUntil(lambda: history.details.isVisible(), timeout=3000)
    assert history.developer is None  # off by default: only the inputs
    save_setting(ctx.settings, ctx.conn, "developer_mode", True)
    assert history.developer is not None and history.developer.isVisible()
    text = history.developer.text.toPlainText()
    assert f"run id      {run_id}" in text and "tool pid" in text
    assert '"a": 6' in text and "outputs (raw JSON)" in text and "42" in text
    port_line = next(line for line in text.splitlines() if line.startswith("port"))
    assert any(ch.isdigit() for ch in port_line), port_line  # the warm process's port
    save_setting(ctx.settings, ctx.conn, "developer_mode", False)
    assert history.developer is None


def test_history_star_column_header_is_an_icon(qtbot, ctx):
    from PySide6.QtCore import Qt

    from pixie_desktop.ui.models import runs_model as rm

    model = rm.RunsModel(ctx.conn)
    header = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert not [h for h in header if set(h or "") & SYMBOLS], header
    assert not model.headerData(rm.COL_STAR, Qt.Orientation.Horizontal, Qt.ItemDataRole.DecorationRole).isNull()
    assert model.headerData(rm.COL_STAR, Qt.Orientation.Horizontal, Qt.ItemDataRole.AccessibleTextRole) == "Starred"
