/// A run that cannot start or cannot go on; the message says what to change.
public enum RunError: Error, CustomStringConvertible, Equatable {
    /// The config is consistent on its own but does not fit the data or model.
    case configuration(String)
    /// The loss or gradient became NaN or infinite; no checkpoint is written after it.
    case nonFinite(step: Int, what: String)

    public var description: String {
        switch self {
        case .configuration(let message):
            message
        case .nonFinite(let step, let what):
            "\(what) is not finite at step \(step); stopping before any checkpoint is written (lower optimizer.lr or set optimizer.clip_norm)"
        }
    }
}
