#!/usr/bin/env bash
# Builds the fuzz targets in the background, at the lowest priority, for `make test`.
#   fuzz-build-behind.sh start WATCHED_PID   starts the build; it stops if WATCHED_PID does
#   fuzz-build-behind.sh wait                waits for a build started that way, if any
# The build (AddressSanitizer, a workspace of its own) took 229 s of both cores here,
# most of the fuzz smoke's time. The steps after it leave part of the two cores idle
# (cargo test used 1.7 of them on average; one fat-LTO unit, wasm-opt, browsers
# waiting), and at nice 19 the build takes little else: in session 24's CI it ended
# during the end-to-end tests, 17 min after it started, cargo test took 239 s with it
# running (418 s when it ran in a session of its own, below), and the smoke 70 s
# instead of about 290.
set -euo pipefail
cd "$(dirname "$0")/.."
state="$PWD/target/fuzz-build"
case "${1:-}" in
start)
    watched="${2:?give the PID to watch}"
    mkdir -p "$state"
    rm -f "$state/status"
    (
        cd fuzz
        # A process group of its own (job control on: the PID is the group's), so that
        # stopping it stops rustc too. Not a session of its own (setsid): with the
        # kernel's autogroups (on here), a new session is scheduled as a peer of make's
        # whatever its nice value; the first try, so, slowed `cargo test` 1.6-fold.
        set -m
        nice -n 19 cargo +nightly fuzz build -s address > "$state/log" 2>&1 &
        build=$!
        echo "$build" > "$state/pid"
        # This watcher is in make's process group: a ^C or a kill meant for make reaches
        # it, not the build, so it passes them on.
        trap 'kill -- "-$build" 2>/dev/null; rm -f "$state/pid" "$state/status"; exit 1' INT TERM HUP
        # make stopped (a step failed, or ^C): nothing should go on building behind it,
        # and no later `wait` should find its state.
        while kill -0 "$build" 2>/dev/null; do
            if ! kill -0 "$watched" 2>/dev/null; then
                kill -- "-$build" 2>/dev/null || true
                wait "$build" || true
                rm -f "$state/pid" "$state/status"
                exit 0
            fi
            sleep 2
        done
        status=0
        wait "$build" || status=$?
        echo "$status" > "$state/status"
    ) < /dev/null > /dev/null 2>&1 &
    echo "fuzz: building the targets in the background (log: target/fuzz-build/log)"
    ;;
wait)
    # Only waits: should the build have failed or vanished (make killed hard), the
    # smoke's own `cargo fuzz run` builds again and reports the error itself.
    [ -e "$state/pid" ] || exit 0
    started=$(date +%s)
    pid=$(cat "$state/pid")
    # Alive, and still cargo (not a later process given the PID of a build long gone).
    while [ ! -e "$state/status" ] && [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == cargo* ]]; do
        sleep 2
    done
    sleep 1  # the watcher writes the status just after the build ends
    status=$(cat "$state/status" 2>/dev/null || echo "none (it vanished)")
    rm -f "$state/pid" "$state/status"
    echo "fuzz: the background build ended with status $status; waited $(( $(date +%s) - started )) s for it"
    ;;
*)
    echo "usage: $0 start WATCHED_PID | wait" >&2
    exit 2
    ;;
esac
