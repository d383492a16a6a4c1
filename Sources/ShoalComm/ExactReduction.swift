import Foundation
import ShoalKernels
import ShoalTensor

/// Sums per-leaf gradients over all ranks with a result that is bit-identical for any number of
/// ranks and any assignment of leaves to ranks (DESIGN.md decision 5).
///
/// Float addition is not associative, so a Float all-reduce changes its last bits with the split.
/// Here each leaf's gradient is converted to fixed point, `q = round(g · 2^e)`, as soon as
/// backward has produced it; the integers are added locally and over the ranks (integer addition
/// is associative) and converted back once.
///
/// The exponent `e` of each tensor must be known to every rank before converting. It comes from
/// the previous step's all-reduced maximum |g| of that tensor, with headroom for growth and room
/// for the run's largest number of leaves L, so that every sum stays within 2^30 (``Width/int32``)
/// or 2^50 (``Width/int64``). A step whose maximum outgrows the headroom, and the first step, are
/// redone: the maximum of this step is agreed, the exponents set from it, and the leaves computed
/// again. Every rank sees the same maxima, so every rank redoes the same steps, and the exponents
/// are part of a checkpoint. A NaN or infinity anywhere is seen by every rank alike.
///
/// A rank's last leaf of a step stays in the gradient arena until the step is decided
/// (`finishLeaf(_:isLast: true)`): a redo converts it again with the new exponents at once, and
/// only the rank's other leaves are computed again (``leavesCarried``), none with one leaf a rank.
/// The order of the conversions does not matter: integer sums are associative.
///
/// The sum of the step goes over the ranks as a reduce-scatter of the integers; each rank
/// decodes its block, and an all-gather of the decoded Floats completes the gradient everywhere.
///
/// OpenBLAS splits a product differently over 1 and 2 threads, which changes its last bits, so
/// creating an exact reduction sets this process's BLAS calls to one thread: the bits then do
/// not depend on how many ranks share the cores.
///
/// ```swift
/// let world = try World.start()
/// let g = allocateFloats(1000)   // a leaf's gradient (the arena's)
/// let myLeaves = [0, 1]          // this rank's leaves of the step
/// let exact = ExactReduction(world: world, segments: [0..<1000], maxLeaves: 4)
/// repeat {
///     exact.beginStep()
///     for leaf in myLeaves.dropLast(exact.leavesCarried) {
///         // forward, loss, backward of `leaf` into g
///         exact.finishLeaf(g, isLast: leaf == myLeaves.last)
///     }
/// } while try exact.finishStep() == .redo
/// exact.gradients   // the sum over every leaf of every rank
/// ```
public final class ExactReduction: GradientReduction {

    /// The integer type of the sums: bytes on the wire against bits kept.
    public enum Width: Int, Sendable, CustomStringConvertible {
        /// Half the bytes; 30 − 3 − ceil(log2 L) bits for a tensor's largest gradient.
        case int32 = 32
        /// 50 − 10 − ceil(log2 L) bits for a tensor's largest gradient.
        case int64 = 64

        /// Every sum stays within 2^sumBits in magnitude (the Double tricks of the kernels need < 2^51).
        var sumBits: Int { self == .int32 ? 30 : 50 }
        /// Bits of growth a tensor's maximum may show from one step to the next before a redo.
        public var headroomBits: Int { self == .int32 ? 3 : 10 }
        /// Bits kept for the largest gradient of a tensor when a step has up to 2^leafBits leaves.
        public func precisionBits(leafBits: Int) -> Int { sumBits - headroomBits - leafBits }

        /// Int32 while it keeps at least Float's 24 bits for the largest gradient of a tensor
        /// (up to 8 leaves a step), else Int64.
        public static func automatic(leafBits: Int) -> Width {
            Width.int32.precisionBits(leafBits: leafBits) >= 24 ? .int32 : .int64
        }

        public var description: String { "Int\(rawValue)" }
    }

    /// The most leaves a step may have.
    public static let maximumLeaves = 4096
    /// Bits kept free for the sum of the run's largest number of leaves: ceil(log2(L)).
    public let leafBits: Int
    public let width: Width

    /// Element ranges with one exponent each (the parameter tensors), covering the arena.
    public let segments: [Range<Int>]
    public let count: Int
    /// The exponent of each segment for the next conversion; nil before the first step.
    public var exponents: [Int]?
    private let world: any Communicator
    /// (count): the fixed-point sum of this step's leaves, in `width`.
    private let sums: any FixedPointSums
    /// (segments + 1): this step's max |g| per segment, then a NaN/infinity flag.
    private let maxima: UnsafeMutableBufferPointer<Float>
    /// (count): the decoded sum of the last finished step.
    public let gradients: UnsafeMutableBufferPointer<Float>

