#!/usr/bin/env bash
# The source archive addons.mozilla.org asks for: every tracked file of the commit
# (git archive: the commit's own time on every entry, so the same commit gives the
# same zip), plus BUILDING-FOR-REVIEW.md with the steps and the exact tool versions
# this build used. Output: dist/traceless-source-VERSION.zip.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
    echo "source-zip: the working tree has uncommitted changes; the archive is of HEAD ($(git rev-parse --short HEAD))" >&2
fi
version=$(sed -n '/^\[workspace\.package\]/,/^\[/s/^version = "\(.*\)"$/\1/p' Cargo.toml)
binaryen=$(node -p "require('./package-lock.json').packages['node_modules/binaryen'].version")
esbuild=$(node -p "require('./package-lock.json').packages['node_modules/esbuild'].version")
notes=$(cat <<NOTES
# Building Traceless $version from this source (for add-on reviewers)

Source of commit $(git rev-parse HEAD). The extension in the store was built from it
with the steps below; two builds in different folders give byte-identical zips
and wasm modules (\`make repro\` checks it).

## On Debian 12 (bookworm), amd64

1. Install rustup (https://rustup.rs) with the stable toolchain, Node.js 20 or later
   with npm, and have root or sudo for apt.
2. In this folder: \`make build\`. It installs what is missing (apt: clang, llvm,
   wasi-libc and the others listed in scripts/deps.sh; rustup: the wasm32 target;
   cargo: wasm-bindgen-cli at the version Cargo.lock needs; npm ci), then builds the
   WebAssembly modules, the command-line tool and both extensions.
3. The Firefox extension is \`dist/traceless-firefox-$version.zip\` (unpacked in
   \`dist/firefox/\`); the Chromium one beside it.

No step downloads code at build time other than the packages named by Cargo.lock and
package-lock.json, from crates.io and the npm registry.

## The versions this build used

- $(rustc --version)
- $(cargo --version)
- $(clang --version | head -1)
- $(cmake --version | head -1) (libaom for wasm32)
- wasm-bindgen $(wasm-bindgen --version | cut -d' ' -f2)
- wasm-opt: binaryen $binaryen (npm); esbuild $esbuild (npm)
- Node.js $(node --version)

Other versions may give other bytes (a different rustc or clang optimises
differently); the extension then works the same.

## What is in it

- \`core/\`: the image engine (Rust), \`wasm/\` and \`wasm-video/\`: its WebAssembly
  builds, \`cli/\`: the command-line tool; \`extension/\`: the extension (TypeScript,
  bundled by esbuild: \`extension/build.mjs\`); \`manifest.json\`: the source manifest
  the build derives both browsers' from.
- The C codecs (MozJPEG, libwebp, libdeflate) come as source in their -sys crates and
  are compiled with clang for wasm32 (\`scripts/wasm-clang\`, \`scripts/build-wasm.sh\`);
  libaom (AVIF output) comes as source in libaom-sys and is built for wasm32 with
  CMake and clang (\`scripts/build-aom.sh wasm32\`, \`scripts/aom-wasm32.cmake\`).
- README.md explains the design, DEVELOPERS.md the layout.
NOTES
)
mkdir -p dist
out="dist/traceless-source-$version.zip"
git archive --format=zip --prefix="traceless-$version/" \
    --add-virtual-file="traceless-$version/BUILDING-FOR-REVIEW.md:$notes" -o "$out" HEAD
echo "source-zip: $out ($(stat -c %s "$out") bytes, commit $(git rev-parse --short HEAD))"
