import ShoalFormats

/// Why a checkpoint was refused, or could not be written, with what the user can do about it.
///
/// ```swift
/// do { _ = try CheckpointStore.load(path: URL(fileURLWithPath: "/runs/a/checkpoints/step-00000040")) }
/// catch let error as CheckpointError { print(error) }
/// // /runs/a/checkpoints/step-00000040/model.safetensors: SHA-256 mismatch, the file was
/// // changed or corrupted after writing
/// ```
public enum CheckpointError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The directory has no state.json, so it is not a complete checkpoint.
    case missingStateFile(directory: String)
    /// state.json exists but cannot be read or decoded.
    case unreadableState(file: String, reason: String)
    /// state.json was written by a newer Shoal.
    case unsupportedFormatVersion(file: String, version: Int, supported: Int)
    /// A file that state.json lists, or that every checkpoint needs, is absent.
    case missingFile(directory: String, name: String)
    /// state.json lists a file name that is not a plain name inside the directory.
    case invalidFileName(file: String, name: String)
    /// A file's SHA-256 differs from the one recorded in state.json.
    case hashMismatch(file: String, expected: String, actual: String)
    /// A tensor file failed the safetensors checks (truncated, bad header, ...).
    case invalidTensorFile(SafeTensorsError)
    /// No checkpoint in the root verified; `refused` says why each candidate was refused.
    case noCheckpoint(root: String, refused: [RefusedCheckpoint])
    /// `--resume required` found nothing in `root` on `host` (rank 0's node).
    case requiredCheckpointMissing(root: String, host: String)
    /// The step to write is negative.
    case invalidStep(Int)
    /// A file-system call failed while writing or reading a checkpoint.
    case fileSystem(FileSystemError)

    public var description: String {
        switch self {
        case .missingStateFile(let directory):
            "\(directory): not a complete checkpoint: state.json is missing"
        case .unreadableState(let file, let reason):
            "\(file): cannot read the checkpoint state: \(reason)"
        case .unsupportedFormatVersion(let file, let version, let supported):
            "\(file): checkpoint format version \(version) is newer than this Shoal supports (\(supported)); use a newer shoal"
        case .missingFile(let directory, let name):
            "\(directory): checkpoint is incomplete: \(name) is missing"
        case .invalidFileName(let file, let name):
            "\(file): lists \"\(name)\", which is not a plain file name inside the checkpoint"
        case .hashMismatch(let file, _, _):
            "\(file): SHA-256 mismatch, the file was changed or corrupted after writing"
        case .invalidTensorFile(let error):
            error.description
        case .noCheckpoint(let root, let refused):
            refused.isEmpty
                ? "no checkpoint found in \(root)"
                : "no checkpoint found in \(root) that verifies:\n" + refused.map { "  \($0.path): \($0.reason)" }.joined(separator: "\n")
        case .requiredCheckpointMissing(let root, let host):
            "no checkpoint found in \(root) on \(host), rank 0's node, which reads and writes them; --resume required "
                + "does not start over (is the directory on a disk rank 0's node sees? --resume auto would start from step 0)"
        case .invalidStep(let step):
            "cannot write a checkpoint for step \(step): the step must be ≥ 0"
        case .fileSystem(let error):
            error.description
        }
    }
}

/// A checkpoint directory that was found but not trusted, and why.
public struct RefusedCheckpoint: Equatable, Sendable, CustomStringConvertible {
    /// The checkpoint directory.
    public let path: String
    /// The reason it was refused (the verification error's message).
    public let reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}
