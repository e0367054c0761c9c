#!/usr/bin/env bash
# Builds the engine as WebAssembly: cargo (wasm32, simd128, LTO) -> wasm-bindgen ->
# wasm-opt. Outputs: target/wasm/web (for the extension) and target/wasm/node
# (tests, benchmarks); both share the same optimised module.
set -euo pipefail
cd "$(dirname "$0")/.."
# MozJPEG's version string carries its build time unless told a date (mozjpeg-sys
# reads SOURCE_DATE_EPOCH): fixed, so two builds give the same module (make repro).
# 2026-01-01, the zips' timestamp too.
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-1767225600}"
# cargo cannot see edits to the C compiler wrapper: rebuild the C codecs when it changed.
stamp=target/wasm-clang.built
if ! cmp -s scripts/wasm-clang "$stamp"; then
    cargo clean --profile wasm --target wasm32-unknown-unknown -p mozjpeg-sys -p libwebp-sys -p libdeflate-sys
    mkdir -p target && cp scripts/wasm-clang "$stamp"
fi
# Four modules, one cargo run each (one run would unify the core's features):
# - traceless_wasm: the engine (inspect, clean, convert), without the HEVC decoder;
# - traceless_wasm_full: the same engine with it and the animation encoder, loaded
#   only to convert a HEIC, an AVIF or an animation (so the engine stays under its
#   size goal and removing metadata never loads it);
# - traceless_wasm_video: the video cleaner, loaded only when a video or an image
#   sequence (animated AVIF) arrives.
rm -rf target/wasm/web target/wasm/node
# No machine's paths in the modules (scripts/wasm-remap.sh).
remap=$(bash scripts/wasm-remap.sh)
raw=target/wasm32-unknown-unknown/wasm
# Binaryen from npm: Debian's is too old for wasm-bindgen's output.
# The `producers` and `target_features` sections are for tools, not browsers: 263 bytes.
opt() {  # opt LEVEL NAME
    nice -n 10 node_modules/.bin/wasm-opt "$1" --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int \
        --enable-sign-ext --enable-mutable-globals --enable-reference-types \
        --strip-producers --strip-target-features -o "target/wasm/web/$2_bg.wasm" "target/wasm/web/$2_bg.wasm"
    cp "target/wasm/web/$2_bg.wasm" "target/wasm/node/$2_bg.wasm"
}
# wasm-opt works on one core (37, 50 and 92 s for the three engines here; on the AVIF
# module 95 s of user time in 92 s) and so does the end of each cargo build (one fat-LTO codegen
# unit): each module is optimised in the background while cargo builds the next,
# at a lower priority than the builds (the last module's optimisation ends the step).
optimising=()
bindgen_and_opt() {  # bindgen_and_opt RAW_NAME OUT_NAME LEVEL
    wasm-bindgen --target web --out-dir target/wasm/web --out-name "$2" "$raw/$1.wasm"
    wasm-bindgen --target nodejs --out-dir target/wasm/node --out-name "$2" "$raw/$1.wasm"
    opt "$3" "$2" &
    optimising+=($!)
}
# libaom for wasm32 (CMake, about a minute here when not yet built) builds beside the
# first two modules; the AVIF module's build waits for it.
mkdir -p target
scripts/build-aom.sh wasm32 > target/aom-wasm32.env 2> target/aom-wasm32.err &
aom=$!
cargo build --config "$remap" --profile wasm -p traceless-wasm --target wasm32-unknown-unknown
# The image engine at wasm-opt's -Os: 24 KB smaller than at -O3, and as fast (session 37,
# bench/wasm-speed.cjs on a 12 MP test pattern, two interleaved rounds: every case within
# the rounds' spread), which gave it back room under its 1.5 MB goal.
bindgen_and_opt traceless_wasm traceless_wasm -Os
cargo build --config "$remap" --profile wasm -p traceless-wasm --features full --target wasm32-unknown-unknown
bindgen_and_opt traceless_wasm traceless_wasm_full -O3
# - traceless_wasm_avif: the converter module with libaom's AV1 encoder, loaded
#   only when AVIF output is chosen.
wait "$aom" || { cat target/aom-wasm32.err >&2; exit 1; }
(
    # shellcheck disable=SC2046
    export $(cat target/aom-wasm32.env)
    cargo build --config "$remap" --profile wasm -p traceless-wasm --features avif --target wasm32-unknown-unknown
)
bindgen_and_opt traceless_wasm traceless_wasm_avif -O3
# The engines are optimised for speed (they convert); the video cleaner for size (it
# parses a few hundred KB).
cargo build --config "$remap" --profile wasm -p traceless-wasm-video --target wasm32-unknown-unknown
bindgen_and_opt traceless_wasm_video traceless_wasm_video -Oz
for job in "${optimising[@]}"; do
    wait "$job" || { echo "wasm: wasm-opt failed" >&2; exit 1; }
done
for name in traceless_wasm traceless_wasm_full traceless_wasm_avif traceless_wasm_video; do
    size=$(stat -c %s target/wasm/web/${name}_bg.wasm)
    gz=$(gzip -9 -c target/wasm/web/${name}_bg.wasm | wc -c)
    echo "wasm: $name $size bytes, $gz gzipped"
done
# The image engine's size goal (issue: under 1.5 MB): the upload guard loads it on every
# page, and it has been within a few hundred bytes of it; growing past it is a failure,
# not a number in a log.
image_size=$(stat -c %s target/wasm/web/traceless_wasm_bg.wasm)
if [ "$image_size" -ge 1500000 ]; then
    echo "wasm: the image engine is $image_size bytes, over its 1,500,000-byte goal" >&2
    exit 1
fi
