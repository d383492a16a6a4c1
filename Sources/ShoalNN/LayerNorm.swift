import ShoalKernels
import ShoalTensor

/// Layer normalization over the last axis: `y = (x − mean) · rstd · gain + bias`, with
/// `rstd = 1 / sqrt(var + eps)` and the population variance, as PyTorch `nn.LayerNorm`.
///
/// Shapes: x and y are (B, R, C) with R the rows of a sample (T for a sequence, 1 for a flat
/// input); gain (`weight`, starts at 1) and bias (starts at 0) are (C); `mean` and `rstd` are
/// (B·R), cached by forward for backward.
final class LayerNorm: Layer {
    static let syntax = LayerSyntax(
        name: "layer_norm", summary: "normalizes each row over the last axis, then scales by a gain (and adds a bias), as PyTorch nn.LayerNorm",
        arguments: [.init("eps", .double(.nonNegative), default: .double(1e-5), doc: "added to the variance"),
                    .init("bias", .bool, default: .bool(true), doc: "whether to add a learned bias after the gain")],
        example: "layer_norm"
    ) { context throws(ModelError) in
        [try LayerNorm(place: context.place, inputShape: context.inputShape, eps: Float(try context.double("eps")),
                       bias: try context.bool("bias"), maxBatch: context.maxBatch, memory: context.memory)]
    }

    let typeName = "LayerNorm"
    let place: LayerPlace
    let shape: [Int]
    let rows: Int, width: Int
    let eps: Float
    let hasBias: Bool
    var outputShape: [Int] { shape }
    private var gain: BoundParameter!
    private var bias: BoundParameter?
    private let mean: UnsafeMutableBufferPointer<Float>  // (maxBatch · R)
    private let rstd: UnsafeMutableBufferPointer<Float>  // (maxBatch · R)

    init(place: LayerPlace, inputShape: [Int], eps: Float, bias: Bool, maxBatch: Int, memory: ModelMemory) throws(ModelError) {
        guard inputShape.count == 1 || inputShape.count == 2 else {
            throw place.fail("LayerNorm", "needs a (C) or (T, C) input, got \(formatShape(inputShape))")
        }
        self.place = place
        shape = inputShape
        width = inputShape.last!
        rows = inputShape.count == 2 ? inputShape[0] : 1
        self.eps = eps
        hasBias = bias
        let buffers = try memory.floats([[maxBatch, rows], [maxBatch, rows]], for: place, "LayerNorm")
        (mean, rstd) = (buffers[0], buffers[1])
    }

    var scratchBytes: Int { (mean.count + rstd.count) * 4 }

    deinit {
        mean.baseAddress?.deallocate()
        rstd.baseAddress?.deallocate()
    }

    var parameterShapes: [ParameterShape] {
        [ParameterShape(name: place.tensor("weight"), shape: [width], start: .ones)] + (hasBias ? [.bias(place.tensor("bias"), [width])] : [])
    }

    func bind(_ arena: ParameterArena) {
        gain = BoundParameter(arena, place.tensor("weight"))
        bias = hasBias ? BoundParameter(arena, place.tensor("bias")) : nil
    }

    func forward(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, batch B: Int, context: ForwardContext) {
        // per row: mean and population variance (the mean summed in Double), rstd = 1 / √(var + eps),
        // y = (x − mean) · rstd · gain + bias   (ShoalKernels layer_norm.c: eight-lane sums in a fixed order)
        shoal_layer_norm_forward(x, y, gain.value, bias?.value, eps, B * rows, width, mean.baseAddress!, rstd.baseAddress!)
    }

    func backward(x: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                  dx: UnsafeMutablePointer<Float>?, batch B: Int) {
        // forward: n = (x − mean) · rstd, y = n · gain + bias
        // dgain += dy · n, dbias += dy; dn = dy · gain
        // dx = rstd · (dn − mean(dn) − n · mean(dn · n))
        shoal_layer_norm_backward(x, dy, gain.value, mean.baseAddress!, rstd.baseAddress!, gain.gradient, bias?.gradient, dx,
                                  B * rows, width)
    }
}

extension LayerSpec {
    /// Layer normalization over the last axis.
    public static func layerNorm(eps: Double = 1e-5, bias: Bool = true) -> LayerSpec {
        LayerSpec(kind: "layer_norm", arguments: ["eps": .double(eps), "bias": .bool(bias)])
    }
}
