import Foundation
import ShoalComm
import ShoalData
import ShoalFormats
import ShoalOptim

/// The state.json of a checkpoint: where the run is, everything besides the tensors that a
/// resumed run (or a model used for inference) needs, and what produced it.
///
/// The writer fills ``files`` with the SHA-256 of every other file in the directory; a reader
/// trusts the checkpoint only if each of those still matches. Format 2 (this one) has typed
/// fields; format 1 kept the optimizer step, early stopping and exponents as text in `extra`
/// and is still read.
///
/// ```swift
/// let config = try RunConfig.load(path: "configs/fashion-mlp.yaml"), yamlText = config.resolvedYAML()
/// let parameters: [Float] = [0.5, -1, 2]   // the arena
/// let state = CheckpointState(
///     position: TrainingPosition(step: 40, epoch: 0, stepInEpoch: 40), optimizerStep: 40,
///     rng: ["seed": 42], config: yamlText, configHash: config.canonicalHash, worldSize: 2, reduction: "exact",
///     versions: .init(shoal: "0.1.0", mpi: "Open MPI 4.1.4", blas: "OpenBLAS 0.3.21"),
///     parameterHash: parameters.withUnsafeBytes { sha256Hex(of: $0) })
/// ```
public struct CheckpointState: Codable, Equatable, Sendable {
    /// The state.json layout version this Shoal writes and the newest it reads.
    public static let currentFormatVersion = 2

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
    /// Steps done and the next step of the batch plan.
    public var position: TrainingPosition
    /// The optimizer's step count (Adam's bias correction continues from it).
    public var optimizerStep: Int
    public var earlyStopping: EarlyStoppingState
    /// Exact mode's exponents for the next step; nil in fast mode or before the first step.
    public var reductionState: ReductionState?
    /// The per-feature statistics of `data.normalize: standardize`, fitted on the training split;
    /// nil for the other normalizations (their rule is in the config).
    public var standardizer: Standardizer?
    /// A language model's characters, token i being the i-th (`Vocabulary.joined`); nil for
    /// other data. `shoal generate` encodes and decodes text with it.
    public var vocabulary: String?
    /// A subword language model's tokenizer: the name of its `tokenizer.json` in the checkpoint
    /// directory (listed in `files` with its SHA-256); nil for other models.
    public var tokenizer: String?
    /// RNG keys and seeds by name, e.g. `["seed": 42]`.
    public var rng: [String: UInt64]
    /// The resolved config (YAML text).
    public var config: String
    public var configHash: String
    public var worldSize: Int
    /// The gradient reduction mode, e.g. `"exact"` or `"fast"`.
    public var reduction: String
    public var versions: Versions
    /// SHA-256 (hex) of the flat parameter arena, compared across ranks.
    public var parameterHash: String
    /// SHA-256 (hex) of every other file in the checkpoint directory, by file name.
    public var files: [String: String]

    public init(
        position: TrainingPosition, optimizerStep: Int, earlyStopping: EarlyStoppingState = EarlyStoppingState(),
        reductionState: ReductionState? = nil, standardizer: Standardizer? = nil, vocabulary: String? = nil,
        rng: [String: UInt64],
        config: String, configHash: String, worldSize: Int, reduction: String,
        versions: Versions, parameterHash: String, files: [String: String] = [:]
    ) {
        self.formatVersion = Self.currentFormatVersion
        self.position = position
        self.optimizerStep = optimizerStep
        self.earlyStopping = earlyStopping
        self.reductionState = reductionState
        self.standardizer = standardizer
        self.vocabulary = vocabulary
        self.rng = rng
        self.config = config
        self.configHash = configHash
        self.worldSize = worldSize
        self.reduction = reduction
        self.versions = versions
        self.parameterHash = parameterHash
        self.files = files
    }

