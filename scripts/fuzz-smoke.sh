#!/usr/bin/env bash
# A short fuzz run of each target, seeded with small corpus images.
# FUZZ_SECONDS (default 30) per target; a longer run: FUZZ_SECONDS=3600 make fuzz-smoke.
# FUZZ_RUNS=N runs each target for N executions instead (make fuzz-long: 10^7).
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds="${FUZZ_SECONDS:-30}"
corpus="${TRACELESS_CORPUS:-../../shared/corpus}"
# The structure-aware targets (*_structure) build their files from the fuzzer's
# choices; they start from nothing and need no image seeds.
targets="clean inspect convert heif_structure jpeg_structure"
for target in $targets; do
    seeds="corpus/$target"
    mkdir -p "$seeds"
    if [ -z "$(ls -A "$seeds")" ] && [[ "$target" != *_structure ]]; then
        find "$corpus" -type f \( -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.png' -o -iname '*.webp' -o -iname '*.gif' \
            -o -iname '*.heic' -o -iname '*.heif' -o -iname '*.avif' \) \
            -size -24k -exec cp -t "$seeds" {} + 2>/dev/null || true
        if [ "$target" = convert ]; then
            # The convert target reads its options from 4 leading bytes.
            for f in "$seeds"/*; do
                { printf '\x01\x50\x40\x00'; cat "$f"; } > "$f.seed" && mv "$f.seed" "$f"
            done
        fi
    fi
    if [ -n "${FUZZ_RUNS:-}" ]; then
        budget="-runs=$FUZZ_RUNS"
        echo "fuzz: $target for $FUZZ_RUNS executions ($(ls "$seeds" | wc -l) seeds)"
    else
        budget="-max_total_time=$seconds"
        echo "fuzz: $target for ${seconds}s ($(ls "$seeds" | wc -l) seeds)"
    fi
    set +e
    cargo +nightly fuzz run "$target" "$seeds" -- "$budget" -rss_limit_mb=2048 -max_len=262144 2>&1 \
        | grep -E '^(#[0-9]+\s+DONE|Done|==[0-9]+==|SUMMARY|thread|.*panicked)'
    # cargo fuzz exits non-zero on a crash.
    status=${PIPESTATUS[0]}
    set -e
    if [ "$status" -ne 0 ]; then
        echo "fuzz: $target FAILED (see fuzz/artifacts/$target)" >&2
        exit "$status"
    fi
done
echo "fuzz: $(wc -w <<< "$targets") passed, 0 failed"
