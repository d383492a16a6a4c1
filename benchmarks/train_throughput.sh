#!/usr/bin/env bash
# Training throughput, side by side: Shoal on 2 ranks (exact reduction, the default, and fast) and
# on 1 rank (fast, with 2 BLAS threads and with 1) against PyTorch single process (1 thread) and
# PyTorch DDP gloo (2 ranks x 1 thread), same model, global batch 256, Adam.
# Each figure is the median of RUNS runs (default 5) on this shared machine.
#   benchmarks/train_throughput.sh [mlp|cnn] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
model="${1:-mlp}"
runs="${2:-5}"
config="configs/fashion-$model.yaml"
epochs=$([[ "$model" == mlp ]] && echo 3 || echo 1)
torch_steps=$([[ "$model" == mlp ]] && echo 400 || echo 60)
export SHOAL_SETUP_BENCHMARKS=1
source benchmarks/prepare.sh

shoal() {  # ranks reduction -> samples/s of the training loop (no evaluation inside the timed part)
    launch/mpirun -n "$1" .build/release/shoal train "$config" --set distributed.reduction="$2" --set training.epochs=$epochs \
        --set training.eval_every=100000000 --set logging.progress=none --set logging.dir=/tmp/shoal-bench-runs \
        | sed -n 's/.*(\([0-9.]*\) samples\/s).*/\1/p'
}
torch() { OMP_NUM_THREADS=1 /usr/bin/python3 benchmarks/train_torch.py --model "$model" --ranks "$1" --threads 1 --steps $torch_steps; }

declare -A result
for name in shoal2exact shoal2 shoal1 shoal1x1 torch1 torchddp2; do : > "/tmp/bench-$name"; done
for ((i = 0; i < runs; i++)); do   # interleaved, so that noise falls on every setup alike
    shoal 2 exact >> /tmp/bench-shoal2exact
    shoal 2 fast >> /tmp/bench-shoal2
    shoal 1 fast >> /tmp/bench-shoal1
    OPENBLAS_NUM_THREADS=1 shoal 1 fast >> /tmp/bench-shoal1x1
    torch 1 >> /tmp/bench-torch1
    torch 2 >> /tmp/bench-torchddp2
done
for name in shoal2exact shoal2 shoal1 shoal1x1 torch1 torchddp2; do result[$name]=$(median < "/tmp/bench-$name"); done
best_torch=$(printf '%s\n%s\n' "${result[torch1]}" "${result[torchddp2]}" | sort -g | tail -1)
echo "# $model, global batch 256, Adam, median of $runs runs, $(nproc) cores, $(date -u +%F)"
printf '| setup | samples/s |\n|---|---:|\n'
printf '| Shoal, 2 ranks x 1 BLAS thread, exact (default) | %.0f |\n' "${result[shoal2exact]}"
printf '| Shoal, 2 ranks x 1 BLAS thread, fast | %.0f |\n' "${result[shoal2]}"
printf '| Shoal, 1 rank x 2 BLAS threads, fast | %.0f |\n' "${result[shoal1]}"
printf '| Shoal, 1 rank x 1 BLAS thread, fast | %.0f |\n' "${result[shoal1x1]}"
printf '| PyTorch %s, 1 process x 1 thread | %.0f |\n' "$(/usr/bin/python3 -c 'import torch; print(torch.__version__)')" "${result[torch1]}"
printf '| PyTorch DDP gloo, 2 ranks x 1 thread | %.0f |\n' "${result[torchddp2]}"
awk -v e="${result[shoal2exact]}" -v s="${result[shoal2]}" -v t="$best_torch" -v o="${result[shoal1]}" -v o1="${result[shoal1x1]}" \
    'BEGIN { printf "\nShoal 2 ranks / best PyTorch: exact %.2fx, fast %.2fx   Shoal 2 ranks fast / Shoal 1 rank (2 threads): %.2fx   / Shoal 1 rank (1 thread): %.2fx\n", e / t, s / t, s / o, s / o1 }'
