#!/usr/bin/python3
"""Independent pixel check: decode each file with Pillow (libjpeg-turbo, libpng,
libwebp, Pillow's GIF reader) and print a SHA-256 per frame, as JSON.

Usage: pixels.py FILE...   (or file names on stdin with -)
       pixels.py --describe FILE   (one file: format, size, frame count and hashes)
"""
import hashlib
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


def main():
    if sys.argv[1:2] == ["--describe"]:
        json.dump(describe(sys.argv[2]), sys.stdout)
        return
    paths = sys.argv[1:]
    if paths == ["-"]:
        paths = [line.rstrip("\n") for line in sys.stdin if line.strip()]
    json.dump({p: frame_hashes(p) for p in paths}, sys.stdout)


if __name__ == "__main__":
    main()
