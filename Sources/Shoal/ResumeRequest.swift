/// Where `shoal train --resume` continues from.
public enum ResumeRequest: Equatable, Sendable {
    /// The newest complete checkpoint in the run's checkpoint directory, or a fresh start if
    /// there is none yet.
    case auto
    /// A checkpoint directory (`…/step-00000040`) or a checkpoint root (its newest checkpoint).
    case path(String)

    public init(argument: String) {
        self = argument == "auto" ? .auto : .path(argument)
    }
}
