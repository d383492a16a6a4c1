import Foundation
import Testing
@testable import ShoalOptim

/// Not a test: the optimizer-step benchmark of issue 4, run only with SHOAL_BENCH=1:
///
///     SHOAL_BENCH=1 swift test -c release --filter OptimizerBenchmarkTests
///
/// Prints the median of 5 runs of each step next to the copy bandwidth measured in the same run.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["SHOAL_BENCH"] == "1", "set SHOAL_BENCH=1"))
struct OptimizerBenchmarkTests {
    @Test func optimizerStepVersusMemoryBandwidth() {
        let parameterCount = 1 << 24        // 16 Mi parameters: 64 MiB per arena, far beyond cache
        let copyBytes = 256 << 20
        func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }
        let copy = median((0..<5).map { _ in measureCopyBandwidth(bytes: copyBytes) })
        print("copy bandwidth (read+write, memcpy of 256 MiB, median of 5): \(String(format: "%.2f", copy / 1e9)) GB/s")
        print("| optimizer | bytes/param | ns/param | GB/s | fraction of copy bandwidth |")
        print("|---|---|---|---|---|")
        let kinds: [(String, OptimizerKind)] = [
            ("SGD", .sgd), ("momentum", .momentum(0.9)), ("Nesterov", .nesterov(0.9)),
            ("Adam", .adam()), ("AdamW", .adamW()),
        ]
        for (name, kind) in kinds {
            let runs = (0..<5).map { _ in
                benchmarkOptimizerStep(kind: kind, parameterCount: parameterCount, iterations: 10)
            }
            let seconds = median(runs.map(\.secondsPerStep))
            let bandwidth = median(runs.map(\.bytesPerSecond))
            print("| \(name) | \(kind.bytesPerParameterPerStep) | "
                  + String(format: "%.3f | %.2f | %.0f%% |", seconds / Double(parameterCount) * 1e9,
                           bandwidth / 1e9, 100 * bandwidth / copy))
            #expect(bandwidth > 0)
        }
    }
}
