import MPIShim

/// The watchdog's messages between ranks: a duplicate of `MPI_COMM_WORLD` used only by the
/// watchdog threads, so a rank that stops answering can be named by the others even while
/// their main threads wait in a collective. Needs `MPI_THREAD_MULTIPLE`.
///
/// Every send is matched by a receive before the channel closes: ``close(sentTo:receivedFrom:world:)``
/// exchanges the counts and receives what is still in flight, so `MPI_Finalize` finds no
/// pending message.
final class HeartbeatChannel: @unchecked Sendable {
    /// One heartbeat: [rank, step, phase, milliseconds since the sender's last progress].
    static let fields = 4
    static var byteCount: Int { fields * MemoryLayout<Int64>.stride }

    private let size: Int
    /// (fields): a message being sent (the shim copies it) or received.
    private let buffer: UnsafeMutablePointer<Int64>

    /// Opens the channel; collective: every rank calls it at the same point.
    init(size: Int) throws {
        try check(shoal_mpi_heartbeat_open(), "MPI_Comm_dup")
        self.size = size
        buffer = .allocate(capacity: Self.fields)
        buffer.initialize(repeating: 0, count: Self.fields)
    }

    deinit { buffer.deallocate() }

    /// One heartbeat's fields; a tuple, so that the watchdog's loop allocates nothing.
    typealias Message = (rank: Int64, step: Int64, phase: Int64, idleMilliseconds: Int64)

    /// Sends `message` to `rank` unless the previous one to it is still in flight; true if sent.
    func send(_ message: Message, to rank: Int) throws -> Bool {
        (buffer[0], buffer[1], buffer[2], buffer[3]) = message
        var sent: Int32 = 0
        try check(shoal_mpi_heartbeat_send(buffer, Self.byteCount, Int32(rank), &sent), "MPI_Isend")
        return sent != 0
    }

    /// A heartbeat waiting to be received, if any.
    func receive() throws -> Message? {
        var from: Int32 = -1
        try check(shoal_mpi_heartbeat_receive(buffer, Self.byteCount, -1, &from), "MPI_Recv")
        return from < 0 ? nil : (buffer[0], buffer[1], buffer[2], buffer[3])
    }

    /// Receives every heartbeat still on its way, completes every send, and frees the channel.
    /// Collective; call after the watchdog thread has stopped. `sentTo[r]`: heartbeats this rank
    /// sent to rank r; `receivedFrom[r]`: those it received from r.
    func close(sentTo: [Int64], receivedFrom: [Int64], world: any Communicator) throws {
        var all = [Int64](repeating: 0, count: size * size)
        try sentTo.withUnsafeBytes { send in
            try all.withUnsafeMutableBytes { try world.allGather(send, into: $0) }
        }
        for source in 0..<size where source != world.rank {
            let owed = all[source * size + world.rank] - receivedFrom[source]
            for _ in 0..<max(0, owed) {
                var from: Int32 = -1
                try check(shoal_mpi_heartbeat_receive(buffer, Self.byteCount, Int32(source), &from), "MPI_Recv")
            }
        }
        try check(shoal_mpi_heartbeat_close(), "MPI_Comm_free")
    }
}
