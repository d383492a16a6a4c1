import Foundation
import Testing

/// Whether launch/testslurm can try to start a one-node Slurm here: root, ip, and Debian's
/// slurm-wlm and munge (launch/test installs them).
let testSlurmAvailable = testHostsAvailable && ["/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/sbin/munged", "/usr/bin/sbatch"]
    .allSatisfy(FileManager.default.isExecutableFile(atPath:))

/// launch/slurm.sbatch run for real (issue 15): sbatch on a one-node Slurm (munged, slurmctld and
/// slurmd started by launch/testslurm in a network namespace of their own), 2 tasks.
@Suite(.serialized, .enabled(if: testSlurmAvailable, "needs root, ip and Debian's slurm-wlm and munge (launch/testslurm)"))
struct SlurmTests {
    @Test func theSbatchScriptOnTwoTasksGivesTheBitsOfOneRank() throws {
        let reference = try TrainingRun.launch(LanguageModelTests.tinyGPT, ranks: 1)
        let expected = try #require(reference.parameterHash, "\(reference.result.combined)")
        let directory = TrainingRun.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let slurm = directory + "/slurm", script = ShoalProcess.root.appendingPathComponent("launch/testslurm").path
        guard system("\(script) up \(slurm)") == 0 else {
            print("SlurmTests skipped: the Slurm daemons could not start here (launch/testslurm up printed why)")
            return
        }
        defer { _ = system("\(script) down \(slurm) >/dev/null 2>&1") }
        let log = directory + "/job.out"
        // No OPENBLAS_NUM_THREADS: each rank takes SLURM_CPUS_PER_TASK threads, as on a cluster.
        let submitted = try ShoalProcess.testslurm(slurm, [
            "sbatch", "--wait", "--nodes=1", "--ntasks-per-node=2", "--cpus-per-task=1", "--output=\(log)",
            "--export=ALL,SHOAL_BINARY=\(ShoalProcess.binary)", "launch/slurm.sbatch", LanguageModelTests.tinyGPT,
        ] + TrainingRun.settings([], directory: directory + "/runs"), environment: ["OPENBLAS_NUM_THREADS": nil])
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(submitted.status == 0, "\(submitted.combined)\n\(output)")
        #expect(output.contains("2 ranks") && output.contains("1 BLAS thread per rank"), "\(output)")
        let hash = output.split(separator: "\n").first { $0.hasPrefix("parameter sha256 ") }?.dropFirst("parameter sha256 ".count)
        #expect(hash.map(String.init) == expected, "\(output)")
    }
}