    /// `maxLeaves`: the most leaves any step of the run has (over all ranks). `width`: nil for
    /// ``Width/automatic(leafBits:)``.
    public init(world: any Communicator, segments: [Range<Int>], maxLeaves: Int, width: Width? = nil) {
        precondition(maxLeaves >= 1 && maxLeaves <= Self.maximumLeaves)
        var bits = 0
        while 1 << bits < maxLeaves { bits += 1 }
        leafBits = bits
        self.width = width ?? .automatic(leafBits: bits)
        self.world = world
        self.segments = segments
        count = segments.map(\.upperBound).max() ?? 0
        let scratchCount = world.maximumBlockCount(count: count)
        sums = self.width == .int32 ? FixedPointBuffer<Int32>(count: count, scratch: scratchCount)
                                    : FixedPointBuffer<Int64>(count: count, scratch: scratchCount)
        maxima = .allocate(capacity: segments.count + 1)
        maxima.initialize(repeating: 0)
        gradients = allocateFloats(count)
        blasThreadCount = 1
    }

    deinit {
        maxima.deallocate()
        gradients.baseAddress?.deallocate()
    }

    public var summary: String { "exact reduction (\(width) sums, 1 BLAS thread per rank)" }

    private lazy var layout = ReductionFingerprint.layoutHash(segments)

    public func fingerprint(step: Int, leavesPlanned: Int) -> ReductionFingerprint {
        ReductionFingerprint(step: step, mode: 1, width: width.rawValue, layout: layout, count: count,
                             leavesPlanned: leavesPlanned, leavesDone: leavesThisStep)
    }

    /// Exact mode converts whole leaves: nothing to start before backward ends.
    public func backwardFinished(upTo offset: Int) {}

    /// Leaves accumulated since `beginStep()` (a carried one included); the first one writes the
    /// sum instead of adding.
    private var leavesThisStep = 0
    /// The gradient of this rank's last leaf of the step, left in place until the step is decided.
    private var lastLeaf: UnsafeMutableBufferPointer<Float>?
    /// Leaves of the step being redone that this reduction has already converted again (the
    /// rank's last one): the redo computes all leaves but these.
    public private(set) var leavesCarried = 0

    /// Starts a step (or its redo): nothing accumulated yet, or on a redo the carried leaf.
    public func beginStep() {
        if leavesCarried > 0 { return }  // the redo began in finishStep()
        leavesThisStep = 0
        maxima.update(repeating: 0)
    }

    /// Adds one leaf's gradient: records its maxima and, if the exponents are known, adds its
    /// fixed-point image to the step's sum. Leaves `gradient` zeroed for the next leaf, except the
    /// rank's last leaf of the step (`isLast`), which stays until ``finishStep()``: its buffer
    /// must live until then (the Trainer's is the arena's).
    public func finishLeaf(_ gradient: UnsafeMutableBufferPointer<Float>, isLast: Bool) {
        precondition(gradient.count >= count)
        if isLast { lastLeaf = gradient }
        let mode = Int32(exponents == nil ? 0 : SHOAL_FIXED_POINT_CONVERT)
            | Int32(leavesThisStep == 0 ? SHOAL_FIXED_POINT_FIRST : 0)
            | Int32(isLast ? SHOAL_FIXED_POINT_KEEP : 0)
        leavesThisStep += 1
        for (s, segment) in segments.enumerated() {
            var special: UInt32 = 0
            let scale = exponents.map { powerOfTwo($0[s]) } ?? 0
            let largest = sums.accumulate(gradient.baseAddress! + segment.lowerBound, segment, scale: scale, mode: mode, special: &special)
            maxima[s] = max(maxima[s], special != 0 ? .infinity : Float(bitPattern: largest))
            if special != 0 { maxima[segments.count] = 1 }
        }
    }