    /// Optimizer steps completed.
    public var step: Int { position.step }

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version"
        case position
        case optimizerStep = "optimizer_step"
        case earlyStopping = "early_stopping"
        case reductionState = "exact_reduction"
        case standardizer, vocabulary, tokenizer, rng, config
        case configHash = "config_hash"
        case worldSize = "world_size"
        case reduction, versions
        case parameterHash = "parameter_hash"
        case files
    }

    /// Always the current format, whichever format the state was read from.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Self.currentFormatVersion, forKey: .formatVersion)
        try c.encode(position, forKey: .position)
        try c.encode(optimizerStep, forKey: .optimizerStep)
        try c.encode(earlyStopping, forKey: .earlyStopping)
        try c.encodeIfPresent(reductionState, forKey: .reductionState)
        try c.encodeIfPresent(standardizer, forKey: .standardizer)
        try c.encodeIfPresent(vocabulary, forKey: .vocabulary)
        try c.encodeIfPresent(tokenizer, forKey: .tokenizer)
        try c.encode(rng, forKey: .rng)
        try c.encode(config, forKey: .config)
        try c.encode(configHash, forKey: .configHash)
        try c.encode(worldSize, forKey: .worldSize)
        try c.encode(reduction, forKey: .reduction)
        try c.encode(versions, forKey: .versions)
        try c.encode(parameterHash, forKey: .parameterHash)
        try c.encode(files, forKey: .files)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        formatVersion = try c.decode(Int.self, forKey: .formatVersion)
        rng = try c.decode([String: UInt64].self, forKey: .rng)
        config = try c.decode(String.self, forKey: .config)
        configHash = try c.decode(String.self, forKey: .configHash)
        worldSize = try c.decode(Int.self, forKey: .worldSize)
        reduction = try c.decode(String.self, forKey: .reduction)
        versions = try c.decode(Versions.self, forKey: .versions)
        parameterHash = try c.decode(String.self, forKey: .parameterHash)
        files = try c.decode([String: String].self, forKey: .files)
        if formatVersion == 1 {
            let legacy = try FormatOne(from: decoder)
            position = TrainingPosition(step: legacy.step, epoch: legacy.cursor.epoch, stepInEpoch: legacy.cursor.stepInEpoch)
            optimizerStep = legacy.extra?["optimizer_step"].flatMap { Int($0) } ?? legacy.step
            earlyStopping = try legacy.earlyStopping()
            reductionState = legacy.reductionState()
            standardizer = nil
            vocabulary = nil
            tokenizer = nil
            return
        }
        position = try c.decode(TrainingPosition.self, forKey: .position)
        optimizerStep = try c.decode(Int.self, forKey: .optimizerStep)
        earlyStopping = try c.decode(EarlyStoppingState.self, forKey: .earlyStopping)
        reductionState = try c.decodeIfPresent(ReductionState.self, forKey: .reductionState)
        standardizer = try c.decodeIfPresent(Standardizer.self, forKey: .standardizer)
        vocabulary = try c.decodeIfPresent(String.self, forKey: .vocabulary)
        tokenizer = try c.decodeIfPresent(String.self, forKey: .tokenizer)
    }
}

/// The fields of a format-1 state.json that format 2 stores differently.
private struct FormatOne: Decodable {
    struct Cursor: Decodable {
        var epoch: Int
        var stepInEpoch: Int
        enum CodingKeys: String, CodingKey {
            case epoch
            case stepInEpoch = "step_in_epoch"
        }
    }

    /// Early stopping as format 1 encoded it (camel case, inside a string).
    struct Stopping: Decodable {
        var best: Double?
        var evaluationsWithoutImprovement: Int
    }

    var step: Int
    var cursor: Cursor
    var extra: [String: String]?

    func earlyStopping() throws -> EarlyStoppingState {
        guard let text = extra?["early_stopping"] else { return EarlyStoppingState() }
        let old = try JSONDecoder().decode(Stopping.self, from: Data(text.utf8))
        return EarlyStoppingState(best: old.best, evaluationsWithoutImprovement: old.evaluationsWithoutImprovement)
    }

    /// Comma-joined exponents; a checkpoint from before Int32 sums has no width and was Int64.
    func reductionState() -> ReductionState? {
        guard let text = extra?["exact_exponents"], !text.isEmpty else { return nil }
        let exponents = text.split(separator: ",").compactMap { Int($0) }
        return ReductionState(width: Int(extra?["exact_width"] ?? "64") ?? 64, exponents: exponents)
    }
}
