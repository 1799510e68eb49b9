"""Bundled SVG icons for buttons that used symbol glyphs (＋ ⋯ ☆ ★ ▶ ✕): stock fonts on a
fresh Linux install lack some of them and draw a missing-glyph box instead (issue 13, item 7).

    button.setIcon(icon("more-horizontal"))          # recoloured to the palette's button text
    icon("star-filled", "#e0a800")                   # or to a given colour

Icons live in resources/icons/<name>.svg, drawn with `currentColor`; QSvgRenderer does not
know `currentColor`, so the text is substituted before rendering. Rendered icons are cached per
(name, colour).

Also here: `tool_icon(info, size)`, the pixmap for a tool's `icon` from tool.json — an image
file inside the tool's folder (never outside it), an emoji or short text, or the name of a
bundled icon — or None when the tool has none (callers draw the initial-letter avatar)."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QImageReader, QPainter, QPalette, QPixmap

IMAGE_SUFFIXES = (".png", ".svg", ".jpg", ".jpeg", ".webp", ".gif", ".bmp", ".ico")
MAX_ICON_FILE_BYTES = 2 * 1024 * 1024  # a tool's icon is tiny; a huge file is not decoded on the UI thread


@functools.lru_cache(maxsize=1)
def icons_dir() -> Path:
    """The bundled icons (fixed for the process: asked on every paint of a running Run button)."""
    from pixie_desktop.integration.paths import resources_dir

    return resources_dir() / "icons"


@functools.lru_cache(maxsize=256)
def has_icon(name: str) -> bool:
    return bool(name) and "/" not in name and "\\" not in name and (icons_dir() / f"{name}.svg").is_file()


@functools.lru_cache(maxsize=256)
def _svg_text(name: str) -> str:
    return (icons_dir() / f"{name}.svg").read_text(encoding="utf-8")


def render_svg(svg: str, edge: int, colour: str, dpr: float = 2.0) -> QPixmap:
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(QByteArray(svg.replace("currentColor", colour).encode("utf-8")))
    pm = QPixmap(int(edge * dpr), int(edge * dpr))
    pm.setDevicePixelRatio(dpr)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(p, QRectF(0, 0, edge, edge))
    p.end()
    return pm


@functools.lru_cache(maxsize=512)
def _icon(name: str, colour: str, disabled: str) -> QIcon:
    svg = _svg_text(name)
    ic = QIcon()
    for edge in (16, 20, 24, 32):
        ic.addPixmap(render_svg(svg, edge, colour), QIcon.Mode.Normal)
        ic.addPixmap(render_svg(svg, edge, disabled), QIcon.Mode.Disabled)
    return ic


def icon(name: str, colour: str | QColor | None = None) -> QIcon:
    """The bundled icon `name` in `colour` (default: the palette's button text)."""
    pal = QGuiApplication.palette()
    c = QColor(colour) if colour is not None else pal.color(QPalette.ColorRole.ButtonText)
    disabled = pal.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText)
    return _icon(name, c.name(), disabled.name())


@functools.lru_cache(maxsize=256)
def named_pixmap(name: str, edge: int, colour: str) -> QPixmap:
    """A bundled icon as a pixmap (for delegates painting it), cached."""
    return render_svg(_svg_text(name), edge, colour)


def set_icon_button(button: Any, name: str, accessible: str, colour: str | QColor | None = None,
                    edge: int = 16) -> None:
    """An icon-only button: the icon, no glyph text, a name for screen readers and a tool tip
    (kept if one is already set)."""
    button.setText("")
    set_button_icon(button, name, colour, edge)
    button.setAccessibleName(accessible)
    if not button.toolTip():
        button.setToolTip(accessible)


def set_button_icon(button: Any, name: str, colour: str | QColor | None = None, edge: int = 16) -> None:
    """Put the bundled icon `name` on `button` (its text stays). Without a colour the icon takes
    the palette's button text and is redrawn when the theme changes (light ↔ dark)."""
    button.setIcon(icon(name, colour))
    button.setIconSize(QSize(edge, edge))
    button.setProperty(_FOLLOW_PROPERTY, name if colour is None else None)
    _follow_theme()


