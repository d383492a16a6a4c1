#!/usr/bin/env bash
# /predict under load on loopback: shoal serve against the seeds' design (Flask + PyTorch, the
# same MLP checkpoint, benchmarks/serve_flask.py), one after the other in one run. wrk posts the
# seed's request ({"image": 784 raw pixels}) for DURATION seconds (default 10) with 1 and 16
# connections; requests/s and p50/p99 latency from wrk --latency. Needs SHOAL_SETUP_BENCHMARKS=1
# packages (python3-torch, python3-flask, wrk).
#   benchmarks/serve.sh [DURATION]
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-10}"
export SHOAL_SETUP_BENCHMARKS=1
source benchmarks/prepare.sh
bin=$PWD/.build/release/shoal
OPENBLAS_NUM_THREADS=1 launch/mpirun -n 2 "$bin" train configs/fashion-mlp.yaml --set training.epochs=1 \
    --set logging.progress=none --set logging.dir=/tmp/shoal-bench-runs >/dev/null
run=/tmp/shoal-bench-runs/fashion-mlp/version_0
checkpoint=$run/checkpoints/$(cat "$run/checkpoints/latest")
body=$(/usr/bin/python3 -c "import gzip, json; print(json.dumps({'image': list(gzip.open('/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz').read()[16:800])}))")
lua=$(mktemp --suffix=.lua)
printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = [[%s]]\n' "$body" > "$lua"
trap 'rm -f "$lua"; kill $(jobs -p) 2>/dev/null || true' EXIT
wait_up() { for _ in $(seq 100); do curl -s -o /dev/null -d "$body" "http://127.0.0.1:$1/predict" && return 0; sleep 0.2; done; return 1; }
load() {  # port connections -> "requests/s p50 p99"
    wrk -t 1 -c "$2" -d "${duration}s" --latency -s "$lua" "http://127.0.0.1:$1/predict" | awk '
        /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /^Requests\/sec/ {rps=$2} END {print rps, p50, p99}'
}
echo "# /predict on loopback, fashion-mlp, wrk ${duration} s, $(date -u +%F), OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}"
printf '| server | connections | requests/s | p50 | p99 |\n|---|---:|---:|---:|---:|\n'
OPENBLAS_NUM_THREADS=1 "$bin" serve "$run" --port 18181 >/dev/null & shoal=$!
wait_up 18181
for c in 1 16; do read -r rps p50 p99 < <(load 18181 "$c"); echo "| shoal serve | $c | $rps | $p50 | $p99 |"; done
kill "$shoal"; wait "$shoal" || true
/usr/bin/python3 benchmarks/serve_flask.py "$checkpoint" 18182 >/dev/null 2>&1 & flask=$!
wait_up 18182
for c in 1 16; do read -r rps p50 p99 < <(load 18182 "$c"); echo "| Flask + PyTorch | $c | $rps | $p50 | $p99 |"; done
kill "$flask"; wait "$flask" || true
