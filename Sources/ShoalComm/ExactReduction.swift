import Foundation
import ShoalKernels

/// Sums per-leaf gradients over all ranks with a result that is bit-identical for any number of
/// ranks and any assignment of leaves to ranks (DESIGN.md decision 5).
///
/// Float addition is not associative, so a Float all-reduce changes its last bits with the split.
/// Here each leaf's gradient is converted to fixed point, `q = round(g · 2^e)` as an Int64, as
/// soon as backward has produced it; the integers are added locally and with an integer
/// all-reduce (integer addition is associative) and converted back once.
///
/// The exponent `e` of each tensor must be known to every rank before converting. It comes from
/// the previous step's all-reduced maximum |g| of that tensor, with 2^10 of headroom for growth
/// and room for the run's largest number of leaves L, so that |q| < 2^50 / L and every sum stays
/// below 2^50: about 38 bits for the largest gradient of a tensor, far above Float's 24. A step
/// whose maximum outgrows the headroom, and the first step, are redone: the maximum of this
/// step is agreed, the exponents set from it, and the leaves computed again. Every rank sees the
/// same maxima, so every rank redoes the same steps, and the exponents are part of a checkpoint.
/// A NaN or infinity anywhere is seen by every rank alike.
///
/// ```swift
/// let exact = ExactReduction(world: world, segments: [0..<1000])
/// repeat {
///     exact.beginStep()
///     for leaf in myLeaves { computeGradient(leaf, into: gradients); exact.accumulate(gradients) }
/// } while try exact.finish(into: gradients) == .redo
/// ```
public final class ExactReduction {
    /// What ``finish(into:)`` found.
    public enum Outcome: Equatable, Sendable {
        /// The gradients hold the sum over all leaves of all ranks.
        case done
        /// The exponents did not fit this step's gradients (or were not known yet); they now do:
        /// compute the step's leaves again.
        case redo
        /// Some gradient was NaN or infinite on some rank.
        case nonFinite
    }

    /// Bits of growth a tensor's maximum may show from one step to the next before a redo.
    public static let headroomBits = 10
    /// Every sum stays below 2^50 in magnitude, which the Double tricks of `encode`/`decode` need.
    static let sumBits = 50
    /// The most leaves a step may have.
    public static let maximumLeaves = 4096
    /// Bits kept free for the sum of the run's largest number of leaves: ceil(log2(L)).
    public let leafBits: Int

    /// Element ranges with one exponent each (the parameter tensors), covering the arena.
    public let segments: [Range<Int>]
    public let count: Int
    /// The exponent of each segment for the next conversion; nil before the first step.
    public var exponents: [Int]?
    private let world: any Communicator
    /// (count): the fixed-point sum of this step's leaves.
    private let accumulator: UnsafeMutableBufferPointer<Int64>
    /// (largest block of count over the ranks): the neighbour's partial sums in the reduce-scatter.
    private let scratch: UnsafeMutableBufferPointer<Int64>
    /// (segments + 1): this step's max |g| per segment, then a NaN/infinity flag.
    private let maxima: UnsafeMutableBufferPointer<Float>

    /// `maxLeaves`: the most leaves any step of the run has (over all ranks).
    public init(world: any Communicator, segments: [Range<Int>], maxLeaves: Int) {
        precondition(maxLeaves >= 1 && maxLeaves <= Self.maximumLeaves)
        var bits = 0
        while 1 << bits < maxLeaves { bits += 1 }
        leafBits = bits
        self.world = world
        self.segments = segments
        count = segments.map(\.upperBound).max() ?? 0
        accumulator = .allocate(capacity: count)
        accumulator.initialize(repeating: 0)
        scratch = .allocate(capacity: world.maximumBlockCount(count: count))
        scratch.initialize(repeating: 0)
        maxima = .allocate(capacity: segments.count + 1)
        maxima.initialize(repeating: 0)
    }

    deinit {
        accumulator.deallocate()
        scratch.deallocate()
        maxima.deallocate()
    }

    /// Leaves accumulated since `beginStep()`; the first one writes the sum instead of adding.
    private var leavesThisStep = 0

    /// Starts a step (or its redo): nothing accumulated yet.
    public func beginStep() {
        leavesThisStep = 0
        maxima.update(repeating: 0)
    }

