/// How the gradients of a step are summed over all leaves of all ranks (`distributed.reduction`):
/// one interface, so the training step reads the same in both modes. ``ExactReduction`` sums in
/// fixed point (the same bits for any number of ranks); ``GradientSync`` sums Floats in buckets.
/// Each owns its buffers and the settings it needs.
///
/// ```swift
/// repeat {
///     reduction.beginStep()
///     for leaf in myLeaves.dropLast(reduction.leavesCarried) {
///         forwardAndLoss(leaf)
///         model.backward(finished: leaf == myLeaves.last ? reduction.backwardFinished(upTo:) : nil)
///         reduction.finishLeaf(arena.gradients, isLast: leaf == myLeaves.last)
///     }
///     outcome = try reduction.finishStep()
/// } while outcome == .redo
/// optimizer.step(parameters: arena.parameters, gradients: reduction.gradients, ...)
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
    /// What this reduction expects of step `step` (from 1), for ``FingerprintCheck``.
    func fingerprint(step: Int, leavesPlanned: Int, leavesDone: Int) -> ReductionFingerprint
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
