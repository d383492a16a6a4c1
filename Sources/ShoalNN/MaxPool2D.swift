import ShoalTensor

/// Max pooling over square windows (padding valid, as Keras' default).
///
/// Shapes: x is (B, H, W, C), y is (B, OH, OW, C) with OH = (H − size) / stride + 1; `argmax`
/// (B, OH, OW, C) records, for every output, the offset inside its sample's input of the
/// winning element (the first one on ties), which is where backward sends the gradient.
final class MaxPool2D: Layer {
    static let syntax = LayerSyntax(
        name: "max_pool2d", summary: "max over square windows of each channel (padding valid)",
        arguments: [.init("size", .int(minimum: 1), doc: "window size"),
                    .init("stride", .int(minimum: 1), default: .null, doc: "step between windows; null = size (Keras)")],
        example: "max_pool2d: {size: 2}"
    ) { context throws(ModelError) in
        [try MaxPool2D(place: context.place, size: try context.int("size"), stride: try context.optionalInt("stride"),
                       inputShape: context.inputShape, maxBatch: context.maxBatch)]
    }

    let typeName = "MaxPool2D"
    let g: ConvGeometry
    var outputShape: [Int] { [g.outHeight, g.outWidth, g.channels] }
    private let argmax: UnsafeMutableBufferPointer<Int32>

    init(place: LayerPlace, size: Int, stride: Int?, inputShape: [Int], maxBatch: Int) throws(ModelError) {
        func fail(_ reason: String) -> ModelError { place.fail("MaxPool2D", reason) }
        guard inputShape.count == 3 else {
            throw fail("needs a (height, width, channels) input, got \(formatShape(inputShape))"
                       + (inputShape.count == 1 ? "; a MaxPool2D cannot follow Flatten or Dense" : ""))
        }
        guard size >= 1 else { throw fail("pool size must be at least 1, got \(size)") }
        let s = stride ?? size
        guard s >= 1 else { throw fail("stride must be at least 1, got \(s)") }
        guard size <= inputShape[0] && size <= inputShape[1] else {
            throw fail("pool size \(size)×\(size) is larger than its \(inputShape[0])×\(inputShape[1]) input")
        }
        g = ConvGeometry(inHeight: inputShape[0], inWidth: inputShape[1], channels: inputShape[2], kernel: size, stride: s, same: false)
        argmax = UnsafeMutableBufferPointer<Int32>.allocate(capacity: maxBatch * g.outHeight * g.outWidth * g.channels)
        argmax.initialize(repeating: 0)
    }

    var scratchBytes: Int { argmax.count * 4 }

    deinit { argmax.deallocate() }

    func forward(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, batch B: Int, context: ForwardContext) {
        let (H, W, C, K) = (g.inHeight, g.inWidth, g.channels, g.kernel)
        var o = 0
        for n in 0..<B {
            let img = x + n * H * W * C
            for oh in 0..<g.outHeight {
                for ow in 0..<g.outWidth {
                    // y[n, oh, ow, c] = max over the window of x[n, h, w, c]: start from the
                    // window's first pixel, then fold in the others, all C channels at a time
                    let h0 = oh * g.stride, w0 = ow * g.stride
                    let yo = y + o, ao = argmax.baseAddress! + o
                    let first = (h0 * W + w0) * C
                    copy(img + first, to: yo, count: C)
                    for c in 0..<C { ao[c] = Int32(first + c) }
                    for kh in 0..<K {
                        for kw in 0..<K where kh > 0 || kw > 0 {
                            let base = ((h0 + kh) * W + w0 + kw) * C
                            foldMax(img + base, offset: base, into: yo, argmax: ao, count: C)
                        }
                    }
                    o += C
                }
            }
        }
    }

    func backward(x: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                  dx: UnsafeMutablePointer<Float>?, batch B: Int) {
        guard let dx else { return }
        let inSample = g.inHeight * g.inWidth * g.channels, outSample = g.outHeight * g.outWidth * g.channels
        zero(dx, count: B * inSample)
        for n in 0..<B {
            // forward: y[o] = x[argmax[o]], so dx[argmax[o]] += dy[o]
            let dxn = dx + n * inSample
            for o in n * outSample..<(n + 1) * outSample { dxn[Int(argmax[o])] += dy[o] }
        }
    }
}

/// `best[c] = max(best[c], v[c])`, recording `offset + c` in `argmax[c]` where `v` wins
/// (strictly, so the first maximum is kept on ties); eight channels per step.
@inline(__always)
private func foldMax(_ v: UnsafePointer<Float>, offset: Int, into best: UnsafeMutablePointer<Float>,
                     argmax: UnsafeMutablePointer<Int32>, count C: Int) {
    var c = 0
    let lanes = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7)
    while c + 8 <= C {
        let vv = UnsafeRawPointer(v + c).loadUnaligned(as: SIMD8<Float>.self)
        let bv = UnsafeRawPointer(best + c).loadUnaligned(as: SIMD8<Float>.self)
        let av = UnsafeRawPointer(argmax + c).loadUnaligned(as: SIMD8<Int32>.self)
        let wins = vv .> bv
        UnsafeMutableRawPointer(best + c).storeBytes(of: bv.replacing(with: vv, where: wins), as: SIMD8<Float>.self)
        let candidate = SIMD8<Int32>(repeating: Int32(offset + c)) &+ lanes
        UnsafeMutableRawPointer(argmax + c).storeBytes(of: av.replacing(with: candidate, where: wins), as: SIMD8<Int32>.self)
        c += 8
    }
    while c < C {
        if v[c] > best[c] { best[c] = v[c]; argmax[c] = Int32(offset + c) }
        c += 1
    }
}

extension LayerSpec {
    /// Max pooling with a square window; `stride` nil means stride = size (Keras default).
    public static func maxPool2D(size: Int, stride: Int? = nil) -> LayerSpec {
        LayerSpec(kind: "max_pool2d", arguments: ["size": .int(size), "stride": stride.map(LayerValue.int) ?? .null])
    }
}
