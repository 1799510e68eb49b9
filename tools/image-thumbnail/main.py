"""Image Thumbnail: decode a PNG with zlib, box-filter it down to the requested size, optionally
convert to greyscale, and return it as an image output (saved as an artefact by the app)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

try:
    from pixie_desktop import sdk
    from pixie_desktop import sdk_png as png
except ImportError:  # running from a checkout without the package installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from pixie_desktop import sdk
    from pixie_desktop import sdk_png as png

tool = sdk.Tool(__file__)
CHANNEL_NAMES = {1: "greyscale", 2: "greyscale + alpha", 3: "RGB", 4: "RGBA"}


@tool.handler
def run(inputs: dict, ctx: sdk.RunContext) -> dict:
    mime, data = sdk.decode_data_url(inputs.get("image") or "")
    if not data.startswith(png.PNG_SIGNATURE):
        kind = mime if mime and mime != "application/octet-stream" else "this file"
        raise sdk.ToolError(f"{kind} is not a PNG; this tool only reads PNG images (convert it to PNG first)")
    t0 = time.perf_counter()
    try:
        img = png.decode_png(data)
    except png.PNGError as exc:
        raise sdk.ToolError(f"cannot read this PNG: {exc}") from None
    edge = max(1, int(inputs.get("max_edge") or 256))
    scale = min(1.0, edge / max(img.width, img.height))
    width, height = max(1, round(img.width * scale)), max(1, round(img.height * scale))
    thumb = png.resize(img, width, height) if scale < 1.0 else img
    if inputs.get("greyscale"):
        thumb = png.to_grey(thumb)
    out = png.encode_png(thumb)
    elapsed = time.perf_counter() - t0
    return {
        "thumbnail": sdk.data_url(out, "image/png"),
        "info": {"pairs": {
            "Original": f"{img.width} × {img.height} px ({CHANNEL_NAMES[img.channels]})",
            "Thumbnail": f"{thumb.width} × {thumb.height} px ({CHANNEL_NAMES[thumb.channels]})",
            "Original size": f"{len(data) / 1024:.1f} KiB",
            "Thumbnail size": f"{len(out) / 1024:.1f} KiB",
            "Processing time": f"{elapsed * 1000:.0f} ms",
        }},
    }


if __name__ == "__main__":
    tool.serve()
