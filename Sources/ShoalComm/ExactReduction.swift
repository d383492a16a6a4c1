import Foundation

/// Sums per-leaf gradients over all ranks with a result that is bit-identical for any number of
/// ranks and any assignment of leaves to ranks (DESIGN.md decision 5).
///
/// Float addition is not associative, so a Float all-reduce changes its last bits with the split.
/// Here every leaf's gradient is converted to fixed point, `round(g · 2^e)` as an Int64, and the
/// integers are added, locally and with an integer all-reduce; integer addition is associative.
/// The exponent `e` is chosen per tensor from the all-reduced maximum |g| over every leaf of the
/// step, with headroom for the number of leaves, so the sum can never overflow and the conversion
/// of a value depends only on that value and `e`, which every rank knows before converting.
/// A NaN or infinity anywhere makes the maximum non-finite on every rank alike.
///
/// ```swift
/// let exact = ExactReduction(world: world, segments: [0..<1000], maxLeaves: 4)
/// for leaf in 0..<myLeaves { computeGradient(into: exact.leafGradient(leaf)) }
/// let finite = try exact.reduce(leafCount: myLeaves, totalLeaves: 8, into: gradients)
/// ```
public final class ExactReduction {
    /// Element ranges with one scale each (the parameter tensors), covering the arena.
    public let segments: [Range<Int>]
    public let count: Int
    public let maxLeaves: Int
    private let world: any Communicator
    /// (maxLeaves, count): the gradient of each leaf this rank computed in the step.
    private let leaves: UnsafeMutableBufferPointer<Float>
    /// (segments): max |g| per tensor, all-reduced with MAX.
    private let maxima: UnsafeMutableBufferPointer<Float>
    /// (count): the fixed-point sum.
    private let accumulator: UnsafeMutableBufferPointer<Int64>

    public init(world: any Communicator, segments: [Range<Int>], maxLeaves: Int) {
        self.world = world
        self.segments = segments
        self.count = segments.map(\.upperBound).max() ?? 0
        self.maxLeaves = max(1, maxLeaves)
        leaves = .allocate(capacity: self.maxLeaves * count)
        leaves.initialize(repeating: 0)
        maxima = .allocate(capacity: segments.count)
        maxima.initialize(repeating: 0)
        accumulator = .allocate(capacity: count)
        accumulator.initialize(repeating: 0)
    }

    deinit {
        leaves.deallocate()
        maxima.deallocate()
        accumulator.deallocate()
    }

    /// Where leaf `index` of this step keeps its gradient until ``reduce(leafCount:totalLeaves:into:)``.
    public func leafGradient(_ index: Int) -> UnsafeMutableBufferPointer<Float> {
        precondition(index >= 0 && index < maxLeaves, "leaf \(index) outside 0..<\(maxLeaves)")
        return UnsafeMutableBufferPointer(rebasing: leaves[index * count..<(index + 1) * count])
    }

    /// Sums the first `leafCount` leaf gradients of every rank into `gradients` (identical on all
    /// ranks). `totalLeaves` is the number of leaves over all ranks (it sets the headroom).
    /// Returns false, on every rank alike, if any gradient was NaN or infinite.
    public func reduce(leafCount: Int, totalLeaves: Int, into gradients: UnsafeMutableBufferPointer<Float>) throws -> Bool {
        precondition(gradients.count >= count && leafCount <= maxLeaves)
        // 1. Agree on max |g| per tensor.
        for (s, segment) in segments.enumerated() {
            var m: Float = 0
            for leaf in 0..<leafCount {
                let g = leaves.baseAddress! + leaf * count
                for i in segment {
                    let a = abs(g[i])
                    if !(a <= m) { m = a.isNaN ? .infinity : a }
                }
            }
            maxima[s] = m
        }
        try world.allReduce(maxima, .max)
        guard maxima.allSatisfy({ $0.isFinite }) else { return false }
        // 2. Convert with the agreed exponent and add as integers.
        let headroom = Self.headroomBits(totalLeaves)
        for (s, segment) in segments.enumerated() {
            let e = Self.exponent(maximum: maxima[s], headroomBits: headroom)
            let scale = Double(sign: .plus, exponent: e, significand: 1)
            let sum = accumulator.baseAddress!
            for i in segment { sum[i] = 0 }
            for leaf in 0..<leafCount {
                let g = leaves.baseAddress! + leaf * count
                for i in segment { sum[i] &+= Int64((Double(g[i]) * scale).rounded(.toNearestOrEven)) }
            }
        }
        try world.allReduce(accumulator, .sum)
        // 3. Back to Float, once.
        for (s, segment) in segments.enumerated() {
            let e = Self.exponent(maximum: maxima[s], headroomBits: headroom)
            let inverse = Double(sign: .plus, exponent: -e, significand: 1)
            for i in segment { gradients[i] = Float(Double(accumulator[i]) * inverse) }
        }
        return true
    }

    /// Bits kept free so that `totalLeaves` values of magnitude ≤ the maximum, each rounded,
    /// sum without overflow: ceil(log2(leaves)) plus one for the rounding and the sign.
    static func headroomBits(_ totalLeaves: Int) -> Int {
        var bits = 0
        while (1 << bits) < max(1, totalLeaves) { bits += 1 }
        return bits + 1
    }

    /// The power of two that maps |g| ≤ maximum into [0, 2^(62 − headroom)].
    static func exponent(maximum: Float, headroomBits: Int) -> Int {
        guard maximum > 0 else { return 0 }
        // maximum < 2^(maximum.exponent + 1)
        return 62 - headroomBits - (Int(maximum.exponent) + 1)
    }

    /// The fixed-point image of one value: depends only on `value` and `exponent`.
    public static func encode(_ value: Float, exponent: Int) -> Int64 {
        Int64((Double(value) * Double(sign: .plus, exponent: exponent, significand: 1)).rounded(.toNearestOrEven))
    }

    public static func decode(_ value: Int64, exponent: Int) -> Float {
        Float(Double(value) * Double(sign: .plus, exponent: -exponent, significand: 1))
    }
}
