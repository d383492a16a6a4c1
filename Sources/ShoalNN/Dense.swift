import ShoalTensor

/// Fully connected layer, `y = x · Wᵀ + b`, weight in PyTorch `nn.Linear` layout.
///
/// Shapes: x is (B, I), weight is (O, I), bias is (O), y is (B, O). The batch is the GEMM's M,
/// so one sgemm does the whole micro-batch. When the input came through `Flatten` from an NHWC
/// activation, the I axis is ordered (h, w, c) as in Keras; a PyTorch model reading a Shoal
/// checkpoint must flatten NHWC (permute(0, 2, 3, 1) before flatten) to use this weight as is.
final class Dense: Layer {
    static let syntax = LayerSyntax(
        name: "dense", summary: "fully connected: y = x · Wᵀ + b, W of shape (units, inputs) as in PyTorch nn.Linear",
        arguments: [.init("units", .int(minimum: 1), doc: "number of outputs"),
                    .init("activation", .activation, default: .null, doc: "applied to the output; none for a linear layer")],
        example: "dense: {units: 64, activation: relu}"
    ) { context throws(ModelError) in
        let dense = try Dense(index: context.index, units: try context.int("units"), inputShape: context.inputShape)
        return [dense] + (try context.activation("activation").map { [ActivationLayer($0, inputShape: dense.outputShape)] } ?? [])
    }

    let typeName = "Dense"
    let index: Int, inputs: Int, units: Int
    var outputShape: [Int] { [units] }
    var multiplyAddsPerSample: Int { inputs * units }
    private var weight: BoundParameter!
    private var bias: BoundParameter!

    init(index: Int, units: Int, inputShape: [Int]) throws(ModelError) {
        guard inputShape.count == 1 else {
            throw .impossibleLayer(index: index, layer: "Dense",
                                   reason: "needs a flat (features) input, got \(formatShape(inputShape)); add .flatten before it")
        }
        guard units >= 1 else { throw .impossibleLayer(index: index, layer: "Dense", reason: "units must be at least 1, got \(units)") }
        self.index = index; self.inputs = inputShape[0]; self.units = units
    }

    var parameterShapes: [ParameterShape] {
        [ParameterShape(name: "layers.\(index).weight", shape: [units, inputs], isWeight: true, fanIn: inputs, fanOut: units),
         ParameterShape(name: "layers.\(index).bias", shape: [units], isWeight: false, fanIn: 0, fanOut: 0)]
    }

    func bind(_ arena: ParameterArena) {
        weight = BoundParameter(arena, "layers.\(index).weight")
        bias = BoundParameter(arena, "layers.\(index).bias")
    }

    func forward(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, batch B: Int, context: ForwardContext) {
        let I = inputs, O = units
        // y[b, :] = bias, then y += x · Wᵀ
        broadcastRows(bias.value, into: y, rows: B, cols: O)
        sgemm(transA: false, transB: true, m: B, n: O, k: I, a: x, lda: I, b: weight.value, ldb: I, beta: 1, c: y, ldc: O)
    }

    func backward(x: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                  dx: UnsafeMutablePointer<Float>?, batch B: Int) {
        let I = inputs, O = units
        // forward: y[b, o] = bias[o] + Σ_i x[b, i] W[o, i]
        // dbias[o] += Σ_b dy[b, o]
        addColumnSums(dy, rows: B, cols: O, into: bias.gradient)
        // dW[o, i] += Σ_b dy[b, o] x[b, i]  —  dW (O, I) += dyᵀ (O, B) · x (B, I)
        sgemm(transA: true, transB: false, m: O, n: I, k: B, a: dy, lda: O, b: x, ldb: I, beta: 1, c: weight.gradient, ldc: I)
        // dx[b, i] = Σ_o dy[b, o] W[o, i]  —  dx (B, I) = dy (B, O) · W (O, I)
        if let dx {
            sgemm(transA: false, transB: false, m: B, n: I, k: O, a: dy, lda: O, b: weight.value, ldb: I, beta: 0, c: dx, ldc: I)
        }
    }
}

extension LayerSpec {
    /// Fully connected: `units` outputs, weight shape (units, inputs) as in PyTorch `nn.Linear`.
    public static func dense(units: Int, activation: Activation? = nil) -> LayerSpec {
        LayerSpec(kind: "dense", arguments: ["units": .int(units), "activation": activation.map(LayerValue.activation) ?? .null])
    }
}
