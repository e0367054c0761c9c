#!/usr/bin/env bash
# Type-checks and bundles the extension into dist/chromium and dist/firefox (+ zips).
# Needs the wasm engine from scripts/build-wasm.sh, and cargo-about (scripts/deps.sh)
# for the licence notices.
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p extension
bash scripts/notices.sh
node extension/build.mjs