    /// Agrees on the maxima, then either completes the sum into ``gradients`` or asks for a redo.
    public func finishStep() throws -> ReductionOutcome {
        try world.allReduce(maxima, .max)
        let kept = lastLeaf
        lastLeaf = nil
        leavesCarried = 0
        if maxima[segments.count] != 0 {
            if let kept { zero(kept.baseAddress!, count: count) }
            return .nonFinite
        }
        if leavesThisStep == 0 { sums.zero() }  // a rank without leaves adds zeros
        let fits = exponents.map { e in segments.indices.allSatisfy { maxima[$0] < limit(exponent: e[$0]) } } ?? false
        guard fits, let current = exponents else {
            if exponents == nil {
                exponents = segments.indices.map { exponent(maximum: maxima[$0]) }  // once
            } else {
                // A rare redo; in place, as a step allocates nothing.
                for s in segments.indices { exponents![s] = exponent(maximum: maxima[s]) }
            }
            if let kept {
                // The redo begins here: the last leaf, converted with the new exponents and zeroed.
                beginStep()
                finishLeaf(kept, isLast: false)
                leavesCarried = 1
            }
            return .redo
        }
        if let kept { zero(kept.baseAddress!, count: count) }  // ready for the next step's first leaf
        // Each rank completes and decodes its block of the sum, then the ranks swap decoded
        // blocks: Float bytes on the wire for the second half, and 1/p of the decoding each.
        try sums.reduceScatter(over: world)
        let own = world.blockRange(count: count)
        for (s, segment) in segments.enumerated() {
            let part = segment.clamped(to: own)
            guard !part.isEmpty else { continue }
            sums.decode(part, inverseScale: powerOfTwo(-current[s]),
                        into: gradients.baseAddress! + part.lowerBound)
        }
        try world.allGatherBlocks(UnsafeMutableBufferPointer(rebasing: gradients[0..<count]))
        // Follow the gradients: the next step converts with this step's maxima (plus headroom).
        // An all-zero tensor keeps its exponent, so its next small gradients keep their bits.
        // In place: a step allocates nothing.
        for s in segments.indices where maxima[s] > 0 { exponents![s] = exponent(maximum: maxima[s]) }
        return .done
    }

    /// The exponent that maps |g| ≤ maximum · 2^headroom to at most 2^sumBits / 2^leafBits.
    public func exponent(maximum: Float) -> Int {
        let top = width.precisionBits(leafBits: leafBits)
        guard maximum > 0 else { return top }
        return top - (Int(maximum.exponent) + 1)  // maximum < 2^(maximum.exponent + 1)
    }

    /// The exponents a tensor can get, from the largest Float maximum to the smallest.
    public var exponentRange: ClosedRange<Int> {
        exponent(maximum: .greatestFiniteMagnitude)...exponent(maximum: .leastNonzeroMagnitude)
    }

    /// Magnitudes at or above this do not fit exponent `e` (no headroom left).
    public func limit(exponent e: Int) -> Float {
        Float(powerOfTwo(width.sumBits - leafBits - e))
    }

    /// The fixed-point image of one value: depends only on `value` and `exponent`. The same
    /// kernel as `finishLeaf` (round to nearest even, for |value · 2^exponent| < 2^51).
    public static func encode(_ value: Float, exponent: Int) -> Int64 {
        var g = value, q: Int64 = 0, special: UInt32 = 0
        _ = shoal_fixed_point_accumulate64(&g, 1, powerOfTwo(exponent),
                                           Int32(SHOAL_FIXED_POINT_CONVERT | SHOAL_FIXED_POINT_FIRST), &q, &special)
        return q
    }

    /// The value `q` stands for at `exponent`, through the same kernel as `finishStep()`.
    public static func decode(_ value: Int64, exponent: Int) -> Float {
        var q = value, out: Float = 0
        shoal_fixed_point_decode64(&q, 1, powerOfTwo(-exponent), &out)
        return out
    }
}

extension ExactReduction {
    /// The exponents the next step converts with, as a checkpoint stores them; nil before the
    /// first step has agreed any.
    public var state: ReductionState? {
        exponents.map { ReductionState(width: width.rawValue, exponents: $0) }
    }

    /// Continues with a checkpoint's exponents. Exponents of another width (another leaf count),
    /// of another tensor count, or out of range mean nothing here: the first step then agrees new
    /// ones, as a fresh run does. Returns whether they were taken.
    @discardableResult
    public func restore(_ state: ReductionState?) -> Bool {
        guard let state, state.width == width.rawValue, state.exponents.count == segments.count,
              state.exponents.allSatisfy(exponentRange.contains) else {
            exponents = nil
            return false
        }
        exponents = state.exponents
        return true
    }
}

/// 2^e, exactly.
private func powerOfTwo(_ e: Int) -> Double { Double(sign: .plus, exponent: e, significand: 1) }

