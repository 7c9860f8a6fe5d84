"""Draws the app's icons (public/icons/*.png) without any image library: a white step and a downward
chevron (a heel drop) on the app's teal. Run it again only to change the design: python3 icons.py"""

import struct
import zlib
from pathlib import Path

TEAL, WHITE = (11, 93, 85), (255, 255, 255)


def shape(x: float, y: float, scale: float) -> bool:
    """Whether (x, y) in 0..1 is white: the drawing keeps within the middle `scale` of the icon."""
    x, y = (x - 0.5) / scale + 0.5, (y - 0.5) / scale + 0.5
    step = 0.18 <= x <= 0.82 and 0.70 <= y <= 0.78
    # an arrow pointing down onto the step: a shaft and two strokes meeting at (0.5, 0.58)
    dx = abs(x - 0.5)
    stroke = abs((0.58 - y) - dx * 1.0) <= 0.06 and dx <= 0.24 and y <= 0.60
    shaft = dx <= 0.05 and 0.20 <= y <= 0.56
    return step or stroke or shaft


def png(size: int, scale: float) -> bytes:
    rows = []
    for j in range(size):
        row = bytearray([0])
        for i in range(size):
            row += bytes(WHITE if shape((i + 0.5) / size, (j + 0.5) / size, scale) else TEAL)
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 9)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


if __name__ == "__main__":
    out = Path(__file__).parent / "public" / "icons"
    out.mkdir(parents=True, exist_ok=True)
    (out / "icon-192.png").write_bytes(png(192, 0.9))
    (out / "icon-512.png").write_bytes(png(512, 0.9))
    (out / "maskable-512.png").write_bytes(png(512, 0.62))  # inside the maskable safe zone (80% circle)
