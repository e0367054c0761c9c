#!/usr/bin/env bash
# Build the test videos for the MP4/MOV cleaner, with manifest.json describing each one.
#
#   tests/videos/make.sh [OUTDIR]        (default: target/test-videos, relative to the repo)
#
# Needs ffmpeg/ffprobe (Debian's, with libx264 and libx265), exiftool 12.57 and python3.
# Idempotent: if OUTDIR/manifest.json exists and was made by the same scripts and tools,
# nothing is rebuilt (FORCE=1 rebuilds).  Every file is verified (ffprobe streams and
# durations, ffmpeg stream copy, exiftool read-back, every marker found in the raw bytes);
# the script fails if any check does.  See manifest.py for the metadata written.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="${1:-$ROOT/target/test-videos}"
export PYTHONDONTWRITEBYTECODE=1
PY=(python3)
MP4BOX=("${PY[@]}" "$HERE/mp4box.py")
MANIFEST=("${PY[@]}" "$HERE/manifest.py")

for tool in ffmpeg ffprobe exiftool python3; do
    command -v "$tool" >/dev/null || { echo "make.sh: $tool is missing (apt-get install ffmpeg libimage-exiftool-perl)" >&2; exit 1; }
done

stamp="$(cat "$HERE"/make.sh "$HERE"/*.py | sha256sum | cut -c1-16) $(ffmpeg -version | head -1 | cut -d' ' -f3) $(exiftool -ver)"
uptodate() {
    [[ -z "${FORCE:-}" && -f "$OUT/manifest.json" && -f "$OUT/.stamp" && "$(cat "$OUT/.stamp")" == "$stamp" ]] || return 1
    local f
    while read -r f; do [[ -f "$OUT/$f" ]] || return 1; done < <("${MANIFEST[@]}" files)
}
if uptodate; then
    echo "test videos up to date in $OUT"
    exit 0
fi

start=$SECONDS
mkdir -p "$OUT"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/test-videos.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
rm -f "$OUT/.stamp" "$OUT/manifest.json"
while read -r f; do rm -f "$OUT/$f"; done < <("${MANIFEST[@]}" files)

# ---------------------------------------------------------------- 1. encode (tiny: 160x120, 10 fps, 1 s)
SRC=(-f lavfi -i "testsrc=size=160x120:rate=10:duration=1"
     -f lavfi -i "sine=frequency=440:sample_rate=22050:duration=1")
H264=(-c:v libx264 -preset ultrafast -pix_fmt yuv420p -g 10)
HEVC=(-c:v libx265 -preset ultrafast -x265-params log-level=error -pix_fmt yuv420p -g 10 -tag:v hvc1)
AAC=(-c:a aac -b:a 32k -ac 1)
TIME=(-metadata "creation_time=2011-11-11T11:11:11Z")

enc() {  # enc OUTFILE ARGS...
    local out="$1"; shift
    nice -n 10 ffmpeg -nostdin -v error -y "${SRC[@]}" "$@" "${AAC[@]}" "${TIME[@]}" "$WORK/$out"
}
enc h264_aac_moovlast.mp4   "${H264[@]}" -f mp4
enc h264_aac_faststart.mp4  "${H264[@]}" -f mp4 -movflags +faststart
enc h264_aac.mov            "${H264[@]}" -f mov
enc h264_aac.3gp            "${H264[@]}" -f 3gp
enc h264_aac.m4v            "${H264[@]}" -f ipod
enc hevc_aac_faststart.mp4  "${HEVC[@]}" -f mp4 -movflags +faststart
# A timecode track (gmhd/tmcd/tcmi in its media header), as cameras write.
enc hevc_aac.mov            "${HEVC[@]}" -timecode 01:00:00:00 -f mov
mapfile -t FRAGMETA < <("${MANIFEST[@]}" ffmpeg-frag-args)
nice -n 10 ffmpeg -nostdin -v error -y "${SRC[@]}" "${H264[@]}" "${AAC[@]}" "${FRAGMETA[@]}" \
    -f mp4 -movflags frag_keyframe+empty_moov+use_metadata_tags "$OUT/h264_aac_fragmented.mp4"

# ---------------------------------------------------------------- 2. exiftool metadata
"${MANIFEST[@]}" loci "$WORK/loci.bin"
mapfile -t EXIFARGS < <("${MANIFEST[@]}" exiftool-args "$WORK/loci.bin")
for f in h264_aac_moovlast.mp4 h264_aac_faststart.mp4 h264_aac.mov h264_aac.3gp h264_aac.m4v \
         hevc_aac_faststart.mp4 hevc_aac.mov; do
    cp "$WORK/$f" "$OUT/$f"
    # a refused tag is a warning, recorded in the manifest (exiftool_messages / not_written)
    exiftool -q -q -overwrite_original -P "${EXIFARGS[@]}" "$OUT/$f" 2>"$WORK/$f.exiftool.log" \
        || { echo "exiftool failed on $f:" >&2; cat "$WORK/$f.exiftool.log" >&2; exit 1; }
done
# exiftool always writes moov before mdat: put moov back at the end where ffmpeg had it
for f in h264_aac_moovlast.mp4 h264_aac.mov h264_aac.m4v hevc_aac.mov; do
    "${MP4BOX[@]}" moov-last "$OUT/$f"
done
# 3GPP 'titl' (exiftool cannot write it); 'auth' and 'loci' came from exiftool
"${MP4BOX[@]}" add-udta "$OUT/h264_aac.3gp" titl "$("${MANIFEST[@]}" titl-hex)"

# ---------------------------------------------------------------- 3. timed metadata tracks
"${PY[@]}" "$HERE/timed_metadata.py" "$WORK/h264_aac_moovlast.mp4" "$OUT/timed_gpmd.mp4" --kind gpmd >/dev/null
"${PY[@]}" "$HERE/timed_metadata.py" "$WORK/h264_aac_moovlast.mp4" "$OUT/timed_gpmd_co64.mp4" \
    --kind gpmd --co64 --second-mdat >/dev/null
"${PY[@]}" "$HERE/timed_metadata.py" "$WORK/h264_aac.mov" "$OUT/timed_mebx.mov" --kind mebx >/dev/null

# ---------------------------------------------------------------- 4. verify and describe
"${MANIFEST[@]}" build "$OUT" "$WORK"
echo "$stamp" >"$OUT/.stamp"
echo "test videos built in $OUT in $((SECONDS - start)) s"
