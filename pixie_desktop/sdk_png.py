"""Stdlib-only PNG reading and writing plus a tiny raster canvas, for zero-dependency tools
(the bundled csv-summary and image-thumbnail tools use it).

Decoding supports what most PNGs are: 8-bit greyscale, grey+alpha, RGB and RGBA, non-interlaced
(all five scanline filters). Anything else raises PNGError with a readable reason."""

from __future__ import annotations

import struct
import zlib

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}
_COLOUR_NAMES = {0: "greyscale", 2: "RGB", 3: "palette", 4: "greyscale+alpha", 6: "RGBA"}


class PNGError(ValueError):
    pass


class Image:
    """8-bit pixels, row-major; `channels` is 1 (grey), 2 (grey+alpha), 3 (RGB) or 4 (RGBA).
    (A plain class, not a dataclass: importing dataclasses pulls in inspect, ~7 ms of a tool's
    cold start.)"""

    __slots__ = ("width", "height", "channels", "pixels")

    def __init__(self, width: int, height: int, channels: int, pixels: bytearray):
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels

    def __repr__(self) -> str:
        return f"Image(width={self.width}, height={self.height}, channels={self.channels}, pixels=<{len(self.pixels)} bytes>)"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Image):
            return NotImplemented
        return (self.width, self.height, self.channels, bytes(self.pixels)) == (
            other.width, other.height, other.channels, bytes(other.pixels))

    __hash__ = None  # type: ignore[assignment]  # mutable, like the dataclass it replaces

    def row(self, y: int) -> memoryview:
        stride = self.width * self.channels
        return memoryview(self.pixels)[y * stride:(y + 1) * stride]


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def encode_png(img: Image, level: int = 6) -> bytes:
    colour = {1: 0, 2: 4, 3: 2, 4: 6}[img.channels]
    stride = img.width * img.channels
    raw = bytearray()
    for y in range(img.height):
        raw.append(0)  # filter: none
        raw += img.pixels[y * stride:(y + 1) * stride]
    header = struct.pack(">IIBBBBB", img.width, img.height, 8, colour, 0, 0, 0)
    return PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(bytes(raw), level)) + \
        _chunk(b"IEND", b"")


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def decode_png(data: bytes) -> Image:
    if not data.startswith(PNG_SIGNATURE):
        raise PNGError("not a PNG file")
    pos = len(PNG_SIGNATURE)
    header = None
    idat = bytearray()
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    if header is None:
        raise PNGError("PNG has no IHDR chunk")
    width, height, depth, colour, _comp, _filt, interlace = header
    if depth != 8:
        raise PNGError(f"{depth}-bit PNGs are not supported (only 8-bit)")
    if colour not in _CHANNELS:
        raise PNGError(f"{_COLOUR_NAMES.get(colour, colour)} PNGs are not supported "
                       "(only greyscale, RGB and RGBA)")
    if interlace:
        raise PNGError("interlaced PNGs are not supported")
    if width <= 0 or height <= 0 or width * height > 64_000_000:
        raise PNGError(f"unsupported PNG size {width}×{height}")
    try:
        raw = zlib.decompress(bytes(idat))
    except zlib.error as exc:
        raise PNGError(f"corrupt PNG data: {exc}") from None
    bpp = _CHANNELS[colour]
    stride = width * bpp
    if len(raw) < height * (stride + 1):
        raise PNGError("PNG data is truncated")
    out = bytearray(height * stride)
    prev = bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if f == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xFF
        elif f == 2:
            line = bytearray((a + b) & 0xFF for a, b in zip(line, prev))
        elif f == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xFF
        elif f == 4:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                up_left = prev[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + _paeth(left, prev[i], up_left)) & 0xFF
        elif f != 0:
            raise PNGError(f"bad PNG filter type {f}")
        out[y * stride:(y + 1) * stride] = line
        prev = line
    return Image(width, height, bpp, out)


