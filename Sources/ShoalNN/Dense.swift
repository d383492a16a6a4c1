import ShoalTensor

/// Fully connected layer over the last axis, `y = x · Wᵀ + b`, weight in PyTorch `nn.Linear` layout.
///
/// Shapes: x is (B, R, I) with R the rows of a sample (1 for a flat input, T for a sequence (T, I)),
/// weight is (O, I), bias is (O), y is (B, R, O). B·R is the GEMM's M, so one sgemm does the
/// whole micro-batch. When the input came through `Flatten` from an NHWC activation, the I axis
/// is ordered (h, w, c) as in Keras; a PyTorch model reading a Shoal checkpoint must flatten NHWC
/// (permute(0, 2, 3, 1) before flatten) to use this weight as is.
///
/// `tie` names another layer's (O, I) tensor to use as the weight (an LM head tied to the token
/// embedding): both uses add their gradients into the one arena entry.
final class Dense: Layer {
    static let syntax = LayerSyntax(
        name: "dense", summary: "fully connected over the last axis: y = x · Wᵀ + b, W of shape (units, inputs) as in PyTorch nn.Linear",
        arguments: [.init("units", .int(minimum: 1), doc: "number of outputs"),
                    .init("activation", .activation, default: .null, doc: "applied to the output; none for a linear layer"),
                    .init("bias", .bool, default: .bool(true), doc: "whether to add a bias"),
                    .init("tie", .string, default: .null,
                          doc: "use this earlier tensor as the weight (e.g. layers.0.weight, a token embedding); null: own weight")],
        example: "dense: {units: 64, activation: relu}"
    ) { context throws(ModelError) in
        let dense = try Dense(place: context.place, units: try context.int("units"), inputShape: context.inputShape,
                              bias: try context.bool("bias"), tie: try context.optionalString("tie"))
        return [dense] + (try context.activation("activation").map { [ActivationLayer($0, inputShape: dense.outputShape)] } ?? [])
    }

    let typeName = "Dense"
    let place: LayerPlace
    let inputs: Int, units: Int, rows: Int
    let hasBias: Bool
    /// The arena entry of the weight: this layer's own, or the tied one.
    let weightName: String
    let outputShape: [Int]
    var multiplyAddsPerSample: Int { rows * inputs * units }
    private var weight: BoundParameter!
    private var bias: BoundParameter?

    init(place: LayerPlace, units: Int, inputShape: [Int], bias: Bool = true, tie: String? = nil) throws(ModelError) {
        guard inputShape.count == 1 || inputShape.count == 2 else {
            throw place.fail("Dense", "needs a flat (features) or sequence (T, features) input, got \(formatShape(inputShape)); add .flatten before it")
        }
        guard units >= 1 else { throw place.fail("Dense", "units must be at least 1, got \(units)") }
        self.place = place
        inputs = inputShape.last!
        self.units = units
        rows = inputShape.count == 2 ? inputShape[0] : 1
        hasBias = bias
        weightName = tie ?? place.tensor("weight")
        outputShape = inputShape.dropLast() + [units]
    }

    /// The weight's shape, which a tied tensor must have too.
    var weightShape: [Int] { [units, inputs] }

    var parameterShapes: [ParameterShape] {
        (weightName == place.tensor("weight") ? [.weight(weightName, weightShape, fanIn: inputs, fanOut: units)] : [])
            + (hasBias ? [.bias(place.tensor("bias"), [units])] : [])
    }

    var tiedTensors: [(name: String, shape: [Int])] { weightName == place.tensor("weight") ? [] : [(weightName, weightShape)] }

    func bind(_ arena: ParameterArena) {
        weight = BoundParameter(arena, weightName)
        bias = hasBias ? BoundParameter(arena, place.tensor("bias")) : nil
    }

    func forward(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, batch B: Int, context: ForwardContext) {
        let M = B * rows, I = inputs, O = units
        // y[m, :] = bias (or 0), then y += x · Wᵀ
        if let bias { broadcastRows(bias.value, into: y, rows: M, cols: O) }
        context.multiplyTransposed(m: M, n: O, k: I, a: x, lda: I, b: weight.value, ldb: I, accumulate: bias != nil, c: y, ldc: O)
    }

    func backward(x: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                  dx: UnsafeMutablePointer<Float>?, batch B: Int) {
        let M = B * rows, I = inputs, O = units
        // forward: y[m, o] = bias[o] + Σ_i x[m, i] W[o, i]
        // dbias[o] += Σ_m dy[m, o]
        if let bias { addColumnSums(dy, rows: M, cols: O, into: bias.gradient) }
        // dW[o, i] += Σ_m dy[m, o] x[m, i]  —  dW (O, I) += dyᵀ (O, M) · x (M, I)
        sgemm(transA: true, transB: false, m: O, n: I, k: M, a: dy, lda: O, b: x, ldb: I, beta: 1, c: weight.gradient, ldc: I)
        // dx[m, i] = Σ_o dy[m, o] W[o, i]  —  dx (M, I) = dy (M, O) · W (O, I)
        if let dx {
            sgemm(transA: false, transB: false, m: M, n: I, k: O, a: dy, lda: O, b: weight.value, ldb: I, beta: 0, c: dx, ldc: I)
        }
    }
}

extension LayerSpec {
    /// Fully connected: `units` outputs, weight shape (units, inputs) as in PyTorch `nn.Linear`.
    public static func dense(units: Int, activation: Activation? = nil, bias: Bool = true, tie: String? = nil) -> LayerSpec {
        LayerSpec(kind: "dense", arguments: [
            "units": .int(units), "activation": activation.map(LayerValue.activation) ?? .null, "bias": .bool(bias),
            "tie": tie.map(LayerValue.string) ?? .null,
        ])
    }
}
