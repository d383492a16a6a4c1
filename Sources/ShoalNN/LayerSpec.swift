/// What a model is made of, as a config file or a Swift caller says it: the contract between
/// ShoalConfig (which parses YAML into these values) and the model builder (which turns them
/// into layers with shapes and parameters).
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
/// ```
public enum LayerSpec: Equatable, Sendable {
    /// Fully connected: `units` outputs, weight shape (units, inputs) as in PyTorch `nn.Linear`.
    case dense(units: Int, activation: Activation?)
    /// 2-D convolution over (height, width, channels) inputs; square kernel, same stride both ways.
    case conv2D(filters: Int, kernel: Int, stride: Int, padding: Padding, activation: Activation?)
    /// Max pooling with a square window; `stride` nil means stride = size (Keras default).
    case maxPool2D(size: Int, stride: Int?)
    /// Collapses (height, width, channels) into one feature axis.
    case flatten
    /// Zeroes each activation with probability `rate` in training and scales the rest by 1/(1-rate).
    case dropout(rate: Double)
    /// A stand-alone activation layer.
    case activation(Activation)
}

/// Elementwise (or, for softmax, per-row) nonlinearities.
public enum Activation: Equatable, Sendable {
    case relu
    case leakyReLU(alpha: Float)
    case tanh
    case sigmoid
    case gelu
    case softmax
}

/// Convolution padding, as in Keras: `valid` uses no padding, `same` pads so that
/// output size = ceil(input / stride).
public enum Padding: String, Equatable, Sendable, CaseIterable {
    case valid
    case same
}

/// The training loss, computed from the model's last output (logits for the two cross-entropies).
public enum LossSpec: String, Equatable, Sendable, CaseIterable {
    /// Softmax cross-entropy from logits; targets are class indices.
    case softmaxCrossEntropy = "softmax_cross_entropy"
    /// Binary cross-entropy from logits (sigmoid folded in); targets are 0 or 1 per output.
    case binaryCrossEntropy = "binary_cross_entropy"
    /// Mean squared error per output; targets are real values.
    case meanSquaredError = "mse"
}

/// How weights are initialised from the run seed; biases start at zero.
public enum Initializer: String, Equatable, Sendable, CaseIterable {
    /// Keras' default: uniform in ±sqrt(6 / (fan_in + fan_out)).
    case glorotUniform = "glorot_uniform"
    /// Normal with standard deviation sqrt(2 / fan_in), suited to ReLU stacks.
    case heNormal = "he_normal"
}
