/// The collective operations a Shoal rank needs, over all ranks of the job.
///
/// Two real implementations: ``MPICommunicator`` (started under `mpirun`) and
/// ``SingleProcessCommunicator`` (a job of one, where every collective returns its input).
/// Code written against `Communicator` runs unchanged in both.
///
/// ```swift
/// let world = try World.start()
/// let localLoss = 0.42                  // this rank's
/// var losses: [Double] = [localLoss]
/// try losses.withUnsafeMutableBufferPointer { try world.allReduce($0, .sum) }
/// if world.rank == 0 { print("mean loss", losses[0] / Double(world.size)) }
/// ```
public protocol Communicator: AnyObject, Sendable {
    /// This process's index, `0..<size`.
    var rank: Int { get }
    /// The number of processes in the job.
    var size: Int { get }
    /// The thread level MPI granted (``ThreadLevel/multiple`` for a single process).
    var threadLevel: ThreadLevel { get }

    /// Replaces `buffer` on every rank by the elementwise sum or maximum over all ranks.
    func allReduce<Element: ReducibleElement>(_ buffer: UnsafeMutableBufferPointer<Element>, _ operation: ReductionOperation) throws
    /// Starts an in-place all-reduce and returns at once; `wait()` on the result completes it.
    /// The buffer must stay valid and untouched until then.
    func startAllReduce<Element: ReducibleElement>(_ buffer: UnsafeMutableBufferPointer<Element>, _ operation: ReductionOperation) throws -> PendingReduction
    /// Copies `bytes` of rank `root` to every other rank.
    func broadcast(_ bytes: UnsafeMutableRawBufferPointer, root: Int) throws
    /// Concatenates every rank's `send` bytes, in rank order, into `receive` (size × send.count bytes).
    func allGather(_ send: UnsafeRawBufferPointer, into receive: UnsafeMutableRawBufferPointer) throws
    /// Sends `send` to rank `destination` while receiving `receive.count` elements from rank
    /// `source` into `receive` (the building block of the rings in ``reduceScatterSum(_:scratch:)``
    /// and ``allGatherBlocks(_:)``).
    func sendReceive<Element: ReducibleElement>(_ send: UnsafeBufferPointer<Element>, to destination: Int,
                                                 _ receive: UnsafeMutableBufferPointer<Element>, from source: Int) throws
    /// Returns once every rank has called it.
    func barrier() throws
    /// Seconds since an arbitrary point, from the same clock on every call.
    func wallTime() -> Double
    /// Ends every process of the job with `code`. A failing rank calls this so the others
    /// do not wait forever in their next collective.
    func abort(code: Int32) -> Never
    /// Shuts the communicator down; call once, after the last collective.
    func finalize() throws
}

extension Communicator {
    /// `message` as this rank says it: "rank 2: …" in a job of several ranks, so a reader of the
    /// merged output knows which rank spoke; as it is in a job of one.
    public func attributed(_ message: String) -> String { size > 1 ? "rank \(rank): \(message)" : message }

    /// The elements of `0..<count` that `rank` (this rank by default) owns in
    /// ``reduceScatterSum(_:scratch:)`` and ``allGatherBlocks(_:)``: the ranks' blocks tile
    /// `0..<count` in rank order, their sizes differing by at most one.
    public func blockRange(count: Int, rank: Int? = nil) -> Range<Int> {
        let r = rank ?? self.rank
        return count * r / size..<count * (r + 1) / size
    }

    /// The largest block of `count` elements over the ranks.
    public func maximumBlockCount(count: Int) -> Int { (count + size - 1) / size }

    /// Sums `buffer` over all ranks, but only this rank's block of it (``blockRange(count:rank:)``)
    /// ends up holding the complete sum; the other blocks hold partial sums. `scratch` holds at
    /// least ``maximumBlockCount(count:)`` elements. With ``allGatherBlocks(_:)`` after it, an
    /// all-reduce whose work between the two halves (decoding, say) is split over the ranks.
    ///
    /// A ring of `size - 1` steps: step s sends block (rank - s - 1) to the next rank and adds the
    /// previous rank's partial sum of block (rank - s - 2), so the last step completes block `rank`.
    /// Integer sums (wrapping), so the order of the additions does not matter. (Open MPI 4.1's own
    /// MPI_Reduce_scatter_block measured slower than this ring: benchmarks/RESULTS.md, issue 6.)
    public func reduceScatterSum(_ buffer: UnsafeMutableBufferPointer<Int64>, scratch: UnsafeMutableBufferPointer<Int64>) throws {
        try ringReduceScatter(buffer, scratch: scratch) { target, received, n in for i in 0..<n { target[i] &+= received[i] } }
    }

