#!/usr/bin/env bash
# Builds libaom's AV1 encoder for wasm32 from the sources the libaom-sys crate
# vendors (the same libaom the native build uses), into target/aom-wasm, and
# prints the variables that point libaom-sys at it. Rebuilt only when the
# crate's version, this script or the toolchain file change.
#
# The options are those libaom documents for builds without a CPU to detect:
# generic C (wasm SIMD comes from clang's autovectoriser, -msimd128), no threads,
# no WebM or libyuv (C++, for its tools), encoder only, no tools or tests.
# MinSizeRel (-Os): measured on a 12 MP photo in Node, the module is 4.0 MB
# against 11.4 MB at Release (-O3), and encodes as fast (12.8-14.1 s against
# 12.1-13.1 s, identical output).
set -euo pipefail
cd "$(dirname "$0")/.."
src="$(scripts/crate-dir.sh libaom-sys)/vendor"
# One folder per configuration (sources, build type, these scripts): the
# library's path changes with it, which is what tells cargo to link again.
key=$(echo "$src ${AOM_BUILD_TYPE:-}" | cat - scripts/build-aom-wasm.sh scripts/aom-wasm32.cmake scripts/wasm-include/setjmp.h | sha256sum | cut -c1-16)
out=target/aom-wasm/$key
if [ ! -f "$out/lib/libaom.a" ]; then
    rm -rf "$out" && mkdir -p "$out"
    # The sources' path must not reach the module (make repro builds elsewhere).
    CFLAGS="-ffile-prefix-map=$src=libaom -ffile-prefix-map=$PWD=." cmake -S "$src" -B "$out/build" -DCMAKE_TOOLCHAIN_FILE="$PWD/scripts/aom-wasm32.cmake" \
        -DCMAKE_BUILD_TYPE=${AOM_BUILD_TYPE:-MinSizeRel} \
        -DAOM_TARGET_CPU=generic -DCONFIG_RUNTIME_CPU_DETECT=0 -DCONFIG_MULTITHREAD=0 \
        -DCONFIG_WEBM_IO=0 -DCONFIG_LIBYUV=0 -DCONFIG_AV1_DECODER=0 \
        -DENABLE_DOCS=0 -DENABLE_EXAMPLES=0 -DENABLE_TESTDATA=0 -DENABLE_TESTS=0 -DENABLE_TOOLS=0 \
        >"$out.log" 2>&1 || { cat "$out.log" >&2; exit 1; }
    # Only the library: "all" has C++ parts (rate control for real time) that
    # would need a C++ library for wasm32.
    cmake --build "$out/build" --target aom -j "$(nproc)" >>"$out.log" 2>&1 || { tail -40 "$out.log" >&2; exit 1; }
    mkdir -p "$out/lib" && cp "$out/build/libaom.a" "$out/lib/"
fi
echo "LIB_AOM_STATIC_LIB_PATH=$PWD/$out/lib"
# libaom-sys only passes these on to crates that build C against libaom: none here.
echo "LIB_AOM_INCLUDE_PATH=$src"
echo "LIB_AOM_PKG_CONFIG_PATH=$PWD/$out/build"
