#!/usr/bin/env bash
# Fuzzes Shoal's readers with libFuzzer and AddressSanitizer, one target after another.
#   scripts/fuzz.sh                 every target for 300 s
#   scripts/fuzz.sh 60              every target for 60 s
#   scripts/fuzz.sh 60 csv idx      only those targets
# Targets: safetensors, config (YAML text), override (--set strings), idx, csv. Each starts from
# its seed corpus in Fuzz/corpus/<target>/ (committed) and keeps what it finds in
# Fuzz/.corpus/<target>/ (not committed). A crash, an ASan report, an input slower than 5 s
# or one needing more than 2 GB is written to Fuzz/findings/ and stops that target: turn it
# into a regression test, fix it, run again.
set -euo pipefail
cd "$(dirname "$0")/.."
source launch/env.sh

seconds="${1:-300}"
shift || true
targets=("$@")
(( ${#targets[@]} > 0 )) || targets=(safetensors config override idx csv)

# Only the fuzz package is instrumented; the main package's own build stays untouched. Release:
# under ASan a debug build takes 1.4 s to initialize the default model, which reads as a hang.

binary_of() {
    case "$1" in
        safetensors) echo FuzzSafeTensors ;; config) echo FuzzConfig ;; override) echo FuzzOverride ;;
        idx) echo FuzzIDX ;; csv) echo FuzzCSV ;;
        *) echo "scripts/fuzz.sh: unknown target '$1' (safetensors, config, override, idx, csv)" >&2; exit 2 ;;
    esac
}

# lld: gold fails on the sanitized objects (an internal error in its DWARF reader). Product by
# product: a plain `swift build` would also link the shoal tool, which has no fuzz entry point.
# SwiftPM keeps its plan of a path dependency's files until a manifest changes: a new source
# file in the main package would be missing from the build.
touch Fuzz/Package.swift
for target in "${targets[@]}"; do
    (cd Fuzz && swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld --product "$(binary_of "$target")")
done

mkdir -p Fuzz/findings
status=0
for target in "${targets[@]}"; do
    binary="Fuzz/.build/release/$(binary_of "$target")"
    mkdir -p "Fuzz/.corpus/$target"
    echo "== $target: $seconds s"
    # One process (no -jobs/-fork): the machine's other core belongs to someone else.
    if ! "$binary" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=5 -max_len=65536 -print_final_stats=1 \
        -artifact_prefix="Fuzz/findings/$target-" "Fuzz/.corpus/$target" "Fuzz/corpus/$target"; then
        echo "== $target: FINDING (see Fuzz/findings/)" >&2
        status=1
    fi
done
exit "$status"
