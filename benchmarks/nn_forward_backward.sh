#!/bin/sh
# Issue 3 benchmark: one training step (zero grad, forward, softmax cross-entropy, backward,
# SGD update) of the MLP 784-256-128-10 and the two seed CNNs at micro-batch 32/64/256, Shoal
# against PyTorch, both on ONE core (OPENBLAS_NUM_THREADS=1, torch.set_num_threads(1)).
# Shoal and PyTorch runs alternate (model, batch) by (model, batch) so that load from other processes hits both.
# Each number is the median of REPEATS timed runs. The roofline is single-core sgemm (1024³).
#
#   benchmarks/nn_forward_backward.sh [repeats]      (default 5)
set -eu
cd "$(dirname "$0")/.."
REPEATS=${1:-5}
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
PY=${PYTHON:-/usr/bin/python3}
BIN=$(benchmarks/build_nn_bench.sh)
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
for model in mlp cnn cnn3; do
    for batch in 32 64 256; do
        "$BIN" "$REPEATS" "$model" "$batch" >>"$OUT"
        "$PY" benchmarks/nn_forward_backward_torch.py "$REPEATS" "$model" "$batch" >>"$OUT"
    done
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
"$PY" - "$OUT" "$PY" <<'PYEOF'
import statistics, subprocess, sys
lines = [l.split() for l in open(sys.argv[1])]
sgemm = statistics.median(float(l[1]) for l in lines if l[0] == "sgemm")
shoal = {(l[1], int(l[2])): (float(l[3]), float(l[4])) for l in lines if l[0] == "shoal"}
torch = {(l[1], int(l[2])): float(l[3]) for l in lines if l[0] == "torch"}
version = subprocess.run([sys.argv[2], "-c", "import torch; print(torch.__version__)"], capture_output=True, text=True).stdout.strip()
print(f"single-core sgemm (OpenBLAS, 1024x1024x1024): {sgemm:.1f} GFLOP/s; PyTorch {version}; 1 thread each")
print(f"{'model':6} {'batch':>5} {'MFLOP/sample':>12} {'Shoal samples/s':>16} {'PyTorch samples/s':>18} {'ratio':>6} {'Shoal %roof':>11} {'PyTorch %roof':>13}")
for (model, batch), (rate, flops) in shoal.items():
    t = torch[(model, batch)]
    print(f"{model:6} {batch:5d} {flops / 1e6:12.2f} {rate:16.0f} {t:18.0f} {rate / t:6.2f} "
          f"{100 * rate * flops / (sgemm * 1e9):10.0f}% {100 * t * flops / (sgemm * 1e9):12.0f}%")
PYEOF
