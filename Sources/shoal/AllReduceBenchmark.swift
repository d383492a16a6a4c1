import Foundation
import ShoalComm

/// An OSU-style all-reduce sweep: for each message size, the latency and bandwidth of the Swift
/// path (``Communicator/allReduce(_:_:)``) next to a raw C loop calling `MPI_Allreduce` directly.
///
/// Bandwidths follow nccl-tests: `algbw = bytes / time`, `busbw = algbw · 2(p−1)/p`, the bytes a
/// ring all-reduce moves through each link.
///
/// ```swift
/// let rows = try AllReduceBenchmark(sizes: [1 << 20], kind: .float, runs: 5).run(on: world)
/// ```
struct AllReduceBenchmark: Sendable {
    /// One message size's medians over `runs`.
    struct Row: Sendable {
        let bytes: Int
        let count: Int
        let swiftSeconds: Double
        let rawSeconds: Double
        let worldSize: Int

        var swiftAlgorithmBandwidth: Double { Double(bytes) / swiftSeconds }
        var rawAlgorithmBandwidth: Double { Double(bytes) / rawSeconds }
        var busFactor: Double { worldSize > 1 ? 2 * Double(worldSize - 1) / Double(worldSize) : 1 }
        var swiftBusBandwidth: Double { swiftAlgorithmBandwidth * busFactor }
        var rawBusBandwidth: Double { rawAlgorithmBandwidth * busFactor }
        /// Swift path bus bandwidth as a fraction of the raw loop's.
        var ratio: Double { swiftBusBandwidth / rawBusBandwidth }
    }

    enum Failure: Error, CustomStringConvertible {
        case wrongSum(path: String, bytes: Int, index: Int, got: Double, expected: Double)
        case needsMPI

        var description: String {
            switch self {
            case .wrongSum(let path, let bytes, let index, let got, let expected):
                "all-reduce verification failed on the \(path) path at \(bytes) B, element \(index): got \(got), expected \(expected)"
            case .needsMPI:
                "the raw MPI comparison needs an MPI job: run under mpirun (e.g. launch/mpirun -n 2 shoal bench allreduce)"
            }
        }
    }

    var sizes: [Int]
    var kind: ElementKind
    var runs: Int

    init(sizes: [Int], kind: ElementKind, runs: Int) {
        self.sizes = sizes
        self.kind = kind
        self.runs = runs
    }

    /// Verifies both paths at every size, then times them, alternating Swift and raw runs so
    /// that noise from the shared machine falls on both alike.
    func run(on world: MPICommunicator, progress: (Row) -> Void = { _ in }) throws -> [Row] {
        switch kind {
        case .float: try sweep(Float.self, world, progress)
        case .double: try sweep(Double.self, world, progress)
        case .int64: try sweep(Int64.self, world, progress)
        case .int32: try sweep(Int32.self, world, progress)
        }
    }

    /// Iterations per timing: many for small messages (latency-bound), a few for large ones.
    static func iterations(bytes: Int) -> Int { max(5, min(1000, (64 << 20) / max(bytes, 1))) }