_FOLLOW_PROPERTY = "pixieThemedIcon"
_following = False


def _follow_theme() -> None:
    """Once: on every theme change, recolour the buttons whose icon follows the palette."""
    global _following
    if _following:
        return
    _following = True
    from pixie_desktop.ui import theme

    def recolour(_theme: Any) -> None:
        from PySide6.QtWidgets import QAbstractButton, QApplication

        for w in QApplication.allWidgets():  # a theme change is rare; the walk is cheap next to the restyle
            name = w.property(_FOLLOW_PROPERTY) if isinstance(w, QAbstractButton) else None
            if name:
                w.setIcon(icon(str(name)))

    theme.on_theme_changed(recolour)


# -- a tool's own icon --------------------------------------------------------------------------

def icon_file(tool_dir: Path, value: str) -> Path | None:
    """The image file `value` names inside `tool_dir`, or None: absolute paths, `..` and links
    leading outside the tool folder are refused (tool.json is untrusted), and so are non-images."""
    if not value or "\x00" in value or Path(value).is_absolute() or value.startswith(("~", "\\")):
        return None
    if Path(value).suffix.lower() not in IMAGE_SUFFIXES:
        return None
    try:
        root = Path(tool_dir).resolve()
        path = (root / value).resolve()
        path.relative_to(root)  # after resolving links: still inside the folder
    except (OSError, ValueError, RuntimeError):
        return None
    try:
        if not path.is_file() or path.stat().st_size > MAX_ICON_FILE_BYTES:
            return None
    except OSError:
        return None
    return path


def _is_texty(value: str) -> bool:
    """An emoji or a one-or-two-character symbol: drawn as text."""
    v = value.strip()
    return 0 < len(v) <= 4 and any(ord(ch) > 0x2000 for ch in v)


def tool_icon(info: Any, size: int) -> QPixmap | None:
    """The tool's `icon` from tool.json as a `size`×`size` pixmap, or None."""
    spec = getattr(info, "spec", None)
    value = (getattr(spec, "icon", None) or "").strip() if spec is not None else ""
    if not value:
        return None
    return _tool_icon_cached(str(getattr(info, "path", "")), value, size,
                             getattr(info, "discovery_hash", ""))


@functools.lru_cache(maxsize=256)
def _tool_icon_cached(tool_dir: str, value: str, size: int, _version: str) -> QPixmap | None:
    dpr = 2.0
    path = icon_file(Path(tool_dir), value) if tool_dir else None
    if path is not None:
        if path.suffix.lower() == ".svg":
            try:
                svg = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                return None
            from PySide6.QtSvg import QSvgRenderer

            if not QSvgRenderer(QByteArray(svg.encode("utf-8"))).isValid():
                return None
            return render_svg(svg, size, "#808080", dpr)
        reader = QImageReader(str(path))
        reader.setScaledSize(QSize(int(size * dpr), int(size * dpr)))  # decode small: never the full image
        img = reader.read()
        if img.isNull():
            return None
        pm = QPixmap.fromImage(img)
        pm.setDevicePixelRatio(dpr)
        return pm
    if _is_texty(value):
        pm = QPixmap(int(size * dpr), int(size * dpr))
        pm.setDevicePixelRatio(dpr)
        pm.fill(Qt.GlobalColor.transparent)
        p = QPainter(pm)
        f = p.font()
        f.setPixelSize(int(size * 0.78))
        p.setFont(f)
        fm = p.fontMetrics()
        if not all(fm.inFont(ch) for ch in value.strip() if ord(ch) > 0x2000 and ord(ch) not in (0xFE0F, 0x200D)):
            p.end()
            return None  # this font has no such glyph: the letter avatar beats a missing-glyph box
        p.drawText(QRectF(0, 0, size, size), int(Qt.AlignmentFlag.AlignCenter), value.strip())
        p.end()
        return pm
    if has_icon(value):
        pal = QGuiApplication.palette()
        return render_svg(_svg_text(value), size, pal.color(QPalette.ColorRole.WindowText).name(), dpr)
    return None
