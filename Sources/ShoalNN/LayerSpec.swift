/// A layer as a config file or a Swift caller describes it: the name of its kind in the
/// ``LayerRegistry`` (`dense`) and its arguments by name. The layer's own file declares what the
/// arguments are (its ``LayerSyntax``), how they read and how they build, and adds a factory
/// here (`.dense(units:activation:)`), so a new layer is one file.
///
/// ```swift
/// let layers: [LayerSpec] = [
///     .conv2D(filters: 32, kernel: 3, stride: 1, padding: .valid, activation: .relu),
///     .maxPool2D(size: 2, stride: nil),
///     .dropout(rate: 0.25),
///     .flatten,
///     .dense(units: 128, activation: .relu),
///     .dense(units: 10, activation: nil),
/// ]
/// layers[4].kind                     // "dense"
/// layers[4].arguments["units"]       // .int(128)
/// ```
public struct LayerSpec: Equatable, Sendable {
    /// The registry name of the layer kind, as the config spells it.
    public let kind: String
    /// Every argument of the kind's syntax, defaults filled in.
    public let arguments: [String: LayerValue]
    /// False freezes a top-level layer's tensors (fine-tuning): ``Model`` computes no gradient for
    /// them and leaves them out of ``Model/trainableCount``.
    public var trainable = true

    /// A spec as given; ``Model`` checks it against the kind's syntax when it builds.
    public init(kind: String, arguments: [String: LayerValue] = [:], trainable: Bool = true) {
        self.kind = kind
        self.arguments = arguments
        self.trainable = trainable
    }
}

/// The value of one layer argument.
public enum LayerValue: Equatable, Sendable {
    case int(Int)
    case double(Double)
    case string(String)
    case bool(Bool)
    case activation(Activation)
    /// The layers of a block (`residual`, `repeat`).
    case layers([LayerSpec])
    /// An optional argument left out (`stride: null`, `activation: none`).
    case null
}
