import ShoalComm
import ShoalData
import ShoalNN

/// Everything that defines a training run, as read from a YAML file: data, model, loss,
/// optimizer, schedule, batch sizes, reduction, checkpoints and logging.
///
/// Defaults live in one place, the initial values of these structs; `RunConfig.default` is
/// the Fashion-MNIST MLP run (`configs/fashion-mlp.yaml`). A file only needs the keys it
/// changes.
///
/// ```swift
/// let config = try RunConfig.load(path: "configs/fashion-cnn.yaml", overrides: ["optimizer.lr=0.01"])
/// config.optimizer.lr          // 0.01
/// print(config.resolvedYAML()) // every key, defaults filled in, stable order
/// config.canonicalHash         // "9c1e…" (16 hex digits), stored in checkpoints
/// ```
///
/// See Also: ``ConfigError``, ``resolvedYAML()``, ``differences(from:)``.
public struct RunConfig: Equatable, Sendable {
    /// The run's name: its directory under `logging.dir`. Letters, digits, `.`, `_`, `-`.
    public var name = "fashion-mlp"
    /// The one seed every random choice derives from (initialisation, split, order, dropout).
    public var seed: UInt64 = 42
    public var data = DataConfig()
    public var model = ModelConfig()
    public var loss: LossSpec = .softmaxCrossEntropy
    public var optimizer = OptimizerConfig()
    public var schedule = ScheduleConfig()
    public var training = TrainingConfig()
    public var distributed = DistributedConfig()
    public var checkpoint = CheckpointConfig()
    public var logging = LoggingConfig()

    public init() {}

    /// The embedded default run: a Flatten→Dense(256)→Dense(128)→Dense(10) MLP on Fashion-MNIST.
    public static let `default` = RunConfig()
}

/// Where the samples come from and how they are prepared.
public struct DataConfig: Equatable, Sendable {
    public enum Source: String, CaseIterable, Sendable {
        /// IDX files `train-*` and `t10k-*` in `path`.
        case fashionMNIST = "fashion_mnist"
        /// A CSV file, see ``CSVConfig``.
        case csv
        /// UTF-8 text for a character language model, see ``TextConfig``.
        case text
        /// Token shards prepared by `shoal data prepare` (or llm.c's), see ``TokensConfig``.
        case tokens

        /// Whether the source feeds a language model (windows of token ids).
        public var isLanguage: Bool { self == .text || self == .tokens }
    }

    public var source: Source = .fashionMNIST
    /// Directory of the IDX files (for `fashion_mnist`).
    public var path = "/usr/share/datasets/fashion-mnist"
    /// Required when `source` is `csv`.
    public var csv: CSVConfig? = nil
    /// Required when `source` is `text`.
    public var text: TextConfig? = nil
    /// Required when `source` is `tokens`.
    public var tokens: TokensConfig? = nil
    /// Share of the training samples held out for validation, in [0, 1).
    public var validationFraction = 0.1
    public var normalize: Normalization = .scale
    /// Use only the first N samples of the training and validation splits (quick runs, tests).
    public var limitTrain: Int? = nil
    /// Use only the first N test samples.
    public var limitTest: Int? = nil
    /// Names of the classes by label, for reports; nil: Fashion-MNIST's for the Debian
    /// Fashion-MNIST files, else `class 0`, `class 1`, ...
    public var classNames: [String]? = nil
    /// Train and evaluate on these classes only (class indices of the source), relabeled 0, 1, ...
    /// in this order; nil: every class.
    public var keepClasses: [Int]? = nil

    public init() {}
}

/// A CSV data source: one target column, every other column a numeric feature.
public struct CSVConfig: Equatable, Sendable {
    /// The target column: a header name, or a 0-based index (-1 = last).
    public enum Target: Equatable, Sendable {
        case name(String)
        case index(Int)
    }

    public var path: String
    public var target: Target
    public var header = true
    public var delimiter = ","
    /// A separate test file; when null, `test_fraction` of `path` is held out as the test split.
    public var testPath: String? = nil
    public var testFraction = 0.2
    /// Number of classes for a classification target given as class indices; null for
    /// regression or a single binary output.
    public var classes: Int? = nil

    public init(path: String, target: Target) {
        self.path = path
        self.target = target
    }
}

