/// A run that cannot start or cannot go on; the message says what to change.
public enum RunError: Error, CustomStringConvertible, Equatable {
    /// The config is consistent on its own but does not fit the data or model.
    case configuration(String)
    /// The loss or gradient became NaN or infinite; no checkpoint is written after it.
    case nonFinite(step: Int, what: String)
    /// Evaluation found no checkpoint in `root` (rank 0's node reads them).
    case noCheckpoint(root: String)

    /// Whether every rank raises this error alike, at the same point: a command then reports it once.
    public var isShared: Bool {
        switch self {
        case .configuration: false
        case .nonFinite, .noCheckpoint: true
        }
    }

    public var description: String {
        switch self {
        case .configuration(let message):
            message
        case .nonFinite(let step, let what):
            "\(what) is not finite at step \(step); stopping before any checkpoint is written (lower optimizer.lr or set optimizer.clip_norm)"
        case .noCheckpoint(let root):
            "no checkpoint found in \(root)"
        }
    }
}
