#!/usr/bin/env bash
# scripts/deps.sh must work on a machine that has none of the tools it installs:
# a probe that crashed on a missing tool once stopped every fresh `make run` with
# exit 127 while CI, whose machine had every tool, stayed green.
#
# This runs deps.sh with the cargo-installed tools hidden from PATH (a shadow bin
# folder links every other program on PATH) and requires exit 0 and the tools
# installed afterwards. When they are installed already, `cargo install` of the
# same version is a no-op, so the test costs seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

hidden=(wasm-bindgen cargo-fuzz cargo-about)
shadow=$(mktemp -d)
trap 'rm -rf "$shadow"' EXIT

IFS=: read -ra path_dirs <<<"$PATH"
for dir in "${path_dirs[@]}"; do
    [ -d "$dir" ] || continue
    for program in "$dir"/*; do
        name=${program##*/}
        [ -f "$program" ] && [ -x "$program" ] || continue
        [[ " ${hidden[*]} " == *" $name "* ]] && continue
        # The first on PATH wins, as it does for the shell.
        [ -e "$shadow/$name" ] || ln -s "$program" "$shadow/$name"
    done
done

for tool in "${hidden[@]}"; do
    if PATH="$shadow" command -v "$tool" >/dev/null; then
        echo "test-deps: $tool is still on the shadow PATH; the test would prove nothing" >&2
        exit 1
    fi
done

echo "test-deps: scripts/deps.sh with ${hidden[*]} hidden from PATH"
status=0
PATH="$shadow" bash scripts/deps.sh || status=$?
if [ "$status" != 0 ]; then
    echo "test-deps: FAILED: deps.sh exited $status when ${hidden[*]} were missing" >&2
    exit 1
fi

cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin"
want=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
have=$("$cargo_bin/wasm-bindgen" --version 2>/dev/null || true)
if [ "$have" != "wasm-bindgen $want" ]; then
    echo "test-deps: FAILED: after deps.sh, $cargo_bin/wasm-bindgen says '${have}', want $want" >&2
    exit 1
fi
if ! "$cargo_bin/cargo-fuzz" --version >/dev/null 2>&1; then
    echo "test-deps: FAILED: after deps.sh, $cargo_bin/cargo-fuzz does not run" >&2
    exit 1
fi
if [ "$("$cargo_bin/cargo-about" --version 2>/dev/null)" != "cargo-about 0.9.3" ]; then
    echo "test-deps: FAILED: after deps.sh, $cargo_bin/cargo-about is not 0.9.3" >&2
    exit 1
fi
echo "test-deps: ok (deps.sh exit 0; wasm-bindgen $want, cargo-fuzz and cargo-about installed)"
