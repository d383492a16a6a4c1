import Foundation
import Testing
@testable import ShoalOptim

/// Not a test: the optimizer-step benchmark of issue 4, run only with SHOAL_BENCH=1:
///
///     SHOAL_BENCH=1 swift test -c release --filter OptimizerBenchmarkTests
///
/// Each of 5 runs measures the copy bandwidth and then the step, back to back, so both see the
/// same machine load; the table gives the median over the runs of each column, and, as a
/// conservative bound, the median step bandwidth over the fastest copy seen in the whole test.
/// Copy counts bytes read + written; an in-place update can beat it (its stores hit lines it
/// has just read), so ratios above 100% are possible on an idle machine.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["SHOAL_BENCH"] == "1", "set SHOAL_BENCH=1"))
struct OptimizerBenchmarkTests {
    @Test func optimizerStepVersusMemoryBandwidth() {
        let parameterCount = 1 << 24        // 16 Mi parameters: 64 MiB per arena, beyond any cache
        let copyBytes = 256 << 20
        func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }
        var steps: [(name: String, bytesPerParameter: Int, seconds: Double, step: Double, copy: Double, ratio: Double)] = []
        var fastestCopy = 0.0
        let kinds: [(String, OptimizerKind)] = [
            ("SGD", .sgd), ("momentum", .momentum(0.9)), ("Nesterov", .nesterov(0.9)),
            ("Adam", .adam()), ("AdamW", .adamW()),
        ]
        for (name, kind) in kinds {
            var seconds: [Double] = [], step: [Double] = [], copy: [Double] = [], ratio: [Double] = []
            for _ in 0..<5 {
                let bandwidth = measureCopyBandwidth(bytes: copyBytes)
                let run = benchmarkOptimizerStep(kind: kind, parameterCount: parameterCount, iterations: 10)
                seconds.append(run.secondsPerStep)
                step.append(run.bytesPerSecond)
                copy.append(bandwidth)
                ratio.append(run.bytesPerSecond / bandwidth)
            }
            fastestCopy = max(fastestCopy, copy.max()!)
            steps.append((name, kind.bytesPerParameterPerStep, median(seconds), median(step), median(copy), median(ratio)))
            #expect(median(step) > 0)
        }
        print("| optimizer | bytes/param | ns/param | step GB/s | copy GB/s | step / copy | step / fastest copy |")
        print("|---|---|---|---|---|---|---|")
        for row in steps {
            print("| \(row.name) | \(row.bytesPerParameter) | "
                  + String(format: "%.3f | %.1f | %.1f | %.0f%% | %.0f%% |",
                           row.seconds / Double(parameterCount) * 1e9, row.step / 1e9, row.copy / 1e9,
                           100 * row.ratio, 100 * row.step / fastestCopy))
        }
        print(String(format: "fastest copy: %.1f GB/s (read + write, memcpy of 256 MiB)", fastestCopy / 1e9))
    }
}
