import Foundation

/// One evaluation: the loss, and for a classifier accuracy, per-class precision/recall/F1 and
/// the confusion matrix, for an MSE regression the mean absolute and root-mean-square errors.
///
/// Counts are integers summed over ranks, so they are exact; the sums are ``FixedPointSum``s.
///
/// ```swift
/// let report = EvaluationReport(lossSum: 42.0, sampleCount: 100, confusion: [[45, 5], [3, 47]])
/// report.accuracy      // 0.92
/// report.recall(of: 1) // 0.94
/// report.line          // "loss 0.4200  accuracy 0.9200"
/// ```
public struct EvaluationReport: Equatable, Sendable {
    /// Mean per-sample loss.
    public let loss: Double
    public let sampleCount: Int
    /// `confusion[truth][prediction]`; empty for a regression loss.
    public let confusion: [[Int64]]
    /// Mean over samples and outputs of |prediction − target|, for an MSE regression; else nil.
    public let meanAbsoluteError: Double?
    /// For a language model: what its loss is per, and what turns that into bits per byte.
    public var language: LanguageScale? = nil

    /// A language model's loss in bits per character or token.
    public var bitsPerToken: Double { loss / log(2) }
    /// A language model's loss in bits per byte of text: compares across tokenizers.
    public var bitsPerByte: Double? { language.map { bitsPerToken / $0.bytesPerToken } }
    /// A language model's perplexity, e^loss.
    public var perplexity: Double { exp(loss) }
    /// For a character language model: the validation text's cross-entropy under the training
    /// text's character frequencies, the baseline to beat.
    public var unigramBaseline: Double? { language?.unigramBaseline }

    public init(lossSum: Double, sampleCount: Int, confusion: [[Int64]], absoluteErrorSum: Double? = nil) {
        self.loss = sampleCount > 0 ? lossSum / Double(sampleCount) : .nan
        self.sampleCount = sampleCount
        self.confusion = confusion
        self.meanAbsoluteError = absoluteErrorSum.map { sampleCount > 0 ? $0 / Double(sampleCount) : .nan }
    }

    /// √(mean squared error): for MSE the loss is already the mean of the squared errors.
    public var rootMeanSquaredError: Double? { meanAbsoluteError == nil ? nil : loss.squareRoot() }

    /// The headline metrics in one line: `loss 0.3120  accuracy 0.8900` or `loss 0.02  MAE 0.11  RMSE 0.14`.
    public var line: String {
        if let language, let baseline = language.unigramBaseline {
            return String(format: "loss %.4f nats/char  %.4f bits/char  perplexity %.3f  (unigram baseline %.4f nats/char)",
                          loss, bitsPerToken, perplexity, baseline)
        }
        if let language, let bitsPerByte {
            return String(format: "loss %.4f nats/%@  %.4f bits/byte  perplexity %.3f", loss, language.unit, bitsPerByte, perplexity)
        }
        if !confusion.isEmpty { return String(format: "loss %.4f  accuracy %.4f", loss, accuracy) }
        if let mae = meanAbsoluteError, let rmse = rootMeanSquaredError {
            return String(format: "loss %.4f  MAE %.4f  RMSE %.4f", loss, mae, rmse)
        }
        return String(format: "loss %.4f", loss)
    }

    /// The same metrics as (name, value) pairs for metrics.jsonl and TensorBoard.
    var metricFields: [(String, Double)] {
        var fields = [("loss", loss)]
        if let language, let bitsPerByte {
            fields += [("bits_per_\(language.unit)", bitsPerToken), ("bits_per_byte", bitsPerByte), ("perplexity", perplexity)]
            if let baseline = language.unigramBaseline { fields.append(("unigram_baseline", baseline)) }
        }
        if !confusion.isEmpty { fields.append(("accuracy", accuracy)) }
        if let mae = meanAbsoluteError, let rmse = rootMeanSquaredError {
            fields += [("mae", mae), ("rmse", rmse)]
        }
        return fields
    }

    public var classCount: Int { confusion.count }

    public var accuracy: Double {
        guard sampleCount > 0, !confusion.isEmpty else { return .nan }
        return Double(confusion.indices.reduce(Int64(0)) { $0 + confusion[$1][$1] }) / Double(sampleCount)
    }

    public func precision(of label: Int) -> Double {
        let predicted = confusion.reduce(Int64(0)) { $0 + $1[label] }
        return predicted > 0 ? Double(confusion[label][label]) / Double(predicted) : 0
    }

    public func recall(of label: Int) -> Double {
        let actual = confusion[label].reduce(0, +)
        return actual > 0 ? Double(confusion[label][label]) / Double(actual) : 0
    }

    public func f1(of label: Int) -> Double {
        let p = precision(of: label), r = recall(of: label)
        return p + r > 0 ? 2 * p * r / (p + r) : 0
    }

    /// A table of per-class metrics and the confusion matrix, for the end-of-run summary.
    public func table(classNames: [String]? = nil) -> String {
        guard !confusion.isEmpty else { return line + String(format: "   (%d %@)\n", sampleCount, language == nil ? "samples" : "windows") }
        let names = (0..<classCount).map { classNames?.indices.contains($0) == true ? classNames![$0] : "class \($0)" }
        let width = max(12, (names.map(\.count).max() ?? 0) + 2)
        var text = String(format: "loss %.4f   accuracy %.4f   (%d samples)\n", loss, accuracy, sampleCount)
        text += "class".padding(toLength: width, withPad: " ", startingAt: 0) + " precision    recall        F1   support\n"
        for label in 0..<classCount {
            text += names[label].padding(toLength: width, withPad: " ", startingAt: 0)
            text += String(format: " %9.4f %9.4f %9.4f %9d\n", precision(of: label), recall(of: label), f1(of: label),
                           Int(confusion[label].reduce(0, +)))
        }
        text += "confusion matrix (rows: truth, columns: prediction)\n"
        for row in confusion { text += row.map { String(format: "%6d", $0) }.joined() + "\n" }
        return text
    }
}

/// What a language model's loss is measured in: nats per `unit` (a character or a token), and the
/// text bytes per token of the evaluated split that turn it into bits per byte.
public struct LanguageScale: Equatable, Sendable {
    /// "char" or "token".
    public var unit: String
    /// UTF-8 bytes of text per predicted token of the evaluated windows.
    public var bytesPerToken: Double
    /// A character model's unigram baseline in nats per character; nil for tokens.
    public var unigramBaseline: Double?

    public init(unit: String, bytesPerToken: Double, unigramBaseline: Double? = nil) {
        self.unit = unit
        self.bytesPerToken = bytesPerToken
        self.unigramBaseline = unigramBaseline
    }
}
