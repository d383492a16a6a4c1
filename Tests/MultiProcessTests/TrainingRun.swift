import Foundation

/// A small `shoal train` run on a slice of Fashion-MNIST, launched under real mpirun, and what its
/// rank 0 reported.
struct TrainingRun {
    let result: ShoalProcess.Result

    var finalLoss: Double? { value(after: "final training loss ").flatMap(Double.init) }
    var parameterHash: String? { value(after: "parameter sha256 ") }
    var testAccuracy: Double? { value(after: "test accuracy ").flatMap(Double.init) }

    private func value(after prefix: String) -> String? {
        result.output.split(separator: "\n").first { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
    }

    /// Trains `config` on `ranks` processes with the given overrides on top of a small slice.
    /// `blasThreads` per rank (1 by default, so that only the split differs between world sizes;
    /// nil leaves it to launch/mpirun, which gives each rank cores / ranks).
    /// `environment` sets (or, with nil, removes) variables for this job only. With `perHost`, the
    /// ranks run over the test hosts (launch/testhosts), that many on each.
    /// Without `directory` the run writes into a temporary directory that is removed afterwards.
    static func launch(_ config: String, ranks: Int, _ overrides: [String] = [], directory: String? = nil,
                       flags: [String] = [], blasThreads: Int? = 1, environment: [String: String?] = [:], perHost: Int? = nil,
                       whileRunning: @escaping @Sendable (ChildProcess) -> Void = { _ in }) throws -> TrainingRun {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("shoal-runs-\(UUID().uuidString)").path
        defer { if directory == nil { try? FileManager.default.removeItem(atPath: scratch) } }
        let arguments = ["train", config] + settings(overrides, directory: directory ?? scratch) + flags
        let variables = environment.merging(["OPENBLAS_NUM_THREADS": blasThreads.map(String.init)]) { $1 }
        if let perHost {
            return TrainingRun(result: try ShoalProcess.testhosts(ranks: ranks, perHost: perHost, arguments, environment: variables,
                                                                  whileRunning: whileRunning))
        }
        return TrainingRun(result: try ShoalProcess.mpirun(ranks: ranks, arguments, environment: variables, whileRunning: whileRunning))
    }

    /// `--set` flags for the small slice every test run trains on, then `overrides`.
    static func settings(_ overrides: [String], directory: String) -> [String] {
        let base = ["data.limit_train=1200", "data.limit_test=300", "training.epochs=1", "logging.progress=none", "logging.every=1",
                    "logging.dir=\(directory)"]
        return (base + overrides).flatMap { ["--set", $0] }
    }

    /// A fresh directory for a run's logs and checkpoints.
    static func makeDirectory() -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("shoal-runs-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
