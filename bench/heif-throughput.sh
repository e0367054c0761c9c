#!/usr/bin/env bash
# HEIC/HEIF and AVIF metadata removal, side by side in one run: traceless (native)
# against exiftool (`-all=`), each on fresh copies of the same corpus files, two
# ways: one process for the whole batch (exiftool's best case), and one process
# per file (as a script cleaning each file as it arrives runs them). Prints MB/s
# and the ratios; writes bench/out/heif-*.json.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus="$(cd "${TRACELESS_CORPUS:-../shared/corpus}" && pwd)"
runs="${BENCH_RUNS:-5}"
bin="$PWD/target/release/traceless"
mkdir -p bench/out
work="$(mktemp -d /dev/shm/traceless-heif.XXXXXX)"
trap 'rm -rf "$work"' EXIT

# The still HEIF/AVIF files of the corpus (sequences and the one non-compliant file,
# which traceless refuses, are left out so both tools get the same work).
src="$work/src"
grep -P '\t(HEIF|AVIF)\t' "$corpus/INDEX.tsv" | cut -f1 | sort -u | while read -r f; do
    case "$f" in *.avifs|*/non_compliant/*) continue ;; esac
    mkdir -p "$src/$(dirname "$f")"
    cp "$corpus/$f" "$src/$f"
done
files=$(find "$src" -type f | wc -l)
bytes=$(find "$src" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
echo "bench: $files HEIF/AVIF files, $bytes bytes, tmpfs, $runs runs each"

prepare="rm -rf '$work/out' '$work/copy' && cp -r '$src' '$work/copy'"
hyperfine --runs "$runs" --warmup 1 --export-json bench/out/heif-throughput.json --style basic --prepare "$prepare" \
    -n traceless "'$bin' clean '$work/copy' -o '$work/out' >/dev/null 2>&1" \
    -n exiftool "exiftool -q -q -m -r -all= -overwrite_original '$work/copy' >/dev/null 2>&1 || true" \
    >/dev/null
# One process per file: the same files, listed once, each tool started for each.
list="$work/list"
find "$work/src" -type f | sort > "$list"
hyperfine --runs "$runs" --warmup 1 --export-json bench/out/heif-per-file.json --style basic --prepare "$prepare" \
    -n traceless "sed 's|^$work/src|$work/copy|' '$list' | while read -r f; do '$bin' clean \"\$f\" -o '$work/out' --overwrite >/dev/null 2>&1; done" \
    -n exiftool "sed 's|^$work/src|$work/copy|' '$list' | while read -r f; do exiftool -q -q -m -all= -overwrite_original \"\$f\" >/dev/null 2>&1; done" \
    >/dev/null
node -e '
const fs = require("fs");
for (const [file, how] of [["bench/out/heif-throughput.json", "one process for all files"], ["bench/out/heif-per-file.json", "one process per file"]]) {
const r = JSON.parse(fs.readFileSync(file, "utf8")).results;
console.log(`  ${how}:`);
const bytes = Number(process.argv[1]);
const by = Object.fromEntries(r.map((x) => [x.command, x.median]));
for (const x of r) console.log(`  ${x.command.padEnd(10)} median ${(x.median * 1000).toFixed(0)} ms, ${(bytes / x.median / 1e6).toFixed(1)} MB/s`);
console.log(`  traceless is ${(by.exiftool / by.traceless).toFixed(1)}x exiftool`);
}
' "$bytes"
