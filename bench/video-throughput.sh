#!/usr/bin/env bash
# Cleaning videos of 100 MB, 1 GB and 4 GB: traceless (streamed) against
# `exiftool -all=` and `ffmpeg -map_metadata -1 -c copy` on the same files, one
# run each in one go, with wall time and peak resident memory (GNU time's %M).
# The inputs are a 1080p H.264 + AAC clip with metadata, repeated by stream
# copy to each size (bench/make-video.sh; on disk, in bench/out/videos).
# BENCH_VIDEO_SIZES overrides the sizes in MB (default "100 1000 4000").
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$PWD/target/release/traceless"
out="$PWD/bench/out/videos"
mkdir -p "$out"
sizes="${BENCH_VIDEO_SIZES:-100 1000 4000}"

measure() { # measure NAME COMMAND... : prints "seconds peak_kb"
    local name="$1"; shift
    /usr/bin/time -f "%e %M" -o "$out/time.txt" "$@" >/dev/null 2>&1 || { echo "$name failed" >&2; return 1; }
    cat "$out/time.txt"
}

printf '%-9s %-10s %10s %12s %14s\n' size tool seconds MB/s "peak RSS MB"
for mb in $sizes; do
    input=$(bash bench/make-video.sh "$mb")
    bytes=$(stat -c %s "$input")
    for tool in traceless exiftool ffmpeg; do
        rm -f "$out/clean.mp4" "$out/clean-dir/$(basename "$input")"
        # Each tool starts with the input in the page cache (whoever ran first
        # would otherwise pay for reading it from disk) and nothing left to write
        # back from the tool before.
        cat "$input" > /dev/null
        sync
        case $tool in
            traceless) result=$(measure traceless "$bin" clean "$input" -o "$out/clean-dir" --overwrite) ;;
            exiftool) result=$(measure exiftool exiftool -q -q -m -all= -o "$out/clean.mp4" "$input") ;;
            ffmpeg) result=$(measure ffmpeg ffmpeg -nostdin -v error -y -i "$input" -map 0 -map_metadata -1 -c copy "$out/clean.mp4") ;;
        esac
        read -r seconds peak <<< "$result"
        awk -v mb="$((bytes / 1000000)) MB" -v tool="$tool" -v s="$seconds" -v bytes="$bytes" -v peak="$peak" \
            'BEGIN { printf "%-9s %-10s %10s %12.0f %14.1f\n", mb, tool, s, bytes / 1e6 / (s + 0.0001), peak / 1024 }'
    done
    rm -f "$out/clean.mp4" "$out/clean-dir/$(basename "$input")"
done
