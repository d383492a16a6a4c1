import Foundation
import Testing

/// Every collective checked under real mpirun with several processes (`shoal selftest-comm`
/// verifies sums and maxima for Float/Double/Int64/Int32 at 1, 1023 and 1 M elements, a
/// reduce-scatter and block all-gather at the same sizes, a non-blocking sum, broadcast and
/// all-gather, and fails the job on any mismatch).
@Suite(.serialized) struct CommunicatorTests {
    @Test(arguments: [2, 3])
    func collectivesAreCorrectOnSeveralRanks(ranks: Int) throws {
        let result = try ShoalProcess.mpirun(ranks: ranks, ["selftest-comm"])
        #expect(result.status == 0, "\(result.combined)")
        for rank in 0..<ranks {
            #expect(result.output.contains("rank \(rank) of \(ranks): ok"), "\(result.combined)")
        }
    }

    /// With a hostfile, launch/mpirun takes -n anywhere before --, and adds no --oversubscribe:
    /// more ranks than slots is mpirun's error, not 3 ranks silently packed on one host.
    @Test func withAHostfileTheSlotsHoldAndEachRankChoosesItsBLASThreads() throws {
        let hostfile = FileManager.default.temporaryDirectory.appendingPathComponent("hosts-\(UUID().uuidString)").path
        try "localhost slots=2\n".write(toFile: hostfile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: hostfile) }
        let tooMany = try ShoalProcess.launcher(["--hostfile", hostfile, "-n", "3", "--", ShoalProcess.binary, "selftest-comm"])
        #expect(tooMany.status != 0)
        #expect(tooMany.combined.contains("not enough slots"), "\(tooMany.combined)")
        let cores = ProcessInfo.processInfo.activeProcessorCount
        for ranks in [1, 2] {
            let fits = try ShoalProcess.launcher(["--hostfile", hostfile, "-n", "\(ranks)", "--", ShoalProcess.binary, "selftest-comm"],
                                                 environment: ["OPENBLAS_NUM_THREADS": nil])
            let threads = max(1, cores / ranks)
            #expect(fits.output.contains("rank 0 of \(ranks): ok, \(threads) BLAS thread"), "\(fits.combined)")
        }
    }

    @Test func withoutMPIItIsAJobOfOne() throws {
        let result = try ShoalProcess.run(["selftest-comm"])
        #expect(result.status == 0, "\(result.combined)")
        #expect(result.output.contains("rank 0 of 1: ok"))
    }

    @Test func allReduceBenchmarkVerifiesAndPrintsATable() throws {
        let result = try ShoalProcess.mpirun(ranks: 2, ["bench", "allreduce", "--sizes", "4B..4KB", "--runs", "1"])
        #expect(result.status == 0, "\(result.combined)")
        #expect(result.output.contains("swift busbw GB/s"))
        #expect(result.output.contains("4 KB"))
    }

    @Test func allReduceBenchmarkExplainsThatItNeedsMPI() throws {
        let result = try ShoalProcess.run(["bench", "allreduce", "--sizes", "4B"])
        #expect(result.status != 0)
        #expect(result.error.contains("needs an MPI job"))
    }
}
