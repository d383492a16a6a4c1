#!/usr/bin/env bash
# Across hosts: 2 test hosts x 1 rank over TCP (launch/testhosts: network namespaces joined by
# veth) against 1 host x 2 ranks over shared memory. First `shoal bench allreduce` across the
# hosts (Shoal's Swift path next to a raw MPI_Allreduce loop), then training throughput of the
# MLP, the CNN and char-gpt, fast reduction without and with a communication thread overlapping
# backward (distributed.overlap none / thread), and the exact default. Medians of RUNS runs
# (default 3), interleaved. Needs root and ip.
#   benchmarks/multi_host.sh [RUNS] [MODELS]      MODELS: default "mlp cnn char-gpt"; "none" skips training
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
models="${2:-mlp cnn char-gpt}"
source benchmarks/prepare.sh
launch/testhosts up 2 >/dev/null
trap 'launch/testhosts down' EXIT
bin=$PWD/.build/release/shoal

echo "# all-reduce across 2 test hosts (1 rank each, TCP over veth), $(date -u +%F), load $(cut -d' ' -f1-3 /proc/loadavg)"
launch/testhosts run -n 2 -- "$bin" bench allreduce --sizes 4KB..64MB --runs 5 --markdown

rate() { sed -n 's/^== .*(\([0-9.]*\) \(samples\|tokens\)\/s).*/\1/p'; }
train() {  # placement(hosts|local) config steps overrides... -> samples/s or tokens/s
    local where=$1 config=$2 steps=$3; shift 3
    local args=(train "$config" --set training.steps=$steps --set training.eval_every=100000000 --set logging.progress=none
                --set logging.dir=/tmp/shoal-bench-runs --set checkpoint.every_seconds=0 "$@")
    if [[ "$where" == hosts ]]; then launch/testhosts run -n 2 -- "$bin" "${args[@]}" | rate
    else launch/mpirun -n 2 "$bin" "${args[@]}" | rate; fi
}
echo
echo "# training, 2 ranks: 2 hosts x 1 (TCP) against 1 host x 2 (shared memory), median of $runs runs, OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}"
printf '| model | reduction | 1 host x 2 | 2 hosts x 1 | hosts / local |\n|---|---|---:|---:|---:|\n'
for model in $models; do
    [[ "$model" == none ]] && continue
    case "$model" in
        mlp) config=configs/fashion-mlp.yaml steps=300 extra=() ;;
        cnn) config=configs/fashion-cnn.yaml steps=40 extra=() ;;
        char-gpt) config=configs/char-gpt.yaml steps=30 extra=(--set schedule.warmup_steps=10) ;;
    esac
    for mode in "fast none" "fast thread" "exact none"; do
        set -- $mode
        : > /tmp/bench-local; : > /tmp/bench-hosts
        for ((i = 0; i < runs; i++)); do
            train local "$config" "$steps" "${extra[@]}" --set distributed.reduction="$1" --set distributed.overlap="$2" >> /tmp/bench-local
            train hosts "$config" "$steps" "${extra[@]}" --set distributed.reduction="$1" --set distributed.overlap="$2" >> /tmp/bench-hosts
        done
        l=$(median < /tmp/bench-local); h=$(median < /tmp/bench-hosts)
        awk -v m="$model" -v r="$mode" -v a="$l" -v b="$h" 'BEGIN { printf "| %s | %s | %.0f | %.0f | %.2f |\n", m, r, a, b, b / a }'
    done
done
