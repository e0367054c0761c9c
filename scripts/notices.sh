#!/usr/bin/env bash
# The third-party notices of the Rust crates and C codecs (cargo-about, about.toml,
# about.hbs) -> target/notices.html; extension/build.mjs adds the npm packages the
# bundle holds and ships it in both zips. Fails when a dependency's licence is not
# in about.toml's allowlist. Regenerated only when its inputs change (17 s here).
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/notices.html
if [ -f "$out" ] && [ "$out" -nt Cargo.lock ] && [ "$out" -nt about.toml ] && [ "$out" -nt about.hbs ]; then
    exit 0
fi
mkdir -p target
rm -f "$out"
cargo about generate --fail about.hbs -o "$out.tmp"
mv "$out.tmp" "$out"
