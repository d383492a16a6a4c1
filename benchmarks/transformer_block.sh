#!/bin/sh
# Issue 12 benchmark: forward+backward of one Transformer block (C = 128 and 384, T = 128 and
# 256, batch 16 and 8, heads C/32), Shoal against PyTorch, both on ONE core
# (OPENBLAS_NUM_THREADS=1, torch.set_num_threads(1)), runs alternating shape by shape. Each
# number is the median of RUNS timed runs; the roofline is the best 1-core sgemm (1024³) seen.
# Both sides run under this machine's OpenBLAS settings (OPENBLAS_CORETYPE as the environment has it).
#
#   benchmarks/transformer_block.sh [runs]      (default 5)
set -eu
cd "$(dirname "$0")/.."
RUNS=${1:-5}
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
PY=${PYTHON:-/usr/bin/python3}
swift build -c release >&2
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
for shape in "128 128 4 16" "128 256 4 16" "384 128 12 8" "384 256 12 8"; do
    set -- $shape
    .build/release/shoal bench block --width "$1" --positions "$2" --heads "$3" --batch "$4" --runs "$RUNS" >>"$OUT"
    "$PY" benchmarks/transformer_block_torch.py "$1" "$2" "$3" "$4" "$RUNS" 5 >>"$OUT"
done
echo "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
"$PY" - "$OUT" <<'PYEOF'
import sys
lines = [l.split() for l in open(sys.argv[1])]
peak = max(float(l[1]) for l in lines if l[0] == "sgemm")
shoal = {(l[1], l[2]): (float(l[3]), float(l[5])) for l in lines if l[0] == "shoal"}
torch = {(l[1], l[2]): float(l[3]) for l in lines if l[0] == "torch"}
print(f"1-core sgemm roofline (best seen): {peak:.1f} GFLOP/s")
print("| C | T | Shoal ms | PyTorch ms | Shoal / PyTorch speed | Shoal % of roofline | PyTorch % of roofline |")
print("|---:|---:|---:|---:|---:|---:|---:|")
for key, (ms, gflop) in shoal.items():
    t = torch[key]
    print(f"| {key[0]} | {key[1]} | {ms:.1f} | {t:.1f} | {t / ms:.2f} | {100 * gflop / (ms / 1e3) / peak:.0f} % | {100 * gflop / (t / 1e3) / peak:.0f} % |")
PYEOF
