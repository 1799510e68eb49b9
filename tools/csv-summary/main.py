"""CSV Summary: an overview, per-column statistics and two charts of the numeric columns (mean
of each, and the distribution of one). The charts are returned as data (`chart_bar`,
`chart_histogram`), so the app draws them natively: themed, zoomable and exportable. Built on the
stdlib-only Pixie SDK."""

from __future__ import annotations

import csv
import io
import math
import statistics
import sys
from pathlib import Path

try:
    from pixie_desktop import sdk
except ImportError:  # running from a checkout without the package installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from pixie_desktop import sdk

tool = sdk.Tool(__file__)


def parse_number(text: str) -> float | None:
    # "1,234.5" is a number with a thousands separator; "1,5" alone is left as text
    t = text.strip().replace(",", "") if text.count(",") and text.count(".") else text.strip()
    try:
        value = float(t)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def read_rows(data: bytes, delimiter: str) -> tuple[list[str], list[list[str]]]:
    text = data.decode("utf-8-sig", errors="replace")
    if not text.strip():
        raise sdk.ToolError("the file is empty")
    if delimiter == "auto":
        try:
            delimiter = csv.Sniffer().sniff(text[:20000], delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
    elif delimiter == "tab":
        delimiter = "\t"
    rows = [r for r in csv.reader(io.StringIO(text), delimiter=delimiter) if any(c.strip() for c in r)]
    if not rows:
        raise sdk.ToolError("the file has no rows")
    header = [h.strip() or f"column {i + 1}" for i, h in enumerate(rows[0])]
    return header, rows[1:]


def tidy(value: float) -> float | int:
    """Four significant decimals is plenty for a summary; whole numbers stay whole."""
    value = float(f"{value:.6g}")
    return int(value) if value.is_integer() and abs(value) < 1e15 else value


def summarise(header: list[str], rows: list[list[str]]) -> tuple[list[dict], dict[str, list[float]]]:
    summary, numeric = [], {}
    for i, name in enumerate(header):
        cells = [r[i].strip() if i < len(r) else "" for r in rows]
        filled = [c for c in cells if c]
        numbers = [n for n in (parse_number(c) for c in filled) if n is not None]
        is_numeric = bool(filled) and len(numbers) == len(filled)
        row = {"column": name, "kind": "number" if is_numeric else "text", "filled": len(filled),
               "missing": len(cells) - len(filled), "unique": len(set(filled)),
               "min": "", "max": "", "mean": None, "stdev": None}
        if is_numeric:
            numeric[name] = numbers
            row.update(min=str(tidy(min(numbers))), max=str(tidy(max(numbers))),
                       mean=tidy(statistics.fmean(numbers)),
                       stdev=tidy(statistics.stdev(numbers)) if len(numbers) > 1 else 0)
        elif filled:
            row.update(min=min(filled)[:40], max=max(filled)[:40])
        summary.append(row)
    return summary, numeric


def size_text(n: int) -> str:
    return f"{n:,} bytes" if n < 10_240 else f"{n / 1024:.1f} KiB" if n < 10_485_760 else f"{n / 1048576:.1f} MiB"


@tool.handler
def run(inputs: dict, ctx: sdk.RunContext) -> dict:
    _mime, data = sdk.decode_data_url(inputs.get("file") or "")
    header, rows = read_rows(data, str(inputs.get("delimiter") or "auto"))
    summary, numeric = summarise(header, rows)
    wanted = str(inputs.get("histogram_column") or "").strip()
    if wanted and wanted not in numeric:
        choices = ", ".join(numeric) or "none"
        raise sdk.ToolError(f"'{wanted}' is not a numeric column (numeric columns: {choices})")
    hist_name = wanted or next(iter(numeric), "")
    overview = {"Rows": len(rows), "Columns": len(header), "Numeric columns": len(numeric),
                "Text columns": len(header) - len(numeric),
                "Empty cells": sum(r["missing"] for r in summary), "Size": size_text(len(data))}
    if hist_name:
        overview["Distribution of"] = hist_name
    return {
        "overview": {"pairs": overview},
        "means": {"x": list(numeric),
                  "series": [{"name": "Mean", "y": [tidy(statistics.fmean(v)) for v in numeric.values()]}]},
        "histogram": {"values": numeric.get(hist_name, []),
                      "x_label": hist_name or "no numeric column", "y_label": "Rows"},
        "summary": {"rows": summary},
    }


if __name__ == "__main__":
    tool.serve()
