"""Checking and coercing run inputs against the tool's declared inputs before anything is
written: required values, defaults for optional ones, type coercion of strings (as typed on
the command line or in a form) following the reference's form rules, number ranges and steps
(refused with the input's name, never clamped), file size limits.

Raises InputError listing every problem at once.

One rule for `run` (CLI and GUI) and `validate` about required inputs: a required input that is
*given empty* is refused; one that is *left out altogether* (the key absent, as reference
fixtures and `pixie run` without `--input` do) is passed on without a value and reported by
`input_warnings` — the tool decides, and the validator's fixtures get the same warning."""

from __future__ import annotations

import json
import math
from typing import Any

from pixie_desktop.manifest.model import InputSpec, ToolSpec

JSON_TYPES = ("multiselect", "tags", "json", "table", "date_range", "map_point", "map_bbox",
              "map_polygon", "map_multipoint")
FILE_TYPES = ("file", "image", "audio")
TRUE = ("true", "on", "1", "yes", "y")
FALSE = ("false", "off", "0", "no", "n", "")


class InputError(ValueError):
    """Inputs that cannot be sent to the tool; `problems` is [(input key, message)]."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__("; ".join(f"{k}: {m}" if k else m for k, m in problems))


class _Bad(Exception):
    pass


def field_message(label: str, message: str) -> str:
    """One problem with one input, naming the field the way the form labels it:
    "Check 'CSV file': this field is required". Accepts the bare problem ("must be a number",
    "This field is required.") or one that already starts with the quoted label."""
    text = (message or "").strip()
    if text.startswith("Check '"):
        return text
    quoted = f"'{label}'"
    if label and text.startswith(quoted):
        text = text[len(quoted):].lstrip(" :")
    text = text.rstrip(".")
    if text[:1].isupper() and not text[1:2].isupper():
        text = text[0].lower() + text[1:]
    return f"Check '{label}': {text}" if label else text


def _number(spec: InputSpec, value: Any) -> Any:
    if isinstance(value, bool):
        raise _Bad("must be a number")
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise _Bad(f"must be a number (got {value!r})") from None
    if not isinstance(value, (int, float)) or (isinstance(value, float) and math.isnan(value)):
        raise _Bad("must be a number")
    step_integral = spec.step is None or float(spec.step).is_integer()
    if float(value).is_integer() and step_integral and not math.isinf(value):
        return int(value)
    return float(value)


def _num(x: Any) -> float | None:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return None
    return float(x)


def _fmt(x: float) -> str:
    return f"{x:g}"


def check_range(spec: InputSpec, value: float) -> None:
    """min/max/step as the form's spin boxes and sliders enforce them. The step counts from min
    (else 0); a tiny relative tolerance absorbs float noise (0.1 + 0.2)."""
    lo, hi, step = _num(spec.min), _num(spec.max), _num(spec.step)
    if lo is not None and value < lo:
        raise _Bad(f"must be at least {_fmt(lo)} (got {_fmt(value)})")
    if hi is not None and value > hi:
        raise _Bad(f"must be at most {_fmt(hi)} (got {_fmt(value)})")
    if step is not None and step > 0 and not math.isinf(value):
        n = (value - (lo or 0.0)) / step
        if abs(n - round(n)) > 1e-6 * max(1.0, abs(n)):
            base = f" counting from {_fmt(lo)}" if lo else ""
            raise _Bad(f"must be a multiple of {_fmt(step)}{base} (got {_fmt(value)})")


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return bool(value)
    text = str(value).strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise _Bad(f"must be true or false (got {value!r})")


def _retype_option(spec: InputSpec, value: Any) -> Any:
    if not spec.options:
        return value
    first = spec.options[0].value
    if isinstance(value, str) and not isinstance(first, str):
        try:
            if isinstance(first, bool):
                return _bool(value)
            if isinstance(first, int):
                return int(float(value)) if float(value).is_integer() else float(value)
            if isinstance(first, float):
                return float(value)
        except (ValueError, _Bad):  # not coercible: the value goes as typed and validation names it
            pass
    return value


def _check_option(spec: InputSpec, value: Any) -> None:
    allowed = {str(o.value) for o in spec.options}
    if allowed and str(value) not in allowed:
        shown = ", ".join(sorted(allowed)[:8])
        raise _Bad(f"{value!r} is not one of the options ({shown})")


def _file_value(spec: InputSpec, value: Any) -> Any:
    from pixie_desktop.artefacts.spill import data_url_size

    from pixie_desktop.manifest.accept import data_url_mime, file_problem

    values = value if isinstance(value, list) else [value]
    for v in values:
        if not isinstance(v, str) or not (v.startswith("data:") or v.startswith(("http://", "https://"))):
            raise _Bad("must be a file (a data: URL)")
        mime = data_url_mime(v)
        problem = file_problem(spec, None, mime) if mime else None
        if problem:  # the same accept rule as the form and the window drop
            raise _Bad(f"is not accepted here: {problem}")
        if spec.max_size_mb and v.startswith("data:") and data_url_size(v) > spec.max_size_mb * 1024 * 1024:
            size = data_url_size(v) / (1024 * 1024)
            raise _Bad(f"file is {size:.1f} MB, the limit is {spec.max_size_mb:g} MB")
    if spec.multiple and not isinstance(value, list):
        return [value]
    return value


def coerce_value(spec: InputSpec, value: Any, limits: bool = True) -> Any:
    kind = spec.type
    if kind in JSON_TYPES or (kind == "slider" and spec.range):
        if isinstance(value, str):
            text = value.strip()
            try:
                value = json.loads(text)
            except ValueError:
                if kind in ("tags", "multiselect"):
                    value = [p.strip() for p in text.split(",") if p.strip()]
                elif kind != "json":
                    raise _Bad(f"must be JSON (got {value!r})") from None
    if kind == "number":
        number = _number(spec, value)
        if limits:
            check_range(spec, float(number))
        return number
    if kind == "slider":
        if spec.range:
            if not isinstance(value, list) or len(value) != 2:
                raise _Bad("must be a [low, high] pair")
            pair = [float(_number(spec, v)) for v in value]
            for v in pair if limits else ():
                check_range(spec, v)
            if pair[0] > pair[1]:
                raise _Bad(f"low {_fmt(pair[0])} is above high {_fmt(pair[1])}")
            return pair
        number = float(_number(spec, value))
        if limits:
            check_range(spec, number)
        return number
    if kind in ("checkbox", "toggle"):
        return _bool(value)
    if kind == "select":
        value = _retype_option(spec, value)
        _check_option(spec, value)
        return value
    if kind == "radio":
        _check_option(spec, value)
        return value if not isinstance(value, (int, float)) or isinstance(value, bool) else value
    if kind == "multiselect":
        if not isinstance(value, list):
            value = [value]
        value = [_retype_option(spec, v) for v in value]
        for v in value:
            _check_option(spec, v)
        return value
    if kind == "tags":
        if not isinstance(value, list):
            raise _Bad("must be a list of tags")
        return [str(v) for v in value]
    if kind in FILE_TYPES:
        return _file_value(spec, value)
    if kind in ("text", "textarea", "code", "markdown", "autocomplete", "date", "time", "datetime",
                "colour"):
        if not isinstance(value, str):
            value = str(value)
        if spec.max_length and len(value) > spec.max_length:
            raise _Bad(f"is {len(value)} characters, the limit is {spec.max_length}")
        return value
    if kind == "table" and not isinstance(value, list):
        raise _Bad("must be a list of rows")
    return value


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value == "")


def check_inputs(spec: ToolSpec, inputs: dict[str, Any]) -> dict[str, Any]:
    """Coerced inputs ready for /run (declared keys only, in declared order)."""
    if not isinstance(inputs, dict):
        raise InputError([("", "inputs must be an object of key → value")])
    problems: list[tuple[str, str]] = []
    out: dict[str, Any] = {}
    if spec.layout == "chat":
        # chat tools take the conversation as-is (messages/history may not be declared inputs)
        for key in ("messages", "history"):
            if key in inputs:
                out[key] = inputs[key]
    known = {i.key for i in spec.inputs}
    for key in inputs:
        if key not in known and key not in out:
            problems.append((key, "is not an input of this tool"))
    for inp in spec.inputs:
        value = inputs.get(inp.key)
        from_default = False
        if _missing(value) and not (inp.type in ("text", "textarea", "code", "markdown") and value == ""
                                    and not inp.required):
            if inp.default is not None:
                value, from_default = inp.default, True
            elif inp.type in ("checkbox", "toggle"):
                value = False
            elif inp.required and inp.type != "hidden" and inp.key in inputs:
                problems.append((inp.key, field_message(inp.label, "this field is required")))
                continue
            else:
                continue  # left out: the tool gets no value (a required one: see input_warnings)
        try:
            # the tool's own default is not range-checked: real tools ship off-step ones
            out[inp.key] = coerce_value(inp, value, limits=not from_default)
        except _Bad as exc:
            problems.append((inp.key, field_message(inp.label, str(exc))))
    if problems:
        raise InputError(problems)
    return out


def omitted_required(spec: ToolSpec, inputs: dict[str, Any]) -> list[InputSpec]:
    """Required inputs without a default whose key is absent from `inputs`."""
    if spec.layout == "chat" or not isinstance(inputs, dict):
        return []
    return [i for i in spec.inputs if i.required and i.default is None and i.type not in ("hidden", "checkbox", "toggle")
            and i.key not in inputs]


def input_warnings(spec: ToolSpec, inputs: dict[str, Any]) -> list[tuple[str, str]]:
    """What `run` and `validate` both say about inputs they accept but the contract frowns on:
    [(input key, message)]."""
    return [(i.key, f"'{i.label}' ({i.key}) is required but was left out: the tool runs without it")
            for i in omitted_required(spec, inputs)]
