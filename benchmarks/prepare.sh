# Sourced by the benchmark scripts from the repository root: installs what is missing, builds in
# release (benchmarks never time a debug build), and defines `median` (of numbers on stdin).
launch/setup >/dev/null
# Every run of a name is a new version directory now: start each benchmark with none.
rm -rf /tmp/shoal-bench-runs
source launch/env.sh
swift build -c release >/dev/null
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}'; }
