"""Expanding a batch into items: a folder of files bound to one file-like input, the rows of a
CSV whose columns are input keys, and a grid of several values per input (the cartesian
product). Sources combine as a product too (folder × CSV rows × grid), on top of base inputs
(form values, a preset, --input pairs). An item keeps file inputs as local paths until it is
submitted (`resolve_files`), so a batch of a thousand images does not hold them all in memory."""

from __future__ import annotations

import base64
import csv
import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

MAX_ITEMS = 100_000  # a grid typo (10 inputs × 10 values) must not build 10¹⁰ items


class BatchPlanError(ValueError):
    """A batch that cannot be built; the message says why."""


@dataclass
class BatchItem:
    index: int
    inputs: dict[str, Any]                                  # base inputs with this item's values on top
    varying: dict[str, Any] = field(default_factory=dict)   # just this item's own values (table columns)


def folder_files(folder: str | Path, pattern: str = "*") -> list[Path]:
    """Files (not hidden, not folders) directly in `folder` matching `pattern`, sorted by name."""
    root = Path(folder).expanduser()
    if not root.is_dir():
        raise BatchPlanError(f"{root} is not a folder")
    return sorted((p for p in root.glob(pattern or "*") if p.is_file() and not p.name.startswith(".")),
                  key=lambda p: p.name.lower())


def csv_rows(path: str | Path) -> list[dict[str, str]]:
    """Rows of a CSV file with a header line of input keys (empty cells are left out)."""
    p = Path(path).expanduser()
    try:
        with p.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            if not reader.fieldnames:
                raise BatchPlanError(f"{p.name} has no header row of input keys")
            return [{k.strip(): v for k, v in row.items() if k and v not in (None, "")} for row in reader]
    except OSError as exc:
        raise BatchPlanError(f"cannot read {p}: {exc.strerror or exc}") from exc


def parse_grid(specs: Iterable[str]) -> dict[str, list[str]]:
    """["a=1,2,3", "op=add,multiply"] → {"a": ["1","2","3"], "op": ["add","multiply"]}."""
    grid: dict[str, list[str]] = {}
    for spec in specs:
        if "=" not in spec:
            raise BatchPlanError(f"--grid expects KEY=V1,V2,…, got {spec!r}")
        key, values = spec.split("=", 1)
        vals = [v.strip() for v in values.split(",")]
        if not key.strip() or not any(vals):
            raise BatchPlanError(f"--grid {spec!r} has no values")
        grid.setdefault(key.strip(), []).extend(v for v in vals if v != "")
    return grid


def count(*, files: Sequence[Any] = (), rows: Sequence[Any] = (), grid: dict[str, list] | None = None,
          over_key: str | None = None) -> int:
    """How many items `expand` would build (for the dialog's preview), without building them."""
    n = 1
    if over_key:
        n *= len(files)
    if rows:
        n *= len(rows)
    for values in (grid or {}).values():
        n *= len(values)
    return n


def expand(base: dict[str, Any] | None = None, *, over_key: str | None = None, files: Sequence[Path] = (),
           rows: Sequence[dict[str, Any]] = (), grid: dict[str, list[Any]] | None = None) -> list[BatchItem]:
    """The items of a batch: every combination of one file (bound to `over_key`), one CSV row and
    one value per grid key, each on top of `base`. No source at all: BatchPlanError."""
    grid = {k: list(v) for k, v in (grid or {}).items() if v}
    if not over_key and not rows and not grid:
        raise BatchPlanError("a batch needs a folder (or files), a CSV or a grid")
    if over_key and not files:
        raise BatchPlanError(f"no files to run over for '{over_key}'")
    total = count(files=files, rows=rows, grid=grid, over_key=over_key)
    if total > MAX_ITEMS:
        raise BatchPlanError(f"that batch would have {total} items; the limit is {MAX_ITEMS}")
    axes: list[list[dict[str, Any]]] = []
    if over_key:
        axes.append([{over_key: Path(f)} for f in files])
    if rows:
        axes.append([dict(r) for r in rows])
    for key, values in grid.items():
        axes.append([{key: v} for v in values])
    items = []
    for i, combo in enumerate(itertools.product(*axes)):
        varying: dict[str, Any] = {}
        for part in combo:
            varying.update(part)
        items.append(BatchItem(i, {**(base or {}), **varying}, varying))
    return items


def file_to_data_url(path: Path) -> str:
    from pixie_desktop.artefacts.storage import guess_mime

    data = Path(path).read_bytes()
    return f"data:{guess_mime(Path(path).name)};base64,{base64.b64encode(data).decode('ascii')}"


def resolve_files(spec: Any, inputs: dict[str, Any]) -> dict[str, Any]:
    """Inputs ready to send: local paths given to file/image/audio inputs become data URLs (a
    list for a `multiple` input). OSError when a file cannot be read."""
    out = dict(inputs)
    for key, value in inputs.items():
        ispec = spec.input(key) if spec is not None else None
        if ispec is None or not ispec.is_file_like:
            continue
        if isinstance(value, Path):
            url = file_to_data_url(value)
            out[key] = [url] if ispec.multiple else url
        elif isinstance(value, list) and value and all(isinstance(v, Path) for v in value):
            out[key] = [file_to_data_url(v) for v in value]
    return out


def display_value(value: Any) -> Any:
    """A varying value as a results-table cell: a file's name, else the value."""
    if isinstance(value, Path):
        return value.name
    return value
