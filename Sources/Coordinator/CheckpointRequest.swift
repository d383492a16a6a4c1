/// Which checkpoint a command continues from (`--resume`, `--checkpoint`).
public enum CheckpointRequest: Equatable, Sendable {
    /// The newest complete checkpoint in the run's checkpoint directory (a fresh start for
    /// `train --resume auto` if there is none yet).
    case auto
    /// A checkpoint directory (`…/step-00000040`) or a checkpoint root (its newest checkpoint).
    case path(String)

    public init(argument: String) {
        self = argument == "auto" ? .auto : .path(argument)
    }
}
