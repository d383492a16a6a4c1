import Foundation
import ShoalComm

/// A fault one rank injects on purpose, for the tests of the collective fingerprints:
/// `SHOAL_TEST_FAULT=skip-leaf:RANK:STEP` makes rank RANK report one leaf fewer than its batch
/// plan gives it at step STEP (counted from 1), as a rank that skipped one would;
/// `count:RANK:STEP` makes it expect one gradient element more; `data:RANK:0` changes one byte
/// of the data it hashes for the start agreement. Anything else in the variable is ignored: it is
/// not a user setting. The faults sit at the seams they fault (``FaultyReduction``, the start
/// facts), never in the training step.
struct TestFault: Equatable {
    static let variable = "SHOAL_TEST_FAULT"

    enum Kind: String { case skipLeaf = "skip-leaf", count, data }

    let kind: Kind
    let rank: Int
    let step: Int

    init?(_ text: String?) {
        let parts = (text ?? "").split(separator: ":")
        guard parts.count == 3, let kind = Kind(rawValue: String(parts[0])), let rank = Int(parts[1]), let step = Int(parts[2]) else { return nil }
        (self.kind, self.rank, self.step) = (kind, rank, step)
    }

    static let current = TestFault(ProcessInfo.processInfo.environment[variable])

    /// Whether this fault strikes `rank` at `step` (from 1).
    func applies(_ kind: Kind, rank: Int, step: Int) -> Bool { self.kind == kind && self.rank == rank && self.step == step }

    /// `reduction`, or, when this process injects a fault into reductions, `reduction` with it.
    static func injected(into reduction: any GradientReduction, rank: Int) -> any GradientReduction {
        guard let fault = current, fault.kind == .skipLeaf || fault.kind == .count else { return reduction }
        return FaultyReduction(reduction, fault: fault, rank: rank)
    }
}

/// A reduction whose fingerprint of one step is off as ``TestFault`` says; everything else is
/// the wrapped reduction's.
final class FaultyReduction: GradientReduction {
    private let inner: any GradientReduction
    private let fault: TestFault
    private let rank: Int

    init(_ inner: any GradientReduction, fault: TestFault, rank: Int) {
        (self.inner, self.fault, self.rank) = (inner, fault, rank)
    }

    func fingerprint(step: Int, leavesPlanned: Int) -> ReductionFingerprint {
        var expected = inner.fingerprint(step: step, leavesPlanned: leavesPlanned)
        if fault.applies(.skipLeaf, rank: rank, step: step) { expected.leavesDone -= 1 }
        if fault.applies(.count, rank: rank, step: step) { expected.count += 1 }
        return expected
    }

    var summary: String { inner.summary }
    var gradients: UnsafeMutableBufferPointer<Float> { inner.gradients }
    var leavesCarried: Int { inner.leavesCarried }
    var state: ReductionState? { inner.state }
    func beginStep() { inner.beginStep() }
    func backwardFinished(upTo offset: Int) { inner.backwardFinished(upTo: offset) }
    func finishLeaf(_ leafGradients: UnsafeMutableBufferPointer<Float>, isLast: Bool) { inner.finishLeaf(leafGradients, isLast: isLast) }
    func finishStep() throws -> ReductionOutcome { try inner.finishStep() }
    func restore(_ state: ReductionState?) -> Bool { inner.restore(state) }
}
