import Foundation
import Testing

/// Checkpoints written by real ranks, resumed by real ranks (issue 7).
@Suite(.serialized) struct CheckpointTests {
    /// 1200 samples at global batch 256: 5 steps an epoch, 8 epochs = 40 steps.
    static let run = ["training.epochs=8"]

    @Test func resumingOnAnotherWorldSizeGivesTheUninterruptedBitsInExactMode() throws {
        let straight = try TrainingRun.launch("configs/fashion-cnn.yaml", ranks: 2, Self.run + ["distributed.reduction=exact"])
        let directory = TrainingRun.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try TrainingRun.launch("configs/fashion-cnn.yaml", ranks: 2, Self.run + ["distributed.reduction=exact"],
                                           directory: directory, flags: ["--stop-after", "20"])
        #expect(first.result.status == 0, "\(first.result.combined)")
        #expect(first.result.output.contains("checkpoint written: step 20"))
        let second = try TrainingRun.launch("configs/fashion-cnn.yaml", ranks: 3, Self.run + ["distributed.reduction=exact"],
                                            directory: directory, flags: ["--resume", "auto"])
        #expect(second.result.status == 0, "\(second.result.combined)")
        #expect(second.result.output.contains("resumed from step 20"), "\(second.result.combined)")
        #expect(straight.parameterHash != nil)
        #expect(second.parameterHash == straight.parameterHash)
    }

    @Test func resumingAtTheSameWorldSizeGivesTheUninterruptedBitsInFastMode() throws {
        let straight = try TrainingRun.launch("configs/fashion-mlp.yaml", ranks: 2, Self.run + ["distributed.reduction=fast"])
        let directory = TrainingRun.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try TrainingRun.launch("configs/fashion-mlp.yaml", ranks: 2, Self.run + ["distributed.reduction=fast"],
                                   directory: directory, flags: ["--stop-after", "13"])
        let resumed = try TrainingRun.launch("configs/fashion-mlp.yaml", ranks: 2, Self.run + ["distributed.reduction=fast"],
                                             directory: directory, flags: ["--resume", "auto"])
        #expect(resumed.result.status == 0, "\(resumed.result.combined)")
        #expect(resumed.parameterHash == straight.parameterHash)
    }

    @Test func aChangedConfigIsRefusedWithTheDifferenceUnlessAllowed() throws {
        let directory = TrainingRun.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try TrainingRun.launch("configs/fashion-mlp.yaml", ranks: 2, [], directory: directory, flags: ["--stop-after", "2"])
        let refused = try TrainingRun.launch("configs/fashion-mlp.yaml", ranks: 2, ["optimizer.lr=0.01"], directory: directory,
                                             flags: ["--resume", "auto"])
        #expect(refused.result.status != 0)
        #expect(refused.result.error.contains("optimizer.lr: 0.002 -> 0.01"), "\(refused.result.combined)")
        #expect(refused.result.error.contains("--allow-config-change"))
        let allowed = try TrainingRun.launch("configs/fashion-mlp.yaml", ranks: 2, ["optimizer.lr=0.01"], directory: directory,
                                             flags: ["--resume", "auto", "--allow-config-change"])
        #expect(allowed.result.status == 0, "\(allowed.result.combined)")
        #expect(allowed.result.output.contains("resumed from step 2"))
    }

    @Test func aCorruptCheckpointIsRefusedWithItsReason() throws {
        let directory = TrainingRun.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try TrainingRun.launch("configs/fashion-mlp.yaml", ranks: 1, [], directory: directory, flags: ["--stop-after", "2"])
        let checkpoint = directory + "/fashion-mlp/version_0/checkpoints/step-00000002"
        let model = URL(fileURLWithPath: checkpoint + "/model.safetensors")
        var bytes = try Data(contentsOf: model)
        bytes[bytes.count - 5] ^= 0x01
        try bytes.write(to: model)
        let resumed = try TrainingRun.launch("configs/fashion-mlp.yaml", ranks: 2, [], directory: directory,
                                             flags: ["--resume", checkpoint])
        #expect(resumed.result.status != 0)
        #expect(resumed.result.error.contains("SHA-256 mismatch"), "\(resumed.result.combined)")
        let inspect = try ShoalProcess.run(["inspect", checkpoint])
        #expect(inspect.status != 0)
        #expect(inspect.output.contains("verification: FAILED"), "\(inspect.combined)")
    }

