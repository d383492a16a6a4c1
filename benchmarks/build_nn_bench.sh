#!/bin/sh
# Builds the Shoal side of the forward+backward benchmark: ShoalTensor and ShoalNN in release
# through SwiftPM (same flags as the package), then links benchmarks/nn_bench/main.swift against
# their objects. No Package.swift change: the bench is a standalone driver.
set -eu
cd "$(dirname "$0")/.."
swift build -c release --target ShoalNN >&2
B=.build/release
mkdir -p .build/nn_bench
# shellcheck disable=SC2046
swiftc -O benchmarks/nn_bench/main.swift -o .build/nn_bench/nn_bench \
    -I "$B/Modules" -I Sources/CBLAS $(pkg-config --cflags-only-I openblas | sed 's/-I/-Xcc -I/g') \
    "$B"/ShoalNN.build/*.o "$B"/ShoalTensor.build/*.o $(pkg-config --libs openblas)
echo .build/nn_bench/nn_bench