/// A text source: the characters of a file or directory (see `TextCorpus`), the first
/// `1 − validation_fraction` of them for training, the rest for validation; windows are
/// `model.input[0]` characters.
public struct TextConfig: Equatable, Sendable {
    public var path: String
    /// Evaluate on the first N consecutive windows of each split; nil: all of them.
    public var evalWindows: Int? = nil

    public init(path: String) { self.path = path }
}

/// A token source: a directory of token shards, split into training and validation shards by
/// `shoal data prepare` (`data.validation_fraction` does not apply); windows are
/// `model.input[0]` tokens, read from the memory-mapped shards.
public struct TokensConfig: Equatable, Sendable {
    /// A directory written by `shoal data prepare`, or of llm.c's `*_train_*.bin`/`*_val_*.bin` shards.
    public var path: String
    /// The tokenizer of a directory with no manifest (llm.c's shards); nil: the directory's own.
    public var tokenizer: String? = nil
    /// Evaluate on the first N consecutive windows of the validation shards (and as many of the
    /// training shards); nil: every validation window.
    public var evalWindows: Int? = nil

    public init(path: String) { self.path = path }
}

/// The network: per-sample input shape and the layer stack.
public struct ModelConfig: Equatable, Sendable {
    /// Per-sample shape: `[height, width, channels]` or `[features]`.
    public var input = [28, 28, 1]
    public var initializer: Initializer = .glorotUniform
    /// Per-tensor initializers by name glob, first match wins.
    public var initializerRules: [InitializerRule] = []
    /// A checkpoint (directory, root or run directory) whose tensors of the same name and shape
    /// replace the initial values: fine-tuning. Nil: train from the initializers.
    public var initFrom: String? = nil
    /// Name globs of tensors `initFrom` leaves at their initial values (a new head whose shape differs).
    public var initSkip: [String] = []
    public var layers: [LayerSpec] = [
        .flatten,
        .dense(units: 256, activation: .relu),
        .dense(units: 128, activation: .relu),
        .dense(units: 10, activation: nil),
    ]

    public init() {}
}

extension RunConfig {
    /// The model this config describes, its buffers planned for `maxBatch` samples and refused
    /// beyond `memoryLimit` bytes (nil: this machine's memory).
    public func makeModel(maxBatch: Int, memoryLimit: Int? = nil) throws(ModelError) -> Model {
        try Model(inputShape: model.input, layers: model.layers, loss: loss, initializer: model.initializer,
                  initializerRules: model.initializerRules, seed: seed, maxBatch: maxBatch, memoryLimit: memoryLimit)
    }
}

/// The optimizer and its hyper-parameters (those a given optimizer does not use are ignored).
public struct OptimizerConfig: Equatable, Sendable {
    public enum Name: String, CaseIterable, Sendable {
        case sgd, momentum, nesterov, adam, adamw
    }

    public var name: Name = .adam
    public var lr = 0.002
    public var momentum = 0.9
    public var beta1 = 0.9
    public var beta2 = 0.999
    public var eps = 1e-8
    public var weightDecay = 0.0
    public var l1 = 0.0
    /// Clip the global gradient norm to this value; null for no clipping.
    public var clipNorm: Double? = nil
    /// Per-parameter overrides, first match wins.
    public var groups: [ParameterGroupConfig] = [ParameterGroupConfig(match: "*.bias", weightDecay: 0)]

    public init() {}
}

/// Hyper-parameters for the parameters whose names match a glob (`*.bias`, `layers.0.*`).
public struct ParameterGroupConfig: Equatable, Sendable {
    public var match: String
    public var lr: Double? = nil
    public var weightDecay: Double? = nil
    public var l1: Double? = nil
    /// Match only tensors of this many dimensions (nanoGPT decays rank ≥ 2 only); nil: any.
    public var rank: Int? = nil

    public init(match: String, lr: Double? = nil, weightDecay: Double? = nil, l1: Double? = nil) {
        self.match = match
        self.lr = lr
        self.weightDecay = weightDecay
        self.l1 = l1
    }
}

/// How the learning rate changes with the step.
public struct ScheduleConfig: Equatable, Sendable {
    public enum Kind: String, CaseIterable, Sendable {
        case constant, step, exponential, cosine
    }

