"""The shell's look: applies the `theme` / `accent` settings (palette + the shared stylesheet from
ui/theme.py + the shell's own rules below) and keeps them applied when the setting, the system
colour scheme or someone else's theme change says so.

    style = ShellStyle(settings, conn, on_applied=refresh_pages)  # applies once, then watches
    style.set_theme("dark"); style.shutdown()"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication


def shell_stylesheet(t: Any) -> str:
    """Rules for the shell's own object names (sidebar, nav, chips, chat bubbles, headings).

    The empty `QTreeView:hover` rule of the sidebar is what switches its rows' hover highlight on:
    a style sheet that depends on a widget's hover state makes Qt set WA_Hover on it and, for an
    item view, on its viewport when it polishes them. Setting it from Python would need the
    tree's `viewport()`, whose first call makes PySide realise every QWidget subclass and their
    enums (~50 enums, 5-10 ms of the start-up)."""
    from PySide6.QtGui import QColor

    side = QColor(t.window).darker(104).name() if not t.dark else QColor(t.window).darker(115).name()
    acc = QColor(t.accent)
    soft = f"rgba({acc.red()},{acc.green()},{acc.blue()},{40 if not t.dark else 70})"
    return f"""
QWidget#Sidebar {{ background: {side}; }}
QWidget#Sidebar QTreeView {{ background: transparent; border: none; }}
QWidget#Sidebar QTreeView:hover {{ }}
QLabel#BrandLogo {{ background: {t.accent}; color: {t.accent_text}; border-radius: 7px; font-weight: 800; }}
QLabel#BrandTitle {{ font-size: 12.5pt; font-weight: 700; color: {t.text}; }}
QPushButton#NavButton {{ border: none; border-radius: 7px; padding: 6px 10px; text-align: left;
    color: {t.text}; background: transparent; font-weight: 500; }}
QPushButton#NavButton:hover {{ background: {soft}; }}
QPushButton#NavButton:checked {{ background: {soft}; color: {t.accent}; font-weight: 650; }}
QLineEdit#SidebarSearch {{ border-radius: 8px; padding: 6px 8px; background: {t.surface}; }}
QComboBox#WorkspaceFilter {{ border-radius: 7px; padding: 3px 8px; background: {t.surface}; }}
QToolButton#TagChip {{ border: 1px solid {t.border}; border-radius: 10px; padding: 1px 8px;
    color: {t.muted}; background: {t.surface}; font-size: 8.5pt; }}
QToolButton#TagChip:checked {{ background: {t.accent}; color: {t.accent_text}; border-color: {t.accent}; }}
QToolButton#ArchivedToggle {{ border: none; color: {t.muted}; font-size: 8.5pt; padding: 2px 4px; }}
QToolButton#ArchivedToggle:hover {{ color: {t.text}; }}
QLabel#TagPill {{ background: {soft}; color: {t.accent}; border-radius: 6px; padding: 2px 8px; font-size: 8.5pt; }}
QLabel#SectionHeading {{ color: {t.muted}; font-weight: 700; font-size: 8.5pt; letter-spacing: 1px; }}
QFrame#ChatBubble {{ background: {t.surface}; border: 1px solid {t.border}; border-radius: 12px; }}
QFrame#ChatBubbleUser {{ background: {t.accent}; border-radius: 12px; }}
QFrame#ChatBubbleUser QLabel {{ color: {t.accent_text}; }}
QFrame#ChatBubbleError {{ background: {t.surface}; border: 1px solid {t.danger}; border-radius: 12px; }}
QWidget#ChatBody {{ background: transparent; }}
QStatusBar {{ color: {t.muted}; }}
QStatusBar QLabel {{ color: {t.muted}; padding: 0 8px; }}
QSplitter#MainSplitter::handle {{ background: {t.border}; }}
QListWidget#RecentRuns {{ background: transparent; border: none; }}
QFrame#ToolCard {{ background: {t.surface}; border: 1px solid {t.border}; border-radius: 10px; }}
QFrame#ToolCard:hover {{ border-color: {t.accent}; }}
QListWidget#RecentRuns::item {{ padding: 6px 4px; border-radius: 6px; }}
QListWidget#RecentRuns::item:hover {{ background: {soft}; }}
"""


class ShellStyle:
    """Owns applying the theme for one main window; `on_applied()` runs after each application
    (tool pages re-colour their pills)."""

    def __init__(self, settings: Any, conn: Any, on_applied: Callable[[], Any] = lambda: None):
        self.settings, self.conn, self.on_applied = settings, conn, on_applied
        self._unsubscribe: list[Callable[[], Any]] = []
        from pixie_desktop.ui import theme

        # the shell's rules go into the same setStyleSheet as the shared ones (one restyle, not two)
        self._unsubscribe.append(theme.add_stylesheet_part(shell_stylesheet))
        self._unsubscribe.append(theme.add_stylesheet_part(self._craft_part))  # density, focus ring
        self.apply()
        self._watch()

    def apply(self) -> None:
        """Apply the `theme` setting (system / light / dark): palette + the shared stylesheet
        + the shell's own rules, set once."""
        from pixie_desktop.ui import theme

        value = getattr(self.settings, "theme", "system")
        theme.set_contrast_setting(getattr(self.settings, "contrast", "system"))  # before current() is asked
        dark = theme.system_is_dark() if value not in ("light", "dark") else value == "dark"
        theme.set_accent(getattr(self.settings, "accent", theme.DEFAULT_ACCENT), notify=False)
        # apply_theme sets Fusion only once, then palette + the stylesheet with our part, and
        # tells listeners
        theme.apply_theme(QApplication.instance(), dark)
        self.on_applied()

    def _craft_part(self, t: Any) -> str:
        from pixie_desktop.ui.widgets.craft_style import craft_stylesheet

        return craft_stylesheet(t, self.settings)

    def _watch(self) -> None:
        from pixie_desktop.config import on_setting_changed

        self._unsubscribe.append(on_setting_changed(
            lambda name, _v: self.apply() if name in ("theme", "accent", "density", "contrast") else None))
        from pixie_desktop.ui.widgets.craft_style import watch_platform_contrast

        self._unsubscribe.append(watch_platform_contrast(self._on_contrast_changed))
        try:
            QGuiApplication.styleHints().colorSchemeChanged.connect(self._on_scheme_changed)
        except AttributeError:  # Qt before 6.5 has no colour-scheme signal: follow at start only
            pass

    def _on_scheme_changed(self, *_: Any) -> None:
        if getattr(self.settings, "theme", "system") == "system":
            self.apply()

    def _on_contrast_changed(self, *_: Any) -> None:
        if getattr(self.settings, "contrast", "system") == "system":
            self.apply()

    def set_theme(self, value: str) -> None:
        """Persist the theme choice; the setting listener applies it."""
        from pixie_desktop.config import save_setting

        try:
            save_setting(self.settings, self.conn, "theme", value)
        except Exception:  # noqa: BLE001 - unsaved, but still applied for this session
            self.settings.values["theme"] = value
            self.apply()

    def shutdown(self) -> None:
        for undo in self._unsubscribe:
            try:
                undo()
            except Exception:  # noqa: BLE001 - exit must continue; a listener already gone is fine
                pass
        self._unsubscribe.clear()
        try:
            QGuiApplication.styleHints().colorSchemeChanged.disconnect(self._on_scheme_changed)
        except (AttributeError, RuntimeError, TypeError):  # never connected, or already gone
            pass
