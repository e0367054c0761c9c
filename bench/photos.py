#!/usr/bin/python3
"""Benchmark photos made from real corpus photos (never noise).

  photos.py sized OUTDIR 1 5 20     JPEGs of about 1, 5 and 20 MB: mosaics of real
                                    photos, quality searched to land near the size,
                                    carrying the EXIF (GPS, camera) of the first photo.

  photos.py megapixels OUTDIR       JPEGs of 1, 12 and 48 megapixels (q90, with the first
                                    photo's EXIF), from the 12 MP mosaics (run twelve first).
  photos.py batch OUTDIR 50         fifty 4000x3000 (12 MP) camera-like JPEGs (q90, with a
                                    real photo's EXIF: GPS, camera), 2x2 mosaics of four
                                    different big photos each, for the converter's batch.
  photos.py twelve OUTDIR 10        ten 4000x3000 (12 MP) mosaics of four different real
                                    photos each, as PNG (the lossless reference) and raw
                                    RGBA (what the encoders are given).
  photos.py heif OUTDIR BATCH 50    a 4032x3024 (12 MP, an iPhone's size) HEIC and AVIF of the
                                    first 12 MP mosaic (heif-enc -q 80: x265 and libaom), and
                                    HEICs of the first fifty batch photos, in BATCH-heic.

  photos.py gifs OUTDIR              animated GIFs of real photos: a 480x320 pan across a
                                    photo (48 frames, 80 ms, an adaptive palette per frame,
                                    dithered: a screen-recorded clip) and a 400x300
                                    slideshow (6 photos, 1 s each, one shared palette).

Mosaics keep real photographic content (edges, textures, skies) at sizes the
corpus lacks. Idempotent: existing outputs are kept.
"""
import io
import os
import sys

from PIL import Image, ImageOps

CORPUS = os.environ.get("TRACELESS_CORPUS", os.path.join(os.path.dirname(__file__), "..", "..", "shared", "corpus"))
SOURCES = [
    "ianare-exif-samples/jpg/mobile/HMD_Nokia_8.3_5G.jpg",
    "ianare-exif-samples/jpg/hdr/iphone_hdr_YES.jpg",
    "ianare-exif-samples/jpg/hdr/canon_hdr_YES.jpg",
    "ianare-exif-samples/jpg/gps/DSCN0010.jpg",
    "ianare-exif-samples/jpg/hdr/iphone_hdr_NO.jpg",
    "ianare-exif-samples/jpg/gps/DSCN0021.jpg",
]


def load(i):
    with Image.open(os.path.join(CORPUS, SOURCES[i % len(SOURCES)])) as im:
        exif = im.info.get("exif")
        return ImageOps.exif_transpose(im.convert("RGB")), exif


def mosaic(width, height, cols, rows):
    canvas = Image.new("RGB", (width, height))
    cw, ch = width // cols, height // rows
    for r in range(rows):
        for c in range(cols):
            im, _ = load(r * cols + c)
            canvas.paste(ImageOps.fit(im, (cw, ch), Image.LANCZOS), (c * cw, r * ch))
    return canvas


def encode(im, quality, exif):
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=quality, exif=exif or b"")
    return buf.getvalue()


def sized(outdir, megabytes):
    os.makedirs(outdir, exist_ok=True)
    _, exif = load(0)
    for mb in megabytes:
        path = os.path.join(outdir, f"photo-{mb}mb.jpg")
        if os.path.exists(path):
            continue
        target = mb * 1024 * 1024
        # Size the canvas so quality ~90 lands near the target, then search the quality.
        width = 2000
        for _ in range(2):
            height = width * 3 // 4
            side = max(1, round((width * height / 12e6) ** 0.5 * 2))
            im = mosaic(width, height, side, side)
            size = len(encode(im, 90, exif))
            width = int(width * (target / size) ** 0.5) // 16 * 16
        height = width * 3 // 4
        side = max(1, round((width * height / 12e6) ** 0.5 * 2))
        im = mosaic(width, height, side, side)
        best = None
        for q in range(70, 101):
            data = encode(im, q, exif)
            if best is None or abs(len(data) - target) < abs(len(best) - target):
                best = data
            if len(data) > target:
                break
        with open(path, "wb") as f:
            f.write(best)
        print(f"{path}: {width}x{height}, {len(best)} bytes")


