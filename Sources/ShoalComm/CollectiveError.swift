/// An error every rank raised alike, at the same point (a broadcast told them all): rank 0
/// reports it, the others stay quiet, and the job ends without MPI_Abort.
///
/// ```swift
/// let world = try World.start()
/// let rank0Failure: String? = nil   // rank 0: why its checkpoint did not load
/// let failure = try world.broadcast(text: rank0Failure ?? "")
/// guard failure.isEmpty else { throw CollectiveError(message: "cannot resume: \(failure)") }
/// ```
public struct CollectiveError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

extension Communicator {
    /// Rank 0's `text` on every rank.
    public func broadcast(text: String) throws -> String {
        var length = Int64(text.utf8.count)
        try withUnsafeMutableBytes(of: &length) { try broadcast($0, root: 0) }
        var bytes = rank == 0 ? Array(text.utf8) : [UInt8](repeating: 0, count: Int(length))
        try bytes.withUnsafeMutableBytes { try broadcast($0, root: 0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Runs `body` on rank 0 only and tells every rank whether it failed: rank 0's error becomes
    /// a ``CollectiveError`` prefixed with `context` on every rank, so all fail (or go on) together.
    public func onRankZero(_ context: String, _ body: () throws -> Void) throws {
        var failure = ""
        if rank == 0 {
            do { try body() } catch {
                // An empty description must not read as success on the other ranks.
                failure = "\(error)".isEmpty ? "\(type(of: error))" : "\(error)"
            }
        }
        let message = try broadcast(text: failure)
        guard message.isEmpty else { throw CollectiveError(message: context + message) }
    }
}
