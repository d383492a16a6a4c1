import ShoalKernels
import ShoalTensor

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Causal multi-head self-attention, as GPT-2's: a QKV projection, scaled dot-product attention
/// of every position on itself and the positions before it, one softmax per head and row, and an
/// output projection.
///
/// Shapes (B samples, T positions, C = heads · hs channels):
/// - x, y: (B, T, C)
/// - `qkv.weight` (3C, C), `qkv.bias` (3C), `proj.weight` (C, C), `proj.bias` (C), PyTorch layouts;
///   q, k and v of head h are columns [h·hs, (h+1)·hs) of the three C-wide thirds of `qkv`
/// - qkv: (B, T, 3C); probabilities: (B, H, T, T), zero above the diagonal; mask: (B, H, T, T), the
///   dropout mask of the probabilities (0 or 1 / (1 − rate); allocated only with dropout); heads: (B, T, C), the
///   heads' outputs side by side; scores: (T, T) scratch for one (sample, head); dqkv (B, T, 3C),
///   dheads (B, T, C) for backward. scores, dqkv and dheads live only during one call, so every
///   attention layer of the model shares them (``SharedScratch``).
///
/// Every head is a few GEMMs that read q, k and v in place (leading dimension 3C) and write
/// their output in place (leading dimension C): nothing is copied or allocated per step.
final class Attention: Layer {
    static let syntax = LayerSyntax(
        name: "attention", summary: "causal multi-head self-attention over a (T, C) input: QKV projection, softmax(q·kᵀ/√hs) with a causal mask, output projection",
        arguments: [.init("heads", .int(minimum: 1), doc: "number of heads; must divide the width C"),
                    .init("bias", .bool, default: .bool(true), doc: "whether the two projections add a bias"),
                    .init("dropout", .double(.unitInterval), default: .double(0),
                          doc: "while training, zero each attention probability with this rate (masks keyed by sample and position)")],
        example: "attention: {heads: 4}"
    ) { context throws(ModelError) in
        [try Attention(place: context.place, heads: try context.int("heads"), bias: try context.bool("bias"),
                       dropout: Float(try context.double("dropout")), inputShape: context.inputShape, seed: context.seed,
                       maxBatch: context.maxBatch, scratch: context.scratch, memory: context.memory)]
    }

    let typeName = "Attention"
    let place: LayerPlace
    let T: Int, C: Int, heads: Int, headSize: Int
    let hasBias: Bool
    let dropout: Float
    /// (seed, layer) → sub-key; the step and sample enter at forward time.
    let dropoutKey: Philox
    var outputShape: [Int] { [T, C] }
    var multiplyAddsPerSample: Int { T * C * 4 * C + 2 * T * T * C }
    private var qkvWeight: BoundParameter!, qkvBias: BoundParameter?
    private var projWeight: BoundParameter!, projBias: BoundParameter?
    private let qkv: UnsafeMutableBufferPointer<Float>            // (maxBatch, T, 3C)
    private let probabilities: UnsafeMutableBufferPointer<Float>  // (maxBatch, H, T, T)
    private let headOutputs: UnsafeMutableBufferPointer<Float>    // (maxBatch, T, C)
    private let scratch: SharedScratch
    private var scores: UnsafeMutablePointer<Float>!  // (T, T), shared; set in bind
    private var dqkv: UnsafeMutablePointer<Float>!    // (maxBatch, T, 3C), shared
    private var dheads: UnsafeMutablePointer<Float>!  // (maxBatch, T, C), shared
    private let mask: UnsafeMutableBufferPointer<Float>           // (maxBatch, H, T, T), or empty
    private var masked = false  // whether the last forward dropped probabilities
    /// Row tiles [r, end) of the (T, T) products: a row's scores beyond its tile's end are masked,
    /// so the products skip the tiles above the diagonal (3/8 of their work at T = 128,
    /// measured 3 % faster for a C = 128 block than whole (T, T) products and 8 % at T = 256).
    private let causalTiles: [(start: Int, end: Int)]
    static let causalTileRows = 32

    init(place: LayerPlace, heads: Int, bias: Bool, dropout: Float = 0, inputShape: [Int], seed: UInt64 = 0,
         maxBatch: Int, scratch: SharedScratch, memory: ModelMemory) throws(ModelError) {
        guard inputShape.count == 2 else {
            throw place.fail("Attention", "needs a sequence (T, C) input, got \(formatShape(inputShape))")
        }
        guard heads >= 1, inputShape[1] % heads == 0 else {
            throw place.fail("Attention", "heads (\(heads)) must divide the width \(inputShape[1])")
        }
        self.place = place
        T = inputShape[0]
        C = inputShape[1]
        self.heads = heads
        headSize = C / heads
        hasBias = bias
        self.dropout = dropout
        let tile = Attention.causalTileRows
        let rows = inputShape[0]
        causalTiles = stride(from: 0, to: rows, by: tile).map { ($0, min($0 + tile, rows)) }
        dropoutKey = place.generator(seed: seed, domain: 0xA77)
        let shared = [try memory.count([T, T], for: place, "Attention"), try memory.count([maxBatch, T, 3, C], for: place, "Attention"),
                      try memory.count([maxBatch, T, C], for: place, "Attention")]
        let buffers = try memory.floats([dropout > 0 ? [maxBatch, heads, T, T] : [0], [maxBatch, T, 3, C], [maxBatch, heads, T, T],
                                         [maxBatch, T, C]], for: place, "Attention")
        (mask, qkv, probabilities, headOutputs) = (buffers[0], buffers[1], buffers[2], buffers[3])
        self.scratch = scratch
        scratch.reserve("attention.scores", count: shared[0])
        scratch.reserve("attention.dqkv", count: shared[1])
        scratch.reserve("attention.dheads", count: shared[2])
    }

