#!/usr/bin/python3
"""An animation's frames and loop count as Pillow reads them, as one JSON
document on stdout: for each frame its duration in milliseconds and its RGBA
pixels (hex). For WebP this is libwebp's own decoding (the reference decoder,
the one Chromium and Firefox use); for GIF and APNG the tests take only `loop`.

Usage: frames.py FILE
"""
import json
import sys

from PIL import Image, ImageSequence

with Image.open(sys.argv[1]) as im:
    frames = []
    for frame in ImageSequence.Iterator(im):
        rgba = frame.convert("RGBA").tobytes().hex()
        # Read after the frame is loaded: before, Pillow reports the first frame's as 0.
        frames.append({"ms": frame.info.get("duration", 0), "rgba": rgba})
    json.dump({"loop": im.info.get("loop"), "frames": frames}, sys.stdout)
