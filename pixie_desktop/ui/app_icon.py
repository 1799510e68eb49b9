"""The app's icon (the theme's `APP_ID` icon, else the bundled PNGs and SVG), on its own so the
start-up can set the window icon without importing the tray (ui/tray.py), which is installed
only after the first paint."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon

from pixie_desktop import APP_ID


def app_icon() -> QIcon:
    from pixie_desktop.integration import paths

    icon = QIcon.fromTheme(APP_ID)
    if icon.isNull():
        icon = QIcon()
        for n in paths.ICON_SIZES:
            png = paths.icon_png(n)
            if png.is_file():
                icon.addFile(str(png), QSize(n, n))  # sized: no file read until drawn
        svg = paths.icon_svg()
        if svg.is_file():
            icon.addFile(str(svg))
    return icon
