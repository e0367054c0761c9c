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

# Batch runs on two file systems: where the work dir lives (disk), and tmpfs
# (/dev/shm), which takes the disk's metadata costs out of both tools' numbers.
batch() { # NAME WORKDIR SRC
    local name="$1" dir="$2"
    mkdir -p "$dir"
    local prepare="rm -rf '$dir/out' '$dir/copy' && cp -r '$3' '$dir/copy' && sync"
    hyperfine --runs "$runs" --warmup 1 --export-json "bench/out/clean-$name.json" --style basic --prepare "$prepare" \
        -n traceless "'$bin' clean '$dir/copy' -o '$dir/out' >/dev/null 2>&1" \
        -n exiftool "exiftool -q -q -m -r -all= --icc_profile:all -tagsfromfile @ -orientation -overwrite_original '$dir/copy' >/dev/null 2>&1 || true" \
        >/dev/null
}
batch disk "$work/disk" "$src"
shm="$(mktemp -d /dev/shm/traceless-bench.XXXXXX)"
trap 'rm -rf "$work" "$shm"' EXIT
batch tmpfs "$shm" "$src"
rm -rf "$shm"

# mat2 takes minutes per pass: one pass on disk, no warm-up (BENCH_SKIP_MAT2=1 skips it).
if [ -z "${BENCH_SKIP_MAT2:-}" ]; then
    prepare="rm -rf '$work/m' && cp -r '$src_nowebp' '$work/m' && sync"
    hyperfine --runs 1 --export-json bench/out/clean-mat2.json --style basic --prepare "$prepare" \
        -n 'mat2 --lightweight' "find '$work/m' -type f -print0 | xargs -0 mat2 --lightweight >/dev/null 2>&1 || true" \
        >/dev/null
else
    echo '{"results": []}' > bench/out/clean-mat2.json
fi

# The engine alone, in memory (what the extension runs).
env $(bash scripts/build-aom.sh native) cargo run --quiet --release -p traceless-core --example clean_throughput -- "$src" 9 > bench/out/clean-engine.json

python3 - "$bytes" "$bytes_nowebp" <<'PY'
import json, sys
bytes_all, bytes_nowebp = int(sys.argv[1]), int(sys.argv[2])
def load(name):
    return {r["command"]: r for r in json.load(open(f"bench/out/clean-{name}.json"))["results"]}
print("| file system | tool | median time | throughput | traceless is |")
print("|---|---|---|---|---|")
for fs in ("disk", "tmpfs"):
    results = load(fs)
    if fs == "disk":
        results.update(load("mat2"))
    ours = bytes_all / results["traceless"]["median"]
    for name, r in results.items():
        b = bytes_nowebp if name.startswith("mat2") else bytes_all
        rate = b / r["median"]
        ratio = "-" if name == "traceless" else f"{ours / rate:.0f}x faster"
        print(f"| {fs} | {name} | {r['median']*1000:.0f} ms | {rate/1e6:.1f} MB/s | {ratio} |")
engine = json.load(open("bench/out/clean-engine.json"))
print(f"\nEngine alone, in memory: {engine['files']} files, {engine['bytes']/1e6:.1f} MB in {engine['median_s']*1000:.1f} ms (median of 9): {engine['mb_per_s']:.0f} MB/s on one core.")
PY
