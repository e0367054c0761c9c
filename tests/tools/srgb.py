#!/usr/bin/python3
"""Independent judge of colour conversion: converts each SOURCE image from its
embedded ICC profile to sRGB with Pillow's ImageCms (LittleCMS 2), upright as
EXIF says, and compares it with OUTPUT (the engine's sRGB conversion, no profile).

Usage: srgb.py < pairs    (one "SOURCE<TAB>OUTPUT" per line)
Prints JSON {SOURCE: {"mean": mean abs difference per channel, "max": largest,
"p99": 99th percentile}} over the RGB channels of pixels opaque in both.
"""
import io
import json
import subprocess
import sys

from PIL import Image, ImageChops, ImageCms, ImageOps

Image.MAX_IMAGE_PIXELS = None
SRGB = ImageCms.createProfile("sRGB")


def profile_of(im, path):
    """The embedded profile; exiftool's copy when Pillow's is incomplete (GIF sub-blocks)."""
    icc = im.info.get("icc_profile")
    if not icc or len(icc) != int.from_bytes(icc[:4], "big"):
        icc = subprocess.run(["exiftool", "-b", "-ICC_Profile", path], capture_output=True, check=True).stdout
    return icc


def reference(path):
    with Image.open(path) as im:
        icc = profile_of(im, path)
        im = ImageOps.exif_transpose(im)
        mode = "RGBA" if "A" in im.mode or im.mode == "P" else "RGB"
        if im.mode not in ("RGB", "RGBA", "L", "LA"):
            im = im.convert(mode)
        alpha = im.getchannel("A") if "A" in im.mode else None
        src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        base = im.convert("L" if im.mode in ("L", "LA") else "RGB")
        out = ImageCms.profileToProfile(base, src, SRGB, renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC, outputMode="RGB")
        return out, alpha


def compare(source, output):
    ref, alpha = reference(source)
    with Image.open(output) as im:
        ours = im.convert("RGBA")
    if ours.size != ref.size:
        return {"error": f"size {ours.size} vs {ref.size}"}
    mask = ours.getchannel("A").point(lambda a: 255 if a == 255 else 0)
    if alpha is not None:
        mask = ImageChops.multiply(mask, alpha.point(lambda a: 255 if a == 255 else 0))
    diff = ImageChops.difference(ours.convert("RGB"), ref)
    hist = [0] * 256
    for band in diff.split():
        for value, count in enumerate(band.histogram(mask=mask)):
            hist[value] += count
    total = sum(hist)
    if total == 0:
        return {"mean": 0, "max": 0, "p99": 0}
    mean = sum(v * c for v, c in enumerate(hist)) / total
    top = max(v for v, c in enumerate(hist) if c)
    seen, p99 = 0, 0
    for v, c in enumerate(hist):
        seen += c
        if seen >= 0.99 * total:
            p99 = v
            break
    return {"mean": round(mean, 3), "max": top, "p99": p99}


def main():
    results = {}
    for line in sys.stdin:
        if not line.strip():
            continue
        source, output = line.rstrip("\n").split("\t")
        try:
            results[source] = compare(source, output)
        except Exception as e:  # a reference that cannot be made is reported, not a crash
            results[source] = {"error": f"{type(e).__name__}: {e}"}
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
