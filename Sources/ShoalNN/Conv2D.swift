import ShoalTensor

/// 2-D convolution as im2col + one GEMM per chunk of samples, weight in PyTorch `nn.Conv2d` layout.
///
/// Shapes: x is (B, H, W, C) (NHWC), weight is (OC, C, K, K) (PyTorch, in the arena), bias is
/// (OC), y is (B, OH, OW, OC). The column buffer holds (chunk·OH·OW, K·K·C) rows in NHWC order
/// (kh, kw, c), which makes im2col a run of contiguous copies; `wNHWC` is the weight permuted to
/// match, (OC, K, K, C), refreshed at every forward (OC·K·K·C floats, small next to the columns),
/// so `y = columns · wNHWCᵀ + bias`. Its gradient `dwNHWC` is permuted back and added to the
/// arena at the end of backward. Samples are processed in chunks whose columns fit in about 4 MB,
/// which keeps the working set in cache; backward rebuilds each chunk's columns instead of
/// keeping them for the whole batch.
final class Conv2D: Layer {
    static let syntax = LayerSyntax(
        name: "conv2d", summary: "2-D convolution over (height, width, channels), weight (filters, channels, kernel, kernel) as in PyTorch",
        arguments: [.init("filters", .int(minimum: 1), doc: "output channels"),
                    .init("kernel", .int(minimum: 1), doc: "square kernel size"),
                    .init("stride", .int(minimum: 1), default: .int(1), doc: "step in both directions"),
                    .init("padding", .choice(Padding.allCases.map(\.rawValue)), default: .string("valid"),
                          doc: "valid: no padding; same: output size = ceil(input / stride)"),
                    .init("activation", .activation, default: .null, doc: "applied to the output")],
        example: "conv2d: {filters: 32, kernel: 3}"
    ) { context throws(ModelError) in
        let paddingName = try context.string("padding")
        guard let padding = Padding(rawValue: paddingName) else { throw context.fail("unknown padding '\(paddingName)'") }
        let conv = try Conv2D(place: context.place, filters: try context.int("filters"), kernel: try context.int("kernel"),
                              stride: try context.int("stride"), padding: padding, inputShape: context.inputShape,
                              maxBatch: context.maxBatch, memory: context.memory)
        return [conv] + (try context.activation("activation").map { [ActivationLayer($0, inputShape: conv.outputShape)] } ?? [])
    }

    let typeName = "Conv2D"
    let place: LayerPlace, filters: Int
    let g: ConvGeometry
    let chunk: Int  // samples per im2col chunk
    var outputShape: [Int] { [g.outHeight, g.outWidth, filters] }
    var multiplyAddsPerSample: Int { g.outHeight * g.outWidth * g.patchSize * filters }
    private let columns: UnsafeMutableBufferPointer<Float>   // (chunk·OH·OW, K·K·C)
    private let wNHWC: UnsafeMutableBufferPointer<Float>     // (OC, K, K, C)
    private let dwNHWC: UnsafeMutableBufferPointer<Float>    // (OC, K, K, C)
    private var weight: BoundParameter!
    private var bias: BoundParameter!

    init(place: LayerPlace, filters: Int, kernel: Int, stride: Int, padding: Padding, inputShape: [Int], maxBatch: Int, memory: ModelMemory) throws(ModelError) {
        func fail(_ reason: String) -> ModelError { place.fail("Conv2D", reason) }
        guard inputShape.count == 3 else {
            throw fail("needs a (height, width, channels) input, got \(formatShape(inputShape))"
                       + (inputShape.count == 1 ? "; a Conv2D cannot follow Flatten or Dense" : ""))
        }
        guard filters >= 1 else { throw fail("filters must be at least 1, got \(filters)") }
        guard kernel >= 1 else { throw fail("kernel must be at least 1, got \(kernel)") }
        guard stride >= 1 else { throw fail("stride must be at least 1, got \(stride)") }
        let (h, w, c) = (inputShape[0], inputShape[1], inputShape[2])
        if padding == .valid && (kernel > h || kernel > w) {
            throw fail("kernel \(kernel)×\(kernel) is larger than its \(h)×\(w) input (padding valid)")
        }
        self.place = place; self.filters = filters
        g = ConvGeometry(inHeight: h, inWidth: w, channels: c, kernel: kernel, stride: stride, same: padding == .same)
        let perSample = try memory.count([g.outHeight, g.outWidth, g.patchSize], for: place, "Conv2D")
        chunk = max(1, min(maxBatch, (1 << 18) / max(perSample, 1)))
        let buffers = try memory.floats([[chunk, perSample], [filters, g.patchSize], [filters, g.patchSize]], for: place, "Conv2D")
        (columns, wNHWC, dwNHWC) = (buffers[0], buffers[1], buffers[2])
    }

