#!/usr/bin/env bash
# Installs what the build and tests need, only when missing. Safe to run again.
#
# Every probe must survive the absence of what it probes: under `set -euo pipefail`
# a missing command inside `$(... | ...)` ends the script (exit 127) before the
# install that would have fixed it. So probes go through `has` / `version_of`, which
# never fail, and never pipe a missing program. scripts/test-deps.sh (in make test)
# runs this script with the cargo-installed tools hidden from PATH.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "deps: $*" >&2; }
has() { command -v "$1" >/dev/null 2>&1; }
# The second word of `$1 --version`, or nothing when $1 is missing or fails.
version_of() {
    local out
    out=$("$@" --version 2>/dev/null) || return 0
    set -- $out
    echo "${2:-}"
}

# What the set-up cannot install for you (README "Set up").
missing=()
has rustup || missing+=("rustup (https://rustup.rs) with a stable toolchain")
has cargo || missing+=("cargo (from rustup)")
has node || missing+=("Node.js 20 or later")
has npm || missing+=("npm (comes with Node.js)")
if ((${#missing[@]})); then
    say "these must be installed first: ${missing[*]}"
    exit 1
fi
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if ((node_major < 20)); then
    say "Node.js 20 or later is needed (found $(node --version 2>/dev/null || echo none))"
    exit 1
fi

# apt runs as root, or through sudo when there is one.
apt_as_root() {
    if [ "$(id -u)" = 0 ]; then
        "$@"
    elif has sudo; then
        sudo DEBIAN_FRONTEND=noninteractive "$@"
    else
        say "installing Debian packages needs root (or sudo): $*"
        exit 1
    fi
}

need_apt=()
has exiftool || need_apt+=(libimage-exiftool-perl)
has mat2 || need_apt+=(mat2)
/usr/bin/python3 -c 'import PIL' 2>/dev/null || need_apt+=(python3-pil)
has hyperfine || need_apt+=(hyperfine)
# strace holds the command line's write at a chosen step, so a test can stop it there.
has strace || need_apt+=(strace)
# GNU time reads a run's peak memory for the command line's memory-budget test.
[ -x /usr/bin/time ] || need_apt+=(time)
# libheif's tools judge HEIC/AVIF cleaning (heif-info, heif-convert decode the primary image).
has heif-convert || need_apt+=(libheif-examples)
# libwebp's gif2webp, the peer of animated WebP output in make bench (bench/animation.py).
has gif2webp || need_apt+=(webp)
# A real CMYK profile (Ghostscript's) for the CMYK JPEG conversion tests.
[ -f /usr/share/color/icc/ghostscript/default_cmyk.icc ] || need_apt+=(libgs-common)
# Test videos (tests/videos/make.sh): ffmpeg with libx264/libx265, ffprobe.
has ffmpeg && has ffprobe || need_apt+=(ffmpeg)
# libaom (AVIF output) is built from the libaom-sys crate's sources with CMake;
# natively its x86 SIMD is assembled by NASM.
has cmake || need_apt+=(cmake)
has nasm || need_apt+=(nasm)
# The C codecs compile to wasm32 with clang, llvm-ar and wasi-libc's headers.
has clang || need_apt+=(clang)
has llvm-ar || need_apt+=(llvm)
[ -d /usr/include/wasm32-wasi ] || need_apt+=(wasi-libc)
# Real-browser tests drive Debian's Chromium (playwright-core never downloads one)
# and Firefox ESR (puppeteer-core over WebDriver BiDi).
has chromium || need_apt+=(chromium)
has chromedriver || need_apt+=(chromium-driver)
has firefox-esr || need_apt+=(firefox-esr)
# tests/e2e/real-dialog.test.mjs answers the browsers' own file dialogs, in windows on
# a private X display (Xvfb), typing as a person would (xdotool).
has Xvfb || need_apt+=(xvfb)
has xdotool || need_apt+=(xdotool)
if ((${#need_apt[@]})); then
    say "installing ${need_apt[*]} with apt"
    export DEBIAN_FRONTEND=noninteractive
    apt_as_root apt-get update -qq
    apt_as_root apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

# libwebp's SSE2 paths on wasm SIMD (scripts/wasm-clang): Emscripten's two SSE
# headers, taken from Debian's emscripten package without installing it.
sse_headers="${TRACELESS_SSE_HEADERS:-$HOME/.cache/traceless/sse-on-wasm}"
if [ ! -f "$sse_headers/emmintrin.h" ]; then
    say "extracting SSE-on-wasm headers from Debian's emscripten package"
    tmp=$(mktemp -d)
    (cd "$tmp" && apt-get download -qq emscripten 2>/dev/null || { apt_as_root apt-get update -qq && apt-get download -qq emscripten; })
    dpkg-deb -x "$tmp"/emscripten_*.deb "$tmp/x"
    mkdir -p "$sse_headers"
    cp "$tmp/x/usr/share/emscripten/system/include/compat/"{xmmintrin,emmintrin}.h "$sse_headers/"
    rm -rf "$tmp"
fi

# rustup's lists are read whole before grepping: `grep -q` closing the pipe early
# would make the pipeline fail under pipefail and trigger a needless install.
toolchains=$(rustup toolchain list 2>/dev/null || true)
if ! grep -q '^nightly' <<<"$toolchains"; then
    say "installing the nightly toolchain (for cargo-fuzz)"
    rustup toolchain install nightly --profile minimal
fi
if ! has cargo-fuzz; then
    say "installing cargo-fuzz"
    cargo install cargo-fuzz --locked --quiet
fi

# cargo-about: the third-party notices in the extension zips and the licence allowlist
# (about.toml); pinned, as its config format has changed between versions.
if [ "$(version_of cargo-about)" != "0.9.3" ]; then
    say "installing cargo-about 0.9.3"
    cargo install cargo-about --version 0.9.3 --locked --features cli --quiet
fi

targets=$(rustup target list --installed 2>/dev/null || true)
if ! grep -qx 'wasm32-unknown-unknown' <<<"$targets"; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
fi
# wasm-bindgen's CLI must match the library version in Cargo.lock exactly.
want=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
have=$(version_of wasm-bindgen)
if [ -z "$want" ]; then
    say "cannot read wasm-bindgen's version from Cargo.lock"
    exit 1
fi
if [ "$want" != "$have" ]; then
    say "installing wasm-bindgen-cli $want${have:+ (found $have)}"
    # Not --locked: its own lockfile pins a crate version this registry lacks.
    cargo install wasm-bindgen-cli --version "$want" --quiet
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "npm ci"
    npm ci --no-audit --no-fund --loglevel=error
fi
