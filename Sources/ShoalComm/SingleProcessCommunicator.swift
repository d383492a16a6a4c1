import Foundation

/// The communicator of a job of one process: every collective leaves its input as it is,
/// which is what a sum, maximum, broadcast or gather over one rank gives.
///
/// ```swift
/// let world = SingleProcessCommunicator()
/// var x: [Float] = [1, 2]
/// try x.withUnsafeMutableBufferPointer { try world.allReduce($0, .sum) }  // x == [1, 2]
/// ```
public final class SingleProcessCommunicator: Communicator {
    public let rank = 0
    public let size = 1
    public let threadLevel = ThreadLevel.multiple

    public init() {}

    public func allReduce<Element: ReducibleElement>(_ buffer: UnsafeMutableBufferPointer<Element>, _ operation: ReductionOperation) throws {}

    public func startAllReduce<Element: ReducibleElement>(_ buffer: UnsafeMutableBufferPointer<Element>, _ operation: ReductionOperation) throws -> PendingReduction {
        CompletedReduction.shared
    }

    public func broadcast(_ bytes: UnsafeMutableRawBufferPointer, root: Int) throws {
        guard root == 0 else { throw CommunicatorError.invalidArgument("broadcast root \(root) is not a rank of a 1-process job") }
    }

    public func allGather(_ send: UnsafeRawBufferPointer, into receive: UnsafeMutableRawBufferPointer) throws {
        guard receive.count == send.count else {
            throw CommunicatorError.invalidArgument("all-gather receive buffer has \(receive.count) bytes, expected \(send.count)")
        }
        if let source = send.baseAddress, let target = receive.baseAddress, source != UnsafeRawPointer(target) {
            target.copyMemory(from: source, byteCount: send.count)
        }
    }

    public func sendReceive<Element: ReducibleElement>(_ send: UnsafeBufferPointer<Element>, to destination: Int,
                                                        _ receive: UnsafeMutableBufferPointer<Element>, from source: Int) throws {
        guard destination == 0, source == 0, receive.count == send.count else {
            throw CommunicatorError.invalidArgument("send-receive in a 1-process job goes from rank 0 to rank 0 with equal counts")
        }
        if let from = send.baseAddress, let to = receive.baseAddress, from != UnsafePointer(to) {
            to.update(from: from, count: send.count)
        }
    }

    public func barrier() throws {}

    public func wallTime() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    public func abort(code: Int32) -> Never { exit(code) }

    public func finalize() throws {}
}

/// A reduction that finished when it started (a job of one).
final class CompletedReduction: PendingReduction, @unchecked Sendable {
    static let shared = CompletedReduction()
    func wait() throws {}
}
