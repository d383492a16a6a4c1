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
        let rate = config.data.source.isLanguage
            ? String(format: "%.0f tokens/s", summary.samplesPerSecond * Double(config.model.input[0]))
            : String(format: "%.0f samples/s", summary.samplesPerSecond)
        lines.append("== \(config.name): \(summary.steps) steps on \(worldSize) rank\(worldSize == 1 ? "" : "s") in "
            + String(format: "%.2f s (%@)", summary.seconds, rate))
        if let reason = summary.stopReason { lines.append("stopped early: \(reason)") }
        lines.append(String(format: "final training loss %.10f", summary.finalTrainingLoss))
        lines += Self.evaluationLines(validation: summary.validation, test: summary.test, classNames: config.classNames)
        lines.append("parameter sha256 \(summary.parameterHash)")
        if let bytes = summary.peakResidentBytes {
            lines.append(String(format: "peak resident memory %.1f MiB (rank 0)", Double(bytes) / 1_048_576))
        }
        return lines.joined(separator: "\n")
    }

    /// The validation line, the test table and the headline test metric (what scripts and tests read).
    static func evaluationLines(validation: EvaluationReport?, test: EvaluationReport, classNames: [String]?) -> [String] {
        var lines = [String]()
        if let language = test.language {
            // Text has no test split: the end-of-run evaluation is the validation split's.
            lines.append("validation:")
            lines.append(test.table(classNames: classNames))
            if let baseline = language.unigramBaseline {
                lines.append(String(format: "validation loss %.4f nats/char, unigram baseline %.4f", test.loss, baseline))
            } else {
                lines.append(String(format: "validation loss %.4f nats/%@, %.4f bits/byte", test.loss, language.unit, test.bitsPerByte ?? .nan))
            }
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