    var scratchBytes: Int { [qkv, probabilities, headOutputs, mask].reduce(0) { $0 + $1.count } * 4 }

    deinit {
        for buffer in [qkv, probabilities, headOutputs, mask] { buffer.baseAddress?.deallocate() }
    }

    var parameterShapes: [ParameterShape] {
        [.weight(place.tensor("qkv.weight"), [3 * C, C], fanIn: C, fanOut: 3 * C)]
            + (hasBias ? [.bias(place.tensor("qkv.bias"), [3 * C])] : [])
            + [.weight(place.tensor("proj.weight"), [C, C], fanIn: C, fanOut: C)]
            + (hasBias ? [.bias(place.tensor("proj.bias"), [C])] : [])
    }

    func bind(_ arena: ParameterArena) {
        qkvWeight = BoundParameter(arena, place.tensor("qkv.weight"))
        projWeight = BoundParameter(arena, place.tensor("proj.weight"))
        qkvBias = hasBias ? BoundParameter(arena, place.tensor("qkv.bias")) : nil
        projBias = hasBias ? BoundParameter(arena, place.tensor("proj.bias")) : nil
        scores = scratch.buffer("attention.scores")
        dqkv = scratch.buffer("attention.dqkv")
        dheads = scratch.buffer("attention.dheads")
    }

    func forward(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, batch B: Int, context: ForwardContext) {
        let M = B * T, C3 = 3 * C, hs = headSize, scale = 1 / Float(hs).squareRoot()
        let qkv = self.qkv.baseAddress!, heads = headOutputs.baseAddress!
        masked = context.training && dropout > 0
        if masked {
            precondition(context.sampleIndices.count >= B, "Attention: \(context.sampleIndices.count) sample indices for a batch of \(B)")
        }
        // qkv = x · Wqkvᵀ + bqkv   (M, 3C)
        if let qkvBias { broadcastRows(qkvBias.value, into: qkv, rows: M, cols: C3) }
        context.multiplyTransposed(m: M, n: C3, k: C, a: x, lda: C, b: qkvWeight.value, ldb: C,
                                   accumulate: qkvBias != nil, c: qkv, ldc: C3)
        for b in 0..<B {
            for h in 0..<self.heads {
                let q = qkv + b * T * C3 + h * hs, k = q + C, v = q + 2 * C
                let p = probabilities.baseAddress! + (b * self.heads + h) * T * T
                // s[t, j] = q[t] · k[j] / √hs   (T, T), j < the end of t's tile (the rest is masked)
                for (r, end) in causalTiles {
                    sgemm(transA: false, transB: true, m: end - r, n: end, k: hs, alpha: scale, a: q + r * C3, lda: C3, b: k, ldb: C3,
                          beta: 0, c: p + r * T, ldc: T)
                }
                // p[t, j] = softmax over j ≤ t of s[t, j]; 0 for j > t (the causal mask)
                for t in 0..<T {
                    let row = p + t * T
                    softmaxRow(row, row, count: t + 1)
                    if t + 1 < T { zero(row + t + 1, count: T - t - 1) }
                }
                // with dropout: pd = p · mask (the sample's mask over all its heads, drawn at h = 0)
                var pd = UnsafePointer(p)
                if masked {
                    let m = mask.baseAddress! + (b * self.heads + h) * T * T
                    if h == 0 {
                        fillDropoutMask(m, count: self.heads * T * T, rate: dropout, key: dropoutKey, step: context.step,
                                        sample: context.sampleIndices[b])
                    }
                    for i in 0..<T * T { scores[i] = p[i] * m[i] }
                    pd = UnsafePointer(scores)
                }
                // out[t] = Σ_{j ≤ t} pd[t, j] v[j]   (T, hs), into the head's columns of `heads`
                let out = heads + b * T * C + h * hs
                for (r, end) in causalTiles {
                    sgemm(transA: false, transB: false, m: end - r, n: hs, k: end, a: pd + r * T, lda: T, b: v, ldb: C3, beta: 0,
                          c: out + r * C, ldc: C)
                }
            }
        }
        // y = heads · Wprojᵀ + bproj   (M, C)
        if let projBias { broadcastRows(projBias.value, into: y, rows: M, cols: C) }
        context.multiplyTransposed(m: M, n: C, k: C, a: heads, lda: C, b: projWeight.value, ldb: C,
                                   accumulate: projBias != nil, c: y, ldc: C)
    }

