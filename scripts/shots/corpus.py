"""Screenshots of the compatibility corpus (tests/data/corpus.py): every case drawn on its own
card, light theme, plus the charts again in dark to check the live theme switch. Pictures go to
screenshots/corpus/<case>.png and screenshots/corpus/dark-<case>.png."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _helpers import grab, settle  # noqa: E402


def shoot(out_dir: Path) -> list[Path]:
    from PySide6.QtWidgets import QApplication

    sys.path.insert(0, str(REPO / "tests" / "data"))
    from corpus import CASES

    from pixie_desktop.manifest.model import OutputSpec
    from pixie_desktop.ui import theme
    from pixie_desktop.ui.outputs import create_renderer

    app = QApplication.instance()
    theme.apply_theme(app, dark=False)
    target = out_dir / "corpus"
    target.mkdir(exist_ok=True)
    saved: list[Path] = []
    cards = []
    for case in CASES:
        card = create_renderer(OutputSpec(key=case.name, type=case.type, label=case.name, **case.spec))
        card.setWindowTitle(case.name)
        card.set_value(case.value)
        saved.append(grab(card, target / f"{case.name}.png", size=(720, 380), wait_ms=150))
        cards.append((case, card))
    # the same cards follow a theme change without being given their values again
    theme.apply_theme(app, dark=True)
    settle(200)
    for case, card in cards:
        if case.type.startswith(("chart_", "map_", "gantt")):
            saved.append(grab(card, target / f"dark-{case.name}.png", wait_ms=100))
    theme.apply_theme(app, dark=False)
    for _, card in cards:
        card.close()
        card.deleteLater()
    return saved
