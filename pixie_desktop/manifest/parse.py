"""Parse tool.json into `ToolSpec` with errors a person can act on.

Every error names the file, the path inside it (`inputs[3].type`) and what was expected.
Unknown keys are an error at every level, like the reference's `extra="forbid"`; keys that are
legal only on other types say which types take them. All problems are collected, not just the
first."""

from __future__ import annotations

import json
import stat
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from pixie_desktop.manifest.jsonkind import describe_kind
from pixie_desktop.manifest.model import (
    INPUT_REQUIRED_FIELDS, INPUT_TYPE_FIELDS, INPUT_TYPES, OUTPUT_TYPE_FIELDS, OUTPUT_TYPES, Column, InputSpec,
    Option, OutputSpec, SecretSpec, ShowIf, ToolSpec,
)


@dataclass
class Problem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class SpecError(ValueError):
    """tool.json could not be used. `problems` lists each (path, message)."""

    def __init__(self, file: str | Path | None, problems: list[Problem]):
        self.file = str(file) if file is not None else "tool.json"
        self.problems = problems
        shown = "; ".join(str(p) for p in problems[:8])
        more = f"; …and {len(problems) - 8} more" if len(problems) > 8 else ""
        super().__init__(f"{self.file}: {shown}{more}")

    @property
    def first(self) -> Problem:
        return self.problems[0]


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))


def _kind(value: Any) -> str:
    return describe_kind(value, ints_apart=True)


def _got(value: Any) -> str:
    text = json.dumps(value, default=str) if not isinstance(value, float) or math.isfinite(value) else str(value)
    if len(text) > 40:
        text = text[:37] + "…"
    return f"got {_kind(value)} {text}" if value is not None else "got null"


# --- field checkers: return the converted value or raise _Bad(expected) -----------------------

class _Bad(Exception):
    def __init__(self, expected: str):
        super().__init__(expected)
        self.expected = expected


Checker = Callable[[Any], Any]


def _nullable(check: Checker) -> Checker:
    def inner(v: Any) -> Any:
        return None if v is None else check(v)
    inner.expected = getattr(check, "expected", "") + " or null"  # type: ignore[attr-defined]
    return inner


def _c_str(v: Any) -> str:
    if isinstance(v, str):
        return v
    raise _Bad("a string")


def _c_bool(v: Any) -> bool:
    if isinstance(v, bool):
        return v
    raise _Bad("true or false")


def _c_int(v: Any) -> int:
    if isinstance(v, bool):
        raise _Bad("an integer")
    if isinstance(v, int):
        return v
    if isinstance(v, float) and math.isfinite(v) and v.is_integer():
        return int(v)
    raise _Bad("an integer")