/// The step's integer sums in one width, with the kernels and the reduce-scatter for it.
private protocol FixedPointSums: AnyObject {
    func accumulate(_ gradient: UnsafeMutablePointer<Float>, _ segment: Range<Int>, scale: Double, mode: Int32,
                    special: inout UInt32) -> UInt32
    func zero()
    func reduceScatter(over world: any Communicator) throws
    func decode(_ part: Range<Int>, inverseScale: Double, into output: UnsafeMutablePointer<Float>)
}

/// An integer type with fixed-point kernels and a reduce-scatter.
private protocol FixedPointInteger: FixedWidthInteger {
    static func accumulate(_ g: UnsafeMutablePointer<Float>, _ n: Int, _ scale: Double, _ mode: Int32,
                           _ sum: UnsafeMutablePointer<Self>, _ special: inout UInt32) -> UInt32
    static func decode(_ sum: UnsafePointer<Self>, _ n: Int, _ inverseScale: Double, _ out: UnsafeMutablePointer<Float>)
    static func reduceScatter(_ sums: UnsafeMutableBufferPointer<Self>, scratch: UnsafeMutableBufferPointer<Self>,
                              over world: any Communicator) throws
}

extension Int64: FixedPointInteger {
    fileprivate static func accumulate(_ g: UnsafeMutablePointer<Float>, _ n: Int, _ scale: Double, _ mode: Int32,
                                       _ sum: UnsafeMutablePointer<Int64>, _ special: inout UInt32) -> UInt32 {
        shoal_fixed_point_accumulate64(g, n, scale, mode, sum, &special)
    }
    fileprivate static func decode(_ sum: UnsafePointer<Int64>, _ n: Int, _ inverseScale: Double, _ out: UnsafeMutablePointer<Float>) {
        shoal_fixed_point_decode64(sum, n, inverseScale, out)
    }
    fileprivate static func reduceScatter(_ sums: UnsafeMutableBufferPointer<Int64>, scratch: UnsafeMutableBufferPointer<Int64>,
                                          over world: any Communicator) throws {
        try world.reduceScatterSum(sums, scratch: scratch)
    }
}

extension Int32: FixedPointInteger {
    fileprivate static func accumulate(_ g: UnsafeMutablePointer<Float>, _ n: Int, _ scale: Double, _ mode: Int32,
                                       _ sum: UnsafeMutablePointer<Int32>, _ special: inout UInt32) -> UInt32 {
        shoal_fixed_point_accumulate32(g, n, scale, mode, sum, &special)
    }
    fileprivate static func decode(_ sum: UnsafePointer<Int32>, _ n: Int, _ inverseScale: Double, _ out: UnsafeMutablePointer<Float>) {
        shoal_fixed_point_decode32(sum, n, inverseScale, out)
    }
    fileprivate static func reduceScatter(_ sums: UnsafeMutableBufferPointer<Int32>, scratch: UnsafeMutableBufferPointer<Int32>,
                                          over world: any Communicator) throws {
        try world.reduceScatterSum(sums, scratch: scratch)
    }
}

private final class FixedPointBuffer<Integer: FixedPointInteger>: FixedPointSums {
    /// (count): the sum of this rank's leaves, then (own block) of all ranks'.
    let values: UnsafeMutableBufferPointer<Integer>
    /// (largest block over the ranks): the neighbour's partial sums in the reduce-scatter.
    let scratch: UnsafeMutableBufferPointer<Integer>

    init(count: Int, scratch scratchCount: Int) {
        values = .allocate(capacity: count)
        values.initialize(repeating: 0)
        scratch = .allocate(capacity: scratchCount)
        scratch.initialize(repeating: 0)
    }

    deinit {
        values.deallocate()
        scratch.deallocate()
    }

    func accumulate(_ gradient: UnsafeMutablePointer<Float>, _ segment: Range<Int>, scale: Double, mode: Int32,
                    special: inout UInt32) -> UInt32 {
        Integer.accumulate(gradient, segment.count, scale, mode, values.baseAddress! + segment.lowerBound, &special)
    }

    func zero() { values.update(repeating: 0) }

    func reduceScatter(over world: any Communicator) throws {
        try Integer.reduceScatter(values, scratch: scratch, over: world)
    }

    func decode(_ part: Range<Int>, inverseScale: Double, into output: UnsafeMutablePointer<Float>) {
        Integer.decode(values.baseAddress! + part.lowerBound, part.count, inverseScale, output)
    }
}
