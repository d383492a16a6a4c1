import ArgumentParser
import Foundation
import ShoalComm
import ShoalTensor

/// Hidden: checks every collective of the communicator on the ranks it is started with. The
/// multi-process tests launch it under real mpirun; it prints one `ok` line per rank.
struct SelfTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "selftest-comm",
        abstract: "Check all-reduce, broadcast and all-gather on the current ranks.",
        shouldDisplay: false
    )

    @Option(help: "Element counts to check, comma-separated.")
    var counts = "1,1023,1048576"

    func run() throws {
        let sizes = counts.split(separator: ",").compactMap { Int($0) }
        try withWorld { world in
            try CollectiveCheck(world: world).run(counts: sizes)
            print("rank \(world.rank) of \(world.size): ok, \(blasThreadCount) BLAS thread\(blasThreadCount == 1 ? "" : "s")")
        }
    }
}
