#!/usr/bin/env bash
# Installs what the build and tests need, only when missing. Safe to run again.
set -euo pipefail

need_apt=()
command -v exiftool >/dev/null || need_apt+=(libimage-exiftool-perl)
command -v mat2 >/dev/null || need_apt+=(mat2)
/usr/bin/python3 -c 'import PIL' 2>/dev/null || need_apt+=(python3-pil)
command -v hyperfine >/dev/null || need_apt+=(hyperfine)
# The C codecs compile to wasm32 with clang, llvm-ar and wasi-libc's headers.
command -v clang >/dev/null || need_apt+=(clang)
command -v llvm-ar >/dev/null || need_apt+=(llvm)
[ -d /usr/include/wasm32-wasi ] || need_apt+=(wasi-libc)
# Real-browser tests drive Debian's Chromium (playwright-core never downloads one)
# and Firefox ESR (puppeteer-core over WebDriver BiDi).
command -v chromium >/dev/null || need_apt+=(chromium)
command -v chromedriver >/dev/null || need_apt+=(chromium-driver)
command -v firefox-esr >/dev/null || need_apt+=(firefox-esr)
if ((${#need_apt[@]})); then
    echo "deps: installing ${need_apt[*]} with apt" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

# libwebp's SSE2 paths on wasm SIMD (scripts/wasm-clang): Emscripten's two SSE
# headers, taken from Debian's emscripten package without installing it.
sse_headers="${TRACELESS_SSE_HEADERS:-$HOME/.cache/traceless/sse-on-wasm}"
if [ ! -f "$sse_headers/emmintrin.h" ]; then
    echo "deps: extracting SSE-on-wasm headers from Debian's emscripten package" >&2
    tmp=$(mktemp -d)
    (cd "$tmp" && apt-get download -qq emscripten 2>/dev/null || { apt-get update -qq && apt-get download -qq emscripten; })
    dpkg-deb -x "$tmp"/emscripten_*.deb "$tmp/x"
    mkdir -p "$sse_headers"
    cp "$tmp/x/usr/share/emscripten/system/include/compat/"{xmmintrin,emmintrin}.h "$sse_headers/"
    rm -rf "$tmp"
fi

if ! rustup toolchain list | grep -q '^nightly'; then
    echo "deps: installing the nightly toolchain (for cargo-fuzz)" >&2
    rustup toolchain install nightly --profile minimal
fi
if ! command -v cargo-fuzz >/dev/null; then
    echo "deps: installing cargo-fuzz" >&2
    cargo install cargo-fuzz --locked --quiet
fi

if ! rustup target list --installed | grep -q '^wasm32-unknown-unknown$'; then
    echo "deps: adding the wasm32-unknown-unknown target" >&2
    rustup target add wasm32-unknown-unknown
fi
# wasm-bindgen's CLI must match the library version in Cargo.lock exactly.
want=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')
if [ "$want" != "$have" ]; then
    echo "deps: installing wasm-bindgen-cli $want" >&2
    # Not --locked: its own lockfile pins a crate version this registry lacks.
    cargo install wasm-bindgen-cli --version "$want" --quiet
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "deps: npm ci" >&2
    npm ci --no-audit --no-fund --loglevel=error
fi
