#!/usr/bin/env bash
# The watchdog's cost: training throughput on 2 ranks with it (the default: a watchdog thread,
# heartbeats every 0.2 s, MPI_THREAD_MULTIPLE) and without (SHOAL_WATCHDOG=0: MPI_THREAD_SERIALIZED,
# no thread), interleaved, medians of RUNS runs (default 5). The tiny GPT's ~1 ms steps show a
# per-step cost most; the MLP's all-reduce of 235k gradients, MPI_THREAD_MULTIPLE's locking.
#   benchmarks/watchdog.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
source benchmarks/prepare.sh
shoal() {  # watchdog(0/1) config overrides... -> samples/s or tokens/s of the training loop
    local on=$1 config=$2; shift 2
    SHOAL_WATCHDOG=$on launch/mpirun -n 2 .build/release/shoal train "$config" --set logging.progress=none \
        --set logging.dir=/tmp/shoal-bench-runs "$@" | sed -n 's/^== .*(\([0-9.]*\) \(samples\|tokens\)\/s).*/\1/p'
}
echo "# watchdog on vs off, 2 ranks, median of $runs runs, $(date -u +%F), OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}"
printf '| run | unit | off | on | on / off |\n|---|---|---:|---:|---:|\n'
for run in mlp tiny-gpt; do
    if [[ "$run" == mlp ]]; then
        args=(configs/fashion-mlp.yaml --set training.epochs=3 --set training.eval_every=100000000); unit=samples/s
    else
        args=(Tests/MultiProcessTests/Fixtures/tiny-gpt.yaml --set training.steps=3000 --set training.eval_every=0); unit=tokens/s
    fi
    : > /tmp/bench-off; : > /tmp/bench-on
    for ((i = 0; i < runs; i++)); do
        shoal 0 "${args[@]}" >> /tmp/bench-off
        shoal 1 "${args[@]}" >> /tmp/bench-on
    done
    off=$(median < /tmp/bench-off); on=$(median < /tmp/bench-on)
    awk -v r="$run" -v u="$unit" -v a="$off" -v b="$on" 'BEGIN { printf "| %s | %s | %.0f | %.0f | %.3f |\n", r, u, a, b, b / a }'
done
