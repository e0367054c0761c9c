#!/usr/bin/python3
"""Independent pixel check: decode each file with Pillow (libjpeg-turbo, libpng,
libwebp, Pillow's GIF reader) and print a SHA-256 per frame, as JSON.

Usage: pixels.py FILE...   (or file names on stdin with -)
       pixels.py --describe FILE   (one file: format, size, frame count and hashes)
       pixels.py --psnr A B   (PSNR of A against B as seen: both over mid grey, so
                               that colours under full transparency do not count)
"""
import hashlib
import math
import json
import sys

from PIL import Image, ImageSequence

Image.MAX_IMAGE_PIXELS = None


def frame_hashes(path):
    try:
        with Image.open(path) as im:
            hashes = []
            for frame in ImageSequence.Iterator(im):
                rgba = frame.convert("RGBA")
                hashes.append(hashlib.sha256(rgba.tobytes()).hexdigest())
            return hashes
    except Exception as e:  # any decoder failure is a result to compare, not a crash
        return "error: %s" % type(e).__name__


def describe(path):
    with Image.open(path) as im:
        return {
            "format": im.format,
            "width": im.width,
            "height": im.height,
            "frames": getattr(im, "n_frames", 1),
            "hashes": frame_hashes(path),
        }


def seen(path):
    with Image.open(path) as im:
        rgba = im.convert("RGBA")
        grey = Image.new("RGBA", rgba.size, (128, 128, 128, 255))
        return Image.alpha_composite(grey, rgba).convert("RGB")


def psnr(a, b):
    x, y = seen(a), seen(b)
    if x.size != y.size:
        return {"sizes": [list(x.size), list(y.size)], "psnr": None}
    from PIL import ImageChops

    histogram = ImageChops.difference(x, y).histogram()
    squared = sum(count * (i % 256) ** 2 for i, count in enumerate(histogram))
    mse = squared / (x.size[0] * x.size[1] * 3)
    db = float("inf") if mse == 0 else 10 * math.log10(255 * 255 / mse)
    return {"sizes": [list(x.size)], "psnr": db if db != float("inf") else 999}


def main():
    if sys.argv[1:2] == ["--psnr"]:
        json.dump(psnr(sys.argv[2], sys.argv[3]), sys.stdout)
        return
    if sys.argv[1:2] == ["--describe"]:
        json.dump(describe(sys.argv[2]), sys.stdout)
        return
    paths = sys.argv[1:]
    if paths == ["-"]:
        paths = [line.rstrip("\n") for line in sys.stdin if line.strip()]
    json.dump({p: frame_hashes(p) for p in paths}, sys.stdout)


if __name__ == "__main__":
    main()
