# CMake toolchain for libaom on wasm32-unknown-unknown (scripts/build-aom.sh wasm32):
# Debian's clang against wasi-libc's headers, as for the other C codecs
# (.cargo/config.toml); libaom's setjmp from scripts/wasm-include.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR wasm32)
set(CMAKE_C_COMPILER clang)
set(CMAKE_CXX_COMPILER clang++)
set(CMAKE_C_COMPILER_TARGET wasm32-unknown-unknown)
set(CMAKE_CXX_COMPILER_TARGET wasm32-unknown-unknown)
set(CMAKE_AR llvm-ar CACHE FILEPATH "")
set(CMAKE_RANLIB llvm-ranlib CACHE FILEPATH "")
set(CMAKE_C_FLAGS_INIT "-isystem ${CMAKE_CURRENT_LIST_DIR}/wasm-include -isystem /usr/include/wasm32-wasi -D__wasi__ -msimd128")
# Nothing links here (the Rust build does): configuration checks compile only.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
