#!/usr/bin/env bash
# Type-checks and bundles the extension into dist/chromium and dist/firefox (+ zips).
# Needs the wasm engine from scripts/build-wasm.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p extension
node extension/build.mjs