    private func sweep<T: BenchElement>(_: T.Type, _ world: MPICommunicator, _ progress: (Row) -> Void) throws -> [Row] {
        var rows: [Row] = []
        for bytes in sizes {
            let count = max(1, bytes / T.elementKind.byteWidth)
            let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: count)
            defer { buffer.deallocate() }
            try verify(buffer, world: world)
            let iterations = Self.iterations(bytes: bytes)
            buffer.initialize(repeating: T.zero)  // zeros stay zeros however often they are summed
            _ = try world.rawAllReduceSeconds(buffer, iterations: 2)  // warm-up: connections, registrations
            var swift: [Double] = [], raw: [Double] = []
            for _ in 0..<runs {
                swift.append(try slowest(try timeSwiftPath(buffer, iterations: iterations, world: world), world))
                raw.append(try slowest(try world.rawAllReduceSeconds(buffer, iterations: iterations), world))
            }
            let row = Row(bytes: count * T.elementKind.byteWidth, count: count, swiftSeconds: median(swift),
                          rawSeconds: median(raw), worldSize: world.size)
            rows.append(row)
            progress(row)
        }
        return rows
    }

    private func timeSwiftPath<T: BenchElement>(_ buffer: UnsafeMutableBufferPointer<T>, iterations: Int, world: MPICommunicator) throws -> Double {
        try world.barrier()
        let start = world.wallTime()
        for _ in 0..<iterations { try world.allReduce(buffer, .sum) }
        return (world.wallTime() - start) / Double(iterations)
    }

    /// The time of the slowest rank, which is what a collective costs the job.
    private func slowest(_ seconds: Double, _ world: MPICommunicator) throws -> Double {
        var value = seconds
        try withUnsafeMutablePointer(to: &value) { try world.allReduce(UnsafeMutableBufferPointer(start: $0, count: 1), .max) }
        return value
    }

    /// Element i of rank r holds (r + 1) + (i mod 7); the sum over p ranks is p(p+1)/2 + p·(i mod 7),
    /// exact in every element type for the sizes benchmarked.
    private func verify<T: BenchElement>(_ buffer: UnsafeMutableBufferPointer<T>, world: MPICommunicator) throws {
        let p = world.size
        for (path, reduce) in [("Swift", { try world.allReduce(buffer, .sum) }),
                               ("raw", { _ = try world.rawAllReduceSeconds(buffer, iterations: 1) })] as [(String, () throws -> Void)] {
            for i in buffer.indices { buffer[i] = T(exactly: world.rank + 1 + i % 7) }
            try reduce()
            for i in buffer.indices {
                let expected = Double(p * (p + 1) / 2 + p * (i % 7))
                if buffer[i].doubleValue != expected {
                    throw Failure.wrongSum(path: path, bytes: buffer.count * T.elementKind.byteWidth, index: i,
                                           got: buffer[i].doubleValue, expected: expected)
                }
            }
        }
    }
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    let n = sorted.count
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
}

/// The element types the benchmark can fill and check.
protocol BenchElement: ReducibleElement {
    static var zero: Self { get }
    init(exactly value: Int)
    var doubleValue: Double { get }
}

extension Float: BenchElement {
    init(exactly value: Int) { self = Float(value) }
    var doubleValue: Double { Double(self) }
}
extension Double: BenchElement {
    init(exactly value: Int) { self = Double(value) }
    var doubleValue: Double { self }
}
extension Int64: BenchElement {
    init(exactly value: Int) { self = Int64(value) }
    var doubleValue: Double { Double(self) }
}
extension Int32: BenchElement {
    init(exactly value: Int) { self = Int32(value) }
    var doubleValue: Double { Double(self) }
}

/// Parses sizes such as `4B..64MB` (every power of two in between), `1KB,1MB,16MB` or `4096`.
/// Units are binary: KB = 1024 B.
func parseByteSizes(_ text: String) throws -> [Int] {
    func parseOne(_ s: String) throws -> Int {
        let t = s.trimmingCharacters(in: .whitespaces).uppercased()
        let units: [(String, Int)] = [("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10), ("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10), ("B", 1)]
        for (suffix, scale) in units where t.hasSuffix(suffix) {
            if let n = Int(t.dropLast(suffix.count)), n > 0 { return n * scale }
            break
        }
        if let n = Int(t), n > 0 { return n }
        throw SizeParseError(text: s)
    }
    if let range = text.range(of: "..") {
        let low = try parseOne(String(text[..<range.lowerBound])), high = try parseOne(String(text[range.upperBound...]))
        guard low <= high else { throw SizeParseError(text: text) }
        var sizes: [Int] = [], size = low
        while size <= high { sizes.append(size); size *= 2 }
        return sizes
    }
    return try text.split(separator: ",", omittingEmptySubsequences: false).map { try parseOne(String($0)) }
}

struct SizeParseError: Error, CustomStringConvertible {
    let text: String
    var description: String {
        "cannot read size '\(text)': use a positive number with an optional unit B, KB, MB or GB, a list 1KB,1MB or a range 4B..64MB"
    }
}
