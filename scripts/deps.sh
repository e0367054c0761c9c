#!/usr/bin/env bash
# Installs what the build and tests need, only when missing. Safe to run again.
set -euo pipefail

need_apt=()
command -v exiftool >/dev/null || need_apt+=(libimage-exiftool-perl)
command -v mat2 >/dev/null || need_apt+=(mat2)
/usr/bin/python3 -c 'import PIL' 2>/dev/null || need_apt+=(python3-pil)
command -v hyperfine >/dev/null || need_apt+=(hyperfine)
if ((${#need_apt[@]})); then
    echo "deps: installing ${need_apt[*]} with apt" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if ! rustup toolchain list | grep -q '^nightly'; then
    echo "deps: installing the nightly toolchain (for cargo-fuzz)" >&2
    rustup toolchain install nightly --profile minimal
fi
if ! command -v cargo-fuzz >/dev/null; then
    echo "deps: installing cargo-fuzz" >&2
    cargo install cargo-fuzz --locked --quiet
fi
