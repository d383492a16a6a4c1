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
        let C = width, g = gain.value, beta = bias?.value
        for r in 0..<B * rows {
            let xr = x + r * C, yr = y + r * C
            // mean and population variance of the row, in Double for a stable sum
            var sum = 0.0
            for c in 0..<C { sum += Double(xr[c]) }
            let m = Float(sum / Double(C))
            var squares: Float = 0
            for c in 0..<C { let d = xr[c] - m; squares += d * d }
            let s = 1 / (squares / Float(C) + eps).squareRoot()
            mean[r] = m
            rstd[r] = s
            // y = (x − mean) · rstd · gain + bias
            if let beta {
                for c in 0..<C { yr[c] = (xr[c] - m) * s * g[c] + beta[c] }
            } else {
                for c in 0..<C { yr[c] = (xr[c] - m) * s * g[c] }
            }
        }
    }

    func backward(x: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                  dx: UnsafeMutablePointer<Float>?, batch B: Int) {
        let C = width, g = gain.value, dg = gain.gradient, db = bias?.gradient
        for r in 0..<B * rows {
            let xr = x + r * C, dyr = dy + r * C, m = mean[r], s = rstd[r]
            // forward: n = (x − mean) · rstd, y = n · gain + bias
            // dgain += dy · n, dbias += dy; dn = dy · gain
            // dx = rstd · (dn − mean(dn) − n · mean(dn · n))
            var meanDn: Float = 0, meanDnN: Float = 0
            for c in 0..<C {
                let n = (xr[c] - m) * s, dn = dyr[c] * g[c]
                dg[c] += dyr[c] * n
                meanDn += dn
                meanDnN += dn * n
            }
            if let db { add(dyr, into: db, count: C) }
            guard let dx else { continue }
            meanDn /= Float(C)
            meanDnN /= Float(C)
            let dxr = dx + r * C
            for c in 0..<C {
                let n = (xr[c] - m) * s
                dxr[c] = s * (dyr[c] * g[c] - meanDn - n * meanDnN)
            }
        }
    }
}

extension LayerSpec {
    /// Layer normalization over the last axis.
    public static func layerNorm(eps: Double = 1e-5, bias: Bool = true) -> LayerSpec {
        LayerSpec(kind: "layer_norm", arguments: ["eps": .double(eps), "bias": .bool(bias)])
    }
}