    var scratchBytes: Int { (columns.count + wNHWC.count + dwNHWC.count) * 4 }

    deinit {
        columns.baseAddress?.deallocate()
        wNHWC.baseAddress?.deallocate()
        dwNHWC.baseAddress?.deallocate()
    }

    /// Visits every weight element as (PyTorch offset (oc, c, kh, kw), NHWC offset (oc, kh, kw, c)).
    @inline(__always)
    private func forEachWeight(_ body: (Int, Int) -> Void) {
        let C = g.channels, K = g.kernel
        for oc in 0..<filters { for c in 0..<C { for kk in 0..<K * K {
            body((oc * C + c) * K * K + kk, (oc * K * K + kk) * C + c)
        } } }
    }

    var parameterShapes: [ParameterShape] {
        let k = g.kernel * g.kernel
        return [.weight(place.tensor("weight"), [filters, g.channels, g.kernel, g.kernel], fanIn: g.channels * k, fanOut: filters * k),
                .bias(place.tensor("bias"), [filters])]
    }

    func bind(_ arena: ParameterArena) {
        weight = BoundParameter(arena, place.tensor("weight"))
        bias = BoundParameter(arena, place.tensor("bias"))
    }

    func forward(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, batch B: Int, context: ForwardContext) {
        let P = g.outHeight * g.outWidth, K = g.patchSize, OC = filters
        let inSample = g.inHeight * g.inWidth * g.channels, col = columns.baseAddress!, w = wNHWC.baseAddress!
        let src = weight.value
        forEachWeight { torch, nhwc in w[nhwc] = src[torch] }
        var n0 = 0
        while n0 < B {
            let n = min(chunk, B - n0), rows = n * P
            let yc = y + n0 * P * OC
            im2col(x + n0 * inSample, batch: n, geometry: g, columns: col)
            // y[p, oc] = bias[oc] + Σ_k col[p, k] w[oc, k]
            broadcastRows(bias.value, into: yc, rows: rows, cols: OC)
            context.multiplyTransposed(m: rows, n: OC, k: K, a: col, lda: K, b: w, ldb: K, accumulate: true, c: yc, ldc: OC)
            n0 += n
        }
    }

    func backward(x: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                  dx: UnsafeMutablePointer<Float>?, batch B: Int) {
        let P = g.outHeight * g.outWidth, K = g.patchSize, OC = filters
        let inSample = g.inHeight * g.inWidth * g.channels, col = columns.baseAddress!
        let w = wNHWC.baseAddress!, dw = dwNHWC.baseAddress!
        if let dx { zero(dx, count: B * inSample) }
        var n0 = 0
        while n0 < B {
            let n = min(chunk, B - n0), rows = n * P
            let dyc = dy + n0 * P * OC
            // forward: y[p, oc] = bias[oc] + Σ_k col[p, k] w[oc, k]   (col rebuilt from x)
            im2col(x + n0 * inSample, batch: n, geometry: g, columns: col)
            // dbias[oc] += Σ_p dy[p, oc]
            addColumnSums(dyc, rows: rows, cols: OC, into: bias.gradient)
            // dw (OC, K) (+)= dyᵀ (OC, P) · col (P, K)   (first chunk overwrites)
            sgemm(transA: true, transB: false, m: OC, n: K, k: rows, a: dyc, lda: OC, b: col, ldb: K, beta: n0 == 0 ? 0 : 1, c: dw, ldc: K)
            if let dx {
                // dcol (P, K) = dy (P, OC) · w (OC, K), written over col (no longer needed), then
                // scattered back: forward read col[p, k] from x, so dx gets += dcol[p, k]
                sgemm(transA: false, transB: false, m: rows, n: K, k: OC, a: dyc, lda: OC, b: w, ldb: K, beta: 0, c: col, ldc: K)
                col2im(col, batch: n, geometry: g, image: dx + n0 * inSample)
            }
            n0 += n
        }
        // forward permuted W into w, so the arena's dW gets dw permuted back
        let dW = weight.gradient
        forEachWeight { torch, nhwc in dW[torch] += dw[nhwc] }
    }
}

/// Convolution padding, as in Keras: `valid` uses no padding, `same` pads so that
/// output size = ceil(input / stride).
public enum Padding: String, Equatable, Sendable, CaseIterable {
    case valid
    case same
}

extension LayerSpec {
    /// 2-D convolution over (height, width, channels) inputs; square kernel, same stride both ways.
    public static func conv2D(filters: Int, kernel: Int, stride: Int = 1, padding: Padding = .valid,
                              activation: Activation? = nil) -> LayerSpec {
        LayerSpec(kind: "conv2d", arguments: [
            "filters": .int(filters), "kernel": .int(kernel), "stride": .int(stride), "padding": .string(padding.rawValue),
            "activation": activation.map(LayerValue.activation) ?? .null,
        ])
    }
}