    @Test func killingRankZeroWhileItWritesLeavesThePreviousCheckpointUsable() throws {
        let directory = TrainingRun.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let checkpoints = directory + "/fashion-mlp/version_0/checkpoints"
        // Every write pauses 5 s between writing its files and publishing them.
        setenv("SHOAL_TEST_CHECKPOINT_DELAY_MS", "5000", 1)
        defer { unsetenv("SHOAL_TEST_CHECKPOINT_DELAY_MS") }
        let killer = Thread {
            // Wait for the second checkpoint's temporary directory, then kill -9 the writer (its pid is in the name).
            for _ in 0..<600 {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: checkpoints)) ?? []
                if names.contains("step-00000002"),
                   let temporary = names.first(where: { $0.hasPrefix(".tmp-step-00000004-") }),
                   let pid = Int32(temporary.split(separator: "-").last ?? "") {
                    kill(pid, SIGKILL)
                    return
                }
                usleep(50_000)
            }
        }
        killer.start()
        let killed = try TrainingRun.launch("configs/fashion-mlp.yaml", ranks: 2, ["checkpoint.every=2"], directory: directory)
        #expect(killed.result.status != 0, "\(killed.result.combined)")
        let names = try FileManager.default.contentsOfDirectory(atPath: checkpoints)
        #expect(!names.contains("step-00000004"), "\(names)")
        #expect(try String(contentsOfFile: checkpoints + "/latest", encoding: .utf8).contains("step-00000002"))
        unsetenv("SHOAL_TEST_CHECKPOINT_DELAY_MS")
        let resumed = try TrainingRun.launch("configs/fashion-mlp.yaml", ranks: 2, ["checkpoint.every=2"], directory: directory,
                                             flags: ["--resume", "auto"])
        #expect(resumed.result.status == 0, "\(resumed.result.combined)")
        #expect(resumed.result.output.contains("resumed from step 2"), "\(resumed.result.combined)")
    }

    @Test func sigtermFinishesTheStepWritesACheckpointAndResumes() throws {
        let directory = TrainingRun.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let metrics = directory + "/fashion-mlp/version_0/metrics.jsonl"
        // A long run, interrupted once it has logged a few steps. (mpirun itself, given SIGTERM,
        // forwards it to the ranks; the test signals the ranks directly, as a batch system does.)
        let interrupted = try TrainingRun.launch("configs/fashion-mlp.yaml", ranks: 2, ["training.epochs=500"],
                                                 directory: directory) { process in
            // As a batch system does (Slurm's scancel, a node shutdown): SIGTERM to every rank
            // (the grandchildren of launch/mpirun, under mpirun).
            if waitForLines(5, in: metrics) { for rank in descendants(of: process.processIdentifier).dropFirst() { kill(rank, SIGTERM) } }
        }
        #expect(interrupted.result.output.contains("stopped early: SIGTERM received"), "\(interrupted.result.combined)")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory + "/fashion-mlp/version_0/checkpoints")
        #expect(names.contains { $0.hasPrefix("step-") }, "\(names)")
        let resumed = try TrainingRun.launch("configs/fashion-mlp.yaml", ranks: 2, ["training.epochs=500"], directory: directory,
                                             flags: ["--resume", "auto", "--stop-after", "1"])
        #expect(resumed.result.output.contains("resumed from step"), "\(resumed.result.combined)")
    }

    /// A checkpoint written by the format-1 writer (before typed state) still resumes, on another
    /// rank count; where this machine's BLAS is the one that wrote it, bit for bit like a run
    /// that was never interrupted.
    @Test func aCheckpointOfTheFormerFormatStillResumes() throws {
        let directory = TrainingRun.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let fixtures = ShoalProcess.root.appendingPathComponent("Tests/MultiProcessTests/Fixtures").path
        let checkpoint = directory + "/old/step-00000004"
        try FileManager.default.createDirectory(atPath: directory + "/old", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: fixtures + "/v1-checkpoint", toPath: checkpoint)
        let config = fixtures + "/tiny-mlp.yaml"
        let arguments = ["train", config, "--set", "logging.dir=\(directory)/resumed"]
        let resumed = try ShoalProcess.mpirun(ranks: 3, arguments + ["--resume", checkpoint], environment: ["OPENBLAS_NUM_THREADS": "1"])
        #expect(resumed.status == 0, "\(resumed.combined)")
        #expect(resumed.output.contains("resumed from step 4 (epoch 1, written by 2 ranks)"), "\(resumed.combined)")
        let straight = try ShoalProcess.mpirun(ranks: 2, ["train", config, "--set", "logging.dir=\(directory)/straight"],
                                               environment: ["OPENBLAS_NUM_THREADS": "1"])
        let hash = { (r: ShoalProcess.Result) in r.output.split(separator: "\n").first { $0.hasPrefix("parameter sha256") } }
        let old = try String(contentsOfFile: checkpoint + "/state.json", encoding: .utf8)
        let new = try String(contentsOfFile: directory + "/straight/tiny-mlp/version_0/checkpoints/step-00000010/state.json", encoding: .utf8)
        let blas = { (text: String) in text.split(separator: "\n").first { $0.contains("\"blas\"") } }
        if blas(old) == blas(new) {
            #expect(hash(resumed) != nil && hash(resumed) == hash(straight), "\(resumed.output)\n---\n\(straight.output)")
        }
    }

    /// Ctrl-C reaches launch/mpirun (the terminal's foreground job) as SIGINT; the ranks must hear
    /// an interrupt, not the SIGTERM mpirun itself would send, and stop with a checkpoint.
    @Test func ctrlCToTheLauncherStopsTheRanksAsAnInterruptWithACheckpoint() throws {
        let directory = TrainingRun.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let metrics = directory + "/fashion-mlp/version_0/metrics.jsonl"
        let interrupted = try TrainingRun.launch("configs/fashion-mlp.yaml", ranks: 2, ["training.epochs=500"],
                                                 directory: directory) { process in
            if waitForLines(100, in: metrics) { kill(process.processIdentifier, SIGINT) }
        }
        #expect(interrupted.result.status == 0, "\(interrupted.result.combined)")
        #expect(interrupted.result.output.contains("stopped early: SIGINT (Ctrl-C) received"), "\(interrupted.result.combined)")
        #expect(interrupted.result.output.contains("checkpoint written"), "\(interrupted.result.combined)")
    }

    @Test func evaluatingACheckpointGivesTheSameReportOnAnyNumberOfRanks() throws {
        let directory = TrainingRun.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try TrainingRun.launch("configs/fashion-mlp.yaml", ranks: 2, [], directory: directory, flags: ["--stop-after", "3"])
        let arguments = ["eval", "configs/fashion-mlp.yaml", "--checkpoint", "auto"]
            + ["data.limit_train=1200", "data.limit_test=300", "training.epochs=1", "logging.dir=\(directory)"].flatMap { ["--set", $0] }
        let one = try ShoalProcess.mpirun(ranks: 1, arguments)
        let three = try ShoalProcess.mpirun(ranks: 3, arguments)
        #expect(one.status == 0, "\(one.combined)")
        #expect(one.output.contains("test accuracy"), "\(one.combined)")
        #expect(one.output.contains("evaluating the checkpoint of step 3"), "\(one.combined)")
        #expect(!one.combined.contains("resum"), "eval does not talk of resuming: \(one.combined)")
        let report = { (output: String) in output.split(separator: "\n") }
        #expect(report(one.output) == report(three.output), "\(one.output)\n---\n\(three.output)")
    }
}

