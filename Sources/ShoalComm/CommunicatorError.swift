/// A collective that could not be carried out.
public enum CommunicatorError: Error, CustomStringConvertible, Equatable {
    /// An MPI call returned an error code; `message` is the MPI library's text for it.
    case mpi(function: String, code: Int32, message: String)
    /// The buffers given to a collective do not fit its contract.
    case invalidArgument(String)
    /// MPI was asked for a thread level it does not provide.
    case threadLevelUnavailable(requested: ThreadLevel, provided: ThreadLevel)

    public var description: String {
        switch self {
        case .mpi(let function, let code, let message):
            "MPI error in \(function) (code \(code)): \(message)"
        case .invalidArgument(let reason):
            "invalid collective call: \(reason)"
        case .threadLevelUnavailable(let requested, let provided):
            "MPI provides \(provided) but \(requested) was requested; rebuild Open MPI with thread support or use distributed.overlap: none"
        }
    }
}
