#!/bin/sh
# Issue 3 benchmark: one training step (zero grad, forward, softmax cross-entropy, backward,
# SGD update) of the MLP 784-256-128-10 and the two seed CNNs at micro-batch 32/64/256, Shoal
# against PyTorch, both on ONE core (OPENBLAS_NUM_THREADS=1, torch.set_num_threads(1)).
# Shoal and PyTorch runs alternate (model, batch) by (model, batch) so that load from other processes hits both.
# Each number is the median of REPEATS timed runs (best in brackets). The roofline is the best
# single-core sgemm (1024³) measured during the command.
#
#   benchmarks/nn_forward_backward.sh [repeats]      (default 5)
set -eu
cd "$(dirname "$0")/.."
REPEATS=${1:-5}
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
PY=${PYTHON:-/usr/bin/python3}
swift build -c release >&2
BIN=.build/release/shoal
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
for model in mlp cnn cnn3; do
    for batch in 32 64 256; do
        "$BIN" bench nn --runs "$REPEATS" --model "$model" --batch "$batch" >>"$OUT"
        "$PY" benchmarks/nn_forward_backward_torch.py "$REPEATS" "$model" "$batch" >>"$OUT"
    done
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
"$PY" - "$OUT" "$PY" <<'PYEOF'
import subprocess, sys
lines = [l.split() for l in open(sys.argv[1])]
peak = max(float(l[1]) for l in lines if l[0] == "sgemm")  # a roofline is the best sgemm seen
shoal = {(l[1], int(l[2])): (float(l[3]), float(l[4]), float(l[5])) for l in lines if l[0] == "shoal"}
torch = {(l[1], int(l[2])): (float(l[3]), float(l[4])) for l in lines if l[0] == "torch"}
version = subprocess.run([sys.argv[2], "-c", "import torch; print(torch.__version__)"], capture_output=True, text=True).stdout.strip()
print(f"single-core sgemm peak (OpenBLAS, 1024^3, best of the runs): {peak:.1f} GFLOP/s; PyTorch {version}; 1 thread each")
print("samples/s: median of the runs (best in brackets); ratio = Shoal / PyTorch medians; %roof = median · FLOP / peak")
print(f"{'model':6} {'batch':>5} {'MFLOP/smp':>9} {'Shoal samples/s':>22} {'PyTorch samples/s':>22} {'ratio':>6} {'Shoal%':>7} {'Torch%':>7}")
for (model, batch), (rate, flops, best) in shoal.items():
    t, tbest = torch[(model, batch)]
    print(f"{model:6} {batch:5d} {flops / 1e6:9.2f} {rate:12.0f} ({best:7.0f}) {t:12.0f} ({tbest:7.0f}) {rate / t:6.2f} "
          f"{100 * rate * flops / (peak * 1e9):6.0f}% {100 * t * flops / (peak * 1e9):6.0f}%")
PYEOF
