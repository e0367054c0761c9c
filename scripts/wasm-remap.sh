#!/usr/bin/env bash
# Prints a `cargo --config` value that strips the crate registry's folders from the
# source paths the wasm modules carry (panic locations: about 80 of them). Without it
# the modules hold this machine's cargo home (/root/.cargo/registry/src/index.crates.io-
# 1949cf8c6b5b557f/...), so a build by another user, or with CARGO_HOME elsewhere, gave
# other bytes; and those prefixes were 4.4 KB of the image engine.
# scripts/build-wasm.sh and scripts/test-wasm.sh pass the same value: cargo rebuilds
# everything when the flags change, and test-wasm reuses build-wasm's C codecs.
set -euo pipefail
cd "$(dirname "$0")/.."
# cargo metadata unpacks every dependency's sources first, so that on a fresh machine
# the registry's folders exist before they are listed (otherwise the first build
# would keep the paths and later ones not).
cargo metadata --format-version 1 --locked > /dev/null
flags=()
for dir in "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/; do
    [ -d "$dir" ] && flags+=("\"--remap-path-prefix=$dir=\"")
done
# Merged with .cargo/config.toml's rustflags for the target (simd128), not replacing them.
echo "target.wasm32-unknown-unknown.rustflags=[$(IFS=,; echo "${flags[*]}")]"
