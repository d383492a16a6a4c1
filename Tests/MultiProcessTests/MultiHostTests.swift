import Foundation
import Testing

/// Whether launch/testhosts can make network namespaces here.
let testHostsAvailable = getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip")

/// Training across hosts (issue 15), on test hosts made of network namespaces (launch/testhosts):
/// the bits of one host, a node with other data stopped before step 1, a dead rank on the second
/// host, a checkpoint rank 0's node cannot see. Needs root and `ip`; skipped otherwise.
@Suite(.serialized, .enabled(if: testHostsAvailable, "needs root and ip for network namespaces (launch/testhosts)"))
struct MultiHostTests {
    static let mlp = "configs/fashion-mlp.yaml"

    /// Runs `body` with `count` test hosts up, and takes them down whatever happens.
    func withTestHosts(_ count: Int = 2, _ body: () throws -> Void) throws {
        let script = ShoalProcess.root.appendingPathComponent("launch/testhosts").path
        #expect(system("\(script) up \(count) >/dev/null") == 0, "launch/testhosts up")
        defer { _ = system("\(script) down >/dev/null 2>&1") }
        try body()
    }

    @Test(arguments: [(MultiHostTests.mlp, [String]()), (LanguageModelTests.tinyGPT, [])])
    func twoHostsWithOneAndTwoRanksEachGiveTheBitsOfOneHost(config: String, overrides: [String]) throws {
        let single = try TrainingRun.launch(config, ranks: 1, overrides)
        let expected = try #require(single.parameterHash, "\(single.result.combined)")
        try withTestHosts {
            for (ranks, perHost) in [(2, 1), (4, 2)] {
                let run = try TrainingRun.launch(config, ranks: ranks, overrides, perHost: perHost)
                #expect(run.result.status == 0, "\(run.result.combined)")
                #expect(run.parameterHash == expected, "\(ranks) ranks over 2 hosts: \(run.result.combined)")
            }
        }
    }

    @Test func aHostWithAnotherCopyOfTheDataStopsTheJobBeforeStepOneNamingIt() throws {
        // One byte of one corpus file changed to another character of the vocabulary.
        let original = "/usr/share/games/fortunes/art"
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: original)))
        let i = try #require(bytes.firstIndex(of: UInt8(ascii: "a")))
        bytes[i] = UInt8(ascii: "b")
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("art-\(UUID().uuidString)")
        try Data(bytes).write(to: copy)
        defer { try? FileManager.default.removeItem(at: copy) }
        try withTestHosts {
            let run = try TrainingRun.launch(LanguageModelTests.tinyGPT, ranks: 2, [], environment: ["SHOAL_TESTHOSTS_BIND": "shoal-h2:\(copy.path):\(original)"],
                                             perHost: 1)
            #expect(run.result.status == 1, "\(run.result.combined)")
            #expect(run.result.error.contains("rank 1 on shoal-h2 differs from rank 0 on shoal-h1 in its data: sha256 "), "\(run.result.combined)")
            #expect(!run.result.output.contains("tokens/s"), "no step ran: \(run.result.combined)")
        }
    }

    @Test func killingTheRankOnTheSecondHostEndsTheJobNamingItAndOneHostResumesToTheSameBits() throws {
        let overrides = ["training.epochs=30", "checkpoint.every=50"]
        let reference = try TrainingRun.launch(Self.mlp, ranks: 1, overrides)
        let expected = try #require(reference.parameterHash, "\(reference.result.combined)")
        let directory = TrainingRun.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try withTestHosts {
            let killed = Moment()
            let run = try TrainingRun.launch(Self.mlp, ranks: 2, overrides, directory: directory, perHost: 1) { process in
                for _ in 0..<1200 where !FileManager.default.fileExists(atPath: directory + "/fashion-mlp/version_0/checkpoints/step-00000050") { usleep(20_000) }
                guard let pid = rankProcesses(under: process.processIdentifier, count: 2)[1] else { return }
                kill(pid, SIGKILL)
                killed.mark()
            }
            let seconds = try #require(killed.secondsSince, "\(run.result.combined)")
            #expect(run.result.status != 0, "\(run.result.combined)")
            #expect(seconds < 10, "ended \(seconds) s after the kill")
            #expect(run.result.combined.contains("rank 1"), "\(run.result.combined)")
        }
        let resumed = try TrainingRun.launch(Self.mlp, ranks: 1, overrides, directory: directory, flags: ["--resume", "auto"])
        #expect(resumed.result.output.contains("resumed from step"), "\(resumed.result.combined)")
        #expect(resumed.parameterHash == expected, "\(resumed.result.combined)")
    }

    @Test func resumeRequiredFailsWhenRankZerosNodeCannotSeeTheCheckpoint() throws {
        let directory = TrainingRun.makeDirectory(), empty = TrainingRun.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory); try? FileManager.default.removeItem(atPath: empty) }
        let first = try TrainingRun.launch(Self.mlp, ranks: 1, [], directory: directory, flags: ["--stop-after", "2"])
        #expect(first.result.output.contains("checkpoint written: step 2"), "\(first.result.combined)")
        try withTestHosts {
            // On shoal-h1, where rank 0 runs, the run's directory is an empty local one.
            let hidden = ["SHOAL_TESTHOSTS_BIND": "shoal-h1:\(empty):\(directory)"]
            let required = try TrainingRun.launch(Self.mlp, ranks: 2, [], directory: directory, flags: ["--resume", "required"],
                                                  environment: hidden, perHost: 1)
            #expect(required.result.status != 0, "\(required.result.combined)")
            #expect(required.result.error.contains("no checkpoint found in \(directory)/fashion-mlp/version_0/checkpoints on shoal-h1, rank 0's node"),
                    "\(required.result.combined)")
            let auto = try TrainingRun.launch(Self.mlp, ranks: 2, [], directory: directory, flags: ["--resume", "auto", "--stop-after", "1"],
                                              environment: hidden, perHost: 1)
            #expect(auto.result.output.contains("on shoal-h1 (rank 0's node"), "\(auto.result.combined)")
        }
    }
}
