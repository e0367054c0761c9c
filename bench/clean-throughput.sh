#!/usr/bin/env bash
# Cleaning throughput over the corpus, side by side in one run: traceless (native,
# one process), exiftool (one batch process) and mat2 --lightweight, each on fresh
# copies of the same files. Prints MB/s and ratios; writes bench/out/clean-*.json.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus="$(cd "${TRACELESS_CORPUS:-../shared/corpus}" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
runs="${BENCH_RUNS:-5}"
bin="$PWD/target/release/traceless"
mkdir -p bench/out

# The same set for every tool: the corpus's JPEG/PNG/APNG/GIF/WebP files that are
# valid images (the intentionally corrupt ones are left out).
src="$work/src"
grep -P '\t(JPEG|PNG|APNG|GIF|WEBP)\t' "$corpus/INDEX.tsv" | cut -f1 | while read -r f; do
    case "$f" in pngsuite/png/x*|*/corrupted.jpg|*/oss-fuzz-*|*/zero-loop-count.gif) continue ;; esac
    mkdir -p "$src/$(dirname "$f")"
    cp "$corpus/$f" "$src/$f"
done
# mat2 cannot write WebP: it gets the same set without them, and its rate is per byte it was given.
src_nowebp="$work/src-nowebp"
cp -r "$src" "$src_nowebp"
find "$src_nowebp" -iname '*.webp' -delete
files=$(find "$src" -type f | wc -l)
bytes=$(find "$src" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
bytes_nowebp=$(find "$src_nowebp" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
echo "bench: $files files, $bytes bytes ($(nproc) cores), $runs runs each"

prepare="rm -rf '$work/out' '$work/copy' '$work/copy-m' && cp -r '$src' '$work/copy' && cp -r '$src_nowebp' '$work/copy-m'"
hyperfine --runs "$runs" --warmup 1 --export-json bench/out/clean-fast.json --style basic --prepare "$prepare" \
    -n traceless "'$bin' clean '$work/copy' -o '$work/out' >/dev/null 2>&1" \
    -n exiftool "exiftool -q -q -m -r -all= --icc_profile:all -tagsfromfile @ -orientation -overwrite_original '$work/copy' >/dev/null 2>&1 || true" \
    >/dev/null
# mat2 takes minutes per pass: one pass, no warm-up.
hyperfine --runs 1 --export-json bench/out/clean-mat2.json --style basic --prepare "$prepare" \
    -n 'mat2 --lightweight' "find '$work/copy-m' -type f -print0 | xargs -0 mat2 --lightweight >/dev/null 2>&1 || true" \
    >/dev/null

python3 - "$bytes" "$bytes_nowebp" <<'PY'
import json, sys
bytes_all, bytes_nowebp = int(sys.argv[1]), int(sys.argv[2])
results = {}
for part in ("bench/out/clean-fast.json", "bench/out/clean-mat2.json"):
    results.update({r["command"]: r for r in json.load(open(part))["results"]})
def rate(name):
    b = bytes_nowebp if name.startswith("mat2") else bytes_all
    return b / results[name]["median"] / 1e6
ours = rate("traceless")
print("| tool | median time | throughput | traceless is |")
print("|---|---|---|---|")
for name in results:
    r = rate(name)
    ratio = "-" if name == "traceless" else f"{ours / r:.0f}x faster"
    print(f"| {name} | {results[name]['median']*1000:.0f} ms | {r:.1f} MB/s | {ratio} |")
PY
