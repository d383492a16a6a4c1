import ArgumentParser
import Coordinator

/// `train --resume` and `eval --checkpoint` take a ``CheckpointRequest`` as ArgumentParser reads
/// it: `auto`, `required`, or any other text as a checkpoint path (a path named `auto` is
/// `./auto`). Every text is a request, so no value is refused here; a path that holds no
/// checkpoint is refused when it is loaded, naming the path.
///
/// ```swift
/// CheckpointRequest(argument: "auto")                  // .auto
/// CheckpointRequest(argument: "runs/x/version_0")      // .path("runs/x/version_0")
/// ```
extension CheckpointRequest: ExpressibleByArgument {
    public var defaultValueDescription: String {
        switch self {
        case .auto: "auto"
        case .required: "required"
        case .path(let path): path
        }
    }

    /// A path completes as a file or directory; the two words are in each option's value name.
    public static var defaultCompletionKind: CompletionKind { .file() }
}