/// The processes below `pid`, parents before children (from /proc/<pid>/task/<pid>/children).
func descendants(of pid: Int32) -> [Int32] {
    let children = ((try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? "")
        .split(separator: " ").compactMap { Int32($0) }
    return children + children.flatMap { descendants(of: $0) }
}

/// Waits up to a minute for `file` to hold `count` lines; whether it did.
func waitForLines(_ count: Int, in file: String) -> Bool {
    for _ in 0..<1200 {
        if let text = try? String(contentsOfFile: file, encoding: .utf8), text.split(separator: "\n").count >= count { return true }
        usleep(50_000)
    }
    return false
}

/// Checkpoints for multi-node runs (issue 15): a clock-based interval that every rank follows,
/// and a resume that refuses to start over.
@Suite(.serialized) struct CheckpointScheduleTests {
    @Test func checkpointEverySecondsWritesOnRankZerosClockAtTheSameStepOnEveryRank() throws {
        let directory = TrainingRun.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let run = try TrainingRun.launch("configs/fashion-mlp.yaml", ranks: 2, ["training.epochs=30", "checkpoint.every_seconds=0.1",
                                                                               "checkpoint.keep_last=100"], directory: directory)
        #expect(run.result.status == 0, "\(run.result.combined)")
        let written = run.result.output.split(separator: "\n").filter { $0.hasPrefix("checkpoint written: step ") }
        // Steps take 1–20 ms, and the whole run well under a second on a fast machine: a few
        // checkpoints at steps no fixed interval would give.
        #expect(written.count >= 3, "\(run.result.combined)")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory + "/fashion-mlp/version_0/checkpoints").filter { $0.hasPrefix("step-") }
        // On a loaded machine the run is slow and writes more than keep_last: the newest 100 stay.
        let steps = written.compactMap { $0.split(separator: " ").dropFirst(3).first.flatMap { Int($0) } }
        #expect(steps.count == written.count && steps == steps.sorted(), "\(written)")
        #expect(Set(names) == Set(steps.suffix(100).map { String(format: "step-%08d", $0) }), "\(names.sorted()) vs \(written)")
    }

    @Test func resumeRequiredWithNothingToResumeIsAnErrorNamingRankZerosHost() throws {
        let run = try TrainingRun.launch("configs/fashion-mlp.yaml", ranks: 2, [], flags: ["--resume", "required"])
        #expect(run.result.status != 0, "\(run.result.combined)")
        #expect(run.result.error.contains("cannot resume: no checkpoint found in "), "\(run.result.combined)")
        #expect(run.result.error.contains("on \(ProcessInfo.processInfo.hostName), rank 0's node"), "\(run.result.combined)")
        let auto = try TrainingRun.launch("configs/fashion-mlp.yaml", ranks: 2, [], flags: ["--resume", "auto", "--stop-after", "1"])
        #expect(auto.result.output.contains("yet: starting from step 0; --resume required would stop instead"), "\(auto.result.combined)")
    }

    @Test func oneRankWithOtherDataStopsBeforeStepOneNamingItsHost() throws {
        let run = try TrainingRun.launch("configs/fashion-mlp.yaml", ranks: 2, [], environment: ["SHOAL_TEST_FAULT": "data:1:0"])
        #expect(run.result.status == 1, "\(run.result.combined)")
        #expect(run.result.error.contains("the ranks disagree before step 1:"), "\(run.result.combined)")
        #expect(run.result.error.contains("rank 1 on \(ProcessInfo.processInfo.hostName) differs from rank 0"), "\(run.result.combined)")
        #expect(run.result.error.contains("in its data: sha256 "), "\(run.result.combined)")
        #expect(!run.result.output.contains("step 1/"), "no step ran: \(run.result.combined)")
    }
}