    public var kind: Kind = .cosine
    /// Linear ramp from 0 to `lr` over this many steps.
    public var warmupSteps = 0
    /// `step` and `exponential`: the steps each factor of `gamma` spans.
    public var stepSize = 1000
    /// The factor in (0, 1]: `step` multiplies by it every `step_size` steps, `exponential` by
    /// gamma^(1 / step_size) every step (gamma per `step_size` steps, smoothly).
    public var gamma = 0.1
    /// `cosine`: the rate at the last step.
    public var minLR = 0.0

    public init() {}
}

/// Epochs, batch sizes, evaluation and early stopping.
public struct TrainingConfig: Equatable, Sendable {
    public var epochs = 20
    /// Train for this many optimizer steps instead of `epochs` (language models count steps).
    public var steps: Int? = nil
    /// Samples per optimizer step, summed over all ranks; fixed by the config, not by the ranks.
    public var globalBatch = 256
    /// Samples per leaf (one forward/backward on one rank); at most `global_batch`.
    public var microBatch = 64
    /// Evaluate every this many steps; 0 = at the end of each epoch.
    public var evalEvery = 0
    public var earlyStopping = EarlyStoppingConfig()

    public init() {}
}

/// Stop when the training loss is low enough or the validation loss has stopped improving.
public struct EarlyStoppingConfig: Equatable, Sendable {
    /// Stop as soon as a step's training loss is below this; null = never.
    public var lossBelow: Double? = nil
    /// Evaluations without an improvement of at least `min_delta` before stopping; null = never.
    public var patience: Int? = nil
    public var minDelta = 0.0

    public init() {}
}

/// Gradient reduction across ranks.
public struct DistributedConfig: Equatable, Sendable {
    public enum Reduction: String, CaseIterable, Sendable {
        /// Float sums: a few percent faster; bits may change with the number of ranks.
        case fast
        /// Fixed-point integer sums: the same bits for any number of ranks. The default, at a
        /// few percent of the speed of `fast` (benchmarks/RESULTS.md).
        case exact
    }

    public var reduction: Reduction = .exact
    public var bucketMB = 4.0
    /// How bucket all-reduces overlap backward in fast mode. `none` is the default: with every
    /// core computing, a communication thread or MPI progress cost more than they hid (measured,
    /// benchmarks/RESULTS.md).
    public var overlap: FastReduction.Overlap = .none
    /// Seconds a rank may go without progress in any phase before the watchdog ends the job;
    /// 0: no limit (to pause a rank in a debugger).
    public var timeout = Watchdog.defaultTimeout

    public init() {}
}

/// When and where checkpoints are written.
public struct CheckpointConfig: Equatable, Sendable {
    /// Null means the run directory's `checkpoints/` (`<logging.dir>/<name>/version_<N>/checkpoints`).
    public var dir: String? = nil
    /// Every this many steps; 0 = only at the end.
    public var every = 0
    /// Also once this many seconds passed since the last checkpoint; 0 = never.
    public var everySeconds = 600.0
    public var keepLast = 3

    public init() {}
}

/// Metrics and progress output.
public struct LoggingConfig: Equatable, Sendable {
    public enum Progress: String, CaseIterable, Sendable {
        /// A live bar on a terminal, plain lines otherwise.
        case auto, plain, none
    }

    /// Runs go to `<dir>/<name>/version_<N>/` (config, metrics, event files, checkpoints).
    public var dir = "runs"
    public var progress: Progress = .auto
    /// Steps between training-metric records.
    public var every = 50

    public init() {}
}

extension RunConfig {
    /// The class names reports use: `data.class_names`, or Fashion-MNIST's when the run reads
    /// the Debian Fashion-MNIST files; nil for numbered classes.
    public var classNames: [String]? {
        if let names = data.classNames { return names }
        guard data.source == .fashionMNIST && data.path == DataConfig().path else { return nil }
        // The kept classes' names, in their new order (keep_classes was checked against the 10).
        return data.keepClasses.map { $0.map { FashionMNIST.classNames[$0] } } ?? FashionMNIST.classNames
    }

    /// `<logging.dir>/<name>`: the run's versions, `version_<N>/`, are its subdirectories.
    public var runRoot: String { logging.dir + "/" + name }
}
