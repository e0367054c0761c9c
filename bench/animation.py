#!/usr/bin/python3
"""Animated GIF to animated WebP, side by side in one run: `traceless convert`
(native, quality 75: lossy frames, or lossless where smaller) against libwebp's
own gif2webp (Debian `webp`) with -lossy -q 75, -mixed -q 75 and -min_size
(lossless, smallest). For each file: output size, time (median of 3 runs) and
the mean PSNR of the frames as Pillow shows them against the GIF's.

Files: every animated GIF of the corpus, and the real-photo GIFs of
`photos.py gifs` (a panning clip, a slideshow). Prints a Markdown table and
writes bench/out/animation.json.
"""
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time

from PIL import Image, ImageChops, ImageSequence

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
CORPUS = os.environ.get("TRACELESS_CORPUS", os.path.join(ROOT, "..", "shared", "corpus"))
TRACELESS = os.path.join(ROOT, "target", "release", "traceless")


def animated_gifs():
    with open(os.path.join(CORPUS, "INDEX.tsv")) as index:
        rows = [line.rstrip("\n").split("\t") for line in index][1:]
    corpus = [os.path.join(CORPUS, r[0]) for r in rows if r[1] == "GIF" and r[12] == "1"]
    made = [os.path.join(ROOT, "bench", "out", "gifs", n) for n in ("pan.gif", "slideshow.gif")]
    return sorted(corpus) + made


def frames(path):
    with Image.open(path) as im:
        return [f.convert("RGBA") for f in ImageSequence.Iterator(im)]


def psnr(a, b):
    """Mean PSNR over frames, RGBA, from per-band histograms of the differences."""
    values = []
    for x, y in zip(a, b):
        hist = ImageChops.difference(x, y).histogram()
        se = sum(count * (i % 256) ** 2 for i, count in enumerate(hist))
        mse = se / (x.width * x.height * 4)
        values.append(99.0 if mse == 0 else 10 * math.log10(255 * 255 / mse))
    return statistics.mean(values)


def run(command, out):
    times = []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return os.path.getsize(out), statistics.median(times)


def main():
    tools = {
        "traceless q75": lambda src, out: [TRACELESS, "convert", "--to", "webp", "--quality", "75", "--overwrite", "-o", os.path.dirname(out), src],
        "gif2webp -lossy -q 75": lambda src, out: ["gif2webp", "-lossy", "-q", "75", src, "-o", out],
        "gif2webp -mixed -q 75": lambda src, out: ["gif2webp", "-mixed", "-q", "75", src, "-o", out],
        "gif2webp -min_size": lambda src, out: ["gif2webp", "-min_size", src, "-o", out],
    }
    results = []
    with tempfile.TemporaryDirectory() as work:
        for src in animated_gifs():
            name = os.path.basename(src)
            source = frames(src)
            row = {"file": name, "gif_bytes": os.path.getsize(src), "frames": len(source), "tools": {}}
            for i, (tool, command) in enumerate(tools.items()):
                folder = os.path.join(work, str(i))
                os.makedirs(folder, exist_ok=True)
                out = os.path.join(folder, os.path.splitext(name)[0] + ".webp")
                size, seconds = run(command(src, out), out)
                made = frames(out)
                if len(made) != len(source):
                    # libwebp merges identical consecutive frames (both tools): compare what is shown then.
                    quality = None
                else:
                    quality = psnr(source, made)
                row["tools"][tool] = {"bytes": size, "seconds": seconds, "psnr": quality, "frames": len(made)}
            results.append(row)
    with open(os.path.join(ROOT, "bench", "out", "animation.json"), "w") as f:
        json.dump(results, f, indent=1)
    names = list(tools)
    print("| GIF | frames | GIF bytes | " + " | ".join(f"{t}: bytes, s, dB" for t in names) + " |")
    print("|---|---|---|" + "---|" * len(names))
    for row in results:
        cells = []
        for t in names:
            r = row["tools"][t]
            db = "n/a" if r["psnr"] is None else f"{r['psnr']:.1f}"
            cells.append(f"{r['bytes']:,}, {r['seconds']:.2f}, {db}")
        print(f"| {row['file']} | {row['frames']} | {row['gif_bytes']:,} | " + " | ".join(cells) + " |")
    total = {t: sum(r["tools"][t]["bytes"] for r in results) for t in names}
    seconds = {t: sum(r["tools"][t]["seconds"] for r in results) for t in names}
    print()
    for t in names[1:]:
        print(f"traceless / {t}: size {total[names[0]] / total[t]:.2f}, time {seconds[names[0]] / seconds[t]:.2f}")


if __name__ == "__main__":
    sys.exit(main())