# Photos of at least 2000x1500: quadrants are cropped and downscaled, never upscaled.
BIG = [
    "ianare-exif-samples/jpg/mobile/HMD_Nokia_8.3_5G.jpg",
    "ianare-exif-samples/jpg/hdr/iphone_hdr_NO.jpg",
    "ianare-exif-samples/jpg/mobile/jolla.jpg",
    "libwebp-test-data/bryce.webp",
    "ianare-exif-samples/jpg/hdr/canon_hdr_NO.jpg",
    "ianare-exif-samples/jpg/Reconyx_HC500_Hyperfire.jpg",
    "ianare-exif-samples/jpg/tests/35-empty.jpg",
    "ianare-exif-samples/jpg/hdr/iphone_hdr_YES.jpg",
]
# A real 12-megapixel photo, used whole (cropped to 4000x3000).
WHOLE = "ianare-exif-samples/jpg/tests/42_IndexError.jpg"


def open_rgb(path):
    with Image.open(os.path.join(CORPUS, path)) as im:
        return ImageOps.exif_transpose(im.convert("RGB"))


def twelve(outdir, count):
    """The real 12 MP photo, then 2x2 mosaics of distinct choices of four big photos."""
    from itertools import combinations

    os.makedirs(outdir, exist_ok=True)
    choices = [None] + list(combinations(range(len(BIG)), 4))[:: 7]
    if count > len(choices):
        sys.exit(f"at most {len(choices)} distinct photos")
    for n, choice in enumerate(choices[:count]):
        png = os.path.join(outdir, f"photo12-{n:02d}.png")
        raw = os.path.join(outdir, f"photo12-{n:02d}.rgba")
        if os.path.exists(png) and os.path.exists(raw):
            continue
        if choice is None:
            canvas = ImageOps.fit(open_rgb(WHOLE), (4000, 3000), Image.LANCZOS)
            names = [WHOLE]
        else:
            canvas = Image.new("RGB", (4000, 3000))
            for k, i in enumerate(choice):
                quadrant = ImageOps.fit(open_rgb(BIG[i]), (2000, 1500), Image.LANCZOS)
                canvas.paste(quadrant, ((k % 2) * 2000, (k // 2) * 1500))
            names = [BIG[i] for i in choice]
        canvas.save(png, compress_level=1)
        with open(raw, "wb") as f:
            f.write(canvas.convert("RGBA").tobytes())
        print(f"{png}: 4000x3000 from {[os.path.basename(p) for p in names]}")


def batch(outdir, count):
    from itertools import permutations

    os.makedirs(outdir, exist_ok=True)
    _, exif = load(0)
    # Distinct ordered choices of four of the eight big photos, spread over all of them.
    choices = list(permutations(range(len(BIG)), 4))[::29][:count]
    if len(choices) < count:
        sys.exit(f"at most {len(choices)} distinct photos")
    quadrants = {}
    for n, choice in enumerate(choices):
        path = os.path.join(outdir, f"batch-{n:02d}.jpg")
        if os.path.exists(path):
            continue
        canvas = Image.new("RGB", (4000, 3000))
        for k, i in enumerate(choice):
            if i not in quadrants:
                quadrants[i] = ImageOps.fit(open_rgb(BIG[i]), (2000, 1500), Image.LANCZOS)
            canvas.paste(quadrants[i], ((k % 2) * 2000, (k // 2) * 1500))
        with open(path, "wb") as f:
            f.write(encode(canvas, 90, exif))
    print(f"{outdir}: {count} photos of 4000x3000")


def megapixels(outdir):
    _, exif = load(0)
    tiles = [Image.open(os.path.join(outdir, f"photo12-{n:02d}.png")).convert("RGB") for n in range(4)]
    for mp, make in [
        (1, lambda: tiles[0].resize((1156, 867), Image.LANCZOS)),
        (12, lambda: tiles[0]),
        (48, lambda: _grid(tiles)),
    ]:
        path = os.path.join(outdir, f"photo-{mp}mp.jpg")
        if os.path.exists(path):
            continue
        im = make()
        with open(path, "wb") as f:
            f.write(encode(im, 90, exif))
        print(f"{path}: {im.width}x{im.height}")


def heif(outdir, batchdir, count):
    import subprocess

    png = os.path.join(outdir, "photo-4032.png")
    if not os.path.exists(png):
        Image.open(os.path.join(outdir, "photo12-00.png")).convert("RGB").resize((4032, 3024), Image.LANCZOS).save(png)
    jobs = [(png, os.path.join(outdir, "photo-12mp.heic"), []), (png, os.path.join(outdir, "photo-12mp.avif"), ["-A"])]
    heics = batchdir.rstrip("/") + "-heic"
    os.makedirs(heics, exist_ok=True)
    # The batch only feeds the converter: x265's fastest preset (about 4x quicker).
    jobs += [
        (os.path.join(batchdir, f"batch-{n:02d}.jpg"), os.path.join(heics, f"batch-{n:02d}.heic"), ["-p", "preset=ultrafast"])
        for n in range(count)
    ]
    for source, out, args in jobs:
        if not os.path.exists(out):
            subprocess.run(["heif-enc", "-q", "80", *args, source, "-o", out + ".part"], check=True, capture_output=True)
            os.replace(out + ".part", out)
            print(f"{out}")


def gifs(outdir):
    os.makedirs(outdir, exist_ok=True)
    pan = os.path.join(outdir, "pan.gif")
    if not os.path.exists(pan):
        photo, _ = load(0)
        photo = ImageOps.fit(photo, (1440, 960), Image.LANCZOS)
        frames = []
        for i in range(48):
            # A slow pan with a gentle zoom: every frame differs, as in a real clip.
            zoom = 1.0 - i * 0.006
            w, h = int(960 * zoom), int(640 * zoom)
            x, y = int(i * (1440 - w) / 47), int(i * (960 - h) / 94)
            frames.append(photo.crop((x, y, x + w, y + h)).resize((480, 320), Image.LANCZOS).quantize(256, dither=Image.FLOYDSTEINBERG))
        frames[0].save(pan, save_all=True, append_images=frames[1:], duration=80, loop=0, optimize=False)
        print(pan)
    slides = os.path.join(outdir, "slideshow.gif")
    if not os.path.exists(slides):
        pictures = [ImageOps.fit(load(i)[0], (400, 300), Image.LANCZOS) for i in range(6)]
        palette = _grid_small(pictures).quantize(256)
        frames = [p.quantize(palette=palette, dither=Image.FLOYDSTEINBERG) for p in pictures]
        frames[0].save(slides, save_all=True, append_images=frames[1:], duration=1000, loop=0)
        print(slides)


def _grid_small(pictures):
    canvas = Image.new("RGB", (400 * len(pictures), 300))
    for k, p in enumerate(pictures):
        canvas.paste(p, (k * 400, 0))
    return canvas


def _grid(tiles):
    canvas = Image.new("RGB", (8000, 6000))
    for k, tile in enumerate(tiles):
        canvas.paste(tile, ((k % 2) * 4000, (k // 2) * 3000))
    return canvas


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "sized":
        sized(sys.argv[2], [int(x) for x in sys.argv[3:]])
    elif len(sys.argv) == 3 and sys.argv[1] == "megapixels":
        megapixels(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "batch":
        batch(sys.argv[2], int(sys.argv[3]))
    elif len(sys.argv) == 4 and sys.argv[1] == "twelve":
        twelve(sys.argv[2], int(sys.argv[3]))
    elif len(sys.argv) == 3 and sys.argv[1] == "gifs":
        gifs(sys.argv[2])
    elif len(sys.argv) == 5 and sys.argv[1] == "heif":
        heif(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        sys.exit(__doc__)
