"""The tool.json model: typed records for a tool, its inputs, outputs and secrets, and the
catalogue of the 28 input and 39 output types with the keys each one allows.

The catalogue is data: `INPUT_TYPE_FIELDS[type]` lists the type-specific keys legal on that
input type (everything else beyond the base keys is an error, as in the reference's
`extra="forbid"`), and the same for outputs."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

INPUT_TYPES: tuple[str, ...] = (
    "text", "textarea", "number", "slider", "select", "multiselect", "checkbox", "toggle", "radio",
    "date", "time", "datetime", "date_range", "file", "image", "audio", "colour", "json", "code",
    "markdown", "tags", "autocomplete", "table", "map_point", "map_bbox", "map_polygon",
    "map_multipoint", "hidden",
)

OUTPUT_TYPES: tuple[str, ...] = (
    "text", "markdown", "code", "latex", "stream_text", "number", "boolean", "progress", "image",
    "audio", "video", "table", "kv", "log", "diff", "tree", "timeline", "gantt",
    "chart_line", "chart_area", "chart_bar", "chart_scatter", "chart_pie", "chart_histogram",
    "chart_boxplot", "chart_heatmap", "chart_candlestick", "chart_radar", "chart_sankey",
    "chart_treemap", "chart_network",
    "map_points", "map_heatmap", "map_choropleth", "map_polygons", "map_route",
    "image_grid", "image_compare", "file",
)

_MAP_FIELDS = ("default_center", "default_zoom")
INPUT_TYPE_FIELDS: dict[str, tuple[str, ...]] = {
    "text": ("placeholder", "max_length"),
    "textarea": ("placeholder", "max_length", "monospace"),
    "number": ("min", "max", "step", "unit"),
    "slider": ("min", "max", "step", "range"),
    "select": ("options", "searchable"),
    "multiselect": ("options",),
    "checkbox": (),
    "toggle": (),
    "radio": ("options",),
    "date": ("min", "max"),
    "time": (),
    "datetime": (),
    "date_range": (),
    "file": ("accept", "max_size_mb", "multiple"),
    # beyond the reference (file only): `accept` narrows image/audio inputs too (manifest/accept.py)
    "image": ("accept", "max_size_mb", "multiple"),
    "audio": ("accept", "max_size_mb"),
    "colour": (),
    "json": ("schema",),
    "code": ("language",),
    "markdown": (),
    "tags": ("suggestions",),
    "autocomplete": ("endpoint",),
    "table": ("columns", "min_rows", "max_rows"),
    "map_point": _MAP_FIELDS,
    "map_bbox": _MAP_FIELDS,
    "map_polygon": _MAP_FIELDS,
    "map_multipoint": _MAP_FIELDS,
    "hidden": (),
}
INPUT_REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    "select": ("options",), "multiselect": ("options",), "radio": ("options",),
    "slider": ("min", "max"), "autocomplete": ("endpoint",), "table": ("columns",),
}

_CHART_AXES = ("x_label", "y_label", "log_x", "log_y")
OUTPUT_TYPE_FIELDS: dict[str, tuple[str, ...]] = {t: () for t in OUTPUT_TYPES}
OUTPUT_TYPE_FIELDS.update({
    "number": ("format", "precision"),
    "boolean": ("true_label", "false_label"),
    "table": ("columns", "downloadable"),
    "chart_line": _CHART_AXES,
    "chart_area": _CHART_AXES,
    "map_points": _MAP_FIELDS,
    "code": ("language",),
})

FILE_LIKE_INPUTS = ("file", "image", "audio")
MAP_INPUTS = ("map_point", "map_bbox", "map_polygon", "map_multipoint")
CHART_OUTPUTS = tuple(t for t in OUTPUT_TYPES if t.startswith("chart_"))
MAP_OUTPUTS = tuple(t for t in OUTPUT_TYPES if t.startswith("map_"))
# The host runs a tool in streaming mode when any output has one of these types or streaming:true.
STREAMING_OUTPUT_TYPES = ("stream_text", "log", "progress")


@dataclass
class Option:
    value: Any
    label: str


@dataclass
class Column:
    key: str
    label: str
    type: str


@dataclass
class ShowIf:
    key: str
    equals: Any = None


@dataclass
class SecretSpec:
    key: str
    description: str | None = None
    required: bool = False


@dataclass
class InputSpec:
    key: str
    type: str
    label: str
    description: str | None = None
    default: Any = None
    required: bool = True
    group: str | None = None
    show_if: ShowIf | None = None
    # type-specific (None when the type does not take the key)
    placeholder: str | None = None
    max_length: int | None = None
    monospace: bool = False
    min: Any = None  # number/slider: float; date: "YYYY-MM-DD"
    max: Any = None
    step: float | None = None
    unit: str | None = None
    range: bool = False
    options: list[Option] = field(default_factory=list)
    searchable: bool = False
    accept: list[str] = field(default_factory=list)
    max_size_mb: float | None = None
    multiple: bool = False
    schema: dict[str, Any] | None = None
    language: str | None = None
    suggestions: list[str] = field(default_factory=list)
    endpoint: str | None = None
    columns: list[Column] = field(default_factory=list)
    min_rows: int | None = None
    max_rows: int | None = None
    default_center: list[float] | None = None
    default_zoom: int | None = None

    @property
    def is_file_like(self) -> bool:
        return self.type in FILE_LIKE_INPUTS


@dataclass
class OutputSpec:
    key: str
    type: str
    label: str
    description: str | None = None
    caption: str | None = None
    unit: str | None = None
    streaming: bool = False
    layout: str = "panel"
    default_export_format: str | None = None
    supported_export_formats: list[str] | None = None
    # type-specific
    format: str = "decimal"
    precision: int | None = None
    true_label: str | None = None
    false_label: str | None = None
    columns: list[Column] = field(default_factory=list)
    downloadable: bool = False
    x_label: str | None = None
    y_label: str | None = None
    log_x: bool = False
    log_y: bool = False
    default_center: list[float] | None = None
    default_zoom: int | None = None
    language: str | None = None


@dataclass
class ToolSpec:
    id: str
    name: str
    inputs: list[InputSpec]
    outputs: list[OutputSpec]
    description: str | None = None
    version: str | None = None
    category: str | None = None
    icon: str | None = None
    layout: str = "form"
    warm_keep_seconds: int = 300
    max_memory_mb: int = 512
    max_runtime_seconds: int = 60
    secrets: list[SecretSpec] = field(default_factory=list)
    schema_version: str = "1.0"
    concurrent: bool = True
    validator_timeout_override: int | None = None
    requires_data_persistence: bool = False
    input_transport: str = "json"
    provides_file_endpoint: bool = False
    provides_autocomplete: bool = False
    retain_runs: int = 100
    tags: list[str] = field(default_factory=list)
    archived: bool = False
    pinned_warm: bool = False
    entrypoint: str = "main.py"
    package: str | None = None
    workspace_default: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)  # the file as parsed, for /schema checks
    source: Path | None = None

    def input(self, key: str) -> InputSpec | None:
        return next((i for i in self.inputs if i.key == key), None)

    def output(self, key: str) -> OutputSpec | None:
        return next((o for o in self.outputs if o.key == key), None)

    @property
    def is_streaming(self) -> bool:
        return any(o.streaming or o.type in STREAMING_OUTPUT_TYPES for o in self.outputs)

    @property
    def file_inputs(self) -> list[InputSpec]:
        return [i for i in self.inputs if i.is_file_like]
