import Foundation
import MPIShim

/// The communicator of a job started by `mpirun`: each collective is one call into the MPI shim
/// over `MPI_COMM_WORLD`, which returns MPI's error code instead of aborting.
///
/// ```swift
/// let world = try MPICommunicator(threadLevel: .serialized)
/// var buffer: [Float] = [1, 2, 3]
/// try buffer.withUnsafeMutableBufferPointer { try world.allReduce($0, .sum) }
/// try world.finalize()
/// ```
public final class MPICommunicator: Communicator, @unchecked Sendable {
    public let rank: Int
    public let size: Int
    public let threadLevel: ThreadLevel

    /// Initialises MPI. Throws if MPI fails or grants less than `requiredThreadLevel`.
    public init(threadLevel requested: ThreadLevel = .serialized, requiredThreadLevel: ThreadLevel = .single) throws {
        var provided: Int32 = 0
        try check(shoal_mpi_init(Int32(requested.rawValue), &provided), "MPI_Init_thread")
        threadLevel = ThreadLevel(rawValue: Int(provided)) ?? .single
        guard threadLevel >= requiredThreadLevel else {
            throw CommunicatorError.threadLevelUnavailable(requested: requiredThreadLevel, provided: threadLevel)
        }
        var r: Int32 = 0, s: Int32 = 0
        try check(shoal_mpi_rank(&r), "MPI_Comm_rank")
        try check(shoal_mpi_size(&s), "MPI_Comm_size")
        rank = Int(r)
        size = Int(s)
    }

    /// The MPI library's version text, e.g. "Open MPI v4.1.4, package: Debian ...".
    public static var libraryVersion: String {
        var buffer = [CChar](repeating: 0, count: 512)
        shoal_mpi_library_version(&buffer, Int32(buffer.count))
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public func allReduce<Element: ReducibleElement>(_ buffer: UnsafeMutableBufferPointer<Element>, _ operation: ReductionOperation) throws {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        try check(shoal_mpi_allreduce(base, buffer.count, Element.elementKind.shimType, operation.shimOp), "MPI_Allreduce")
    }

    public func startAllReduce<Element: ReducibleElement>(_ buffer: UnsafeMutableBufferPointer<Element>, _ operation: ReductionOperation) throws -> PendingReduction {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return CompletedReduction.shared }
        guard buffer.count <= Int(Int32.max) else {
            throw CommunicatorError.invalidArgument("a non-blocking all-reduce takes at most \(Int32.max) elements, got \(buffer.count)")
        }
        var request: UnsafeMutableRawPointer?
        try check(shoal_mpi_iallreduce(base, buffer.count, Element.elementKind.shimType, operation.shimOp, &request), "MPI_Iallreduce")
        return MPIPendingReduction(request: request)
    }

    public func broadcast(_ bytes: UnsafeMutableRawBufferPointer, root: Int) throws {
        guard (0..<size).contains(root) else { throw CommunicatorError.invalidArgument("broadcast root \(root) is not in 0..<\(size)") }
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        try check(shoal_mpi_bcast(base, bytes.count, Int32(root)), "MPI_Bcast")
    }

    public func allGather(_ send: UnsafeRawBufferPointer, into receive: UnsafeMutableRawBufferPointer) throws {
        guard receive.count == send.count * size else {
            throw CommunicatorError.invalidArgument("all-gather receive buffer has \(receive.count) bytes, expected \(send.count) × \(size)")
        }
        guard send.count > 0 else { return }
        try check(shoal_mpi_allgather(send.baseAddress, receive.baseAddress, send.count), "MPI_Allgather")
    }

    public func sendReceive<Element: ReducibleElement>(_ send: UnsafeBufferPointer<Element>, to destination: Int,
                                                        _ receive: UnsafeMutableBufferPointer<Element>, from source: Int) throws {
        try check(shoal_mpi_sendrecv(send.baseAddress, send.count, Int32(destination), receive.baseAddress, receive.count,
                                     Int32(source), Element.elementKind.shimType, 0), "MPI_Sendrecv")
    }

    public func barrier() throws { try check(shoal_mpi_barrier(), "MPI_Barrier") }

    public func wallTime() -> Double { shoal_mpi_wtime() }

    public func abort(code: Int32) -> Never {
        shoal_mpi_abort(code)
        exit(code)  // MPI_Abort does not return; this satisfies the type checker.
    }

    public func finalize() throws {
        guard shoal_mpi_is_active() != 0 else { return }
        try check(shoal_mpi_finalize(), "MPI_Finalize")
    }

    /// The raw C loop of the benchmark: `iterations` in-place `MPI_Allreduce` sums straight from C.
    /// Returns the mean seconds of one call on this rank.
    public func rawAllReduceSeconds<Element: ReducibleElement>(_ buffer: UnsafeMutableBufferPointer<Element>, iterations: Int) throws -> Double {
        var seconds = 0.0
        try check(shoal_mpi_bench_allreduce(buffer.baseAddress, buffer.count, Element.elementKind.shimType, Int32(iterations), &seconds),
                  "MPI_Allreduce (raw loop)")
        return seconds
    }
}

final class MPIPendingReduction: PendingReduction, @unchecked Sendable {
    private var request: UnsafeMutableRawPointer?

    init(request: UnsafeMutableRawPointer?) { self.request = request }

    func wait() throws {
        guard request != nil else { return }
        try check(shoal_mpi_wait(&request), "MPI_Wait")
    }
}

/// Turns an MPI return code into a thrown ``CommunicatorError``.
func check(_ code: Int32, _ function: String) throws {
    guard code != 0 else { return }
    var buffer = [CChar](repeating: 0, count: 512)
    shoal_mpi_error_string(code, &buffer, Int32(buffer.count))
    let message = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    throw CommunicatorError.mpi(function: function, code: code, message: message)
}

extension ElementKind {
    var shimType: shoal_dtype {
        switch self {
        case .float: SHOAL_FLOAT
        case .double: SHOAL_DOUBLE
        case .int64: SHOAL_INT64
        case .int32: SHOAL_INT32
        }
    }
}

extension ReductionOperation {
    var shimOp: shoal_op { self == .sum ? SHOAL_SUM : SHOAL_MAX }
}
