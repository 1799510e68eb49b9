"""Helpers shared by CLI commands: opening the context and printing tables."""

from __future__ import annotations

import json
import re
import sys
from contextlib import contextmanager
from typing import Any, Iterator, Sequence

from pixie_desktop.context import AppContext, open_context


# Terminal escape sequences (CSI, OSC, DCS/PM/APC, two-byte ESC forms) and control characters
# other than newline and tab: a tool's text must not retitle, recolour or rewrite the terminal.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]"
                      r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
                      r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"
                      r"|\x1b[ -/]*[0-~]?"
                      r"|\x9b[0-?]*[ -/]*[@-~]"
                      r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(text: Any) -> str:
    """`text` as a string safe to print to a terminal (escape sequences and controls removed)."""
    return _ESCAPES.sub("", text if isinstance(text, str) else str(text))


def context() -> AppContext:
    return open_context()


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], out=None) -> None:
    out = out or sys.stdout
    cells = [[clean(h) for h in headers]] + [["" if c is None else clean(c) for c in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for n, row in enumerate(cells):
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip(), file=out)
        if n == 0:
            print("  ".join("-" * w for w in widths), file=out)


def print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def find_tool_or_say(ctx, ref: str):
    """The tool `ref` names (id or folder), or None after printing which tools folder lacks it."""
    tool = ctx.find_tool(ref)
    if tool is None:
        print(f"error: no tool '{ref}' in {ctx.settings.tools_dir}", file=sys.stderr)
    return tool


@contextmanager
def tool_context(ref: str) -> Iterator[tuple[AppContext, Any]]:
    """The open context and the tool `ref` names (None, after saying so, when there is none);
    the context is closed on the way out."""
    ctx = context()
    try:
        yield ctx, find_tool_or_say(ctx, ref)
    finally:
        ctx.close()
