import ArgumentParser
import Foundation
import ShoalOptim

struct BenchOptimizerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "optimizer",
        abstract: "Optimizer step bandwidth against this machine's memcpy bandwidth, for SGD, momentum, Nesterov, Adam and AdamW.",
        discussion: "Each run measures the copy bandwidth and then the step, back to back, so both see the same machine load; the table gives the median over the runs of each column, and the median step bandwidth over the fastest copy seen. Copy counts bytes read + written; an in-place update can beat it (its stores hit lines it has just read)."
    )

    @Option(help: "Parameters in the arena (default 16 Mi: 64 MiB per arena, beyond any cache).")
    var parameters = 1 << 24

    @Option(help: "Runs per optimizer; the table shows their median.")
    var runs = 5

    func validate() throws {
        guard parameters > 0 else { throw ValidationError("--parameters must be at least 1, got \(parameters)") }
        guard runs > 0 else { throw ValidationError("--runs must be at least 1, got \(runs)") }
    }

    func run() throws {
        let copyBytes = 256 << 20
        func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }
        var rows: [(name: String, bytesPerParameter: Int, seconds: Double, step: Double, copy: Double, ratio: Double)] = []
        var fastestCopy = 0.0
        let kinds: [(String, OptimizerKind)] = [
            ("SGD", .sgd), ("momentum", .momentum(0.9)), ("Nesterov", .nesterov(0.9)), ("Adam", .adam()), ("AdamW", .adamW()),
        ]
        for (name, kind) in kinds {
            var seconds: [Double] = [], step: [Double] = [], copy: [Double] = [], ratio: [Double] = []
            for _ in 0..<runs {
                let bandwidth = measureCopyBandwidth(bytes: copyBytes)
                let run = benchmarkOptimizerStep(kind: kind, parameterCount: parameters, iterations: 10)
                seconds.append(run.secondsPerStep)
                step.append(run.bytesPerSecond)
                copy.append(bandwidth)
                ratio.append(run.bytesPerSecond / bandwidth)
            }
            fastestCopy = max(fastestCopy, copy.max()!)
            rows.append((name, kind.bytesPerParameterPerStep, median(seconds), median(step), median(copy), median(ratio)))
        }
        print("| optimizer | bytes/param | ns/param | step GB/s | copy GB/s | step / copy | step / fastest copy |")
        print("|---|---|---|---|---|---|---|")
        for row in rows {
            print("| \(row.name) | \(row.bytesPerParameter) | "
                  + String(format: "%.3f | %.1f | %.1f | %.0f%% | %.0f%% |",
                           row.seconds / Double(parameters) * 1e9, row.step / 1e9, row.copy / 1e9,
                           100 * row.ratio, 100 * row.step / fastestCopy))
        }
        print(String(format: "fastest copy: %.1f GB/s (read + write, memcpy of 256 MiB)", fastestCopy / 1e9))
    }
}
