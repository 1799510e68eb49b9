"""Screenshots of the all-inputs form (screenshots/form-all-inputs.png) and the all-outputs page
rendered with the sample outputs (screenshots/outputs-all.png), light theme, offscreen."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _settle(app, rounds: int = 6) -> None:
    for _ in range(rounds):
        app.processEvents()


def shoot(out_dir: Path) -> list[Path]:
    from PySide6.QtWidgets import QApplication

    sys.path.insert(0, str(REPO / "tests" / "data"))
    from sample_outputs import sample_outputs

    from pixie_desktop.manifest.parse import parse_tool_file
    from pixie_desktop.ui import theme
    from pixie_desktop.ui.inputs.form import ToolForm
    from pixie_desktop.ui.outputs.panel import OutputPanel

    app = QApplication.instance()
    theme.apply_theme(app, dark=False)
    saved: list[Path] = []

    spec = parse_tool_file(REPO / "tests" / "data" / "all-inputs.tool.json")
    form = ToolForm(spec)
    form.set_values({"t_date": "2026-03-14", "t_time": "09:30", "t_datetime": "2026-03-14T09:30:00",
                     "t_date_range": ["2026-03-01", "2026-03-31"], "t_table": [{"name": "Widgets", "count": 12}],
                     "t_map_point": [51.5, -0.12], "t_map_bbox": [[35, -10], [60, 30]],
                     "t_map_polygon": [[40, -5], [50, 10], [38, 15]],
                     "t_map_multipoint": [[48.85, 2.35], [41.9, 12.5], [40.4, -3.7]]})
    # the form is normally inside a scroll area: shoot its body at full height in two columns
    form.resize(560, 400)
    form.show()
    _settle(app)
    body = form.scroll.widget()
    full_h = body.sizeHint().height()
    form.resize(560, full_h + 20)
    _settle(app)
    path = out_dir / "form-all-inputs.png"
    form.grab().save(str(path))
    saved.append(path)
    form.close()

    ospec = parse_tool_file(REPO / "tests" / "data" / "all-outputs.tool.json")
    panel = OutputPanel(ospec)
    panel.resize(1000, 600)
    panel.show()
    panel.show_outputs(sample_outputs(ospec))
    _settle(app)
    h = panel.scroll.widget().sizeHint().height()
    panel.resize(1000, h + 20)
    _settle(app, 10)
    img = panel.grab()
    path = out_dir / "outputs-all.png"
    img.save(str(path))
    saved.append(path)
    # also split into readable pages
    page_h = 2400
    for i in range(0, img.height(), page_h):
        part = img.copy(0, i, img.width(), min(page_h, img.height() - i))
        p = out_dir / f"outputs-all-{i // page_h + 1}.png"
        part.save(str(p))
        saved.append(p)
    panel.close()
    return saved
