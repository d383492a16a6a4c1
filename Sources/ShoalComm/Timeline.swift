import Foundation

/// `shoal train --timeline`: every rank records when its main thread enters each phase (the
/// ``Phase`` marks: data, forward, backward, reduction, optimizer, evaluation, checkpoint)
/// and when its communication thread sends each bucket, then rank 0 merges all ranks into one
/// Chrome trace (`timeline.json`, readable by Perfetto and chrome://tracing), one track per rank.
///
/// Recording is a clock read and a store into buffers allocated up front, so a step allocates
/// nothing; a full buffer stops recording (the trace says so) rather than growing.
///
/// ```swift
/// let world = try World.start()
/// Timeline.recorder = Timeline(capacity: 1 << 20)
/// try Timeline.recorder?.align(world)        // barrier, then each rank's clock starts at 0
/// Phase.enter(.forward)                     // recorded
/// let json = try Timeline.recorder?.merged(world, host: "node1")   // rank 0: the trace
/// ```
public final class Timeline {
    /// The run's recorder, set before training when --timeline is given; nil records nothing.
    nonisolated(unsafe) public static var recorder: Timeline?

    /// One mark: `code` is a ``Phase`` raw value on the main track, or on the
    /// communication track `1000 + bucket` for a bucket's start and `-1` for its end.
    struct Mark { var time: Double; var code: Int32; var step: Int32 }

    private let capacity: Int
    private let main: UnsafeMutableBufferPointer<Mark>
    private let comm: UnsafeMutableBufferPointer<Mark>
    private var mainCount = 0
    private var commCount = 0
    private var origin = 0.0
    private var step: Int32 = 0

    public init(capacity: Int = 1 << 20) {
        self.capacity = capacity
        main = .allocate(capacity: capacity)
        comm = .allocate(capacity: capacity)
    }

    deinit {
        main.deallocate()
        comm.deallocate()
    }

    static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    /// A barrier, then this rank's time 0: the ranks' clocks agree to within the barrier's exit skew.
    public func align(_ world: any Communicator) throws {
        try world.barrier()
        origin = Self.now()
        mainCount = 0
        commCount = 0
    }

    /// The main thread entered `phase` (from ``Phase/enter(_:step:)``).
    @inline(__always) func enter(_ phase: Phase, step: Int?) {
        if let step { self.step = Int32(truncatingIfNeeded: step) }
        guard mainCount < capacity else { return }
        if mainCount > 0 && main[mainCount - 1].code == Int32(phase.rawValue) { return }
        main[mainCount] = Mark(time: Self.now() - origin, code: Int32(phase.rawValue), step: self.step)
        mainCount += 1
    }

    /// The communication thread starts (`true`) or finishes summing bucket `bucket`.
    public func bucket(_ bucket: Int, started: Bool) {
        guard commCount < capacity else { return }
        comm[commCount] = Mark(time: Self.now() - origin, code: started ? Int32(1000 + bucket) : -1, step: step)
        commCount += 1
    }

    /// Every rank sends its marks to rank 0, which returns the Chrome trace (nil elsewhere).
    /// `host` names this rank's node on its track.
    public func merged(_ world: any Communicator, host: String) throws -> Data? {
        enter(.finishing, step: nil)
        // Marks as Doubles: time, code, step; main track first, then the communication track.
        let counts = UnsafeMutableBufferPointer<Int64>.allocate(capacity: 2)
        defer { counts.deallocate() }
        counts[0] = Int64(mainCount)
        counts[1] = Int64(commCount)
        try world.allReduce(counts, .max)
        let width = 3 * (Int(counts[0]) + Int(counts[1])) + 2
        var own = [Double](repeating: 0, count: width)
        own[0] = Double(mainCount)
        own[1] = Double(commCount)
        for (i, mark) in (Array(main[..<mainCount]) + Array(comm[..<commCount])).enumerated() {
            own[2 + 3 * i] = mark.time
            own[3 + 3 * i] = Double(mark.code)
            own[4 + 3 * i] = Double(mark.step)
        }
        var hostBytes = [UInt8](repeating: 0, count: 64)
        for (i, b) in host.utf8.prefix(63).enumerated() { hostBytes[i] = b }
        var all = [Double](repeating: 0, count: width * world.size)
        var hosts = [UInt8](repeating: 0, count: 64 * world.size)
        try own.withUnsafeBytes { send in try all.withUnsafeMutableBytes { try world.allGather(send, into: $0) } }
        try hostBytes.withUnsafeBytes { send in try hosts.withUnsafeMutableBytes { try world.allGather(send, into: $0) } }
        guard world.rank == 0 else { return nil }

        var events: [[String: Any]] = []
        for rank in 0..<world.size {
            let base = rank * width, mains = Int(all[base]), comms = Int(all[base + 1])
            func mark(_ i: Int) -> Mark {
                Mark(time: all[base + 2 + 3 * i], code: Int32(all[base + 3 + 3 * i]), step: Int32(all[base + 4 + 3 * i]))
            }
            let name = String(decoding: hosts[64 * rank..<64 * (rank + 1)].prefix { $0 != 0 }, as: UTF8.self)
            events.append(["name": "process_name", "ph": "M", "pid": rank, "args": ["name": "rank \(rank) (\(name))"]])
            events.append(["name": "process_sort_index", "ph": "M", "pid": rank, "args": ["sort_index": rank]])
            events.append(["name": "thread_name", "ph": "M", "pid": rank, "tid": 0, "args": ["name": "main"]])
            events.append(["name": "thread_name", "ph": "M", "pid": rank, "tid": 1, "args": ["name": "all-reduce"]])
            // A phase lasts until the next mark; the last mark (finishing) closes the track.
            for i in 0..<max(0, mains - 1) {
                let m = mark(i), next = mark(i + 1)
                guard let phase = Phase(rawValue: Int(m.code)), phase != .setup else { continue }
                events.append(span(String(describing: phase.traceName), m.time, next.time, pid: rank, tid: 0, step: m.step))
            }
            var open: Mark?
            for i in mains..<mains + comms {
                let m = mark(i)
                if m.code >= 1000 { open = m } else if let start = open {
                    events.append(span("bucket \(start.code - 1000)", start.time, m.time, pid: rank, tid: 1, step: start.step))
                    open = nil
                }
            }
        }
        var trace: [String: Any] = ["traceEvents": events, "displayTimeUnit": "ms"]
        if mainCount >= capacity || commCount >= capacity {
            trace["otherData"] = ["truncated": "the buffer of \(capacity) marks per track filled; later steps are missing"]
        }
        return try JSONSerialization.data(withJSONObject: trace, options: [.sortedKeys])
    }

    private func span(_ name: String, _ start: Double, _ end: Double, pid: Int, tid: Int, step: Int32) -> [String: Any] {
        // Chrome trace times are microseconds.
        ["name": name, "ph": "X", "ts": start * 1e6, "dur": max(0, end - start) * 1e6, "pid": pid, "tid": tid, "args": ["step": step]]
    }
}

extension Phase {
    /// The span's name in the trace.
    var traceName: String {
        switch self {
        case .setup: "setup"
        case .data: "data"
        case .forward: "forward"
        case .backward: "backward"
        case .reduction: "reduction"
        case .optimizer: "optimizer"
        case .evaluation: "evaluation"
        case .checkpoint: "checkpoint"
        case .finishing: "finishing"
        }
    }
}
