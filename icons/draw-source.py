"""Draws icons/source.png, the one source image of the app icon: a rounded blue tile with a white
wrench and a yellow check mark. Regenerate the icon set with:
    python3 icons/draw-source.py && npx @tauri-apps/cli@2 icon icons/source.png -o icons
"""
import math
import struct
import zlib

N = 1024


def inside_round_rect(x, y, r=200, m=40):
    x0, y0, x1, y1 = m, m, N - m, N - m
    if x < x0 or x > x1 or y < y0 or y > y1:
        return False
    cx = min(max(x, x0 + r), x1 - r)
    cy = min(max(y, y0 + r), y1 - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def seg_dist(px, py, ax, ay, bx, by):
    dx, dy = bx - ax, by - ay
    t = max(0, min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def pixel(x, y):
    if not inside_round_rect(x, y):
        return (0, 0, 0, 0)
    t = y / N
    col = (int(20 + 10 * t), int(90 + 30 * t), int(170 + 40 * t), 255)
    ring = math.hypot(x - 650, y - 370)
    jaw = x > 640 and y < 360 and abs((x - 650) + (y - 370)) < 60
    if seg_dist(x, y, 300, 720, 600, 420) < 55 or (95 < ring < 175 and not jaw):
        col = (255, 255, 255, 255)
    if seg_dist(x, y, 560, 700, 650, 790) < 38 or seg_dist(x, y, 650, 790, 820, 590) < 38:
        col = (255, 196, 61, 255)
    return col


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


raw = b"".join(b"\0" + b"".join(bytes(pixel(x, y)) for x in range(N)) for y in range(N))
png = (
    b"\x89PNG\r\n\x1a\n"
    + chunk(b"IHDR", struct.pack(">IIBBBBB", N, N, 8, 6, 0, 0, 0))
    + chunk(b"IDAT", zlib.compress(raw, 9))
    + chunk(b"IEND", b"")
)
with open(__file__.rsplit("/", 1)[0] + "/source.png", "wb") as f:
    f.write(png)
