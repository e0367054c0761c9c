#!/usr/bin/env bash
# The engine's own tests compiled to wasm32 and run by wasm-bindgen-test, in Node
# and in headless Chromium; then the Node and Chromium tests of the built module.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
# The image containers only: without the default features (HEVC/AV1 decoding and
# videos, tested natively) the wasm32 compile of the core skips heifer.
# In the shipped `wasm` profile, after scripts/build-wasm.sh: the C codecs it built
# for wasm32 are reused (the dev profile compiled them again: 46 s instead of 80 s,
# measured here with the C codecs already built), and the tests run the optimised
# code that ships.
# The same flags as build-wasm.sh's (scripts/wasm-remap.sh), or cargo rebuilds it all.
remap=$(bash scripts/wasm-remap.sh)
echo "wasm tests: Node"
cargo test --config "$remap" --profile wasm -p traceless-core --no-default-features --target wasm32-unknown-unknown --test containers
echo "wasm tests: headless Chromium"
WASM_BINDGEN_USE_BROWSER=1 CHROMEDRIVER=/usr/bin/chromedriver \
    cargo test --config "$remap" --profile wasm -p traceless-core --no-default-features --target wasm32-unknown-unknown --test containers
node --test tests/wasm/
