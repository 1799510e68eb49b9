"""Calculator: a op b, plus every operation side by side (table + bar chart) and the chosen
operation applied to x = 1…10 (line chart). Built on the stdlib-only Pixie SDK."""

from __future__ import annotations

import math
import sys
from pathlib import Path

try:
    from pixie_desktop import sdk
except ImportError:  # running from a checkout without the package installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from pixie_desktop import sdk

tool = sdk.Tool(__file__)

SYMBOLS = {"add": "+", "subtract": "−", "multiply": "×", "divide": "÷", "power": "^"}
NAMES = {"add": "Add", "subtract": "Subtract", "multiply": "Multiply", "divide": "Divide", "power": "Power"}


def apply(op: str, a: float, b: float) -> float | None:
    """None when the result is undefined (division by zero, overflow, complex power)."""
    try:
        if op == "add":
            value = a + b
        elif op == "subtract":
            value = a - b
        elif op == "multiply":
            value = a * b
        elif op == "divide":
            value = a / b
        elif op == "power":
            value = float(a) ** float(b)
        else:
            raise sdk.ToolError(f"unknown operation '{op}'")
    except (ZeroDivisionError, OverflowError):
        return None
    if isinstance(value, complex) or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return value


def tidy(value: float | None, places: int) -> float | int | None:
    if value is None:
        return None
    value = round(value, places)
    return int(value) if float(value).is_integer() and abs(value) < 1e15 else value


@tool.handler
def run(inputs: dict, ctx: sdk.RunContext) -> dict:
    a, b = inputs.get("a", 0), inputs.get("b", 0)
    op = str(inputs.get("op", "add"))
    places = int(inputs.get("precision") if inputs.get("precision") is not None else 4)
    if not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
        raise sdk.ToolError("both numbers are required")
    result = apply(op, a, b)
    if result is None:
        raise sdk.ToolError(f"{a} {SYMBOLS.get(op, op)} {b} is undefined")
    rows = []
    for name in SYMBOLS:
        value = tidy(apply(name, a, b), places)
        rows.append({"operation": NAMES[name], "expression": f"{a} {SYMBOLS[name]} {b}", "value": value})
    xs = list(range(1, 11))
    ys = [tidy(apply(op, a, x), places) for x in xs]
    return {
        "result": tidy(result, places),
        "breakdown": {"columns": [{"key": "operation", "label": "Operation", "type": "text"},
                                  {"key": "expression", "label": "Expression", "type": "text"},
                                  {"key": "value", "label": "Value", "type": "number"}],
                      "rows": rows},
        "comparison": {"x": [r["operation"] for r in rows],
                       "series": [{"name": f"a = {a}, b = {b}", "y": [r["value"] for r in rows]}]},
        "series": {"x": xs, "series": [{"name": f"{a} {SYMBOLS.get(op, op)} x", "y": ys}]},
    }


if __name__ == "__main__":
    tool.serve()
