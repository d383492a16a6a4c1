#!/usr/bin/env bash
# Runs a command while N other processes keep N cores busy (as a shared CI machine is), then
# stops them: for checking that tests with deadlines hold on a loaded machine.
#   scripts/under-load.sh 2 swift test -c release --skip-build --filter MultiProcessTests
set -euo pipefail
[[ $# -ge 2 ]] || { echo "usage: scripts/under-load.sh CORES COMMAND [ARGS...]" >&2; exit 2; }
cores=$1; shift
pids=()
for _ in $(seq "$cores"); do
    ( while :; do :; done ) &
    pids+=($!)
done
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
"$@"