    /// Adds one leaf's gradient: records its maxima and, if the exponents are known, adds its
    /// fixed-point image to the step's sum. Leaves `gradient` zeroed for the next leaf.
    public func accumulate(_ gradient: UnsafeMutableBufferPointer<Float>) {
        precondition(gradient.count >= count)
        let mode = Int32(exponents == nil ? 0 : SHOAL_FIXED_POINT_CONVERT)
            | Int32(leavesThisStep == 0 ? SHOAL_FIXED_POINT_FIRST : 0)
        leavesThisStep += 1
        for (s, segment) in segments.enumerated() {
            var special: UInt32 = 0
            let scale = exponents.map { Double(sign: .plus, exponent: $0[s], significand: 1) } ?? 0
            let largest = shoal_fixed_point_accumulate(gradient.baseAddress! + segment.lowerBound, segment.count, scale,
                                                       mode, accumulator.baseAddress! + segment.lowerBound, &special)
            maxima[s] = max(maxima[s], special != 0 ? .infinity : Float(bitPattern: largest))
            if special != 0 { maxima[segments.count] = 1 }
        }
    }

    /// Agrees on the maxima, then either completes the sum into `gradients` or asks for a redo.
    public func finish(into gradients: UnsafeMutableBufferPointer<Float>) throws -> Outcome {
        try world.allReduce(maxima, .max)
        if maxima[segments.count] != 0 { return .nonFinite }
        if leavesThisStep == 0 { accumulator.update(repeating: 0) }  // a rank without leaves adds zeros
        let fits = exponents.map { e in segments.indices.allSatisfy { maxima[$0] < limit(exponent: e[$0]) } } ?? false
        guard fits, let current = exponents else {
            exponents = segments.indices.map { exponent(maximum: maxima[$0]) }  // once, or on a rare redo
            return .redo
        }
        // Each rank completes and decodes its block of the sum, then the ranks swap decoded
        // blocks: Float bytes on the wire for the second half, and 1/p of the decoding each.
        try world.reduceScatterSum(accumulator, scratch: scratch)
        let own = world.blockRange(count: count)
        for (s, segment) in segments.enumerated() {
            let part = segment.clamped(to: own)
            guard !part.isEmpty else { continue }
            shoal_fixed_point_decode(accumulator.baseAddress! + part.lowerBound, part.count,
                                     Double(sign: .plus, exponent: -current[s], significand: 1), gradients.baseAddress! + part.lowerBound)
        }
        try world.allGatherBlocks(UnsafeMutableBufferPointer(rebasing: gradients[0..<count]))
        // Follow the gradients: the next step converts with this step's maxima (plus headroom).
        // In place: a step allocates nothing.
        for s in segments.indices { exponents![s] = exponent(maximum: maxima[s]) }
        return .done
    }

    /// The exponent that maps |g| ≤ maximum · 2^headroom below 2^50 / 2^leafBits.
    func exponent(maximum: Float) -> Int {
        let top = Self.sumBits - Self.headroomBits - leafBits
        guard maximum > 0 else { return top }
        return top - (Int(maximum.exponent) + 1)  // maximum < 2^(maximum.exponent + 1)
    }

    /// Magnitudes at or above this do not fit exponent `e` (no headroom left).
    func limit(exponent e: Int) -> Float {
        Float(Double(sign: .plus, exponent: Self.sumBits - leafBits - e, significand: 1))
    }

    /// The fixed-point image of one value: depends only on `value` and `exponent`. The same
    /// kernel as `accumulate` (round to nearest even, for |value · 2^exponent| < 2^51).
    public static func encode(_ value: Float, exponent: Int) -> Int64 {
        var g = value, q: Int64 = 0, special: UInt32 = 0
        _ = shoal_fixed_point_accumulate(&g, 1, Double(sign: .plus, exponent: exponent, significand: 1),
                                         Int32(SHOAL_FIXED_POINT_CONVERT | SHOAL_FIXED_POINT_FIRST), &q, &special)
        return q
    }

    /// The value `q` stands for at `exponent`, through the same kernel as `finish(into:)`.
    public static func decode(_ value: Int64, exponent: Int) -> Float {
        var q = value, out: Float = 0
        shoal_fixed_point_decode(&q, 1, Double(sign: .plus, exponent: -exponent, significand: 1), &out)
        return out
    }
}
