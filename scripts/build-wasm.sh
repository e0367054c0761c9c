#!/usr/bin/env bash
# Builds the engine as WebAssembly: cargo (wasm32, simd128) -> wasm-bindgen ->
# wasm-opt. Outputs: target/wasm/web (for the extension) and target/wasm/node (tests, benchmarks).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p traceless-wasm --target wasm32-unknown-unknown
raw=target/wasm32-unknown-unknown/release/traceless_wasm.wasm
for flavour in web nodejs; do
    out="target/wasm/${flavour/nodejs/node}"
    rm -rf "$out"
    wasm-bindgen --target "$flavour" --out-dir "$out" "$raw"
    # Binaryen from npm: Debian's is too old for wasm-bindgen's output.
    node_modules/.bin/wasm-opt -O3 --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int \
        --enable-sign-ext --enable-mutable-globals --enable-reference-types \
        -o "$out/traceless_wasm_bg.wasm" "$out/traceless_wasm_bg.wasm"
done
ls -l target/wasm/web/traceless_wasm_bg.wasm | awk '{print "wasm: " $5 " bytes (web)"}'
