"""CSV Summary: per-column statistics, an overview and a PNG chart (drawn with the stdlib-only
PNG helper), saved as an artefact. Built on the stdlib-only Pixie SDK."""

from __future__ import annotations

import csv
import io
import math
import sys
from pathlib import Path

try:
    from pixie_desktop import sdk
    from pixie_desktop.sdk_png import Canvas
except ImportError:  # running from a checkout without the package installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from pixie_desktop import sdk
    from pixie_desktop.sdk_png import Canvas

tool = sdk.Tool(__file__)
PALETTE = [(79, 70, 229), (16, 185, 129), (245, 158, 11), (239, 68, 68), (14, 165, 233), (168, 85, 247)]


def parse_number(text: str) -> float | None:
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
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise sdk.ToolError("the file has no rows")
    header = [h.strip() or f"column {i + 1}" for i, h in enumerate(rows[0])]
    return header, rows[1:]


def fmt(value: float) -> str:
    return f"{value:.6g}"


def summarise(header: list[str], rows: list[list[str]]) -> tuple[list[dict], dict[str, list[float]]]:
    summary, numeric = [], {}
    for i, name in enumerate(header):
        cells = [r[i].strip() if i < len(r) else "" for r in rows]
        filled = [c for c in cells if c]
        numbers = [n for n in (parse_number(c) for c in filled) if n is not None]
        is_numeric = bool(filled) and len(numbers) == len(filled)
        row = {"column": name, "kind": "number" if is_numeric else "text", "filled": len(filled),
               "missing": len(cells) - len(filled), "unique": len(set(filled)), "min": "", "max": "", "mean": None}
        if is_numeric:
            numeric[name] = numbers
            row.update(min=fmt(min(numbers)), max=fmt(max(numbers)), mean=round(sum(numbers) / len(numbers), 6))
        elif filled:
            row.update(min=min(filled)[:40], max=max(filled)[:40])
        summary.append(row)
    return summary, numeric


def bar_chart(labels: list[str], values: list[float], title: str) -> bytes:
    width, height, left, bottom, top = 720, 400, 70, 60, 50
    c = Canvas(width, height, (250, 250, 252))
    c.text(left, 16, title[:60], (40, 40, 60), 2)
    plot_h = height - bottom - top
    lo, hi = min(0.0, min(values)), max(0.0, max(values))
    span = (hi - lo) or 1.0
    zero_y = top + int(plot_h * hi / span)
    c.rect(left, top, left + 2, height - bottom, (180, 180, 190))
    c.rect(left, zero_y, width - 20, zero_y + 2, (180, 180, 190))
    c.text(8, top - 4, fmt(hi)[:8], (110, 110, 120), 1)
    c.text(8, height - bottom - 4, fmt(lo)[:8], (110, 110, 120), 1)
    n = max(1, len(values))
    slot = (width - left - 30) / n
    for i, (label, value) in enumerate(zip(labels, values)):
        x0 = int(left + 10 + i * slot)
        x1 = int(x0 + max(2, slot * 0.7))
        y = top + int(plot_h * (hi - value) / span)
        c.rect(x0, min(y, zero_y), x1, max(y, zero_y), PALETTE[i % len(PALETTE)])
        c.text(x0, height - bottom + 10, label[: max(1, int(slot // 8))], (70, 70, 80), 2 if slot > 40 else 1)
    return c.png()


def histogram(name: str, values: list[float], bins: int = 12) -> bytes:
    lo, hi = min(values), max(values)
    width = (hi - lo) / bins or 1.0
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, int((v - lo) / width))] += 1
    labels = [fmt(lo + i * width)[:5] for i in range(bins)]
    return bar_chart(labels, [float(c) for c in counts], f"Histogram of {name}")


@tool.handler
def run(inputs: dict, ctx: sdk.RunContext) -> dict:
    mime, data = sdk.decode_data_url(inputs.get("file") or "")
    header, rows = read_rows(data, str(inputs.get("delimiter") or "auto"))
    summary, numeric = summarise(header, rows)
    overview = {"Rows": len(rows), "Columns": len(header), "Numeric columns": len(numeric),
                "Text columns": len(header) - len(numeric),
                "Empty cells": sum(r["missing"] for r in summary), "Size": f"{len(data):,} bytes" if len(data) < 10_240 else f"{len(data) / 1024:.1f} KiB"}
    outputs: dict = {"overview": {"pairs": overview}, "summary": {"rows": summary}}
    if numeric:
        if inputs.get("chart") == "histogram":
            name, values = next(iter(numeric.items()))
            png = histogram(name, values)
        else:
            png = bar_chart(list(numeric), [sum(v) / len(v) for v in numeric.values()], "Mean of each numeric column")
        ctx.artefact("chart.png", png)
        outputs["chart"] = sdk.data_url(png, "image/png")
    else:
        outputs["chart"] = None
    return outputs


if __name__ == "__main__":
    tool.serve()