    /// ``reduceScatterSum(_:scratch:)`` for 32-bit sums.
    public func reduceScatterSum(_ buffer: UnsafeMutableBufferPointer<Int32>, scratch: UnsafeMutableBufferPointer<Int32>) throws {
        try ringReduceScatter(buffer, scratch: scratch) { target, received, n in for i in 0..<n { target[i] &+= received[i] } }
    }

    /// The ring of ``reduceScatterSum(_:scratch:)``; `add` is concrete per type, so the one
    /// per-element loop is compiled for it (a generic loop would not be, called on `any Communicator`).
    private func ringReduceScatter<T: ReducibleElement>(_ buffer: UnsafeMutableBufferPointer<T>, scratch: UnsafeMutableBufferPointer<T>,
                                                       add: (UnsafeMutablePointer<T>, UnsafeMutablePointer<T>, Int) -> Void) throws {
        let count = buffer.count
        guard scratch.count >= maximumBlockCount(count: count) else {
            throw CommunicatorError.invalidArgument("reduce-scatter scratch has \(scratch.count) elements, needs \(maximumBlockCount(count: count))")
        }
        for s in 0..<(size - 1) {
            let outgoing = blockRange(count: count, rank: (rank - s - 1 + 2 * size) % size)
            let incoming = blockRange(count: count, rank: (rank - s - 2 + 2 * size) % size)
            try sendReceive(UnsafeBufferPointer(rebasing: buffer[outgoing]), to: (rank + 1) % size,
                            UnsafeMutableBufferPointer(rebasing: scratch[0..<incoming.count]), from: (rank - 1 + size) % size)
            if !incoming.isEmpty { add(buffer.baseAddress! + incoming.lowerBound, scratch.baseAddress!, incoming.count) }
        }
    }

    /// Every rank contributes its block of `buffer` (``blockRange(count:rank:)``) and receives all
    /// the others in place: a ring of `size - 1` steps, each passing on the block received last.
    public func allGatherBlocks<Element: ReducibleElement>(_ buffer: UnsafeMutableBufferPointer<Element>) throws {
        let count = buffer.count
        for s in 0..<(size - 1) {
            let outgoing = blockRange(count: count, rank: (rank - s + size) % size)
            let incoming = blockRange(count: count, rank: (rank - s - 1 + size) % size)
            try sendReceive(UnsafeBufferPointer(rebasing: buffer[outgoing]), to: (rank + 1) % size,
                            UnsafeMutableBufferPointer(rebasing: buffer[incoming]), from: (rank - 1 + size) % size)
        }
    }
}

/// An all-reduce in flight, from ``Communicator/startAllReduce(_:_:)``.
public protocol PendingReduction: AnyObject {
    /// Blocks until the reduction has finished and the buffer holds its result.
    func wait() throws
}

/// The element-wise reduction of an all-reduce.
public enum ReductionOperation: Sendable {
    case sum
    case max
}

/// MPI's thread-support levels, weakest first.
public enum ThreadLevel: Int, Comparable, Sendable, CustomStringConvertible {
    case single = 0, funneled, serialized, multiple

    public static func < (a: ThreadLevel, b: ThreadLevel) -> Bool { a.rawValue < b.rawValue }

    public var description: String {
        switch self {
        case .single: "MPI_THREAD_SINGLE"
        case .funneled: "MPI_THREAD_FUNNELED"
        case .serialized: "MPI_THREAD_SERIALIZED"
        case .multiple: "MPI_THREAD_MULTIPLE"
        }
    }
}

/// The element types an all-reduce can carry.
public enum ElementKind: Sendable {
    case float, double, int64, int32

    /// Bytes per element.
    public var byteWidth: Int {
        switch self {
        case .float, .int32: 4
        case .double, .int64: 8
        }
    }
}

/// A scalar type that MPI can sum and take the maximum of.
public protocol ReducibleElement: Sendable {
    static var elementKind: ElementKind { get }
}

extension Float: ReducibleElement { public static var elementKind: ElementKind { .float } }
extension Double: ReducibleElement { public static var elementKind: ElementKind { .double } }
extension Int64: ReducibleElement { public static var elementKind: ElementKind { .int64 } }
extension Int32: ReducibleElement { public static var elementKind: ElementKind { .int32 } }
