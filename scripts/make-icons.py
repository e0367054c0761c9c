#!/usr/bin/python3
"""Draws the extension icons (committed; rerun only to change the design).

A photo frame (mountain and sun) on a teal tile, with a fading trail to the
left: the picture stays, its traces go. Drawn large and downsampled so small
sizes stay crisp."""
from PIL import Image, ImageDraw

BIG = 512
TEAL = (18, 110, 110, 255)
WHITE = (255, 255, 255, 255)


def draw() -> Image.Image:
    im = Image.new("RGBA", (BIG, BIG), (0, 0, 0, 0))
    d = ImageDraw.Draw(im)
    d.rounded_rectangle((16, 16, BIG - 16, BIG - 16), radius=96, fill=TEAL)
    # Fading trail: three bars of decreasing opacity.
    for i, alpha in enumerate((150, 90, 45)):
        y = 190 + i * 60
        d.rounded_rectangle((60, y, 150 - i * 25, y + 28), radius=14, fill=(255, 255, 255, alpha))
    # The photo: frame, mountain, sun.
    d.rounded_rectangle((170, 130, 456, 382), radius=28, outline=WHITE, width=26)
    d.polygon([(196, 356), (290, 236), (350, 306), (380, 272), (432, 356)], fill=WHITE)
    d.ellipse((360, 168, 412, 220), fill=WHITE)
    return im


if __name__ == "__main__":
    big = draw()
    for size in (16, 32, 48, 128):
        big.resize((size, size), Image.LANCZOS).save(f"icons/icon-{size}.png", optimize=True)
