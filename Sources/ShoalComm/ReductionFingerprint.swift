/// What a rank expects of a step's gradient reduction (DESIGN.md decision 11): the ranks trade
/// these before the sums start, so ranks that disagree (another model, a skipped leaf, another
/// reduction mode) stop with an error naming both sides instead of summing mismatched buffers or
/// waiting in different collectives.
///
/// ```swift
/// let world = try World.start()
/// let check = FingerprintCheck(world: world)
/// try check.agree(on: ReductionFingerprint(step: 12, mode: 1, width: 32, layout: 0, count: 1000, leavesPlanned: 2, leavesDone: 2))
/// ```
public struct ReductionFingerprint: Equatable, Sendable, CustomStringConvertible {
    /// The step, counted from 1.
    public var step: Int
    /// 0: fast (Float sums), 1: exact (fixed point).
    public var mode: Int
    /// Bits of each summed element: 32 for Float or Int32 sums, 64 for Int64.
    public var width: Int
    /// FNV-1a of the element ranges summed together: the buckets, or exact mode's segments.
    public var layout: UInt64
    /// Elements summed.
    public var count: Int
    /// Leaves of the step this rank's plan gives it, and those it computed.
    public var leavesPlanned: Int
    public var leavesDone: Int

    static let fields = 7

    public init(step: Int, mode: Int, width: Int, layout: UInt64, count: Int, leavesPlanned: Int, leavesDone: Int) {
        (self.step, self.mode, self.width, self.layout, self.count) = (step, mode, width, layout, count)
        (self.leavesPlanned, self.leavesDone) = (leavesPlanned, leavesDone)
    }

    /// FNV-1a over the bounds of `ranges`.
    public static func layoutHash(_ ranges: [Range<Int>]) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for r in ranges {
            for v in [r.lowerBound, r.upperBound] {
                for byte in 0..<8 { h = (h ^ UInt64((v >> (8 * byte)) & 0xff)) &* 0x100_0000_01b3 }
            }
        }
        return h
    }

    /// What the ranks must agree on: everything but the leaves, which differ by rank.
    var shared: [Int64] { [Int64(step), Int64(mode), Int64(width), Int64(bitPattern: layout), Int64(count)] }

    public var description: String {
        let kind = mode == 1 ? "exact Int\(width) sums" : "fast Float sums"
        return "step \(step), \(kind), \(count) elements, layout \(String(layout, radix: 16))"
    }
}

/// Trades every rank's ``ReductionFingerprint`` of a step (one small all-gather) and throws the
/// same ``CollectiveError`` on every rank when they disagree. Allocates nothing per step.
public final class FingerprintCheck: @unchecked Sendable {
    private let world: any Communicator
    /// (fields): this rank's fingerprint; (size × fields): every rank's.
    private let mine: UnsafeMutableBufferPointer<Int64>
    private let all: UnsafeMutableBufferPointer<Int64>

    public init(world: any Communicator) {
        self.world = world
        mine = .allocate(capacity: ReductionFingerprint.fields)
        mine.initialize(repeating: 0)
        all = .allocate(capacity: ReductionFingerprint.fields * world.size)
        all.initialize(repeating: 0)
    }

    deinit {
        mine.deallocate()
        all.deallocate()
    }

    public func agree(on fingerprint: ReductionFingerprint) throws {
        let f = fingerprint
        (mine[0], mine[1], mine[2], mine[3], mine[4]) = (Int64(f.step), Int64(f.mode), Int64(f.width), Int64(bitPattern: f.layout), Int64(f.count))
        (mine[5], mine[6]) = (Int64(f.leavesPlanned), Int64(f.leavesDone))
        try world.allGather(UnsafeRawBufferPointer(mine), into: UnsafeMutableRawBufferPointer(all))
        let n = ReductionFingerprint.fields
        var same = true
        for r in 0..<world.size where same {
            for i in 0..<5 where all[r * n + i] != all[i] { same = false }
            if all[r * n + 5] != all[r * n + 6] { same = false }
        }
        if same { return }
        // Only on a disagreement: decode every rank's side for the message.
        try check((0..<world.size).map { r in
            ReductionFingerprint(step: Int(all[r * n]), mode: Int(all[r * n + 1]), width: Int(all[r * n + 2]),
                                 layout: UInt64(bitPattern: all[r * n + 3]), count: Int(all[r * n + 4]),
                                 leavesPlanned: Int(all[r * n + 5]), leavesDone: Int(all[r * n + 6]))
        })
    }

    /// The error for the first disagreement among `sides` (every rank's fingerprint, by rank).
    private func check(_ sides: [ReductionFingerprint]) throws {
        for (r, side) in sides.enumerated() where side.leavesDone != side.leavesPlanned {
            throw CollectiveError(message: "the ranks disagree on the gradient reduction of step \(side.step): rank \(r) computed "
                + "\(side.leavesDone) of the \(side.leavesPlanned) leaves its batch plan gives it; summing would give a wrong gradient")
        }
        for (r, side) in sides.enumerated() where side.shared != sides[0].shared {
            throw CollectiveError(message: "the ranks disagree on the gradient reduction: rank 0 expects (\(sides[0])), "
                + "rank \(r) expects (\(side)); summing these would mix mismatched buffers (are the ranks running the same config and build?)")
        }
    }
}
