#!/usr/bin/python3
"""Independent pixel check: decode each file with Pillow (libjpeg-turbo, libpng,
libwebp, Pillow's GIF reader) and print a SHA-256 per frame, as JSON. AVIF,
which this Pillow cannot read, is decoded by libheif (heif-convert) first.

Usage: pixels.py FILE...   (or file names on stdin with -)
       pixels.py --describe FILE   (one file: format, size, frame count and hashes)
       pixels.py --psnr A B   (PSNR of A against B as seen: both over mid grey, so
                               that colours under full transparency do not count)
"""
import contextlib
import hashlib
import math
import json
import os
import subprocess
import sys
import tempfile

from PIL import Image, ImageSequence

Image.MAX_IMAGE_PIXELS = None


def is_avif(path):
    with open(path, "rb") as f:
        head = f.read(32)
    return head[4:8] == b"ftyp" and b"avif" in head[8:32]


@contextlib.contextmanager
def opened(path):
    """The image at `path` in Pillow; an AVIF as libheif decodes it (format "AVIF")."""
    if not is_avif(path):
        with Image.open(path) as im:
            yield im
        return
    with tempfile.TemporaryDirectory() as tmp:
        png = os.path.join(tmp, "decoded.png")
        subprocess.run(["heif-convert", path, png], check=True, capture_output=True)
        with Image.open(png) as im:
            im.format = "AVIF"
            yield im


def frame_hashes(path):
    try:
        with opened(path) as im:
            hashes = []
            for frame in ImageSequence.Iterator(im):
                rgba = frame.convert("RGBA")
                hashes.append(hashlib.sha256(rgba.tobytes()).hexdigest())
            return hashes
    except Exception as e:  # any decoder failure is a result to compare, not a crash
        return "error: %s" % type(e).__name__


def describe(path):
    with opened(path) as im:
        return {
            "format": im.format,
            "width": im.width,
            "height": im.height,
            "frames": getattr(im, "n_frames", 1),
            "hashes": frame_hashes(path),
        }


def seen(path):
    with opened(path) as im:
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
