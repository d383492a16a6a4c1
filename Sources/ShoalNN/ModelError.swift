/// Why a model cannot be built. Each message names the layer index in the `LayerSpec` list.
///
/// ```swift
/// do { _ = try Model(inputShape: [28, 28, 1], layers: [.flatten, .conv2D(filters: 8, kernel: 3, stride: 1, padding: .valid, activation: nil)],
///                    loss: .meanSquaredError, seed: 1, maxBatch: 8) }
/// catch let e as ModelError { print(e) }
/// // layer 1 (Conv2D): needs a (height, width, channels) input, got (784); a Conv2D cannot follow Flatten
/// ```
public enum ModelError: Error, CustomStringConvertible, Equatable {
    /// Layer `index` of the list cannot take the shape it receives, or has an invalid setting.
    case impossibleLayer(index: Int, layer: String, reason: String)
    /// The model's input shape is not (features) or (height, width, channels) with positive extents.
    case invalidInputShape(shape: [Int], reason: String)
    /// The loss cannot be computed on the model's output.
    case incompatibleLoss(loss: LossSpec, outputShape: [Int], reason: String)
    /// `maxBatch` must be at least 1.
    case invalidMaxBatch(Int)
    /// The model's buffers would need more memory than this machine has, or than any could.
    case tooLarge(reason: String)
    /// An initializer rule whose pattern matches no weight: most likely a typo.
    case unmatchedInitializerRule(match: String, tensors: [String])

    public var description: String {
        switch self {
        case let .impossibleLayer(index, layer, reason):
            return "layer \(index) (\(layer)): \(reason)"
        case let .invalidInputShape(shape, reason):
            return "input shape \(formatShape(shape)): \(reason)"
        case let .incompatibleLoss(loss, shape, reason):
            return "loss \(loss.rawValue) on output \(formatShape(shape)): \(reason)"
        case let .invalidMaxBatch(n):
            return "maxBatch must be at least 1, got \(n)"
        case let .tooLarge(reason):
            return "the model is too large: \(reason)"
        case let .unmatchedInitializerRule(match, tensors):
            return "init rule '\(match)' matches no initialized tensor; they are \(tensors.joined(separator: ", "))"
        }
    }
}

/// `(26, 26, 32)` — a per-sample shape as Keras prints it, without the batch axis.
public func formatShape(_ shape: [Int]) -> String {
    "(" + shape.map(String.init).joined(separator: ", ") + ")"
}