def resize(img: Image, width: int, height: int) -> Image:
    """Box-filtered downscale (nearest neighbour when enlarging)."""
    width, height = max(1, width), max(1, height)
    ch = img.channels
    out = bytearray(width * height * ch)
    sx, sy = img.width / width, img.height / height
    src = img.pixels
    sstride = img.width * ch
    for y in range(height):
        y0 = int(y * sy)
        y1 = max(y0 + 1, min(img.height, int((y + 1) * sy)))
        for x in range(width):
            x0 = int(x * sx)
            x1 = max(x0 + 1, min(img.width, int((x + 1) * sx)))
            # sample at most 4×4 points of the box: good quality, bounded cost
            ys = range(y0, y1, max(1, (y1 - y0) // 4))
            xs = range(x0, x1, max(1, (x1 - x0) // 4))
            n = len(ys) * len(xs)
            base = (y * width + x) * ch
            for c in range(ch):
                total = 0
                for yy in ys:
                    row = yy * sstride + c
                    for xx in xs:
                        total += src[row + xx * ch]
                out[base + c] = total // n
    return Image(width, height, ch, out)


def to_grey(img: Image) -> Image:
    if img.channels in (1, 2):
        return img
    keep_alpha = img.channels == 4
    out = bytearray(img.width * img.height * (2 if keep_alpha else 1))
    p = img.pixels
    j = 0
    for i in range(0, len(p), img.channels):
        out[j] = (299 * p[i] + 587 * p[i + 1] + 114 * p[i + 2]) // 1000
        if keep_alpha:
            out[j + 1] = p[i + 3]
            j += 2
        else:
            j += 1
    return Image(img.width, img.height, 2 if keep_alpha else 1, out)


class Canvas:
    """An RGB drawing surface with filled rectangles and a 3×5 pixel font for labels/numbers."""

    def __init__(self, width: int, height: int, background: tuple[int, int, int] = (255, 255, 255)):
        self.width, self.height = width, height
        self.pixels = bytearray(bytes(background) * (width * height))

    def rect(self, x0: int, y0: int, x1: int, y1: int, colour: tuple[int, int, int]) -> None:
        x0, x1 = max(0, min(x0, x1)), min(self.width, max(x0, x1))
        y0, y1 = max(0, min(y0, y1)), min(self.height, max(y0, y1))
        if x0 >= x1 or y0 >= y1:
            return
        line = bytes(colour) * (x1 - x0)
        for y in range(y0, y1):
            start = (y * self.width + x0) * 3
            self.pixels[start:start + len(line)] = line

    def text(self, x: int, y: int, text: str, colour: tuple[int, int, int] = (60, 60, 70), scale: int = 2) -> None:
        for ch in text.upper():
            glyph = _FONT.get(ch, _FONT["?"])
            for gy, row in enumerate(glyph):
                for gx, bit in enumerate(row):
                    if bit == "#":
                        self.rect(x + gx * scale, y + gy * scale, x + (gx + 1) * scale, y + (gy + 1) * scale, colour)
            x += 4 * scale

    def image(self) -> Image:
        return Image(self.width, self.height, 3, self.pixels)

    def png(self) -> bytes:
        return encode_png(self.image())


_FONT_SRC = {
    "0": "###,#.#,#.#,#.#,###", "1": ".#.,##.,.#.,.#.,###", "2": "###,..#,###,#..,###",
    "3": "###,..#,###,..#,###", "4": "#.#,#.#,###,..#,..#", "5": "###,#..,###,..#,###",
    "6": "###,#..,###,#.#,###", "7": "###,..#,..#,..#,..#", "8": "###,#.#,###,#.#,###",
    "9": "###,#.#,###,..#,###", ".": "...,...,...,...,.#.", "-": "...,...,###,...,...",
    " ": "...,...,...,...,...", "?": "###,..#,.##,...,.#.", "_": "...,...,...,...,###",
    "A": ".#.,#.#,###,#.#,#.#", "B": "##.,#.#,##.,#.#,##.", "C": ".##,#..,#..,#..,.##",
    "D": "##.,#.#,#.#,#.#,##.", "E": "###,#..,##.,#..,###", "F": "###,#..,##.,#..,#..",
    "G": ".##,#..,#.#,#.#,.##", "H": "#.#,#.#,###,#.#,#.#", "I": "###,.#.,.#.,.#.,###",
    "J": "..#,..#,..#,#.#,.#.", "K": "#.#,#.#,##.,#.#,#.#", "L": "#..,#..,#..,#..,###",
    "M": "#.#,###,###,#.#,#.#", "N": "##.,#.#,#.#,#.#,#.#", "O": ".#.,#.#,#.#,#.#,.#.",
    "P": "##.,#.#,##.,#..,#..", "Q": ".#.,#.#,#.#,##.,.##", "R": "##.,#.#,##.,#.#,#.#",
    "S": ".##,#..,.#.,..#,##.", "T": "###,.#.,.#.,.#.,.#.", "U": "#.#,#.#,#.#,#.#,###",
    "V": "#.#,#.#,#.#,#.#,.#.", "W": "#.#,#.#,###,###,#.#", "X": "#.#,#.#,.#.,#.#,#.#",
    "Y": "#.#,#.#,.#.,.#.,.#.", "Z": "###,..#,.#.,#..,###", "%": "#.#,..#,.#.,#..,#.#",
    ":": "...,.#.,...,.#.,...", "/": "..#,..#,.#.,#..,#..", "(": ".#.,#..,#..,#..,.#.",
    ")": ".#.,..#,..#,..#,.#.", "+": "...,.#.,###,.#.,...", "=": "...,###,...,###,...",
}
_FONT = {k: v.split(",") for k, v in _FONT_SRC.items()}
