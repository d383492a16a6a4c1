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
        lines += Self.evaluationLines(validation: summary.validation, test: summary.test, classNames: config.classNames)
        lines.append("parameter sha256 \(summary.parameterHash)")
        return lines.joined(separator: "\n")
    }

    /// The validation line, the test table and the headline test metric (what scripts and tests read).
    static func evaluationLines(validation: EvaluationReport?, test: EvaluationReport, classNames: [String]?) -> [String] {
        var lines = [String]()
        if let baseline = test.unigramBaseline {
            // Text has no test split: the end-of-run evaluation is the validation split's.
            lines.append("validation:")
            lines.append(test.table(classNames: classNames))
            lines.append(String(format: "validation loss %.4f nats/char, unigram baseline %.4f", test.loss, baseline))
            return lines
        }
        if let validation { lines.append("validation: \(validation.line)") }
        lines.append("test:")
        lines.append(test.table(classNames: classNames))
        if test.classCount > 0 { lines.append(String(format: "test accuracy %.4f", test.accuracy)) }
        if let mae = test.meanAbsoluteError { lines.append(String(format: "test MAE %.6f", mae)) }
        return lines
    }
}
