#!/usr/bin/env bash
# Counts the heap allocations of training steps: runs `shoal train CONFIG --stop-after A` and
# `--stop-after B` in one process each under an LD_PRELOAD malloc counter and prints the calls
# the B − A extra steps made. Choose A and B between two metrics lines (about ten an epoch).
#   scripts/count-step-mallocs.sh configs/fashion-mlp.yaml 22 41 [--set k=v ...]
set -euo pipefail
cd "$(dirname "$0")/.."
config=$1 a=$2 b=$3; shift 3
lib=$(mktemp -d)/malloc_count.so
cc -O2 -shared -fPIC -o "$lib" scripts/malloc_count.c -ldl
count() {
    local steps=$1; shift
    local out; out=$(mktemp); local dir; dir=$(mktemp -d)
    MALLOC_COUNT_FILE=$out LD_PRELOAD=$lib OPENBLAS_NUM_THREADS=1 .build/release/shoal train "$config" \
        --set logging.progress=none --set "logging.dir=$dir" --stop-after "$steps" "$@" > /dev/null
    awk '{ s += $2 } END { print s }' "$out"
    rm -rf "$out" "$dir"
}
first=$(count "$a" "$@"); second=$(count "$b" "$@")
echo "steps $((a + 1))..$b: $((second - first)) heap allocations ($first after $a steps, $second after $b)"
