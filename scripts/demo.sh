#!/usr/bin/env bash
# The command-line half of `make run`: show what a real photo reveals, clean a
# copy, and let exiftool (an independent tool) confirm what is left.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus="${TRACELESS_CORPUS:-../shared/corpus}"
sample="$corpus/exiftool/t/images/GPS.jpg"
bin=target/release/traceless
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

echo "== What $(basename "$sample") reveals"
"$bin" inspect "$sample"
echo "== Cleaning a copy (the original is not touched)"
"$bin" clean "$sample" -o "$out"
echo "== exiftool on the original: $(exiftool -q -a -G1 "$sample" | grep -vcE '^\[(System|File|ExifTool|Composite)\]') metadata tags"
left=$(exiftool -q -a -G1 "$out/$(basename "$sample")" | grep -vE '^\[(System|File|ExifTool|Composite)\]' || true)
if [ -z "$left" ]; then
    echo "== exiftool on the cleaned copy: nothing (no metadata tag beyond the file's structure)"
else
    echo "== exiftool on the cleaned copy still finds:"
    echo "$left"
fi
