import ShoalTensor

/// Collapses (H, W, C) into (H·W·C) features in NHWC order, i.e. features are ordered
/// (h, w, c) — the Keras order. The data does not move: forward and backward are copies.
///
/// Shapes: x is (B, H, W, C), y is (B, H·W·C).
final class Flatten: Layer {
    static let syntax = LayerSyntax(
        name: "flatten", summary: "collapses (height, width, channels) into one feature axis, in (h, w, c) order as Keras",
        example: "flatten"
    ) { context in
        [Flatten(inputShape: context.inputShape)]
    }

    let typeName = "Flatten"
    let features: Int
    var outputShape: [Int] { [features] }

    init(inputShape: [Int]) {
        features = inputShape.reduce(1, *)
    }

    func forward(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, batch B: Int, context: ForwardContext) {
        copy(x, to: y, count: B * features)
    }

    func backward(x: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                  dx: UnsafeMutablePointer<Float>?, batch B: Int) {
        // forward: y = x (same memory order)
        if let dx { copy(dy, to: dx, count: B * features) }
    }
}

extension LayerSpec {
    /// Collapses (height, width, channels) into one feature axis.
    public static var flatten: LayerSpec { LayerSpec(kind: "flatten") }
}