def _c_num(v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(float(v)):
        raise _Bad("a finite number")
    return v


def _c_str_list(v: Any) -> list[str]:
    if isinstance(v, list) and all(isinstance(x, str) for x in v):
        return list(v)
    raise _Bad("a list of strings")


def _c_accept(v: Any) -> list[str]:
    if isinstance(v, str):
        return [p.strip() for p in v.split(",") if p.strip()]
    return _c_str_list(v)


def _c_object(v: Any) -> dict:
    if isinstance(v, dict):
        return v
    raise _Bad("an object")


def _c_center(v: Any) -> list[float]:
    if isinstance(v, list) and len(v) == 2 and all(not isinstance(x, bool) and isinstance(x, (int, float))
                                                  for x in v):
        return [float(v[0]), float(v[1])]
    raise _Bad("[lat, lng]")


def _c_any(v: Any) -> Any:
    return v


def _enum(*choices: str) -> Checker:
    def inner(v: Any) -> str:
        if isinstance(v, str) and v in choices:
            return v
        raise _Bad("one of " + ", ".join(repr(c) for c in choices))
    return inner


def _c_minmax(v: Any) -> Any:
    # number/slider take numbers; date takes "YYYY-MM-DD" strings
    if isinstance(v, str):
        return v
    return _c_num(v)


# Checkers for every key that can appear on an input/output (type-specific legality is separate).
INPUT_FIELD_CHECKS: dict[str, Checker] = {
    "key": _c_str, "type": _c_str, "label": _c_str,
    "description": _nullable(_c_str), "default": _c_any, "required": _c_bool,
    "group": _nullable(_c_str), "show_if": _c_any,
    "placeholder": _nullable(_c_str), "max_length": _nullable(_c_int), "monospace": _c_bool,
    "min": _nullable(_c_minmax), "max": _nullable(_c_minmax), "step": _nullable(_c_num),
    "unit": _nullable(_c_str), "range": _c_bool, "options": _c_any, "searchable": _c_bool,
    "accept": _nullable(_c_accept), "max_size_mb": _nullable(_c_num), "multiple": _c_bool,
    "schema": _nullable(_c_object), "language": _nullable(_c_str), "suggestions": _c_str_list,
    "endpoint": _c_str, "columns": _c_any, "min_rows": _nullable(_c_int), "max_rows": _nullable(_c_int),
    "default_center": _nullable(_c_center), "default_zoom": _nullable(_c_int),
}
INPUT_BASE = ("key", "type", "label", "description", "default", "required", "group", "show_if")

OUTPUT_FIELD_CHECKS: dict[str, Checker] = {
    "key": _c_str, "type": _c_str, "label": _c_str,
    "description": _nullable(_c_str), "caption": _nullable(_c_str), "unit": _nullable(_c_str),
    "streaming": _c_bool, "layout": _enum("panel", "tab", "inline"),
    "default_export_format": _nullable(_c_str), "supported_export_formats": _nullable(_c_str_list),
    "format": _enum("currency", "percent", "scientific", "decimal"), "precision": _nullable(_c_int),
    "true_label": _nullable(_c_str), "false_label": _nullable(_c_str), "columns": _c_any,
    "downloadable": _c_bool, "x_label": _nullable(_c_str), "y_label": _nullable(_c_str),
    "log_x": _c_bool, "log_y": _c_bool, "default_center": _nullable(_c_center),
    "default_zoom": _nullable(_c_int), "language": _nullable(_c_str),
}
OUTPUT_BASE = ("key", "type", "label", "description", "caption", "unit", "streaming", "layout",
               "default_export_format", "supported_export_formats")

TOOL_FIELD_CHECKS: dict[str, Checker] = {
    "id": _c_str, "name": _c_str, "inputs": _c_any, "outputs": _c_any,
    "description": _nullable(_c_str), "version": _nullable(_c_str), "category": _nullable(_c_str),
    "icon": _nullable(_c_str), "layout": _enum("form", "chat", "split"),
    "warm_keep_seconds": _c_int, "max_memory_mb": _c_int, "max_runtime_seconds": _c_int,
    "secrets": _c_any, "schema_version": _c_str, "concurrent": _c_bool,
    "validator_timeout_override": _nullable(_c_int), "requires_data_persistence": _c_bool,
    "input_transport": _enum("json", "multipart"), "provides_file_endpoint": _c_bool,
    "provides_autocomplete": _c_bool, "retain_runs": _c_int, "tags": _c_str_list, "archived": _c_bool,
    "pinned_warm": _c_bool, "entrypoint": _c_str, "package": _nullable(_c_str),
    "workspace_default": _nullable(_c_str),
}
TOOL_REQUIRED = ("id", "name", "inputs", "outputs")


def _check_fields(obj: dict, path: str, allowed: tuple[str, ...] | list[str], checks: dict[str, Checker],
                  out: _Collector, *, required: tuple[str, ...] = (),
                  elsewhere: Callable[[str], str] | None = None) -> dict[str, Any]:
    """Type-check `obj`'s keys; unknown keys and missing required ones become problems."""
    values: dict[str, Any] = {}
    for key in required:
        if key not in obj:
            out.add(f"{path}.{key}" if path else key, "is required but missing")
    for key, raw in obj.items():
        kpath = f"{path}.{key}" if path else str(key)
        if key not in allowed:
            hint = elsewhere(key) if elsewhere else ""
            out.add(kpath, f"unknown key{hint}; allowed keys here: {', '.join(allowed)}")
            continue
        try:
            values[key] = checks[key](raw)
        except _Bad as bad:
            out.add(kpath, f"expected {bad.expected}, {_got(raw)}")
    return values


def _type_hint(table: dict[str, tuple[str, ...]], kind: str) -> Callable[[str], str]:
    def hint(key: str) -> str:
        owners = [t for t, keys in table.items() if key in keys]
        if owners:
            shown = ", ".join(owners[:6]) + (" …" if len(owners) > 6 else "")
            return f" for a {kind} of this type (only {shown} take '{key}')"
        return ""
    return hint


def _parse_options(raw: Any, path: str, out: _Collector) -> list[Option]:
    if not isinstance(raw, list):
        out.add(path, f"expected a list of {{value, label}} objects, {_got(raw)}")
        return []
    options: list[Option] = []
    for i, item in enumerate(raw):
        ipath = f"{path}[{i}]"
        if isinstance(item, (str, int, float)) and not isinstance(item, bool):
            out.add(ipath, f"expected an object {{\"value\": …, \"label\": …}}, {_got(item)}")
            continue
        if not isinstance(item, dict):
            out.add(ipath, f"expected an object {{\"value\": …, \"label\": …}}, {_got(item)}")
            continue
        vals = _check_fields(item, ipath, ("value", "label"),
                             {"value": _c_any, "label": _nullable(_c_str)}, out, required=("value",))
        value = vals.get("value")
        if "value" in vals and not isinstance(value, (str, int, float, bool)):
            out.add(f"{ipath}.value", f"expected a string, number or boolean, {_got(value)}")
            continue
        if "value" in vals:
            options.append(Option(value=value, label=vals.get("label") or str(value)))
    return options


def _parse_columns(raw: Any, path: str, out: _Collector) -> list[Column]:
    if not isinstance(raw, list):
        out.add(path, f"expected a list of {{key, label, type}} objects, {_got(raw)}")
        return []
    cols: list[Column] = []
    for i, item in enumerate(raw):
        ipath = f"{path}[{i}]"
        if not isinstance(item, dict):
            out.add(ipath, f"expected an object {{\"key\", \"label\", \"type\"}}, {_got(item)}")
            continue
        vals = _check_fields(item, ipath, ("key", "label", "type"),
                             {"key": _c_str, "label": _c_str, "type": _c_str}, out,
                             required=("key", "label", "type"))
        if len(vals) == 3:
            cols.append(Column(vals["key"], vals["label"], vals["type"]))
    return cols


def _entry_type(raw: Any, path: str, kind: str, types: Any, out: _Collector) -> str | None:
    """The `type` of an input/output entry, or None after saying what is wrong with it."""
    if not isinstance(raw, dict):
        out.add(path, f"expected an {kind} object, {_got(raw)}")
        return None
    if "type" not in raw:
        out.add(f"{path}.type", "is required but missing; expected one of: " + ", ".join(types))
        return None
    etype = raw.get("type")
    if etype not in types:
        out.add(f"{path}.type", f"expected one of: {', '.join(types)}; {_got(etype)}")
        return None
    return etype


def _parse_input(raw: Any, path: str, out: _Collector) -> InputSpec | None:
    itype = _entry_type(raw, path, "input", INPUT_TYPES, out)
    if itype is None:
        return None
    allowed = INPUT_BASE + INPUT_TYPE_FIELDS[itype]
    before = len(out.problems)
    vals = _check_fields(raw, path, allowed, INPUT_FIELD_CHECKS, out,
                         required=("key", "label") + INPUT_REQUIRED_FIELDS.get(itype, ()),
                         elsewhere=_type_hint(INPUT_TYPE_FIELDS, "input"))
    if "options" in vals:
        vals["options"] = _parse_options(vals["options"], f"{path}.options", out)
        if not vals["options"] and "options" in INPUT_REQUIRED_FIELDS.get(itype, ()) and \
                isinstance(raw.get("options"), list) and not raw.get("options"):
            out.add(f"{path}.options", "needs at least one option")
    if "columns" in vals:
        vals["columns"] = _parse_columns(vals["columns"], f"{path}.columns", out)
    if "show_if" in vals:
        si = vals["show_if"]
        if si is None:
            vals["show_if"] = None
        elif not isinstance(si, dict):
            out.add(f"{path}.show_if", f"expected an object {{\"key\": …, \"equals\": …}}, {_got(si)}")
            vals.pop("show_if")
        else:
            sv = _check_fields(si, f"{path}.show_if", ("key", "equals"), {"key": _c_str, "equals": _c_any},
                               out, required=("key",))
            vals["show_if"] = ShowIf(sv["key"], sv.get("equals")) if "key" in sv else None
    if itype == "slider" and isinstance(vals.get("min"), str):
        out.add(f"{path}.min", "expected a number for a slider")
    if itype == "slider" and isinstance(vals.get("max"), str):
        out.add(f"{path}.max", "expected a number for a slider")
    if len(out.problems) > before:
        return None
    for key in ("monospace", "range", "searchable", "multiple", "required"):
        if vals.get(key) is None:
            vals.pop(key, None)
    if vals.get("suggestions") is None:
        vals.pop("suggestions", None)
    if vals.get("accept") is None:
        vals.pop("accept", None)
    return InputSpec(**vals)


def _parse_output(raw: Any, path: str, out: _Collector) -> OutputSpec | None:
    otype = _entry_type(raw, path, "output", OUTPUT_TYPES, out)
    if otype is None:
        return None
    allowed = OUTPUT_BASE + OUTPUT_TYPE_FIELDS[otype]
    before = len(out.problems)
    vals = _check_fields(raw, path, allowed, OUTPUT_FIELD_CHECKS, out, required=("key", "label"),
                         elsewhere=_type_hint(OUTPUT_TYPE_FIELDS, "output"))
    if "columns" in vals:
        vals["columns"] = _parse_columns(vals["columns"], f"{path}.columns", out)
    if len(out.problems) > before:
        return None
    return OutputSpec(**vals)


def _parse_secrets(raw: Any, out: _Collector) -> list[SecretSpec]:
    if not isinstance(raw, list):
        out.add("secrets", f"expected a list of {{key, description, required}} objects, {_got(raw)}")
        return []
    secrets: list[SecretSpec] = []
    for i, item in enumerate(raw):
        path = f"secrets[{i}]"
        if not isinstance(item, dict):
            out.add(path, f"expected an object {{\"key\", \"description\", \"required\"}}, {_got(item)}")
            continue
        vals = _check_fields(item, path, ("key", "description", "required"),
                             {"key": _c_str, "description": _nullable(_c_str), "required": _c_bool}, out,
                             required=("key",),
                             elsewhere=lambda k: " (secrets use 'description', not 'label')" if k == "label" else "")
        if "key" in vals:
            secrets.append(SecretSpec(**vals))
    return secrets


def parse_tool_dict(data: Any, file: str | Path | None = None) -> ToolSpec:
    """Validate an already-decoded tool.json object. Raises SpecError listing every problem."""
    out = _Collector()
    if not isinstance(data, dict):
        raise SpecError(file, [Problem("", f"the top level must be an object, {_got(data)}")])
    vals = _check_fields(data, "", tuple(TOOL_FIELD_CHECKS), TOOL_FIELD_CHECKS, out, required=TOOL_REQUIRED)
    inputs: list[InputSpec] = []
    outputs: list[OutputSpec] = []
    if "inputs" in vals:
        if isinstance(vals["inputs"], list):
            for i, item in enumerate(vals["inputs"]):
                spec = _parse_input(item, f"inputs[{i}]", out)
                if spec:
                    inputs.append(spec)
        else:
            out.add("inputs", f"expected a list of input objects, {_got(vals['inputs'])}")
    if "outputs" in vals:
        if isinstance(vals["outputs"], list):
            for i, item in enumerate(vals["outputs"]):
                ospec = _parse_output(item, f"outputs[{i}]", out)
                if ospec:
                    outputs.append(ospec)
        else:
            out.add("outputs", f"expected a list of output objects, {_got(vals['outputs'])}")
    secrets = _parse_secrets(vals["secrets"], out) if "secrets" in vals else []
    for key in ("max_memory_mb", "max_runtime_seconds"):
        if key in vals and vals[key] <= 0:
            out.add(key, f"expected a positive integer, {_got(vals[key])}")
    if isinstance(vals.get("id"), str) and has_control_chars(vals["id"]):
        # an id names folders and appears in logs and terminals: no escape sequences, no newlines
        out.add("id", f"the tool id {vals['id']!r} contains control characters")
    if out.problems:
        raise SpecError(file, out.problems)
    vals.update(inputs=inputs, outputs=outputs, secrets=secrets)
    spec = ToolSpec(**vals)
    spec.raw = data
    spec.source = Path(file) if file else None
    return spec


def parse_tool_json(text: str | bytes, file: str | Path | None = None) -> ToolSpec:
    """Decode + validate tool.json text. JSON syntax errors name the line and column."""
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8-sig")
        elif text.startswith("\ufeff"):
            text = text[1:]
        data = json.loads(text)
    except UnicodeDecodeError as exc:
        raise SpecError(file, [Problem("", f"the file is not UTF-8 text ({exc.reason} at byte {exc.start})")]) from None
    except json.JSONDecodeError as exc:
        raise SpecError(file, [Problem("", f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}")]) from None
    except (ValueError, RecursionError) as exc:
        raise SpecError(file, [Problem("", f"invalid JSON: {exc}")]) from None
    return parse_tool_dict(data, file)


MAX_TOOL_JSON_BYTES = 1024 * 1024  # a real tool.json is a few KB; more is a mistake or an attack


def has_control_chars(text: str) -> bool:
    """True when `text` holds C0/C1 control characters (ESC, newline, NUL, DEL, …)."""
    return any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in text)


def parse_tool_file(path: str | Path) -> ToolSpec:
    path = Path(path)
    try:
        if not stat.S_ISREG(path.stat().st_mode):  # a FIFO or device would block or never end
            raise SpecError(path, [Problem("", "not a regular file")])
        with open(path, "rb") as fh:  # bounded read: never the whole of a huge (or endless) file
            raw = fh.read(MAX_TOOL_JSON_BYTES + 1)
    except OSError as exc:
        raise SpecError(path, [Problem("", f"cannot read the file: {exc.strerror or exc}")]) from None
    if len(raw) > MAX_TOOL_JSON_BYTES:
        raise SpecError(path, [Problem("", f"the file is larger than {MAX_TOOL_JSON_BYTES // 1024} KiB "
                                           "(the limit for tool.json)")])
    return parse_tool_json(raw, path)


def coherence_problems(spec: ToolSpec) -> list[str]:
    """The validator's `schemas_coherent` rules: unique input keys, unique output keys, and
    every show_if naming another input."""
    problems: list[str] = []
    seen: set[str] = set()
    for i, inp in enumerate(spec.inputs):
        if inp.key in seen:
            problems.append(f"inputs[{i}].key: duplicate input key '{inp.key}'")
        seen.add(inp.key)
    seen_out: set[str] = set()
    for i, o in enumerate(spec.outputs):
        if o.key in seen_out:
            problems.append(f"outputs[{i}].key: duplicate output key '{o.key}'")
        seen_out.add(o.key)
    for i, inp in enumerate(spec.inputs):
        if inp.show_if is not None and (inp.show_if.key not in seen or inp.show_if.key == inp.key):
            problems.append(f"inputs[{i}].show_if.key: '{inp.show_if.key}' is not another input of this tool")
    return problems
