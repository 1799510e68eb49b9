"""Copy artefacts out to a folder the user picked (no Qt): never overwrites (a free name like
"chart (2).png" is chosen), never touches the originals, writes each copy to a hidden ".part"
file first and renames it when complete, so a cancel or error never leaves a partial file."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from pixie_desktop.artefacts.storage import safe_join

Progress = Callable[[float | None, str], None]
CHUNK = 1 << 20


class ExportCancelled(Exception):
    """Stopped on request; files already copied stay, the one in progress is removed."""

    def __init__(self, copied: list[Path]):
        super().__init__(f"stopped after {len(copied)} file(s)")
        self.copied = copied


@dataclass
class ExportResult:
    copied: list[Path] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def unique_path(dest: Path, name: str) -> Path:
    """`dest/name`, or `name (2).ext`, `name (3).ext`… whichever does not exist yet."""
    name = Path(name).name or "artefact"
    target = dest / name
    stem, suffix = Path(name).stem, Path(name).suffix
    n = 2
    while target.exists() or target.is_symlink():
        target = dest / f"{stem} ({n}){suffix}"
        n += 1
    return target


def _publish(part: Path, dest: Path, filename: str) -> Path:
    """Give the finished copy its free name. A hard link fails rather than overwrite a file that
    appeared meanwhile (then the next free name is tried); where links are not supported (FAT
    drives) a rename after a fresh check is the fallback."""
    for _ in range(100):
        target = unique_path(dest, filename)
        try:
            os.link(part, target)
        except FileExistsError:
            continue
        except OSError:
            os.replace(part, target)
            return target
        part.unlink(missing_ok=True)
        return target
    raise OSError("no free file name")


def export_files(artefacts_root: Path, items: Iterable[tuple[str, str]], dest: Path, *,
                 progress: Progress | None = None, cancelled: Callable[[], bool] | None = None) -> ExportResult:
    """Copy each (rel_path under artefacts_root, display filename) into `dest`. Cancel is checked
    between chunks; the partial copy is deleted before ExportCancelled is raised."""
    say = progress or (lambda _f, _t: None)
    stop = cancelled or (lambda: False)
    root, dest = Path(artefacts_root), Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    todo = list(items)
    result = ExportResult()
    for i, (rel, filename) in enumerate(todo):
        if stop():
            raise ExportCancelled(result.copied)
        try:
            src = safe_join(root, rel)
        except ValueError:
            result.errors.append(f"{filename}: outside the artefacts folder")
            continue
        target = unique_path(dest, filename)
        part = dest / f".{target.name}.{os.getpid()}.part"
        n = 1
        while part.exists() or part.is_symlink():   # a leftover from a crashed export: never reuse it
            part, n = dest / f".{target.name}.{os.getpid()}-{n}.part", n + 1
        try:
            with open(src, "rb") as fin, open(part, "xb") as fout:
                while chunk := fin.read(CHUNK):
                    if stop():
                        raise ExportCancelled(result.copied)
                    fout.write(chunk)
            target = _publish(part, dest, filename)
        except ExportCancelled:
            part.unlink(missing_ok=True)
            raise
        except OSError as exc:
            part.unlink(missing_ok=True)
            result.errors.append(f"{filename}: {exc.strerror or exc}")
            continue
        result.copied.append(target)
        say((i + 1) / len(todo), f"Exported {len(result.copied)} of {len(todo)}")
    return result
