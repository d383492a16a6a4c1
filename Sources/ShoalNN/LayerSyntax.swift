/// How a layer kind is written in a config, documented and built: its name, a one-line
/// meaning, its arguments (type, default, rule, meaning) and the function that turns a spec
/// into layers. Each layer's file declares its own; ``LayerRegistry`` lists them. The config
/// reader, the config writer and `shoal config reference` all work from this one declaration.
///
/// ```swift
/// // Dropout.swift: `static let syntax = LayerSyntax(…)` in the layer's type, listed in LayerRegistry.
/// let syntax = LayerSyntax(
///     name: "dropout", summary: "zeroes each activation with probability rate while training",
///     arguments: [.init("rate", .double(.unitInterval), doc: "probability of dropping an element")],
///     example: "dropout: {rate: 0.25}") { context throws(ModelError) in
///         [try Dropout(place: context.place, rate: try context.double("rate"), inputShape: context.inputShape,
///                      seed: context.seed, maxBatch: context.maxBatch, memory: context.memory)]
///     }
/// ```
public struct LayerSyntax: Sendable {
    /// The config name (`dense`); a layer with no arguments may be written as the bare name.
    public let name: String
    /// One line for the config reference.
    public let summary: String
    public let arguments: [ArgumentSyntax]
    /// A complete config item, for messages and the reference.
    public let example: String
    /// How a block that adds no layer of its own names itself in the model summary, from its
    /// arguments (defaults filled in): `repeat` says `Repeat ×4`. nil, or a nil result: the
    /// type of the first layer the spec builds (`Dense`, `Residual`).
    let summaryType: (@Sendable ([String: LayerValue]) -> String?)?
    let build: @Sendable (LayerContext) throws(ModelError) -> [any Layer]

    init(name: String, summary: String, arguments: [ArgumentSyntax] = [], example: String,
         summaryType: (@Sendable ([String: LayerValue]) -> String?)? = nil,
         build: @escaping @Sendable (LayerContext) throws(ModelError) -> [any Layer]) {
        self.name = name
        self.summary = summary
        self.arguments = arguments
        self.example = example
        self.summaryType = summaryType
        self.build = build
    }

    /// Whether a config may write this layer as its bare name (every argument has a default).
    public var takesBareName: Bool { arguments.allSatisfy { $0.defaultValue != nil } }

    /// `arguments` with every absent one set to its default; nil if a required one is missing.
    func filled(_ arguments: [String: LayerValue]) -> [String: LayerValue]? {
        var all = arguments
        for argument in self.arguments where all[argument.name] == nil {
            guard let value = argument.defaultValue else { return nil }
            all[argument.name] = value
        }
        return all
    }
}

/// One argument of a layer kind.
public struct ArgumentSyntax: Sendable {
    /// What values an argument takes.
    public enum ValueType: Sendable, Equatable {
        /// An integer ≥ `minimum`.
        case int(minimum: Int)
        case double(DoubleRule)
        /// One of the listed strings.
        case choice([String])
        case bool
        case string
        /// An activation name, `none`, or `{leaky_relu: {alpha: …}}`.
        case activation
        /// A list of layers (the body of a block).
        case layers
    }

    /// The allowed range of a number.
    public enum DoubleRule: Sendable, Equatable {
        /// [0, 1)
        case unitInterval
        /// ≥ 0
        case nonNegative

        public func allows(_ value: Double) -> Bool {
            switch self {
            case .unitInterval: value >= 0 && value < 1
            case .nonNegative: value >= 0
            }
        }

        public var message: String {
            switch self {
            case .unitInterval: "must be in [0, 1)"
            case .nonNegative: "must be ≥ 0"
            }
        }
    }

    public let name: String
    public let type: ValueType
    /// nil: the argument is required. `.null`: optional, absent by default.
    public let defaultValue: LayerValue?
    /// Whether `null` is a value of this argument.
    public var nullable: Bool { defaultValue == .null }
    /// One line for the config reference.
    public let doc: String

    init(_ name: String, _ type: ValueType, default defaultValue: LayerValue? = nil, doc: String) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.doc = doc
    }
}

