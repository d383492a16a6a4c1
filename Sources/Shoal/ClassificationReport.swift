import Foundation

/// Loss, accuracy, per-class precision/recall/F1 and the confusion matrix of one evaluation.
///
/// Counts are integers summed over ranks, so they are exact; the loss is a ``FixedPointSum``.
///
/// ```swift
/// let report = ClassificationReport(lossSum: 42.0, sampleCount: 100, confusion: [[45, 5], [3, 47]])
/// report.accuracy      // 0.92
/// report.recall(of: 1) // 0.94
/// ```
public struct ClassificationReport: Equatable, Sendable {
    /// Mean per-sample loss.
    public let loss: Double
    public let sampleCount: Int
    /// `confusion[truth][prediction]`; empty for a regression loss.
    public let confusion: [[Int64]]

    public init(lossSum: Double, sampleCount: Int, confusion: [[Int64]]) {
        self.loss = sampleCount > 0 ? lossSum / Double(sampleCount) : .nan
        self.sampleCount = sampleCount
        self.confusion = confusion
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
        guard !confusion.isEmpty else { return String(format: "loss %.4f over %d samples\n", loss, sampleCount) }
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
