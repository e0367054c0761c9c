#!/usr/bin/env bash
# Reproducible builds, whole: a second copy of the sources in another folder is
# built from nothing (its own cargo target folder: the wasm modules, the notices,
# the bundles, the zips), and every wasm module and zip must be byte for byte
# those of this checkout's `make build`. Slow (a full wasm build): `make repro`,
# not `make test`, which runs the cheap half (scripts/test-repro.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
other="$root/target/repro-full/elsewhere"
rm -rf "$root/target/repro-full"
bash scripts/copy-sources.sh "$other"
(cd "$other" && bash scripts/build-wasm.sh >/dev/null && bash scripts/build-extension.sh >/dev/null)
differ=0
for file in target/wasm/web/*.wasm dist/*.zip; do
    if cmp -s "$file" "$other/$file"; then
        echo "repro: $file identical ($(stat -c %s "$file") bytes)"
    else
        echo "repro: $file differs between $root and $other" >&2
        differ=1
    fi
done
exit "$differ"