    func backward(x: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                  dx: UnsafeMutablePointer<Float>?, batch B: Int) {
        let M = B * T, C3 = 3 * C, hs = headSize, scale = 1 / Float(hs).squareRoot()
        let qkv = self.qkv.baseAddress!, heads = headOutputs.baseAddress!
        let dqkv = self.dqkv!, dheads = self.dheads!, ds = scores!
        // forward: y = heads · Wprojᵀ + bproj
        if let projBias { addColumnSums(dy, rows: M, cols: C, into: projBias.gradient) }
        sgemm(transA: true, transB: false, m: C, n: C, k: M, a: dy, lda: C, b: heads, ldb: C, beta: 1, c: projWeight.gradient, ldc: C)
        sgemm(transA: false, transB: false, m: M, n: C, k: C, a: dy, lda: C, b: projWeight.value, ldb: C, beta: 0, c: dheads, ldc: C)
        for b in 0..<B {
            for h in 0..<self.heads {
                let q = qkv + b * T * C3 + h * hs, k = q + C, v = q + 2 * C
                let dq = dqkv + b * T * C3 + h * hs, dk = dq + C, dv = dq + 2 * C
                let p = probabilities.baseAddress! + (b * self.heads + h) * T * T
                let dout = dheads + b * T * C + h * hs
                // forward: out = pd · v (pd = p, or p · mask with dropout), so dv = pdᵀ · dout (T, hs)
                // and dpd = dout · vᵀ (T, T), dp = dpd · mask
                // (both over the tiles: dv[j] needs the rows t ≥ j, dpd[t] the columns j ≤ t; dv's loop
                // first and whole: with dropout pd lives in ds, which dpd's overwrites)
                var pd = UnsafePointer(p)
                if masked {
                    let m = mask.baseAddress! + (b * self.heads + h) * T * T
                    for i in 0..<T * T { ds[i] = p[i] * m[i] }
                    pd = UnsafePointer(ds)
                }
                for (r, end) in causalTiles {
                    sgemm(transA: true, transB: false, m: end - r, n: hs, k: T - r, a: pd + r * T + r, lda: T, b: dout + r * C, ldb: C,
                          beta: 0, c: dv + r * C3, ldc: C3)
                }
                for (r, end) in causalTiles {
                    sgemm(transA: false, transB: true, m: end - r, n: end, k: hs, a: dout + r * C, lda: C, b: v, ldb: C3, beta: 0,
                          c: ds + r * T, ldc: T)
                }
                if masked {
                    let m = mask.baseAddress! + (b * self.heads + h) * T * T
                    for i in 0..<T * T { ds[i] *= m[i] }
                }
                // forward: p = softmax(s) over j ≤ t, so ds[t, j] = p[t, j] (dp[t, j] − Σ_k p[t, k] dp[t, k]);
                // and s = scale · q · kᵀ, so the scale goes with ds
                for t in 0..<T {
                    let dr = ds + t * T
                    shoal_softmax_backward(p + t * T, dr, dr, t + 1, scale)
                    if t + 1 < T { zero(dr + t + 1, count: T - t - 1) }
                }
                // dq = ds · k (T, hs), dk = dsᵀ · q (T, hs), over the tiles as above
                for (r, end) in causalTiles {
                    sgemm(transA: false, transB: false, m: end - r, n: hs, k: end, a: ds + r * T, lda: T, b: k, ldb: C3, beta: 0,
                          c: dq + r * C3, ldc: C3)
                    sgemm(transA: true, transB: false, m: end - r, n: hs, k: T - r, a: ds + r * T + r, lda: T, b: q + r * C3, ldb: C3,
                          beta: 0, c: dk + r * C3, ldc: C3)
                }
            }
        }
        // forward: qkv = x · Wqkvᵀ + bqkv
        if let qkvBias { addColumnSums(dqkv, rows: M, cols: C3, into: qkvBias.gradient) }
        sgemm(transA: true, transB: false, m: C3, n: C, k: M, a: dqkv, lda: C3, b: x, ldb: C, beta: 1, c: qkvWeight.gradient, ldc: C)
        if let dx {
            sgemm(transA: false, transB: false, m: M, n: C, k: C3, a: dqkv, lda: C3, b: qkvWeight.value, ldb: C, beta: 0, c: dx, ldc: C)
        }
    }
}

extension LayerSpec {
    /// Causal multi-head self-attention over a (T, C) input.
    public static func attention(heads: Int, bias: Bool = true, dropout: Double = 0) -> LayerSpec {
        LayerSpec(kind: "attention", arguments: ["heads": .int(heads), "bias": .bool(bias), "dropout": .double(dropout)])
    }
}
