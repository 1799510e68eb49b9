"""Which tools can take the files a user dropped: for each tool, the first file-like input
(file / image / audio) whose `accept` list (manifest/accept.py) and `max_size_mb` admit every
dropped file. Used by
the window-level drop (suggest tools) and by drops on a sidebar tool (fill the first match)."""

from __future__ import annotations

import mimetypes
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from pixie_desktop.catalog.discovery import ToolInfo
from pixie_desktop.manifest.accept import declared_patterns, file_problem
from pixie_desktop.manifest.model import InputSpec, ToolSpec

_TYPE_PREFIX = {"image": "image/", "audio": "audio/"}


def guess_mime(path: Path) -> str:
    mime, _ = mimetypes.guess_type(str(path))
    return mime or "application/octet-stream"


def _accept_tokens(spec: InputSpec) -> list[str]:
    return declared_patterns(spec)


def accept_problem(spec: InputSpec, path: Path, size: int | None = None) -> str | None:
    """Why `path` does not fit input `spec` (None if it fits): manifest/accept.py's rule (the
    declared `accept` on every file-like type; image inputs without one take common raster
    types), then `max_size_mb`."""
    path = Path(path)
    problem = file_problem(spec, path.name)
    if problem:
        return problem
    if spec.max_size_mb:
        if size is None:
            try:
                size = path.stat().st_size
            except OSError:
                size = None
        if size is not None and size > spec.max_size_mb * 1024 * 1024:
            return f"{path.name} is {size / 1048576:.1f} MB; the limit is {spec.max_size_mb:g} MB"
    return None


@dataclass
class Suggestion:
    tool: ToolInfo
    input_key: str
    input_label: str
    takes_all: bool  # the input takes every dropped file (multiple, or exactly one file)
    problems: list[str] = field(default_factory=list)
    exact: bool = False  # matched by an explicit accept rule rather than "any file"


def first_matching_input(spec: ToolSpec, paths: Sequence[Path]) -> tuple[InputSpec | None, list[str]]:
    """The first file-like input that accepts every path, else (None, reasons)."""
    reasons: list[str] = []
    for inp in spec.file_inputs:
        problems = [p for p in (accept_problem(inp, Path(x)) for x in paths) if p]
        if not problems:
            return inp, []
        reasons.extend(problems)
    return None, reasons


def suggest_tools(tools: Iterable[ToolInfo], paths: Sequence[Path | str]) -> list[Suggestion]:
    """Tools that can take the dropped files, best first: an input with an explicit `accept`
    or media kind beats a catch-all file input; taking all files beats taking one."""
    files = [Path(p) for p in paths if not os.path.isdir(p)]
    if not files:
        return []
    out: list[Suggestion] = []
    for tool in tools:
        if not tool.ok or tool.spec is None or tool.spec.archived:
            continue
        inp, _ = first_matching_input(tool.spec, files)
        if inp is None:
            continue
        takes_all = inp.multiple or len(files) == 1
        exact = bool(_accept_tokens(inp)) or inp.type in _TYPE_PREFIX
        out.append(Suggestion(tool, inp.key, inp.label, takes_all, [], exact))
    out.sort(key=lambda s: (not s.exact, not s.takes_all, s.tool.name.lower()))
    return out


def prefill_for(inp: InputSpec, paths: Sequence[Path | str]) -> dict[str, object]:
    """The `prefill` dict handed to `MainWindow.open_tool`: absolute path strings — a list for a
    `multiple` input, else the first file. The form turns paths into its value shape."""
    files = [str(Path(p).absolute()) for p in paths]
    return {inp.key: files if inp.multiple else files[0]}
