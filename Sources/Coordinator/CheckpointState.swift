/// The state.json of a checkpoint: where the run is and what produced it.
///
/// The writer fills ``files`` with the SHA-256 of every other file in the directory; a reader
/// trusts the checkpoint only if each of those still matches.
///
/// ```swift
/// let state = CheckpointState(
///     step: 40, epoch: 0, cursor: .init(epoch: 0, stepInEpoch: 40),
///     rng: ["seed": 42], config: yamlText, configHash: sha256Hex(of: Data(yamlText.utf8)),
///     worldSize: 2, reduction: "exact",
///     versions: .init(shoal: "0.1.0", mpi: "Open MPI 4.1.4", blas: "OpenBLAS 0.3.21"),
///     parameterHash: parameters.withUnsafeBytes { sha256Hex(of: $0) })
/// ```
public struct CheckpointState: Codable, Equatable, Sendable {
    /// The state.json layout version this Shoal writes and the newest it reads.
    public static let currentFormatVersion = 1

    /// Where in the batch plan the run continues.
    public struct Cursor: Codable, Equatable, Sendable {
        public var epoch: Int
        /// Steps already taken in `epoch`.
        public var stepInEpoch: Int

        public init(epoch: Int, stepInEpoch: Int) {
            self.epoch = epoch
            self.stepInEpoch = stepInEpoch
        }

        enum CodingKeys: String, CodingKey {
            case epoch
            case stepInEpoch = "step_in_epoch"
        }
    }

    /// Versions of what produced the checkpoint, as reported by the caller.
    public struct Versions: Codable, Equatable, Sendable {
        public var shoal: String
        public var mpi: String
        public var blas: String

        public init(shoal: String, mpi: String, blas: String) {
            self.shoal = shoal
            self.mpi = mpi
            self.blas = blas
        }
    }

    public var formatVersion: Int
    /// Optimizer steps completed.
    public var step: Int
    public var epoch: Int
    public var cursor: Cursor
    /// RNG keys and seeds by name, e.g. `["seed": 42]`.
    public var rng: [String: UInt64]
    /// The resolved config (YAML text).
    public var config: String
    public var configHash: String
    public var worldSize: Int
    /// The gradient reduction mode, e.g. `"exact"` or `"fast"`.
    public var reduction: String
    public var versions: Versions
    /// Hash (hex) of the flat parameter arena, compared across ranks.
    public var parameterHash: String
    /// Free-form additions.
    public var extra: [String: String]?
    /// SHA-256 (hex) of every other file in the checkpoint directory, by file name.
    public var files: [String: String]

    public init(
        formatVersion: Int = CheckpointState.currentFormatVersion,
        step: Int, epoch: Int, cursor: Cursor, rng: [String: UInt64],
        config: String, configHash: String, worldSize: Int, reduction: String,
        versions: Versions, parameterHash: String,
        extra: [String: String]? = nil, files: [String: String] = [:]
    ) {
        self.formatVersion = formatVersion
        self.step = step
        self.epoch = epoch
        self.cursor = cursor
        self.rng = rng
        self.config = config
        self.configHash = configHash
        self.worldSize = worldSize
        self.reduction = reduction
        self.versions = versions
        self.parameterHash = parameterHash
        self.extra = extra
        self.files = files
    }

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version"
        case step, epoch, cursor, rng, config
        case configHash = "config_hash"
        case worldSize = "world_size"
        case reduction, versions
        case parameterHash = "parameter_hash"
        case extra, files
    }
}
