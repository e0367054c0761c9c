#!/usr/bin/env bash
# Copies this checkout's sources (tracked files and new ones git does not ignore, as
# they are in the working tree) to DEST, with node_modules hard-linked beside them:
# a second folder to build in, for the reproducibility checks (test-repro.sh, repro.sh).
# DEST must be on the same file system (under target/).
set -euo pipefail
cd "$(dirname "$0")/.."
dest="$1"
mkdir -p "$dest"
git ls-files -z --cached --others --exclude-standard | tar --null --ignore-failed-read -T - -c 2>/dev/null | tar -x -C "$dest"
cp -al node_modules "$dest/node_modules"
