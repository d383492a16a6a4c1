import ArgumentParser
import Foundation
import ShoalComm

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure Shoal against its reference on this machine.",
        subcommands: [BenchAllReduceCommand.self, BenchNNCommand.self, BenchBlockCommand.self, BenchOptimizerCommand.self,
                      BenchTokenizerCommand.self, BenchWindowsCommand.self]
    )
}

struct BenchAllReduceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "allreduce",
        abstract: "All-reduce latency and bandwidth: Shoal's Swift path next to a raw MPI_Allreduce loop.",
        discussion: """
        Run under MPI with at least 2 ranks, e.g. launch/mpirun -n 2 .build/release/shoal bench allreduce.

        busbw = algbw · 2(p−1)/p. Every size is verified (both paths) before it is timed; each cell is the median over --runs runs of the slowest rank.
        """
    )

    @Option(help: "Message sizes in bytes: a range of powers of two (4B..64MB), a list (1KB,1MB) or one size.")
    var sizes = "4B..64MB"

    @Option(help: "Element type: float, double, int64 or int32.")
    var dtype: ElementTypeArgument = .float

    @Option(help: "Timed runs per size; the table shows their median.")
    var runs = 5

    @Flag(help: "Print the table as Markdown (for benchmarks/RESULTS.md).")
    var markdown = false

    func validate() throws {
        guard runs > 0 else { throw ValidationError("--runs must be at least 1, got \(runs)") }
        do { _ = try parseByteSizes(sizes) } catch { throw ValidationError("--sizes: \(error)") }
    }

    func run() throws {
        let sizeList = try parseByteSizes(sizes)
        try withWorld { world in
            guard let mpi = world as? MPICommunicator else { throw AllReduceBenchmark.Failure.needsMPI }
            let benchmark = AllReduceBenchmark(sizes: sizeList, kind: dtype.kind, runs: runs)
            let table = AllReduceTable(markdown: markdown)
            if world.rank == 0 {
                print("# shoal bench allreduce: \(world.size) ranks, \(dtype.rawValue), median of \(runs) runs, \(MPICommunicator.libraryVersion.split(separator: ",").first ?? "")")
                print(table.header)
            }
            _ = try benchmark.run(on: mpi) { row in
                if world.rank == 0 { print(table.line(row)); fflush(nil) }
            }
        }
    }
}

enum ElementTypeArgument: String, ExpressibleByArgument, CaseIterable {
    case float, double, int64, int32

    var kind: ElementKind {
        switch self {
        case .float: .float
        case .double: .double
        case .int64: .int64
        case .int32: .int32
        }
    }
}

/// Formats benchmark rows as aligned text or Markdown.
struct AllReduceTable {
    var markdown: Bool

    private let columns = ["size", "count", "swift µs", "swift algbw GB/s", "swift busbw GB/s",
                           "raw µs", "raw algbw GB/s", "raw busbw GB/s", "swift/raw"]

    var header: String {
        markdown ? "| " + columns.joined(separator: " | ") + " |\n|" + String(repeating: "---:|", count: columns.count)
                 : columns.map { pad($0) }.joined()
    }

    func line(_ row: AllReduceBenchmark.Row) -> String {
        let cells = [formatBytes(row.bytes), String(row.count),
                     String(format: "%.2f", row.swiftSeconds * 1e6), String(format: "%.3f", row.swiftAlgorithmBandwidth / 1e9),
                     String(format: "%.3f", row.swiftBusBandwidth / 1e9),
                     String(format: "%.2f", row.rawSeconds * 1e6), String(format: "%.3f", row.rawAlgorithmBandwidth / 1e9),
                     String(format: "%.3f", row.rawBusBandwidth / 1e9), String(format: "%.3f", row.ratio)]
        return markdown ? "| " + cells.joined(separator: " | ") + " |" : cells.map { pad($0) }.joined()
    }

    private func pad(_ s: String) -> String { String(repeating: " ", count: max(1, 18 - s.count)) + s }

    private func formatBytes(_ bytes: Int) -> String {
        if bytes >= 1 << 20 && bytes % (1 << 20) == 0 { return "\(bytes >> 20) MB" }
        if bytes >= 1 << 10 && bytes % (1 << 10) == 0 { return "\(bytes >> 10) KB" }
        return "\(bytes) B"
    }
}
