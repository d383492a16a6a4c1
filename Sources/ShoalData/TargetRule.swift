/// What the targets of a data set must be for the model's loss: class indices below the number
/// of outputs, probabilities in [0, 1], or any number. A reader checks every target as it loads
/// and names the file, the row and the value of the first that breaks it.
///
/// ```swift
/// let rule = TargetRule.classIndex(count: 3)
/// rule.violation(of: 4)   // "4 is not a class index in 0..<3"
/// ```
public enum TargetRule: Equatable, Sendable {
    /// An integer in `0..<count` (softmax cross-entropy over `count` outputs).
    case classIndex(count: Int)
    /// A number in [0, 1] (binary cross-entropy).
    case probability
    /// Any finite number (regression).
    case any

    /// Why `value` breaks the rule, or nil if it does not.
    public func violation(of value: Float) -> String? {
        let text = value == value.rounded() && abs(value) < 1e9 ? String(Int(value)) : "\(value)"
        switch self {
        case .classIndex(let count):
            guard value >= 0, value < Float(count), value == value.rounded() else {
                return "\(text) is not a class index in 0..<\(count)"
            }
        case .probability:
            guard value >= 0, value <= 1 else { return "\(text) is outside [0, 1], as binary cross-entropy needs" }
        case .any:
            break
        }
        return nil
    }

    /// The class count this rule implies, if it is a classification rule.
    public var classCount: Int? {
        if case .classIndex(let count) = self { count } else { nil }
    }
}

extension Dataset {
    /// The first sample whose target breaks `rule`, with the reason.
    public func firstTarget(violating rule: TargetRule) -> (sample: Int, reason: String)? {
        guard rule != .any else { return nil }
        for (i, value) in targets.enumerated() {
            if let reason = rule.violation(of: value) { return (i / targetWidth, reason) }
        }
        return nil
    }
}
