"""How a JSON value is named in messages people read ("got a list", "expected an object"):
one wording for the tool.json parser, the validator's conformance check and the renderers'
fallback cards."""

from __future__ import annotations

from typing import Any


def describe_kind(value: Any, *, ints_apart: bool = False, object_keys: bool = False) -> str:
    """"null", "a boolean", "a number", "a string", "a list", "an object" (else the type name).
    `ints_apart` says "an integer" for ints (where an integer is what was expected);
    `object_keys` names up to five keys of an object (helps spot a wrong shape)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int) and ints_apart:
        return "an integer"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        if not object_keys:
            return "an object"
        keys = ", ".join(list(map(str, value))[:5])
        return f"an object with {{{keys}}}" if keys else "an empty object"
    return type(value).__name__
