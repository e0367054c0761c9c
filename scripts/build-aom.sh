#!/usr/bin/env bash
# Builds libaom's AV1 encoder from the sources the libaom-sys crate vendors, once
# per configuration, and prints the variables that point libaom-sys at it
# (its LIB_AOM_STATIC_LIB_PATH hatch):
#
#   scripts/build-aom.sh wasm32          for the AVIF wasm module (scripts/build-wasm.sh)
#   scripts/build-aom.sh native          for the CLI as shipped: x86 SIMD (make build)
#   scripts/build-aom.sh native-generic  for the tests: C only, as in the wasm module,
#                                        and built in 41 s instead of 144 (make test)
#
# Why not let libaom-sys build it: natively the crate runs CMake from its build
# script, in Debug for every non-release profile, and again for each profile and
# for clippy (measured in CI: two CMake builds, ~130 s each, and tests running
# unoptimised libaom). One Release build here serves every cargo call. For
# wasm32 the crate has no recipe for wasm32-unknown-unknown at all.
#
# wasm32: the options libaom documents for builds without a CPU to detect:
# generic C (wasm SIMD comes from clang's autovectoriser, -msimd128), no threads,
# no WebM or libyuv (C++, for its tools), encoder only, no tools or tests.
# MinSizeRel (-Os): measured on a 12 MP photo in Node, the module is 4.0 MB
# against 11.4 MB at Release (-O3), and encodes as fast (12.8-14.1 s against
# 12.1-13.1 s, identical output).
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: scripts/build-aom.sh wasm32|native|native-generic}
src="$(scripts/crate-dir.sh libaom-sys)/vendor"
common=(-DCONFIG_AV1_DECODER=0 -DENABLE_DOCS=0 -DENABLE_EXAMPLES=0 -DENABLE_TESTDATA=0
    -DENABLE_TESTS=0 -DENABLE_TOOLS=0)
case "$target" in
wasm32)
    config=(-DCMAKE_TOOLCHAIN_FILE="$PWD/scripts/aom-wasm32.cmake"
        -DCMAKE_BUILD_TYPE="${AOM_BUILD_TYPE:-MinSizeRel}"
        -DAOM_TARGET_CPU=generic -DCONFIG_RUNTIME_CPU_DETECT=0 -DCONFIG_MULTITHREAD=0
        -DCONFIG_WEBM_IO=0 -DCONFIG_LIBYUV=0)
    inputs=(scripts/aom-wasm32.cmake scripts/wasm-include/setjmp.h) ;;
native)
    # The host's compiler with NASM: x86 SIMD chosen at run time, as the crate does.
    config=(-DCMAKE_BUILD_TYPE=Release)
    inputs=() ;;
native-generic)
    # libaom's SIMD is bit-exact with its C, so tests see the same files either way.
    config=(-DCMAKE_BUILD_TYPE=Release -DAOM_TARGET_CPU=generic)
    inputs=() ;;
*) echo "scripts/build-aom.sh: unknown target $target" >&2; exit 2 ;;
esac
# One folder per configuration (sources, options, these scripts): the library's
# path changes with it, which is what tells cargo to link again.
key=$(echo "$src ${config[*]}" | cat - scripts/build-aom.sh "${inputs[@]}" | sha256sum | cut -c1-16)
out=$PWD/target/aom-$target/$key
if [ ! -f "$out/lib/libaom.a" ]; then
    rm -rf "$out" && mkdir -p "$out"
    # The sources' path must not reach the module (make repro builds elsewhere).
    CFLAGS="-ffile-prefix-map=$src=libaom -ffile-prefix-map=$PWD=." \
        cmake -S "$src" -B "$out/build" "${common[@]}" "${config[@]}" >"$out.log" 2>&1 \
        || { cat "$out.log" >&2; exit 1; }
    # Only the library: "all" has C++ parts (rate control for real time) that
    # would need a C++ library for wasm32.
    cmake --build "$out/build" --target aom -j "$(nproc)" >>"$out.log" 2>&1 || { tail -40 "$out.log" >&2; exit 1; }
    mkdir -p "$out/lib" && cp "$out/build/libaom.a" "$out/lib/"
fi
echo "LIB_AOM_STATIC_LIB_PATH=$out/lib"
# libaom-sys only passes these on to crates that build C against libaom: none here.
echo "LIB_AOM_INCLUDE_PATH=$src"
echo "LIB_AOM_PKG_CONFIG_PATH=$out/build"
