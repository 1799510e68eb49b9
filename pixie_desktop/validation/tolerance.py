"""`reference/tolerance.yaml` (tool-contract §6): `defaults` per output TYPE (typed fields, an
unknown field is an error), `overrides` per output KEY (free-form), `options`. Effective tolerance
for an output = shallow merge, highest priority first: fixture `tolerance[key]` > `overrides[key]`
> `defaults[type]` > the comparator's built-in default."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pixie_desktop.manifest.model import OUTPUT_TYPES


class ToleranceError(ValueError):
    """tolerance.yaml cannot be used; the message says where and why."""


_COMMON = ("compare", "rtol", "atol", "float_rtol", "float_atol")
_ROUNDED = _COMMON + ("round_digits",)
_CHART = _COMMON + ("match_series",)
# Fields each output type accepts under `defaults` (anything else is a typo worth failing on).
TYPE_FIELDS: dict[str, tuple[str, ...]] = {t: _COMMON for t in OUTPUT_TYPES}
TYPE_FIELDS.update({
    "kv": _COMMON + ("allow_extra",),
    "tree": _COMMON + ("children_order",),
    "log": _COMMON + ("allow_regex",),
    "image": _COMMON + ("min_ssim",), "image_grid": _COMMON + ("min_ssim",),
    "image_compare": _COMMON + ("min_ssim",),
    "audio": _COMMON + ("max_l2",),
    "map_points": _ROUNDED, "map_heatmap": _ROUNDED, "map_route": _ROUNDED, "map_polygons": _ROUNDED,
    "map_choropleth": _COMMON,
})
for _t in ("chart_line", "chart_bar", "chart_area", "chart_scatter", "chart_radar", "chart_boxplot"):
    TYPE_FIELDS[_t] = _CHART

OPTION_DEFAULTS: dict[str, Any] = {
    "on_extra_output_key": "warn",
    "on_missing_expected_key": "fail",
    "truncate_diff_chars": 400,
}
_POLICIES = ("warn", "fail", "ignore")


@dataclass
class ToleranceConfig:
    defaults: dict[str, dict[str, Any]] = field(default_factory=dict)
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=lambda: dict(OPTION_DEFAULTS))

    def effective(self, out_type: str, key: str, fixture_tolerance: dict[str, Any] | None = None) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        merged.update(self.defaults.get(out_type, {}))
        merged.update(self.overrides.get(key, {}))
        if fixture_tolerance and isinstance(fixture_tolerance.get(key), dict):
            merged.update(fixture_tolerance[key])
        return merged


def parse_tolerance(data: Any, where: str = "tolerance.yaml") -> ToleranceConfig:
    if data is None:
        return ToleranceConfig()
    if not isinstance(data, dict):
        raise ToleranceError(f"{where}: the top level must be a mapping with defaults/overrides/options")
    unknown = sorted(set(data) - {"defaults", "overrides", "options"})
    if unknown:
        raise ToleranceError(f"{where}: unknown top-level key(s) {', '.join(map(str, unknown))} — only defaults, "
                             "overrides and options are allowed (output keys go under `overrides`)")
    cfg = ToleranceConfig()
    for out_type, fields in (data.get("defaults") or {}).items():
        if out_type not in TYPE_FIELDS:
            raise ToleranceError(f"{where}: defaults.{out_type}: not an output type")
        if not isinstance(fields, dict):
            raise ToleranceError(f"{where}: defaults.{out_type}: must be a mapping")
        bad = sorted(set(fields) - set(TYPE_FIELDS[out_type]))
        if bad:
            raise ToleranceError(f"{where}: defaults.{out_type}: unknown field(s) {', '.join(map(str, bad))}; "
                                 f"allowed: {', '.join(TYPE_FIELDS[out_type])}")
        _check_numbers(fields, f"{where}: defaults.{out_type}")
        cfg.defaults[str(out_type)] = dict(fields)
    if not isinstance(data.get("overrides") or {}, dict):
        raise ToleranceError(f"{where}: overrides must be a mapping of output key → fields")
    for key, fields in (data.get("overrides") or {}).items():
        if not isinstance(fields, dict):
            raise ToleranceError(f"{where}: overrides.{key}: must be a mapping")
        _check_numbers(fields, f"{where}: overrides.{key}")
        cfg.overrides[str(key)] = dict(fields)
    options = data.get("options") or {}
    if not isinstance(options, dict):
        raise ToleranceError(f"{where}: options must be a mapping")
    for name, value in options.items():
        if name not in OPTION_DEFAULTS:
            raise ToleranceError(f"{where}: options.{name}: unknown option; allowed: {', '.join(OPTION_DEFAULTS)}")
        if name == "truncate_diff_chars":
            if not isinstance(value, int) or isinstance(value, bool) or value < 20:
                raise ToleranceError(f"{where}: options.truncate_diff_chars must be an integer ≥ 20")
        elif value not in _POLICIES:
            raise ToleranceError(f"{where}: options.{name} must be one of {', '.join(_POLICIES)}")
        cfg.options[name] = value
    return cfg


def _check_numbers(fields: dict[str, Any], where: str) -> None:
    for name in ("rtol", "atol", "float_rtol", "float_atol", "min_ssim", "max_l2"):
        if name in fields:
            v = fields[name]
            if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
                raise ToleranceError(f"{where}.{name}: must be a non-negative number, got {v!r}")
    if "round_digits" in fields and (not isinstance(fields["round_digits"], int) or fields["round_digits"] < 0):
        raise ToleranceError(f"{where}.round_digits: must be a non-negative integer")


def load_tolerance(reference_dir: Path) -> ToleranceConfig:
    """Read `reference/tolerance.yaml` (or `.yml`); absent means built-in defaults."""
    for name in ("tolerance.yaml", "tolerance.yml"):
        path = reference_dir / name
        if path.is_file():
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError) as exc:
                raise ToleranceError(f"{name}: cannot be read: {exc}") from None
            except yaml.YAMLError as exc:
                raise ToleranceError(f"{name}: not valid YAML: {' '.join(str(exc).split())}") from None
            return parse_tolerance(data, name)
    return ToleranceConfig()
