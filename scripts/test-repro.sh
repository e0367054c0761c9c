#!/usr/bin/env bash
# Reproducible extension builds, in their cheapest honest form: the extension is
# bundled and zipped again from a second copy of the sources in another folder,
# with the same wasm modules, licence notices and npm packages, and every output
# file must be byte for byte the same as dist/'s. (The wasm modules themselves are
# compared across folders by `make repro`: two full builds.)
# The working tree's files are copied (scripts/copy-sources.sh); run after
# scripts/build-extension.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
other="$root/target/repro/elsewhere"
rm -rf "$root/target/repro"
bash scripts/copy-sources.sh "$other"
mkdir -p "$other/target/wasm"
cp -r target/wasm/web "$other/target/wasm/web"
cp target/notices.html "$other/target/notices.html"
(cd "$other" && node extension/build.mjs >/dev/null)
differ=0
while IFS= read -r -d '' file; do
    rel="${file#"$other"/}"
    if ! cmp -s "$file" "$root/$rel"; then
        echo "repro: $rel differs between $root and $other" >&2
        differ=1
    fi
done < <(find "$other/dist" -type f -print0)
count=$(find "$other/dist" -type f | wc -l)
[ "$(find dist -type f | wc -l)" = "$count" ] || { echo "repro: dist/ has other files than the rebuild" >&2; differ=1; }
# The version lives in one place, Cargo.toml's [workspace.package]: both manifests carry it.
version=$(sed -n '/^\[workspace\.package\]/,/^\[/s/^version = "\(.*\)"$/\1/p' Cargo.toml)
for browser in chromium firefox; do
    grep -q "\"version\": \"$version\"" "dist/$browser/manifest.json" ||
        { echo "repro: dist/$browser/manifest.json does not carry version $version" >&2; differ=1; }
done
# No module carries a path of this machine (its cargo home, this checkout), which a
# build elsewhere would not have: scripts/wasm-remap.sh strips the crate registry's.
home="${CARGO_HOME:-$HOME/.cargo}"
for module in target/wasm/web/*.wasm; do
    for path in "$home" "$root"; do
        if grep -qaF "$path" "$module"; then
            echo "repro: $module holds the path $path" >&2
            differ=1
        fi
    done
done
if ((differ)); then exit 1; fi
echo "repro: $count files (both extension folders and their zips) identical when built in another folder"
rm -rf "$root/target/repro"
