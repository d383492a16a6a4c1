/// How the gradients of a step are summed over all leaves of all ranks (`distributed.reduction`):
/// one interface, so the training step reads the same in both modes. ``ExactReduction`` sums in
/// fixed point (the same bits for any number of ranks); ``FastReduction`` sums Floats in buckets.
/// Each owns its buffers, its settings, and the state a checkpoint keeps of it.
///
/// ```swift
/// func step(_ reduction: any GradientReduction, leaves: Int, computeLeaf: (Int) -> Void) throws {
///     repeat {
///         reduction.beginStep()
///         for leaf in 0..<(leaves - reduction.leavesCarried) { computeLeaf(leaf) }  // forward, loss, backward, finishLeaf
///     } while try reduction.finishStep() == .redo
///     // reduction.gradients: the sum over every leaf of every rank, for the optimizer
/// }
/// ```
public protocol GradientReduction: AnyObject {
    /// One phrase for the run's first line: "exact reduction (Int32 sums, 1 BLAS thread per rank)".
    var summary: String { get }
    /// (parameterCount): the sum of the step once ``finishStep()`` returned `.done`.
    var gradients: UnsafeMutableBufferPointer<Float> { get }
    /// Starts a step, or its redo. Leaves the arena's gradients ready to be accumulated into.
    func beginStep()
    /// During the step's last backward on this rank: every gradient below `offset` is final.
    func backwardFinished(upTo offset: Int)
    /// A leaf's backward has finished; its gradient is `leafGradients` (the arena's). `isLast`:
    /// the rank's last leaf of the step.
    func finishLeaf(_ leafGradients: UnsafeMutableBufferPointer<Float>, isLast: Bool)
    /// On a redo: how many of the rank's last leaves the reduction already holds again, so the
    /// redo computes only the others (their loss and counts stand from the pass before).
    var leavesCarried: Int { get }
    /// Completes the sum over every leaf of every rank.
    func finishStep() throws -> ReductionOutcome
    /// What this reduction expects of step `step` (from 1), with the leaves it received since
    /// ``beginStep()`` (carried ones included), for ``FingerprintCheck``.
    func fingerprint(step: Int, leavesPlanned: Int) -> ReductionFingerprint
    /// What a checkpoint keeps so that a resumed run sums as the uninterrupted one would; nil
    /// where there is nothing to keep.
    var state: ReductionState? { get }
    /// Continues with a checkpoint's ``state``; one that does not fit this reduction (another
    /// width or tensor count) is dropped and the first step starts afresh. Returns whether it was taken.
    @discardableResult
    func restore(_ state: ReductionState?) -> Bool
}

/// What ``GradientReduction/finishStep()`` found.
public enum ReductionOutcome: Equatable, Sendable {
    /// ``GradientReduction/gradients`` holds the sum over all leaves of all ranks.
    case done
    /// The step must be computed again (exact mode: the fixed-point exponents did not fit this
    /// step's gradients, or were not known yet; they now do). Every rank redoes it alike.
    case redo
    /// Some gradient was NaN or infinite on some rank; every rank sees it alike.
    case nonFinite
}

/// A reduction's state in a checkpoint: exact mode's fixed-point exponents, which the next step
/// converts with, `{"width": 32, "exponents": [29, 30]}`, one per parameter tensor in arena order.
/// (Fast mode keeps nothing from one step to the next.)
public struct ReductionState: Codable, Equatable, Sendable {
    /// 32 or 64: the integer width of the sums.
    public var width: Int
    public var exponents: [Int]

    public init(width: Int, exponents: [Int]) {
        self.width = width
        self.exponents = exponents
    }
}
