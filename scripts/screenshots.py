"""Render the app offscreen and save PNGs to screenshots/ so anyone can look at it without a
display:  .venv/bin/python scripts/screenshots.py [name-filter]

Each module in scripts/shots/ exposes `shoot(out_dir: Path) -> list[Path]`. Shots run against a
throw-away data dir (temp PIXIE_ROOT) seeded with the bundled tools, never your real pixie.db."""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    only = argv[0] if argv else ""
    out_dir = REPO / "screenshots"
    out_dir.mkdir(exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="pixie-shots-"))
    shutil.copytree(REPO / "tools", tmp / "tools", ignore=shutil.ignore_patterns(".venv", ".env", "__pycache__"))
    os.environ.update(PIXIE_ROOT=str(tmp), PIXIE_TOOLS_DIR=str(tmp / "tools"),
                      PIXIE_DB_PATH=str(tmp / "pixie.db"), PIXIE_ARTEFACTS_ROOT=str(tmp / "artefacts"))
    sys.path.insert(0, str(REPO))
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(["pixie-screenshots"])  # noqa: F841
    saved: list[Path] = []
    for path in sorted((REPO / "scripts" / "shots").glob("*.py")):
        if path.name.startswith("_") or (only and only not in path.stem):
            continue
        spec = importlib.util.spec_from_file_location(f"shots_{path.stem}", path)
        mod = importlib.util.module_from_spec(spec)
        assert spec.loader is not None
        spec.loader.exec_module(mod)
        try:
            saved.extend(mod.shoot(out_dir))
        except Exception as exc:  # noqa: BLE001 - one broken shot must not hide the others
            print(f"shot {path.stem} failed: {type(exc).__name__}: {exc}", file=sys.stderr)
    for p in saved:
        print(p)
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
