/// Which checkpoint a command continues from (`--resume`, `--checkpoint`).
public enum CheckpointRequest: Equatable, Sendable {
    /// The newest complete checkpoint in the run's checkpoint directory (a fresh start for
    /// `train --resume auto` if there is none yet).
    case auto
    /// As ``auto``, but finding nothing is an error rather than a fresh start (a node-local disk
    /// that rank 0 cannot see would otherwise silently start over).
    case required
    /// A checkpoint directory (`…/step-00000040`) or a checkpoint root (its newest checkpoint).
    case path(String)

    public init(argument: String) {
        switch argument {
        case "auto": self = .auto
        case "required": self = .required
        default: self = .path(argument)
        }
    }
}
