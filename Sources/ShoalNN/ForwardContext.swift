import ShoalKernels
import ShoalTensor

/// What a forward pass needs to know besides its input: training or inference, the keys of the
/// dropout masks, and whether a sample's outputs may depend on the batch around it.
///
/// A dropout mask depends only on (run seed, `step`, `sampleIndices[i]`, layer index, element),
/// never on the sample's position in the micro-batch or on the rank that computes it, so a run
/// trains the same way on any number of ranks.
///
/// ```swift
/// let model = try Model(inputShape: [4], layers: [.dropout(rate: 0.5), .dense(units: 2, activation: nil)],
///                       loss: .meanSquaredError, seed: 1, maxBatch: 3)
/// let x = [Float](repeating: 1, count: 3 * 4)
/// let ids: [Int32] = [1041, 7, 59_999]    // the batch's sample indices: each row's dropout mask
/// ids.withUnsafeBufferPointer { ids in
///     let ctx = ForwardContext(training: true, step: 12, sampleIndices: ids)
///     _ = x.withUnsafeBufferPointer { model.forward($0, batch: 3, context: ctx) }
/// }
/// let eval = ForwardContext.inference     // no dropout, no indices needed
/// let answer = ForwardContext.prediction  // and each row's bits from that row alone
/// ```
public struct ForwardContext {
    /// Dropout is active only when training.
    public var training: Bool
    /// The optimizer step (global batch number since the start of the run).
    public var step: UInt64
    /// Global dataset index of each sample in the micro-batch (at least `batch` of them when
    /// training with dropout).
    public var sampleIndices: UnsafeBufferPointer<Int32>

    /// The products over a batch's rows run through `shoal_gemm_rows`, whose result for a row
    /// depends on that row alone; BLAS rounds a row by the batch's size and the row's position.
    /// For predict and serve, where a sample must get the same answer in any batch.
    public var independentRows: Bool

    public init(training: Bool, step: UInt64, sampleIndices: UnsafeBufferPointer<Int32>, independentRows: Bool = false) {
        self.training = training
        self.step = step
        self.sampleIndices = sampleIndices
        self.independentRows = independentRows
    }

    /// Inference: dropout off, no sample indices.
    public static var inference: ForwardContext {
        ForwardContext(training: false, step: 0, sampleIndices: UnsafeBufferPointer(start: nil, count: 0))
    }

    /// Inference whose answer for a sample is the same in any batch, at any position.
    public static var prediction: ForwardContext {
        ForwardContext(training: false, step: 0, sampleIndices: UnsafeBufferPointer(start: nil, count: 0), independentRows: true)
    }

    /// c = a · bᵀ, or c += a · bᵀ when `accumulate`, for a (m, k), b (n, k), c (m, n) with the
    /// given row strides: the product over a batch's rows that every layer's forward makes.
    func multiplyTransposed(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                            accumulate: Bool, c: UnsafeMutablePointer<Float>, ldc: Int) {
        if independentRows {
            shoal_gemm_rows(m, n, k, a, lda, b, ldb, accumulate ? 1 : 0, c, ldc)
        } else {
            sgemm(transA: false, transB: true, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, beta: accumulate ? 1 : 0, c: c, ldc: ldc)
        }
    }
}
