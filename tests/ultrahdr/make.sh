#!/usr/bin/env bash
# Rebuilds tests/ultrahdr/files: Ultra HDR JPEGs written by a real encoder
# (ultrahdr-rs), with personal metadata in both the SDR image and the gain map, so
# the tests can check that cleaning removes it from both and keeps the gain map.
# Needs exiftool and a network-reachable crates registry (run by hand, not by make test).
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo run --quiet --release -- --images "$work"
# Everything a phone writes that says where, when, who and with what.
exiftool -q -overwrite_original \
    -GPSLatitude=48.8584 -GPSLatitudeRef=N -GPSLongitude=2.2945 -GPSLongitudeRef=E \
    -DateTimeOriginal='2026:06:01 12:34:56' -Make=Google -Model='Pixel 9' \
    -SerialNumber=HDR-SERIAL-0042 -Artist='Ada Example' -Comment='taken at home' \
    -XMP-dc:Creator='Ada Example' "$work/base.jpg"
# The gain map carries its own EXIF in some phones' files.
exiftool -q -overwrite_original \
    -GPSLatitude=48.8584 -GPSLatitudeRef=N -GPSLongitude=2.2945 -GPSLongitudeRef=E \
    -SerialNumber=HDR-SERIAL-0042 -Comment='gain map comment' "$work/gainmap.jpg"
mkdir -p files
cargo run --quiet --release -- "$work/base.jpg" "$work/gainmap.jpg" files
ls -l files
