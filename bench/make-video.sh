#!/usr/bin/env bash
# Prints the path of a test video of about SIZE_MB megabytes, making it first if
# it is not there: a 1080p H.264 + AAC clip with a location and a device (10 s,
# about 50 MB), repeated by stream copy. Shared by bench/video-throughput.sh and
# bench/guard-video.mjs; the files stay in bench/out/videos.
set -euo pipefail
cd "$(dirname "$0")/.."
mb="$1"
out="$PWD/bench/out/videos"
mkdir -p "$out"
base="$out/base.mp4"
if [ ! -f "$base" ]; then
    nice ffmpeg -nostdin -v error -y -f lavfi -i "testsrc2=size=1920x1080:rate=30:duration=10" \
        -f lavfi -i "sine=frequency=440:sample_rate=48000:duration=10" \
        -c:v libx264 -preset ultrafast -b:v 40M -maxrate 40M -bufsize 80M -pix_fmt yuv420p -c:a aac \
        -metadata location="+12.3456+065.4321/" -metadata make=BenchCam -metadata model=Bench9 \
        -metadata creation_time=2011-11-11T11:11:11Z "$base"
fi
base_mb=$(( $(stat -c %s "$base") / 1000000 ))
input="$out/video-${mb}mb.mp4"
if [ ! -f "$input" ]; then
    loops=$(( (mb + base_mb - 1) / base_mb - 1 ))
    nice ffmpeg -nostdin -v error -y -stream_loop "$loops" -i "$base" -map 0 -c copy \
        -metadata location="+12.3456+065.4321/" -metadata make=BenchCam "$input"
fi
echo "$input"
