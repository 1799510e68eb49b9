"""Render resources/icons/pixie-desktop.svg to the PNG sizes the hicolor theme wants
(16…256) with QSvgRenderer. Run after editing the SVG:  .venv/bin/python scripts/render_icons.py"""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def render(svg: Path, out_dir: Path, sizes: tuple[int, ...]) -> list[Path]:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication(["render-icons"])  # noqa: F841
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"not a valid SVG: {svg}")
    written = []
    for n in sizes:
        img = QImage(n, n, QImage.Format.Format_ARGB32_Premultiplied)
        img.fill(Qt.GlobalColor.transparent)
        painter = QPainter(img)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter)
        painter.end()
        dest = out_dir / f"{svg.stem}-{n}.png"
        if not img.save(str(dest), "PNG"):
            raise SystemExit(f"could not write {dest}")
        written.append(dest)
    return written


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from pixie_desktop.integration.paths import ICON_SIZES, icon_svg

    for p in render(icon_svg(), icon_svg().parent, ICON_SIZES):
        print(p.relative_to(REPO))
    return 0


if __name__ == "__main__":
    sys.exit(main())
