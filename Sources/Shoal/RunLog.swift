import Coordinator
import Foundation
import ShoalComm
import ShoalFormats
import ShoalMetrics

/// Rank 0's record of a run in its ``RunDirectory``: the resolved `config.yaml`, and every scalar
/// both in `metrics.jsonl` (one JSON object per line) and in a TensorBoard event file (tag
/// `<kind>/<name>`, e.g. `train/loss`, `validation/accuracy`). Other ranks hold an inert one.
///
/// A metrics write that fails (a full disk) is reported once and training goes on: the
/// checkpoints, not the curves, are what a run must not lose.
///
/// ```swift
/// let run = RunDirectory.next(in: "runs/fashion-mlp"), config = RunConfig.default
/// let log = try RunLog(directory: run, resolvedConfig: config.resolvedYAML(), fresh: true, report: { print("warning:", $0) })
/// log.record("train", step: 50, epoch: 1, [("loss", 0.41), ("learning_rate", 0.001)])
/// ```
final class RunLog {
    private let metrics: MetricsFileWriter?
    private let events: EventFileWriter?
    private var failed = false
    private let report: (String) -> Void

    /// One that writes nothing: other ranks', and rank 0's until the run starts.
    init() {
        metrics = nil
        events = nil
        report = { _ in }
    }

    /// Creates `directory` (an error if `fresh` and another run took it meanwhile), writes the
    /// resolved config and opens (appending to) the metrics and a new event file.
    init(directory: RunDirectory, resolvedConfig: String, fresh: Bool, report: @escaping (String) -> Void) throws {
        self.report = report
        try directory.create(fresh: fresh)
        try DurableIO.writeFile(at: URL(fileURLWithPath: directory.config), data: Data(resolvedConfig.utf8))
        metrics = try MetricsFileWriter(path: directory.metrics)
        events = try EventFileWriter(directory: directory.path, host: World.hostName)
    }

    /// One line of metrics.jsonl and one TensorBoard event, at `step`, stamped with the wall time.
    func record(_ kind: String, step: Int, epoch: Int? = nil, _ values: [(String, Double)]) {
        guard let metrics, let events else { return }
        let now = Date().timeIntervalSince1970
        do {
            try metrics.append(MetricsRecord(kind: kind, step: step, epoch: epoch, wallTime: now,
                                             values: Dictionary(values, uniquingKeysWith: { $1 })))
            try events.addScalars(values.map { (tag: kind + "/" + $0.0, value: Float($0.1)) }, step: step, wallTime: now)
        } catch {
            if !failed { report("warning: metrics not written from step \(step) on: \(error)") }
            failed = true
        }
    }
}
