#!/usr/bin/env bash
# The timeline's cost: training throughput on 2 ranks with `--timeline` (a clock read and a
# store at each phase and bucket, the merge and timeline.json at the end) and without,
# interleaved, medians of RUNS runs (default 5). The tiny GPT's ~1 ms steps show a per-step cost
# most; the MLP runs the fast reduction with a communication thread, so bucket spans are recorded too.
#   benchmarks/timeline.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
source benchmarks/prepare.sh
shoal() {  # flag-or-empty config overrides... -> samples/s or tokens/s of the training loop
    local flag=$1 config=$2; shift 2
    launch/mpirun -n 2 .build/release/shoal train "$config" $flag --set logging.progress=none \
        --set logging.dir=/tmp/shoal-bench-runs "$@" | sed -n 's/^== .*(\([0-9.]*\) \(samples\|tokens\)\/s).*/\1/p'
}
echo "# --timeline on vs off, 2 ranks, median of $runs runs, $(date -u +%F), OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}"
printf '| run | unit | off | on | on / off |\n|---|---|---:|---:|---:|\n'
for run in mlp tiny-gpt; do
    if [[ "$run" == mlp ]]; then
        args=(configs/fashion-mlp.yaml --set training.epochs=3 --set training.eval_every=100000000
              --set distributed.reduction=fast --set distributed.overlap=thread); unit=samples/s
    else
        args=(Tests/MultiProcessTests/Fixtures/tiny-gpt.yaml --set training.steps=3000 --set training.eval_every=0); unit=tokens/s
    fi
    : > /tmp/bench-off; : > /tmp/bench-on
    for ((i = 0; i < runs; i++)); do
        shoal "" "${args[@]}" >> /tmp/bench-off
        shoal --timeline "${args[@]}" >> /tmp/bench-on
    done
    off=$(median < /tmp/bench-off); on=$(median < /tmp/bench-on)
    awk -v r="$run" -v u="$unit" -v a="$off" -v b="$on" 'BEGIN { printf "| %s | %s | %.0f | %.0f | %.3f |\n", r, u, a, b, b / a }'
done
