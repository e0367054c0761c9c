#!/usr/bin/env bash
# Builds the engine as WebAssembly: cargo (wasm32, simd128, LTO) -> wasm-bindgen ->
# wasm-opt. Outputs: target/wasm/web (for the extension) and target/wasm/node
# (tests, benchmarks); both share the same optimised module.
set -euo pipefail
cd "$(dirname "$0")/.."
# cargo cannot see edits to the C compiler wrapper: rebuild the C codecs when it changed.
stamp=target/wasm-clang.built
if ! cmp -s scripts/wasm-clang "$stamp"; then
    cargo clean --profile wasm --target wasm32-unknown-unknown -p mozjpeg-sys -p libwebp-sys -p libdeflate-sys
    mkdir -p target && cp scripts/wasm-clang "$stamp"
fi
cargo build --profile wasm -p traceless-wasm --target wasm32-unknown-unknown
raw=target/wasm32-unknown-unknown/wasm/traceless_wasm.wasm
rm -rf target/wasm/web target/wasm/node
wasm-bindgen --target web --out-dir target/wasm/web "$raw"
wasm-bindgen --target nodejs --out-dir target/wasm/node "$raw"
# Binaryen from npm: Debian's is too old for wasm-bindgen's output.
node_modules/.bin/wasm-opt -O3 --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals --enable-reference-types \
    -o target/wasm/web/traceless_wasm_bg.wasm target/wasm/web/traceless_wasm_bg.wasm
cp target/wasm/web/traceless_wasm_bg.wasm target/wasm/node/traceless_wasm_bg.wasm
size=$(stat -c %s target/wasm/web/traceless_wasm_bg.wasm)
gz=$(gzip -9 -c target/wasm/web/traceless_wasm_bg.wasm | wc -c)
echo "wasm: $size bytes, $gz gzipped"
