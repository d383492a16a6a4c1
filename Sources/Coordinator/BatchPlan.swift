import ShoalTensor

/// Which samples every step of every epoch trains on, and which rank computes which part:
/// the batch plan belongs to the run, not to the rank (DESIGN.md, decision 4).
///
/// - Epoch `e` visits the training samples in one permutation, Fisher–Yates driven by Philox
///   keyed by `(seed, e)`. It does not depend on the number of ranks.
/// - Step `s` takes permutation positions `s·B ..< min((s+1)·B, N)` (B = `globalBatch`).
///   When B does not divide N, the **last batch of an epoch is short** (`N mod B` samples):
///   it is kept, so no sample is dropped or repeated within an epoch; the trainer divides the
///   summed gradient by the real ``batchSize(step:)``, not by B.
/// - A batch is cut into leaves of m = `microBatch` samples; the last leaf of a batch may be
///   shorter. Leaf k is computed by rank `k mod p`, so each rank takes leaves r, r+p, r+2p, ...
///
/// ```swift
/// let plan = try BatchPlan(sampleCount: 1000, globalBatch: 256, microBatch: 64, seed: 42)
/// plan.stepsPerEpoch                                  // 4 (256, 256, 256, 232)
/// let order = plan.permutation(epoch: 0)              // 1000 sample indices
/// for k in plan.leaves(step: 3, rank: 1, worldSize: 2) {
///     let positions = plan.leaf(step: 3, leaf: k)     // 832..<896, then 960..<1000
///     let samples = order[positions]
/// }
/// ```
public struct BatchPlan: Sendable, Equatable {
    /// N: the training samples visited each epoch.
    public let sampleCount: Int
    /// B: samples per optimizer step (except the last, short one).
    public let globalBatch: Int
    /// m: samples per leaf, the unit of work handed to a rank.
    public let microBatch: Int
    /// The run seed the permutations are keyed by.
    public let seed: UInt64

    /// - Throws: ``BatchPlanError`` if a size is not positive, `microBatch > globalBatch`, or
    ///   `sampleCount` does not fit an `Int32` index.
    public init(sampleCount: Int, globalBatch: Int, microBatch: Int, seed: UInt64) throws {
        guard sampleCount > 0 else { throw BatchPlanError("the training split is empty (0 samples)") }
        guard sampleCount <= Int(Int32.max) else {
            throw BatchPlanError("\(sampleCount) samples exceed the Int32 index range")
        }
        guard globalBatch > 0 else { throw BatchPlanError("global batch must be positive, got \(globalBatch)") }
        guard microBatch > 0 else { throw BatchPlanError("micro batch must be positive, got \(microBatch)") }
        guard microBatch <= globalBatch else {
            throw BatchPlanError("micro batch \(microBatch) is larger than the global batch \(globalBatch)")
        }
        self.sampleCount = sampleCount
        self.globalBatch = globalBatch
        self.microBatch = microBatch
        self.seed = seed
    }

    /// Optimizer steps per epoch: ⌈N / B⌉ (the last may be short).
    public var stepsPerEpoch: Int { (sampleCount + globalBatch - 1) / globalBatch }

    /// The largest number of leaves any step has: size the per-rank work lists with it.
    public var maxLeafCount: Int { (min(globalBatch, sampleCount) + microBatch - 1) / microBatch }

    /// The generator of epoch `epoch`'s permutation.
    func rng(epoch: Int) -> Philox {
        Philox(seed: seed).derived(0xBA7C_4000, UInt64(epoch))
    }

    /// Writes epoch `epoch`'s permutation of `0..<sampleCount` into `out` without allocating.
    /// `out.count` must equal `sampleCount`.
    public func permutation(epoch: Int, into out: UnsafeMutableBufferPointer<Int32>) {
        precondition(out.count == sampleCount, "permutation buffer holds \(out.count), plan has \(sampleCount) samples")
        Permutation.fill(out, rng: rng(epoch: epoch))
    }

    /// Epoch `epoch`'s permutation of `0..<sampleCount`.
    public func permutation(epoch: Int) -> [Int32] {
        Permutation.make(count: sampleCount, rng: rng(epoch: epoch))
    }

    /// Positions in the epoch permutation that step `step` trains on.
    public func batch(step: Int) -> Range<Int> {
        precondition(step >= 0 && step < stepsPerEpoch, "step \(step) outside 0..<\(stepsPerEpoch)")
        let start = step * globalBatch
        return start..<min(start + globalBatch, sampleCount)
    }

    /// The real number of samples of step `step`: B, or N mod B for the last step of an epoch.
    public func batchSize(step: Int) -> Int { batch(step: step).count }

    /// The number of leaves of step `step`: ⌈batchSize / m⌉.
    public func leafCount(step: Int) -> Int { (batchSize(step: step) + microBatch - 1) / microBatch }

    /// Positions in the epoch permutation of leaf `leaf` of step `step` (at most m of them).
    public func leaf(step: Int, leaf: Int) -> Range<Int> {
        let b = batch(step: step)
        precondition(leaf >= 0 && leaf < leafCount(step: step), "leaf \(leaf) outside the step's leaves")
        let start = b.lowerBound + leaf * microBatch
        return start..<min(start + microBatch, b.upperBound)
    }

    /// The places in the global batch (0 ..< batchSize) of leaf `leaf` of step `step`: the slots
    /// a text source draws its windows for, whatever rank computes the leaf.
    public func slots(step: Int, leaf: Int) -> Range<Int> {
        let positions = self.leaf(step: step, leaf: leaf), first = batch(step: step).lowerBound
        return (positions.lowerBound - first)..<(positions.upperBound - first)
    }

    /// How many of ``leaves(step:rank:worldSize:)`` there are.
    public func leafCount(step: Int, rank: Int, worldSize: Int) -> Int {
        max(0, (leafCount(step: step) - rank + worldSize - 1) / worldSize)
    }

    /// The leaf indices rank `rank` of `worldSize` computes in step `step`: rank, rank+p, ...
    /// Empty when the rank has no leaf (more ranks than leaves).
    public func leaves(step: Int, rank: Int, worldSize: Int) -> StrideTo<Int> {
        precondition(worldSize > 0 && rank >= 0 && rank < worldSize, "rank \(rank) of \(worldSize)")
        return stride(from: rank, to: leafCount(step: step), by: worldSize)
    }
}

/// A batch plan that cannot be built; the message says which size is wrong.
public struct BatchPlanError: Error, Equatable, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
