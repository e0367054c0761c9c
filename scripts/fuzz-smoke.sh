#!/usr/bin/env bash
# Fuzzes every target, seeded with small corpus images.
# make test: FUZZ_SECONDS (default 10) per target, under AddressSanitizer.
# make fuzz-long: FUZZ_RUNS=N executions per target (10^7) without a sanitizer
# (FUZZ_SANITIZER=none, about 8 times faster here: Rust's own checks stay, and the
# C codecs get AddressSanitizer in the short runs); a summary per target goes to
# FUZZ_SUMMARY (make fuzz-long: target/fuzz-long.txt) for the README.
# FUZZ_TARGETS names a subset of the targets (default: all).
set -euo pipefail
# rav1d, built with debug assertions here, records a backtrace at each borrow of a
# picture plane when library backtraces are on (RUST_BACKTRACE turns them on): off,
# so AVIF inputs run at speed; panics still print theirs.
export RUST_LIB_BACKTRACE=0
# make test builds the targets in the background while other steps run.
bash "$(dirname "$0")/fuzz-build-behind.sh" wait
cd "$(dirname "$0")/../fuzz"
seconds="${FUZZ_SECONDS:-10}"
sanitizer="${FUZZ_SANITIZER:-address}"
corpus="${TRACELESS_CORPUS:-../../shared/corpus}"
summary="${FUZZ_SUMMARY:-/dev/null}"
# The structure-aware targets (*_structure) build their files from the fuzzer's
# choices; they start from nothing and need no image seeds.
targets="${FUZZ_TARGETS:-clean inspect convert heif_structure jpeg_structure mp4_structure}"
if [ -n "${FUZZ_RUNS:-}" ]; then
    echo "fuzz-long: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD), sanitizer $sanitizer, $FUZZ_RUNS executions per target" | tee "$summary"
fi
# Each target's run, its output kept in $work/$target.log and its exit status in
# $work/$target.status, so that two can run at once and still report in order.
fuzz_one() {
    local target=$1 seeds="corpus/$1" budget started status done_line
    if [ -n "${FUZZ_RUNS:-}" ]; then
        budget="-runs=$FUZZ_RUNS"
        echo "fuzz: $target for $FUZZ_RUNS executions ($(ls "$seeds" | wc -l) seeds)"
    else
        budget="-max_total_time=$seconds"
        echo "fuzz: $target for ${seconds}s ($(ls "$seeds" | wc -l) seeds)"
    fi
    started=$(date +%s)
    set +e
    cargo +nightly fuzz run -s "$sanitizer" "$target" "$seeds" -- "$budget" -rss_limit_mb=2048 -max_len=262144 2>&1 \
        | grep -E '^(#[0-9]+\s+DONE|Done|==[0-9]+==|SUMMARY|thread|.*panicked)'
    # cargo fuzz exits non-zero on a crash.
    status=${PIPESTATUS[0]}
    set -e
    if [ -n "${FUZZ_RUNS:-}" ]; then
        done_line=$(grep -E '^#[0-9]+\s+DONE' "$work/$target.log" | tail -1)
        echo "$target: ${done_line:-no DONE line}; $(( $(date +%s) - started )) s; exit $status" >> "$summary"
    fi
    echo "$status" > "$work/$target.status"
}

for target in $targets; do
    seeds="corpus/$target"
    mkdir -p "$seeds"
    if [ -z "$(ls -A "$seeds")" ] && [[ "$target" != *_structure ]]; then
        find "$corpus" -type f \( -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.png' -o -iname '*.webp' -o -iname '*.gif' \
            -o -iname '*.heic' -o -iname '*.heif' -o -iname '*.avif' -o -iname '*.avifs' \) \
            -size -24k -exec cp -t "$seeds" {} + 2>/dev/null || true
        # The Ultra HDR test files seed the gain map paths (MPF index, second picture).
        cp ../tests/ultrahdr/files/*.jpg "$seeds"/
        # The test videos (tests/videos/make.sh, built by the core tests) seed the video paths.
        if [ "$target" != convert ] && [ -d ../target/test-videos ]; then
            find ../target/test-videos -type f \( -name '*.mp4' -o -name '*.mov' -o -name '*.m4v' -o -name '*.3gp' \) \
                -exec cp -t "$seeds" {} + 2>/dev/null || true
        fi
        if [ "$target" = convert ]; then
            # The convert target reads its options from 4 leading bytes.
            for f in "$seeds"/*; do
                { printf '\x01\x50\x40\x00'; cat "$f"; } > "$f.seed" && mv "$f.seed" "$f"
            done
        fi
    fi
done

# Two targets at a time (FUZZ_JOBS): a fuzzer is one process on one core, and the
# machines this runs on have two; one at a time left the other idle for a minute.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
jobs_max="${FUZZ_JOBS:-2}"
for target in $targets; do
    while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n || true; done
    fuzz_one "$target" > "$work/$target.log" 2>&1 &
done
wait
failed=0
for target in $targets; do
    cat "$work/$target.log"
    status=$(cat "$work/$target.status" 2>/dev/null || echo "none")
    if [ "$status" != 0 ]; then
        echo "fuzz: $target FAILED (exit $status; see fuzz/artifacts/$target)" >&2
        failed=$((failed + 1))
    fi
done
if [ "$failed" -ne 0 ]; then
    echo "fuzz: $(( $(wc -w <<< "$targets") - failed )) passed, $failed failed" >&2
    exit 1
fi
echo "fuzz: $(wc -w <<< "$targets") passed, 0 failed"
