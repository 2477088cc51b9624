"""Draw Cadence's app icons (PNG, stdlib only): ``python assets/icons/make_icons.py``.

The glyph is a white heartbeat line (the app's "activity" mark) on the theme teal. ``icon-*.png``
are rounded squares on a transparent background; ``maskable-512.png`` fills the whole square and
keeps the glyph inside the central 80 % safe zone, so launchers can crop it to any shape.
The output is committed; rerun this script only to change the artwork.
"""

from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
TEAL = (18, 165, 148)  # Radix teal 9, the manifest's theme colour
WHITE = (255, 255, 255)
# The heartbeat polyline in unit coordinates (0..1 across the glyph box).
PULSE = [
    (0.0, 0.55),
    (0.28, 0.55),
    (0.38, 0.3),
    (0.5, 0.8),
    (0.62, 0.18),
    (0.72, 0.55),
    (1.0, 0.55),
]


def _segment_distance(
    px: float, py: float, a: tuple[float, float], b: tuple[float, float]
) -> float:
    ax, ay = a
    bx, by = b
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def _inside_rounded_square(x: float, y: float, size: int, radius: float) -> float:
    """Coverage (0..1) of pixel centre (x, y) by a rounded square filling the canvas."""
    cx = min(max(x, radius), size - radius)
    cy = min(max(y, radius), size - radius)
    distance = math.hypot(x - cx, y - cy)
    return max(0.0, min(1.0, radius - distance + 0.5))


def draw(size: int, *, maskable: bool) -> list[list[tuple[int, int, int, int]]]:
    """RGBA rows of the icon at ``size`` pixels."""
    glyph_box = size * (0.56 if maskable else 0.7)  # maskable: glyph well inside the safe zone
    origin = (size - glyph_box) / 2
    points = [(origin + u * glyph_box, origin + v * glyph_box) for u, v in PULSE]
    half_width = size * 0.045
    corner = size * 0.22
    rows = []
    for j in range(size):
        row = []
        for i in range(size):
            x, y = i + 0.5, j + 0.5
            background = 1.0 if maskable else _inside_rounded_square(x, y, size, corner)
            if background <= 0:
                row.append((0, 0, 0, 0))
                continue
            distance = min(
                _segment_distance(x, y, points[k], points[k + 1]) for k in range(len(points) - 1)
            )
            line = max(0.0, min(1.0, half_width - distance + 0.5))
            color = tuple(round(t + (w - t) * line) for t, w in zip(TEAL, WHITE, strict=True))
            row.append((*color, round(255 * background)))
        rows.append(row)
    return rows


def write_png(path: Path, rows: list[list[tuple[int, int, int, int]]]) -> None:
    height, width = len(rows), len(rows[0])
    raw = b"".join(b"\x00" + bytes(channel for px in row for channel in px) for row in rows)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


ICONS = {
    "icon-192.png": (192, False),
    "icon-512.png": (512, False),
    "maskable-512.png": (512, True),
    "apple-touch-icon.png": (180, True),  # iOS draws its own rounded corners: fill the square
}

if __name__ == "__main__":
    for name, (size, maskable) in ICONS.items():
        write_png(HERE / name, draw(size, maskable=maskable))
        print(f"wrote {name} ({size}x{size})")
