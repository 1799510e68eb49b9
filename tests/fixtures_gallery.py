"""Shared fixtures for the gallery/sweeper tests: seed runs and artefact files on disk the way
the runner does (files under artefacts/<tool>/<run>/, rows through artefacts_repo.insert)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass
class Seeder:
    conn: object
    root: Path

    def run(self, run_id: str, tool_id: str = "demo", *, status: str = "ok", started_at: str | None = None) -> str:
        from pixie_desktop.store import runs_repo

        runs_repo.create_run(self.conn, run_id, tool_id, {"x": 1}, started_at=started_at)
        if status != "running":
            runs_repo.finish_run(self.conn, run_id, status)
        return run_id

    def artefact(self, run_id: str, filename: str, data: bytes = b"hello", *, tool_id: str = "demo",
                 mime: str = "text/plain", created_at: str | None = None, tags: str | None = None,
                 label: str | None = None, write: bool = True) -> int:
        from pixie_desktop.store import artefacts_repo

        rel = f"{tool_id}/{run_id}/{filename}"
        if write:
            p = self.root / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(data)
        return artefacts_repo.insert(self.conn, run_id=run_id, tool_id=tool_id, output_key="out", rel_path=rel,
                                     filename=filename, mime=mime, size_bytes=len(data),
                                     sha256=hashlib.sha256(data).hexdigest(), created_at=created_at,
                                     tags=tags, label=label)


@pytest.fixture
def seeder(ctx) -> Seeder:
    return Seeder(ctx.conn, Path(ctx.settings.artefacts_root))


def png_bytes(w: int = 64, h: int = 48, colour: str = "#3366cc") -> bytes:
    """A real PNG made with QImage (needs a QGuiApplication; pytest-qt's qapp provides one)."""
    from PySide6.QtCore import QBuffer, QIODevice
    from PySide6.QtGui import QColor, QImage

    img = QImage(w, h, QImage.Format.Format_RGB32)
    img.fill(QColor(colour))
    buf = QBuffer()
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    img.save(buf, "PNG")
    return bytes(buf.data())
