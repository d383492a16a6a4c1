#!/usr/bin/env bash
# Issue 13, side by side: training tokens/s and peak RSS per rank of char-gpt or gpt-10m, Shoal on
# 2 ranks (exact, the default, and fast) and 1 rank (1 BLAS thread, and 2), against the PyTorch
# reference benchmarks/char_gpt_torch.py on the same model, batch and data (single process at 1 and
# 2 threads, DDP gloo 2 x 1). Interleaved runs, median of RUNS (default 3), STEPS timed steps.
# Both sides run under this machine's OpenBLAS settings (OPENBLAS_CORETYPE as the environment has it).
#   benchmarks/char_gpt.sh [char-gpt|gpt-10m] [RUNS] [STEPS]
#   benchmarks/char_gpt.sh quality [STEPS]     validation curves of char-gpt, Shoal (2 ranks, exact) and PyTorch
set -euo pipefail
cd "$(dirname "$0")/.."
export SHOAL_SETUP_BENCHMARKS=1
source benchmarks/prepare.sh
PY=${PYTHON:-/usr/bin/python3}

if [[ "${1:-}" == quality ]]; then
    steps="${2:-2000}"
    echo "# char-gpt quality, $steps steps, OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}, $(date -u +%F)"
    rm -rf /tmp/shoal-quality-runs  # so that the run is version_0
    launch/mpirun -n 2 .build/release/shoal train configs/char-gpt.yaml --set training.steps="$steps" \
        --set logging.progress=none --set logging.dir=/tmp/shoal-quality-runs \
        | sed -n 's/^validation after step \([0-9]*\): loss \([0-9.]*\).*/shoal-eval char-gpt \1 \2/p; s/^== .*/&/p'
    "$PY" benchmarks/char_gpt_torch.py quality char-gpt "$steps" 500
    launch/mpirun -n 1 .build/release/shoal generate /tmp/shoal-quality-runs/char-gpt/version_0/checkpoints --prompt "The " \
        --tokens 300 --temperature 0.8 --top-k 40 --seed 1
    exit 0
fi

model="${1:-char-gpt}"
runs="${2:-3}"
steps="${3:-$([[ "$model" == char-gpt ]] && echo 40 || echo 10)}"
flops=$([[ "$model" == char-gpt ]] && echo 5.60e6 || echo 71.1e6)   # training FLOPs per token (issue 13)
rss_of() { sed -n 's/^peak-rss-kb \([0-9]*\)/\1/p' "$1" | sort -g | tail -1 | awk '{printf "%.0f", $1 / 1024}'; }
shoal() {  # ranks reduction blas-threads -> "tokens/s rss-MiB"
    local log; log=$(mktemp)
    OPENBLAS_NUM_THREADS=$3 launch/mpirun -n "$1" /usr/bin/time -f "peak-rss-kb %M" .build/release/shoal train "configs/$model.yaml" \
        --set distributed.reduction="$2" --set training.steps="$steps" --set schedule.warmup_steps=1 \
        --set training.eval_every=100000000 --set data.text.eval_windows=1 --set logging.progress=none \
        --set logging.dir=/tmp/shoal-bench-runs >"$log" 2>&1
    echo "$(sed -n 's/.*(\([0-9.]*\) tokens\/s).*/\1/p' "$log") $(rss_of "$log")"
    rm -f "$log"
}
torch() {  # setup -> "tokens/s rss-MiB"
    OMP_NUM_THREADS=1 "$PY" benchmarks/char_gpt_torch.py speed "$model" "$1" "$steps" | awk '/^torch-speed/ {print $4, $5}'
}
setups=(shoal2exact shoal2fast shoal1x1 shoal1x2 torch1 torch2 torchddp)
for name in "${setups[@]}"; do : > "/tmp/gptbench-$name"; done
for ((i = 0; i < runs; i++)); do
    shoal 2 exact 1 >> /tmp/gptbench-shoal2exact
    shoal 2 fast 1 >> /tmp/gptbench-shoal2fast
    shoal 1 exact 1 >> /tmp/gptbench-shoal1x1
    shoal 1 fast 2 >> /tmp/gptbench-shoal1x2
    torch 1 >> /tmp/gptbench-torch1
    torch 2 >> /tmp/gptbench-torch2
    torch ddp >> /tmp/gptbench-torchddp
done
roofline=$(OPENBLAS_NUM_THREADS=1 .build/release/shoal bench block --width 384 --positions 128 --heads 12 --batch 1 --runs 1 | awk '/^sgemm/ {print 2 * $2}')
echo "# $model, median of $runs runs of $steps timed steps, OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}, 2-core sgemm roofline ≈ $roofline GFLOP/s (2 × the 1-core 1024³ sgemm), load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%F)"
printf '| setup | tokens/s | %% of 2-core roofline | peak RSS per rank (MiB) |\n|---|---:|---:|---:|\n'
for name in "${setups[@]}"; do
    rate=$(awk '{print $1}' "/tmp/gptbench-$name" | median)
    rss=$(awk '{print $2}' "/tmp/gptbench-$name" | median)
    printf '| %s | %.0f | %.0f %% | %s |\n' "$name" "$rate" "$(awk -v r="$rate" -v f="$flops" -v p="$roofline" 'BEGIN {print 100 * r * f / (p * 1e9)}')" "$rss"
done
