"""Palette and stylesheet helpers shared by every view: light and dark follow the system colour
scheme, one accent colour, semantic colours (danger/warn/success), a chart series palette and the
map colours. Widgets ask `current()` for a `Theme` instead of hard-coding colours, so a scheme
change (Qt's `colorSchemeChanged`) restyles everything through `apply_theme`.

Under the offscreen platform the system scheme is `Unknown`; we then read the palette's window
lightness, which defaults to light."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette

log = logging.getLogger(__name__)

ACCENTS: dict[str, str] = {
    "indigo": "#5563d1", "blue": "#2f7de1", "teal": "#1f9e89", "green": "#3c9a4a",
    "amber": "#d18b1f", "red": "#d1495b", "pink": "#c2529b", "violet": "#8a5cd1",
}
DEFAULT_ACCENT = "indigo"

# Series colours chosen to stay distinguishable on both light and dark surfaces.
SERIES_LIGHT = ["#5563d1", "#e07a2f", "#2a9d8f", "#d1495b", "#8a5cd1", "#3c9a4a", "#c2529b",
                "#6b7785", "#b08d1a", "#2f7de1"]
SERIES_DARK = ["#8b95f0", "#f2a25c", "#4fc3b3", "#f07685", "#b08cf0", "#6cc77a", "#e07fc0",
               "#a3adb9", "#e0c04a", "#6aa8f5"]


@dataclass(frozen=True)
class Theme:
    dark: bool
    window: str
    surface: str        # card background
    surface_alt: str    # inset fields, table stripes
    border: str
    text: str
    muted: str
    accent: str
    accent_text: str    # text drawn on the accent colour
    danger: str
    warn: str
    success: str
    info: str
    water: str
    land: str
    coast: str
    series: list[str] = field(default_factory=list)

    def series_colour(self, i: int) -> str:
        return self.series[i % len(self.series)]


_accent_name = DEFAULT_ACCENT
_listeners: list[Callable[[Theme], None]] = []
# More rules appended to the app-wide stylesheet (the shell's own, ui/shell_style.py): joined
# into the one setStyleSheet call, since each call restyles every existing widget.
_sheet_parts: list[Callable[["Theme"], str]] = []


def system_is_dark() -> bool:
    """The OS colour scheme; when the platform does not say (offscreen, some X11 desktops), the
    style's own standard palette — never the palette we set ourselves, which would make a
    switch back from "dark" to "system" stick on dark. In the app's own QApplication, made with
    Fusion from the start (`started_with_fusion`), the application palette is that same
    platform palette until we set ours: read there, without asking for the style (app.style()
    from Python realises QStyle and its enums, ~5 ms of the start-up)."""
    try:
        scheme = QGuiApplication.styleHints().colorScheme()
        if scheme == Qt.ColorScheme.Dark:
            return True
        if scheme == Qt.ColorScheme.Light:
            return False
    except AttributeError:  # Qt < 6.5
        pass
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return False
    if app is _fusion_app and _applied_dark is None:  # no palette of ours yet: still the platform's
        return QGuiApplication.palette().color(QPalette.ColorRole.Window).lightness() < 128
    style = app.style()
    if style is None:
        return False
    return style.standardPalette().color(QPalette.ColorRole.Window).lightness() < 128


# The QApplication ui/app.py created with "-style fusion" (None: not known), so apply_theme need
# not ask it for its style (see system_is_dark: that realises QStyle's enums).
_fusion_app: object | None = None


def started_with_fusion(app: object) -> None:
    """`app` runs Fusion from its creation (the `-style fusion` argument): nothing restyles it."""
    global _fusion_app
    _fusion_app = app


def set_accent(name_or_hex: str, *, notify: bool = True) -> None:
    """Choose the accent (a name from ACCENTS or any colour); `notify=False` when a full
    apply_theme follows anyway."""
    global _accent_name
    _accent_name = name_or_hex
    if notify:
        _notify()


def accent_hex() -> str:
    if _accent_name in ACCENTS:
        return ACCENTS[_accent_name]
    c = QColor(_accent_name)
    return c.name() if c.isValid() else ACCENTS[DEFAULT_ACCENT]


# The scheme `apply_theme` last applied (None until then): the user may force light or dark on a
# system of the other scheme, so "what is shown" is not always what the OS prefers.
_applied_dark: bool | None = None


def current(dark: bool | None = None) -> Theme:
    """The theme for `dark`; without it, the one the app shows now (what `apply_theme` applied,
    else the system's scheme)."""
    if dark is None:
        dark = _applied_dark if _applied_dark is not None else system_is_dark()
    acc = accent_hex()
    if dark:
        return with_contrast(Theme(
            dark=True, window="#1e2026", surface="#272a31", surface_alt="#2f333b", border="#3a3f49",
            text="#e6e8ec", muted="#9aa1ad", accent=QColor(acc).lighter(125).name(), accent_text="#ffffff",
            danger="#f07685", warn="#e0b04a", success="#6cc77a", info="#6aa8f5",
            water="#1b2430", land="#3a4150", coast="#566074", series=list(SERIES_DARK)))
    return with_contrast(Theme(
        dark=False, window="#f4f5f8", surface="#ffffff", surface_alt="#f7f8fa", border="#e1e4ea",
        text="#1f2329", muted="#6b7380", accent=acc, accent_text="#ffffff",
        danger="#c93a4c", warn="#b7791f", success="#2f8a3e", info="#2f7de1",
        water="#e8f0f8", land="#dfe4d8", coast="#a9b3a0", series=list(SERIES_LIGHT)))


def contrast_text(bg: str) -> str:
    """Black or white, whichever reads better on `bg`."""
    c = QColor(bg)
    lum = 0.2126 * c.redF() + 0.7152 * c.greenF() + 0.0722 * c.blueF()
    return "#111111" if lum > 0.55 else "#ffffff"


def palette_for(theme: Theme) -> QPalette:
    p = QPalette()
    R = QPalette.ColorRole
    p.setColor(R.Window, QColor(theme.window))
    p.setColor(R.WindowText, QColor(theme.text))
    p.setColor(R.Base, QColor(theme.surface))
    p.setColor(R.AlternateBase, QColor(theme.surface_alt))
    p.setColor(R.Text, QColor(theme.text))
    p.setColor(R.Button, QColor(theme.surface))
    p.setColor(R.ButtonText, QColor(theme.text))
    p.setColor(R.ToolTipBase, QColor(theme.surface))
    p.setColor(R.ToolTipText, QColor(theme.text))
    p.setColor(R.PlaceholderText, QColor(theme.muted))
    p.setColor(R.Highlight, QColor(theme.accent))
    p.setColor(R.HighlightedText, QColor(theme.accent_text))
    p.setColor(R.Link, QColor(theme.accent))
    p.setColor(R.Mid, QColor(theme.border))
    if theme.dark:  # QPalette()'s light-theme bevel roles drew a white line under dark tab bars
        p.setColor(R.Light, QColor(theme.border).lighter(120))
        p.setColor(R.Midlight, QColor(theme.border))
        p.setColor(R.Dark, QColor(theme.window).darker(130))
        p.setColor(R.Shadow, QColor(theme.window).darker(200))
    try:
        p.setColor(R.Accent, QColor(theme.accent))
    except AttributeError:  # Qt < 6.6
        pass
    for group in (QPalette.ColorGroup.Disabled,):
        p.setColor(group, R.Text, QColor(theme.muted))
        p.setColor(group, R.WindowText, QColor(theme.muted))
        p.setColor(group, R.ButtonText, QColor(theme.muted))
    return p


def _icon(name: str) -> str:
    """Absolute path of a bundled stylesheet icon (resources/icons/<name>.svg), '/'-separated."""
    from pixie_desktop.integration.paths import resources_dir

    return (resources_dir() / "icons" / f"{name}.svg").as_posix()


def _on_accent(name: str, t: Theme) -> str:
    """The bundled mark drawn on the accent colour: light (white) or dark (black) strokes."""
    return f"{name}-{'dark' if QColor(t.accent_text).lightness() < 128 else 'light'}"


def stylesheet(theme: Theme | None = None) -> str:
    """App-wide rules for the object names/properties our widgets use (cards, drop zones, chips,
    help/error text). Kept in one place so views share one look."""
    t = theme or current()
    return f"""
QFrame#Card {{ background: {t.surface}; border: 1px solid {t.border}; border-radius: 10px; }}
QLabel#CardTitle {{ font-weight: 600; font-size: 10.5pt; color: {t.text}; }}
QLabel#CardUnit {{ color: {t.muted}; font-size: 9pt; }}
QLabel#CardCaption {{ color: {t.muted}; font-size: 9pt; }}
QLabel#FieldLabel {{ font-weight: 600; color: {t.text}; }}
QLabel#RequiredMark {{ color: {t.danger}; font-weight: 700; }}
QLabel#HelpText {{ color: {t.muted}; font-size: 9pt; }}
QLabel#ErrorText {{ color: {t.danger}; font-size: 9pt; }}
QLabel#GroupHeading {{ color: {t.muted}; font-weight: 700; font-size: 8.5pt; letter-spacing: 1px;
    padding-top: 10px; border-bottom: 1px solid {t.border}; padding-bottom: 4px; }}
QLabel#EmptyState {{ color: {t.muted}; font-size: 10.5pt; padding: 40px; }}
QLabel#BigNumber {{ font-size: 24pt; font-weight: 600; color: {t.text}; }}
QLabel#Muted {{ color: {t.muted}; }}
QFrame#DropZone {{ border: 2px dashed {t.border}; border-radius: 10px; background: {t.surface_alt}; }}
QFrame#DropZone[dragActive="true"] {{ border-color: {t.accent}; background: {QColor(t.accent).lighter(190).name() if not t.dark else QColor(t.accent).darker(260).name()}; }}
QFrame#Chip {{ background: {QColor(t.accent).lighter(185).name() if not t.dark else QColor(t.accent).darker(230).name()};
    border: 1px solid {QColor(t.accent).lighter(150).name() if not t.dark else QColor(t.accent).darker(160).name()}; border-radius: 11px; }}
QFrame#Fallback {{ background: {t.surface_alt}; border: 1px solid {t.border}; border-left: 3px solid {t.warn}; border-radius: 6px; }}
QFrame#ErrorBox {{ background: {t.surface}; border: 1px solid {t.danger}; border-left: 4px solid {t.danger}; border-radius: 8px; }}
QFrame#FileEntry {{ background: {t.surface}; border: 1px solid {t.border}; border-radius: 8px; }}
QPushButton#Primary {{ background: {t.accent}; color: {t.accent_text}; border: none; border-radius: 6px; padding: 6px 14px; font-weight: 600; }}
QPushButton#Link {{ border: none; color: {t.accent}; background: transparent; text-decoration: underline; padding: 0; }}
QPushButton#Small, QToolButton#Small {{ padding: 2px 8px; border: 1px solid {t.border}; border-radius: 5px; background: {t.surface}; }}
QPushButton#Small:hover, QToolButton#Small:hover {{ border-color: {t.accent}; }}
QScrollArea#FormScroll, QScrollArea#OutputScroll, QScrollArea#PageScroll {{ background: transparent; border: none; }}
QWidget#FormBody, QWidget#OutputBody {{ background: transparent; }}
QLineEdit, QPlainTextEdit, QTextEdit, QSpinBox, QDoubleSpinBox, QDateTimeEdit, QComboBox {{
    border: 1px solid {t.border}; border-radius: 6px; padding: 4px 6px; background: {t.surface};
    selection-background-color: {t.accent}; }}
QLineEdit:focus, QPlainTextEdit:focus, QTextEdit:focus, QSpinBox:focus, QDoubleSpinBox:focus,
QDateTimeEdit:focus, QComboBox:focus {{ border-color: {t.accent}; }}
QLineEdit[invalid="true"], QPlainTextEdit[invalid="true"] {{ border-color: {t.danger}; }}
QAbstractSpinBox {{ padding-right: 22px; }}
QAbstractSpinBox::up-button, QAbstractSpinBox::down-button {{ subcontrol-origin: border; width: 20px;
    border-left: 1px solid {t.border}; background: {t.surface_alt}; }}
QAbstractSpinBox::up-button {{ subcontrol-position: top right; border-top-right-radius: 6px; }}
QAbstractSpinBox::down-button {{ subcontrol-position: bottom right; border-bottom-right-radius: 6px; }}
QAbstractSpinBox::up-button:hover, QAbstractSpinBox::down-button:hover {{ background: {t.border}; }}
QAbstractSpinBox::up-arrow {{ image: url({_icon("chevron-up")}); width: 10px; height: 10px; }}
QAbstractSpinBox::down-arrow {{ image: url({_icon("chevron-down")}); width: 10px; height: 10px; }}
QComboBox {{ padding-right: 24px; }}
QComboBox::drop-down, QDateTimeEdit::drop-down {{ subcontrol-origin: border; subcontrol-position: top right;
    width: 22px; border: none; border-left: 1px solid {t.border}; border-top-right-radius: 6px;
    border-bottom-right-radius: 6px; background: {t.surface_alt}; }}
QComboBox::down-arrow, QDateTimeEdit::down-arrow {{ image: url({_icon("chevron-down")}); width: 10px; height: 10px; }}
QComboBox QAbstractItemView {{ border: 1px solid {t.border}; background: {t.surface}; selection-background-color: {t.accent};
    selection-color: {t.accent_text}; outline: none; }}
QScrollBar:vertical {{ background: transparent; width: 11px; margin: 2px; }}
QScrollBar:horizontal {{ background: transparent; height: 11px; margin: 2px; }}
QScrollBar::handle:vertical {{ background: {t.border}; border-radius: 3px; min-height: 28px; margin: 0 2px; }}
QScrollBar::handle:horizontal {{ background: {t.border}; border-radius: 3px; min-width: 28px; margin: 2px 0; }}
QScrollBar::handle:hover {{ background: {t.muted}; }}
QScrollBar::add-line, QScrollBar::sub-line {{ width: 0; height: 0; border: none; background: none; }}
QScrollBar::add-page, QScrollBar::sub-page {{ background: none; }}
QTabWidget::pane {{ border: 1px solid {t.border}; border-radius: 6px; top: -1px; background: {t.surface}; }}
QTabBar::tab {{ padding: 5px 12px; border: 1px solid transparent; border-bottom: 2px solid transparent; color: {t.muted}; }}
QTabBar::tab:selected {{ color: {t.text}; border-bottom: 2px solid {t.accent}; }}
QProgressBar {{ border: 1px solid {t.border}; border-radius: 6px; background: {t.surface_alt}; text-align: center; height: 14px; }}
QProgressBar::chunk {{ background: {t.accent}; border-radius: 5px; }}
QCheckBox::indicator, QGroupBox::indicator {{ width: 14px; height: 14px; border: 1px solid {t.muted};
    border-radius: 4px; background: {t.surface}; }}
QCheckBox::indicator:hover, QGroupBox::indicator:hover {{ border-color: {t.accent}; }}
QCheckBox::indicator:checked, QGroupBox::indicator:checked {{ background: {t.accent}; border-color: {t.accent};
    image: url({_icon(_on_accent("check", t))}); }}
QCheckBox::indicator:indeterminate {{ background: {t.accent}; border-color: {t.accent};
    image: url({_icon(_on_accent("minus", t))}); }}
QCheckBox::indicator:disabled, QGroupBox::indicator:disabled {{ border-color: {t.border}; background: {t.surface_alt}; }}
QCheckBox::indicator:checked:disabled, QGroupBox::indicator:checked:disabled {{ background: {t.muted}; border-color: {t.muted}; }}
QHeaderView::section {{ background: {t.surface_alt}; border: none; border-bottom: 1px solid {t.border}; padding: 4px 6px; font-weight: 600; }}
QTableView, QTreeWidget, QListWidget {{ border: 1px solid {t.border}; border-radius: 6px; gridline-color: {t.border};
    background: {t.surface}; alternate-background-color: {t.surface_alt}; }}
"""


def add_stylesheet_part(part: Callable[[Theme], str]) -> Callable[[], None]:
    """Append `part(theme)` to the app-wide stylesheet from the next apply_theme on; returns a
    remover."""
    _sheet_parts.append(part)

    def remove() -> None:
        if part in _sheet_parts:
            _sheet_parts.remove(part)
    return remove


def full_stylesheet(theme: Theme | None = None) -> str:
    """The shared stylesheet plus every registered part: what apply_theme sets."""
    t = theme or current()
    return stylesheet(t) + "".join(part(t) for part in dict.fromkeys(_sheet_parts))  # each once


def apply_theme(app=None, dark: bool | None = None) -> Theme:
    """Set Fusion + our palette + stylesheet on the app and notify listeners (charts, maps)."""
    from PySide6.QtWidgets import QApplication

    global _applied_dark
    app = app or QApplication.instance()
    theme = current(system_is_dark() if dark is None else dark)
    _applied_dark = theme.dark
    if app is not None:
        # Re-setting the style on every theme change recreates every widget's style objects; doing
        # it only once avoids needless work and a crash seen when windows were rebuilt afterwards.
        if app is not _fusion_app and app.style().name().lower() != "fusion":
            app.setStyle("Fusion")
        app.setPalette(palette_for(theme))
        sheet = full_stylesheet(theme)
        if app.styleSheet() != sheet:  # an unchanged sheet would still restyle every widget
            app.setStyleSheet(sheet)
    for cb in list(_listeners):
        try:
            cb(theme)
        except Exception:  # noqa: BLE001 - one broken listener must not stop the rest
            log.exception("theme listener failed")
    return theme


def follow_system(app=None) -> None:
    """Re-apply the theme whenever the OS switches light/dark."""
    try:
        QGuiApplication.styleHints().colorSchemeChanged.connect(lambda *_: apply_theme(app))
    except AttributeError:  # Qt < 6.5 has no colour-scheme signal: the theme follows at start only
        pass


def on_theme_changed(cb: Callable[[Theme], None]) -> Callable[[], None]:
    _listeners.append(cb)

    def remove() -> None:
        if cb in _listeners:
            _listeners.remove(cb)
    return remove


def _notify() -> None:
    t = current()
    for cb in list(_listeners):
        try:
            cb(t)
        except Exception:  # noqa: BLE001 - one broken listener must not stop the others
            log.exception("theme listener failed")


# -- High contrast (issue 13, item 8) ------------------------------------------------------------
# The `contrast` setting: "system" follows the platform's contrast preference (Qt 6.10+
# QStyleHints.accessibility().contrastPreference()), "high" forces it, "normal" turns it off.
# `current()` passes every theme through `with_contrast`, so charts, pills and the stylesheet all
# get the high-contrast colours together.
_contrast_setting = "system"


def set_contrast_setting(value: str) -> None:
    global _contrast_setting
    _contrast_setting = value if value in ("system", "high", "normal") else "system"


def platform_wants_high_contrast() -> bool:
    try:
        hints = QGuiApplication.styleHints().accessibility()
        return hints.contrastPreference() == Qt.ContrastPreference.HighContrast
    except (AttributeError, RuntimeError):  # Qt < 6.10, or no application yet
        return False


def high_contrast_active() -> bool:
    if _contrast_setting == "high":
        return True
    if _contrast_setting == "normal":
        return False
    return platform_wants_high_contrast()


def high_contrast_variant(t: Theme) -> Theme:
    """Pure black/white text and surfaces, borders as strong as text, muted text no longer
    faint, and an accent dark (light) enough for 7:1 against the surface."""
    import dataclasses

    if t.dark:
        return dataclasses.replace(
            t, window="#000000", surface="#000000", surface_alt="#0d0d0d", border="#ffffff", text="#ffffff",
            muted="#e6e6e6", accent="#ffd400", accent_text="#000000", danger="#ff8080", warn="#ffd400",
            success="#7dff7d", info="#80c8ff")
    return dataclasses.replace(
        t, window="#ffffff", surface="#ffffff", surface_alt="#f0f0f0", border="#000000", text="#000000",
        muted="#1a1a1a", accent="#0030b0", accent_text="#ffffff", danger="#a00000", warn="#6a4a00",
        success="#005a00", info="#0030b0")


def with_contrast(t: Theme) -> Theme:
    return high_contrast_variant(t) if high_contrast_active() else t
