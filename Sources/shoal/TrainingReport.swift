import Foundation
import Shoal
import ShoalConfig

/// The end-of-run summary rank 0 prints.
struct TrainingReport {
    let summary: TrainingSummary
    let config: RunConfig
    let worldSize: Int

    var text: String {
        var lines = [String]()
        lines.append("")
        lines.append("== \(config.name): \(summary.steps) steps on \(worldSize) rank\(worldSize == 1 ? "" : "s") in "
            + String(format: "%.1f s (%.0f samples/s)", summary.seconds, summary.samplesPerSecond))
        if let reason = summary.stopReason { lines.append("stopped early: \(reason)") }
        lines.append(String(format: "final training loss %.10f", summary.finalTrainingLoss))
        if let validation = summary.validation { lines.append("validation: \(validation.line)") }
        lines.append("test:")
        lines.append(summary.test.table(classNames: config.classNames))
        if summary.test.classCount > 0 { lines.append(String(format: "test accuracy %.4f", summary.test.accuracy)) }
        if let mae = summary.test.meanAbsoluteError { lines.append(String(format: "test MAE %.6f", mae)) }
        lines.append("parameter sha256 \(summary.parameterHash)")
        return lines.joined(separator: "\n")
    }
}
