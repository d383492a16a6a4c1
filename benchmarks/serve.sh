#!/usr/bin/env bash
# /predict under load on loopback: shoal serve against the seeds' design (Flask + PyTorch serving
# the same checkpoint, benchmarks/serve_flask.py), for the MLP and the CNN, each trained 1 epoch.
# wrk posts the seed's request ({"image": 784 raw pixels}) for DURATION seconds (default 10) with
# 1 and 16 connections; each of RUNS rounds (default 3) loads both servers in turn, and the table
# gives medians over the rounds of requests/s and of wrk --latency's p50 and p99. Both servers
# first answer the same image: the script prints their largest probability difference. Needs
# SHOAL_SETUP_BENCHMARKS=1 packages (python3-torch, python3-flask, wrk).
#   benchmarks/serve.sh [DURATION] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-10}" runs="${2:-3}"
export SHOAL_SETUP_BENCHMARKS=1
source benchmarks/prepare.sh
bin=$PWD/.build/release/shoal
body=$(/usr/bin/python3 -c "import gzip, json; print(json.dumps({'image': list(gzip.open('/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz').read()[16:800])}))")
lua=$(mktemp --suffix=.lua) results=$(mktemp)
printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = [[%s]]\n' "$body" > "$lua"
trap 'rm -f "$lua" "$results"; kill $(jobs -p) 2>/dev/null || true' EXIT
wait_up() { for _ in $(seq 100); do curl -s -o /dev/null -d "$body" "http://127.0.0.1:$1/predict" && return 0; sleep 0.2; done; return 1; }
load() {  # port connections -> "requests/s p50-ms p99-ms"
    wrk -t 1 -c "$2" -d "${duration}s" --latency -s "$lua" "http://127.0.0.1:$1/predict" | awk '
        function ms(t) { if (t ~ /us$/) return t / 1000; if (t ~ /ms$/) return t + 0; if (t ~ /s$/) return t * 1000; return t }
        /^ +50%/ {p50=ms($2)} /^ +99%/ {p99=ms($2)} /^Requests\/sec/ {rps=$2} END {print rps, p50, p99}'
}
echo "# /predict on loopback, wrk ${duration} s, medians of $runs rounds, $(date -u +%F), $(lscpu | sed -n 's/^Model name: *//p'), OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}"
for model in mlp cnn; do
    OPENBLAS_NUM_THREADS=1 launch/mpirun -n 2 "$bin" train "configs/fashion-$model.yaml" --set training.epochs=1 \
        --set logging.progress=none --set logging.dir=/tmp/shoal-bench-runs >/dev/null
    run=/tmp/shoal-bench-runs/fashion-$model/version_0
    checkpoint=$run/checkpoints/$(cat "$run/checkpoints/latest")
    OPENBLAS_NUM_THREADS=1 "$bin" serve "$run" --port 18181 >/dev/null & shoal=$!
    /usr/bin/python3 benchmarks/serve_flask.py "$checkpoint" 18182 "$model" >/dev/null 2>&1 & flask=$!
    wait_up 18181; wait_up 18182
    /usr/bin/python3 -c "
import json, sys, urllib.request
def ask(port): return json.load(urllib.request.urlopen(urllib.request.Request('http://127.0.0.1:%d/predict' % port, sys.argv[1].encode(), {'Content-Type': 'application/json'})))
a, b = ask(18181), ask(18182)
assert a['predictions'] == b['predictions'], (a, b)
print('# fashion-%s: both answer class %d; largest probability difference %.2e' % ('$model', a['predictions'][0], max(abs(x - y) for x, y in zip(a['probabilities'][0], b['probabilities'][0]))))
" "$body"
    for _ in $(seq "$runs"); do
        for c in 1 16; do
            echo "$model shoal $c $(load 18181 "$c")" >> "$results"
            echo "$model flask $c $(load 18182 "$c")" >> "$results"
        done
    done
    kill "$shoal" "$flask"; wait "$shoal" "$flask" 2>/dev/null || true
done
printf '| model | server | connections | requests/s | p50 (ms) | p99 (ms) | requests/s vs Flask |\n|---|---|---:|---:|---:|---:|---:|\n'
for model in mlp cnn; do
    for c in 1 16; do
        declare -A rps=()
        for server in shoal flask; do
            column() { awk -v m="$model" -v s="$server" -v c="$c" -v k="$1" '$1 == m && $2 == s && $3 == c {print $k}' "$results" | median; }
            rps[$server]=$(column 4)
            line="| fashion-$model | $([[ $server == shoal ]] && echo "shoal serve" || echo "Flask + PyTorch") | $c | ${rps[$server]} | $(column 5) | $(column 6) |"
            [[ $server == shoal ]] && shoal_line=$line || flask_line=$line
        done
        echo "$shoal_line $(awk -v a="${rps[shoal]}" -v b="${rps[flask]}" 'BEGIN {printf "%.1fx", a / b}') |"
        echo "$flask_line |"
    done
done
