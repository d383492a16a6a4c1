import Foundation
import Testing

/// What a run leaves on disk (issue 16): a version directory per run of a name, the resolved
/// config that reproduces it, metrics.jsonl and a TensorBoard event file with the same scalars,
/// Keras's epoch lines.
@Suite(.serialized) struct RunDirectoryTests {
    static let mlp = "configs/fashion-mlp.yaml"

    func files(_ path: String) -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted() }

    @Test func twoRunsOfANameGiveTwoVersionsAndResumeContinuesTheNewest() throws {
        let directory = TrainingRun.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let root = directory + "/fashion-mlp"
        let first = try TrainingRun.launch(Self.mlp, ranks: 2, ["training.epochs=2"], directory: directory)
        #expect(first.result.status == 0, "\(first.result.combined)")
        #expect(files(root) == ["version_0"])
        let v0 = root + "/version_0"
        let contents = files(v0)
        #expect(contents.contains("config.yaml") && contents.contains("metrics.jsonl") && contents.contains("checkpoints"), "\(contents)")
        #expect(contents.contains { $0.hasPrefix("events.out.tfevents.") }, "\(contents)")
        let model = try Data(contentsOf: URL(fileURLWithPath: v0 + "/checkpoints/latest"))

        // Keras's line per epoch: the epoch's mean training loss, then the validation metrics.
        let epochLines = first.result.output.split(separator: "\n").filter { $0.hasPrefix("epoch ") }
        #expect(epochLines.count == 2, "\(first.result.output)")
        #expect(epochLines.first?.hasPrefix("epoch 1/2 · loss ") == true && epochLines.first?.contains(" · val_loss ") == true
                && epochLines.first?.contains(" · val_accuracy ") == true && epochLines.first?.hasSuffix(" s") == true, "\(epochLines)")

        let second = try TrainingRun.launch(Self.mlp, ranks: 2, ["training.epochs=2"], directory: directory)
        #expect(second.result.status == 0, "\(second.result.combined)")
        #expect(files(root) == ["version_0", "version_1"])
        #expect(files(v0) == contents, "the second run left the first one's files alone")
        #expect(try Data(contentsOf: URL(fileURLWithPath: v0 + "/checkpoints/latest")) == model)

        let v1Lines = try String(contentsOfFile: root + "/version_1/metrics.jsonl", encoding: .utf8).split(separator: "\n").count
        let resumed = try TrainingRun.launch(Self.mlp, ranks: 2, ["training.epochs=3"], directory: directory,
                                             flags: ["--resume", "auto", "--allow-config-change"])
        #expect(resumed.result.status == 0, "\(resumed.result.combined)")
        #expect(resumed.result.output.contains("resumed from step"), "\(resumed.result.combined)")
        #expect(files(root) == ["version_0", "version_1"], "resume continues the newest version")
        let grown = try String(contentsOfFile: root + "/version_1/metrics.jsonl", encoding: .utf8).split(separator: "\n").count
        #expect(grown > v1Lines)
        #expect(files(root + "/version_1").filter { $0.hasPrefix("events.out.tfevents.") }.count >= 1)
    }

    @Test func theSavedConfigReproducesTheRunOnAnotherRankCount() throws {
        let directory = TrainingRun.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let original = try TrainingRun.launch(Self.mlp, ranks: 2, [], directory: directory)
        let expected = try #require(original.parameterHash, "\(original.result.combined)")
        let saved = directory + "/fashion-mlp/version_0/config.yaml"
        // The saved config alone (data slice, logging.dir and all): no overrides.
        let again = try ShoalProcess.mpirun(ranks: 3, ["train", saved], environment: ["OPENBLAS_NUM_THREADS": "1"])
        #expect(again.status == 0, "\(again.combined)")
        #expect(TrainingRun(result: again).parameterHash == expected, "\(again.combined)")
        #expect(files(directory + "/fashion-mlp") == ["version_0", "version_1"])
    }

    @Test func theEventFileAndMetricsHoldTheSameScalars() throws {
        let directory = TrainingRun.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let run = try TrainingRun.launch(Self.mlp, ranks: 2, ["training.epochs=2"], directory: directory)
        #expect(run.result.status == 0, "\(run.result.combined)")
        let v0 = directory + "/fashion-mlp/version_0"
        let name = try #require(files(v0).first { $0.hasPrefix("events.out.tfevents.") })
        #expect(name.hasSuffix("." + ProcessInfo.processInfo.hostName), "\(name)")
        let records = try IndependentEventReader.records([UInt8](Data(contentsOf: URL(fileURLWithPath: v0 + "/" + name))))
        let events = try records.map(IndependentEventReader.event)
        #expect(events.first?.fileVersion == "brain.Event:2")
        var tags: [String: [(step: Int64, value: Float)]] = [:]
        for event in events.dropFirst() {
            for scalar in event.scalars { tags[scalar.tag, default: []].append((event.step ?? -1, scalar.value)) }
        }
        for tag in ["train/loss", "train/accuracy", "train/learning_rate", "train/grad_norm", "train/samples_per_second",
                    "validation/loss", "validation/accuracy", "epoch/loss", "epoch/val_loss", "test/loss", "test/accuracy"] {
            #expect(tags[tag] != nil, "no \(tag) in \(tags.keys.sorted())")
        }

        // metrics.jsonl: one JSON object per line, the same train/loss values at the same steps.
        let lines = try String(contentsOfFile: v0 + "/metrics.jsonl", encoding: .utf8).split(separator: "\n")
        let objects = try lines.map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        let train = objects.filter { $0["kind"] as? String == "train" }
        #expect(train.count == tags["train/loss"]?.count, "every logging.every steps (1 here), in both files")
        for (record, event) in zip(train, tags["train/loss"] ?? []) {
            #expect(record["step"] as? Int == Int(event.step))
            #expect(Float(record["loss"] as? Double ?? .nan) == event.value)
            #expect(record["wall_time"] is Double && record["learning_rate"] is Double && record["grad_norm"] is Double)
        }
        #expect(objects.contains { $0["kind"] as? String == "test" && $0["accuracy"] is Double })
    }

    @Test func theTimelineHasBalancedSpansOnEveryRanksTrack() throws {
        let directory = TrainingRun.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let run = try TrainingRun.launch(Self.mlp, ranks: 2, ["distributed.reduction=fast", "distributed.overlap=thread", "distributed.bucket_mb=0.25"],
                                         directory: directory, flags: ["--timeline"])
        #expect(run.result.status == 0, "\(run.result.combined)")
        let path = directory + "/fashion-mlp/version_0/timeline.json"
        #expect(run.result.output.contains("timeline written: \(path)"), "\(run.result.combined)")
        let trace = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        let events = try #require(trace["traceEvents"] as? [[String: Any]])
        for rank in 0..<2 {
            let spans = events.filter { $0["ph"] as? String == "X" && $0["pid"] as? Int == rank }
            let names = Set(spans.compactMap { $0["name"] as? String })
            for phase in ["data", "forward", "backward", "reduction", "optimizer", "evaluation", "checkpoint"] {
                #expect(names.contains(phase), "rank \(rank) has no \(phase) span: \(names.sorted())")
            }
            #expect(names.contains("bucket 0"), "rank \(rank): the communication thread's buckets")
            #expect(events.contains { $0["ph"] as? String == "M" && $0["pid"] as? Int == rank && $0["name"] as? String == "process_name" })
            // Each track's spans follow one another: none has a negative length or starts before the last one ended.
            for tid in 0..<2 {
                let track = spans.filter { $0["tid"] as? Int == tid }
                    .map { (start: $0["ts"] as? Double ?? -1, duration: $0["dur"] as? Double ?? -1) }.sorted { $0.start < $1.start }
                #expect(!track.isEmpty)
                var end = 0.0
                for span in track {
                    #expect(span.start >= 0 && span.duration >= 0)
                    #expect(span.start >= end - 1e-3, "rank \(rank) track \(tid): a span starts at \(span.start) µs before the last ended at \(end)")
                    end = span.start + span.duration
                }
            }
        }
    }
}
