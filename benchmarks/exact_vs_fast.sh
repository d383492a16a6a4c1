#!/usr/bin/env bash
# Exact vs fast gradient reduction: training samples/s on 2 ranks, side by side, for the MLP and
# the CNN (medians of RUNS interleaved runs, default 5).
#   benchmarks/exact_vs_fast.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
source benchmarks/prepare.sh
shoal() {  # config reduction epochs -> samples/s of the training loop
    launch/mpirun -n 2 .build/release/shoal train "$1" --set distributed.reduction="$2" --set training.epochs="$3" \
        --set training.eval_every=100000000 --set logging.progress=none --set logging.dir=/tmp/shoal-bench-runs \
        | sed -n 's/.*(\([0-9.]*\) samples\/s).*/\1/p'
}
echo "# exact vs fast reduction, 2 ranks, median of $runs runs, $(date -u +%F)"
printf '| model | fast samples/s | exact samples/s | exact / fast |\n|---|---:|---:|---:|\n'
for model in mlp cnn; do
    epochs=$([[ "$model" == mlp ]] && echo 3 || echo 1)
    : > /tmp/bench-fast; : > /tmp/bench-exact
    for ((i = 0; i < runs; i++)); do
        shoal "configs/fashion-$model.yaml" fast "$epochs" >> /tmp/bench-fast
        shoal "configs/fashion-$model.yaml" exact "$epochs" >> /tmp/bench-exact
    done
    fast=$(median < /tmp/bench-fast); exact=$(median < /tmp/bench-exact)
    awk -v m="$model" -v f="$fast" -v e="$exact" 'BEGIN { printf "| %s | %.0f | %.0f | %.3f |\n", m, f, e, e / f }'
done
