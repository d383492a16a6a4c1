#!/usr/bin/env bash
# Prints the final parameter SHA-256 of the exact tests' runs (and csv-binary, an MSE run), for
# checking that a change keeps the bits: run it with the binary before and after, and diff.
#   scripts/parameter-hashes.sh [SHOAL_BINARY]      (default .build/release/shoal)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-.build/release/shoal}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
run() {  # name ranks config overrides...
    local name=$1 ranks=$2 config=$3; shift 3
    local sets=(); for s in "$@"; do sets+=(--set "$s"); done
    local out; out=$(OPENBLAS_NUM_THREADS=1 launch/mpirun -n "$ranks" "$bin" train "$config" --set "logging.dir=$dir" \
        --set logging.progress=none "${sets[@]}" 2>&1)
    echo "$name np=$ranks $(echo "$out" | grep 'parameter sha256')"
}
small=(data.limit_train=640 data.limit_test=300 training.epochs=1)
for r in 1 2; do run mlp "$r" configs/fashion-mlp.yaml "${small[@]}"; done
for r in 1 3; do run cnn "$r" configs/fashion-cnn.yaml "${small[@]}"; done
run mlp-int64 2 configs/fashion-mlp.yaml "${small[@]}" training.micro_batch=16
run csv 2 configs/csv-binary.yaml training.epochs=5
run mse 2 configs/fashion-mlp.yaml "${small[@]}" loss=mse 'model.layers[3].dense.units=1'
# The language-model path (text windows, attention, clipping, a timed checkpoint's clock) and fast mode.
run gpt 2 configs/char-gpt.yaml training.steps=6 schedule.warmup_steps=2 training.eval_every=0 data.text.eval_windows=16 checkpoint.every_seconds=0.01
run mlp-fast 2 configs/fashion-mlp.yaml "${small[@]}" distributed.reduction=fast
