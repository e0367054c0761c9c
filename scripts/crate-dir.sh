#!/usr/bin/env bash
# Prints the source folder of dependency NAME as Cargo.lock pins it (cargo's
# registry copy): for build steps that use a -sys crate's vendored C sources.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo metadata --format-version 1 --locked 2>/dev/null | node -e '
  const name = process.argv[1];
  const p = JSON.parse(require("fs").readFileSync(0, "utf8")).packages.find((p) => p.name === name);
  if (!p) { console.error(`crate-dir: ${name} is not a dependency`); process.exit(1); }
  console.log(require("path").dirname(p.manifest_path));' "$1"