/// What a layer's build function sees: its spec (defaults filled in), its place in the model and
/// the shape it receives, and the builder for the layers of a block. Typed argument reads fail
/// with an error naming the layer.
struct LayerContext {
    let spec: LayerSpec
    let syntax: LayerSyntax
    /// Where the layer sits: its tensors are `<place.name>.weight`, ...
    let place: LayerPlace
    /// The per-sample shape this layer receives.
    let inputShape: [Int]
    let seed: UInt64
    let maxBatch: Int
    /// Backward-only buffers the model's layers share (see ``SharedScratch``).
    let scratch: SharedScratch
    /// Where the layer's own buffers are allocated and counted against the machine's memory.
    let memory: ModelMemory
    /// Builds `specs` as items 0, 1, ... of the block at `place`, from `inputShape` on.
    let buildBlock: ([LayerSpec], LayerPlace, [Int]) throws(ModelError) -> [any Layer]

    func fail(_ reason: String) -> ModelError { place.fail(syntax.name, reason) }

    func bool(_ name: String) throws(ModelError) -> Bool {
        guard case .bool(let v) = try value(name) else { throw fail("argument '\(name)' must be true or false") }
        return v
    }

    func optionalString(_ name: String) throws(ModelError) -> String? {
        switch try value(name) {
        case .null: return nil
        case .string(let v): return v
        default: throw fail("argument '\(name)' must be a string or null")
        }
    }

    func layers(_ name: String) throws(ModelError) -> [LayerSpec] {
        guard case .layers(let v) = try value(name) else { throw fail("argument '\(name)' must be a list of layers") }
        return v
    }

    private func value(_ name: String) throws(ModelError) -> LayerValue {
        guard let value = spec.arguments[name] else { throw fail("missing argument '\(name)'") }
        return value
    }

    func int(_ name: String) throws(ModelError) -> Int {
        guard case .int(let v) = try value(name) else { throw fail("argument '\(name)' must be an integer") }
        return try bounded(name, v)
    }

    /// Sizes beyond 2²⁴ would overflow the layers' shape arithmetic long before any machine could
    /// hold the buffers; a config that writes one has a typo.
    static let maximumInteger = 1 << 24

    private func bounded(_ name: String, _ v: Int) throws(ModelError) -> Int {
        guard v <= Self.maximumInteger else { throw fail("argument '\(name)' must be at most \(Self.maximumInteger), got \(v)") }
        return v
    }

    func optionalInt(_ name: String) throws(ModelError) -> Int? {
        switch try value(name) {
        case .null: return nil
        case .int(let v): return try bounded(name, v)
        default: throw fail("argument '\(name)' must be an integer or null")
        }
    }

    func double(_ name: String) throws(ModelError) -> Double {
        switch try value(name) {
        case .double(let v): return v
        case .int(let v): return Double(v)
        default: throw fail("argument '\(name)' must be a number")
        }
    }

    func string(_ name: String) throws(ModelError) -> String {
        guard case .string(let v) = try value(name) else { throw fail("argument '\(name)' must be a string") }
        return v
    }

    func activation(_ name: String) throws(ModelError) -> Activation? {
        switch try value(name) {
        case .null: return nil
        case .activation(let a): return a
        default: throw fail("argument '\(name)' must be an activation")
        }
    }
}

/// Every layer kind a config can name, in the order the config reference lists them. A new
/// layer adds its syntax here.
public enum LayerRegistry {
    public static let syntaxes: [LayerSyntax] =
        [Dense.syntax, Conv2D.syntax, MaxPool2D.syntax, Flatten.syntax, Dropout.syntax]
        + ActivationLayer.syntaxes
        + [Embedding.syntax, PositionalEmbedding.syntax, LayerNorm.syntax, Attention.syntax, LSTM.syntax, Residual.syntax, Repeat.syntax]

    private static let byName = Dictionary(syntaxes.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })

    /// The syntax of the layer kind called `name`, or nil.
    public static func syntax(named name: String) -> LayerSyntax? { byName[name] }

    public static var names: [String] { syntaxes.map(\.name) }
}
