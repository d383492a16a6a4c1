/// What a forward pass needs to know besides its input: training or inference, and the keys of
/// the dropout masks.
///
/// A dropout mask depends only on (run seed, `step`, `sampleIndices[i]`, layer index, element),
/// never on the sample's position in the micro-batch or on the rank that computes it, so a run
/// trains the same way on any number of ranks.
///
/// ```swift
/// let ids: [Int32] = [1041, 7, 59_999]
/// ids.withUnsafeBufferPointer { ids in
///     let ctx = ForwardContext(training: true, step: 12, sampleIndices: ids)
///     _ = model.forward(x, batch: 3, context: ctx)
/// }
/// let eval = ForwardContext.inference     // no dropout, no indices needed
/// ```
public struct ForwardContext {
    /// Dropout is active only when training.
    public var training: Bool
    /// The optimizer step (global batch number since the start of the run).
    public var step: UInt64
    /// Global dataset index of each sample in the micro-batch (at least `batch` of them when
    /// training with dropout).
    public var sampleIndices: UnsafeBufferPointer<Int32>

    public init(training: Bool, step: UInt64, sampleIndices: UnsafeBufferPointer<Int32>) {
        self.training = training
        self.step = step
        self.sampleIndices = sampleIndices
    }

    /// Inference: dropout off, no sample indices.
    public static var inference: ForwardContext {
        ForwardContext(training: false, step: 0, sampleIndices: UnsafeBufferPointer(start: nil, count: 0))
    }
}
