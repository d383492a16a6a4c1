import Coordinator
import Foundation
import ShoalFormats
import Testing
import TestSupport

@Suite("checkpoint directories")
struct CheckpointStoreTests {
    @Test("write then load returns the same state and tensors, with the hash of every file recorded")
    func writeLoadRoundTrip() throws {
        let scratchDirectory = try TemporaryDirectory(prefix: "shoal-coordinator-tests"), scratch = scratchDirectory.url
        defer { scratchDirectory.remove() }
        let root = scratch.appendingPathComponent("checkpoints")
        let store = CheckpointStore(root: root, keepLast: 3)
        let directory = try store.write(model: sampleModel(step: 40), optimizer: sampleOptimizer(step: 40), state: sampleState(step: 40))
        #expect(directory.lastPathComponent == "step-00000040")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
            == ["model.safetensors", "optimizer.safetensors", "state.json"])
        #expect(try String(contentsOf: root.appendingPathComponent("latest"), encoding: .utf8) == "step-00000040\n")

        let checkpoint = try CheckpointStore.load(path: directory)
        var expected = sampleState(step: 40)
        expected.files = [
            "model.safetensors": try sha256Hex(ofFileAt: directory.appendingPathComponent("model.safetensors")),
            "optimizer.safetensors": try sha256Hex(ofFileAt: directory.appendingPathComponent("optimizer.safetensors")),
        ]
        #expect(checkpoint.state == expected)
        #expect(checkpoint.state.rng["big"] == UInt64.max)
        #expect(checkpoint.model.tensors == sampleModel(step: 40))
        #expect(checkpoint.optimizer.tensors == sampleOptimizer(step: 40))
        #expect(checkpoint.model.metadata == ["format": "pt"])
        // Nothing temporary is left in the root.
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path).sorted() == ["latest", "step-00000040"])
    }

    @Test("keep-last-N keeps exactly the N newest checkpoints and latest names the newest")
    func keepLastN() throws {
        let rootDirectory = try TemporaryDirectory(prefix: "shoal-coordinator-tests"), root = rootDirectory.url
        defer { rootDirectory.remove() }
        let store = CheckpointStore(root: root, keepLast: 2)
        for step in [10, 20, 30, 40, 50] {
            try store.write(model: sampleModel(step: step), optimizer: sampleOptimizer(step: step), state: sampleState(step: step))
        }
        #expect(CheckpointStore.completeCheckpoints(in: root).map(\.step) == [40, 50])
        #expect(CheckpointStore.latestName(in: root) == "step-00000050")
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path).sorted() == ["latest", "step-00000040", "step-00000050"])
        #expect(try CheckpointStore.newest(in: root).checkpoint.state.step == 50)
    }

    @Test("keep-last-N never deletes the checkpoint latest names, even when it is older")
    func keepLastNSparesLatest() throws {
        let rootDirectory = try TemporaryDirectory(prefix: "shoal-coordinator-tests"), root = rootDirectory.url
        defer { rootDirectory.remove() }
        let store = CheckpointStore(root: root, keepLast: 1)
        try store.write(model: sampleModel(step: 50), optimizer: sampleOptimizer(step: 50), state: sampleState(step: 50))
        // A resumed run rewrites an older step: it becomes latest and is kept; 50 is pruned.
        try store.write(model: sampleModel(step: 30), optimizer: sampleOptimizer(step: 30), state: sampleState(step: 30))
        #expect(CheckpointStore.latestName(in: root) == "step-00000030")
        #expect(CheckpointStore.completeCheckpoints(in: root).map(\.step) == [30])
    }

    @Test("newest(in:) ignores a leftover .tmp directory and a corrupt newest checkpoint, falling back to the previous one")
    func newestFallsBack() throws {
        let rootDirectory = try TemporaryDirectory(prefix: "shoal-coordinator-tests"), root = rootDirectory.url
        defer { rootDirectory.remove() }
        let store = CheckpointStore(root: root, keepLast: 5)
        for step in [10, 20, 30] {
            try store.write(model: sampleModel(step: step), optimizer: sampleOptimizer(step: step), state: sampleState(step: step))
        }
        // A writer that died mid-write left a half-written directory of a later step.
        let leftover = root.appendingPathComponent(".tmp-step-00000040-999999")
        try FileManager.default.createDirectory(at: leftover, withIntermediateDirectories: true)
        try Data("partial".utf8).write(to: leftover.appendingPathComponent("model.safetensors"))
        // The newest complete checkpoint had a bit flipped in its tensor data.
        let model30 = root.appendingPathComponent("step-00000030/model.safetensors")
        var bytes = try Data(contentsOf: model30)
        bytes[bytes.count - 3] ^= 0x10
        try bytes.write(to: model30)

        let found = try CheckpointStore.newest(in: root)
        #expect(found.checkpoint.state.step == 20)
        #expect(found.refused == [RefusedCheckpoint(
            path: root.appendingPathComponent("step-00000030").path,
            reason: "\(model30.path): SHA-256 mismatch, the file was changed or corrupted after writing")])

        // The next write removes the dead writer's directory.
        try store.write(model: sampleModel(step: 40), optimizer: sampleOptimizer(step: 40), state: sampleState(step: 40))
        #expect(!FileManager.default.fileExists(atPath: leftover.path))
        #expect(try CheckpointStore.newest(in: root).checkpoint.state.step == 40)
    }

    @Test("newest(in:) falls back when latest names a checkpoint that no longer verifies")
    func newestWhenLatestIsBroken() throws {
        let rootDirectory = try TemporaryDirectory(prefix: "shoal-coordinator-tests"), root = rootDirectory.url
        defer { rootDirectory.remove() }
        let store = CheckpointStore(root: root, keepLast: 5)
        for step in [10, 20] {
            try store.write(model: sampleModel(step: step), optimizer: sampleOptimizer(step: step), state: sampleState(step: step))
        }
        try FileManager.default.removeItem(at: root.appendingPathComponent("step-00000020/state.json"))
        let found = try CheckpointStore.newest(in: root)
        #expect(found.checkpoint.state.step == 10)
        #expect(found.refused.map(\.reason) == ["\(root.appendingPathComponent("step-00000020").path): not a complete checkpoint: state.json is missing"])
    }

    @Test("an empty or absent root has no checkpoint, with a message naming it")
    func noCheckpoint() throws {
        let rootDirectory = try TemporaryDirectory(prefix: "shoal-coordinator-tests"), root = rootDirectory.url
        defer { rootDirectory.remove() }
        #expect(errorMessage { _ = try CheckpointStore.newest(in: root) } == "no checkpoint found in \(root.path)")
        let absent = root.appendingPathComponent("nothing")
        #expect(errorMessage { _ = try CheckpointStore.newest(in: absent) } == "no checkpoint found in \(absent.path)")
    }

    @Test("a bit flip in tensor data is caught by the SHA-256 check")
    func bitFlip() throws {
        let rootDirectory = try TemporaryDirectory(prefix: "shoal-coordinator-tests"), root = rootDirectory.url
        defer { rootDirectory.remove() }
        let directory = try CheckpointStore(root: root).write(model: sampleModel(step: 1), optimizer: sampleOptimizer(step: 1), state: sampleState(step: 1))
        let optimizer = directory.appendingPathComponent("optimizer.safetensors")
        var bytes = try Data(contentsOf: optimizer)
        bytes[bytes.count - 1] ^= 0x01
        try bytes.write(to: optimizer)
        #expect(errorMessage { _ = try CheckpointStore.load(path: directory) }
            == "\(optimizer.path): SHA-256 mismatch, the file was changed or corrupted after writing")
    }

    @Test("a truncated tensor file is refused as truncated, before its hash is compared")
    func truncatedTensorFile() throws {
        let rootDirectory = try TemporaryDirectory(prefix: "shoal-coordinator-tests"), root = rootDirectory.url
        defer { rootDirectory.remove() }
        let directory = try CheckpointStore(root: root).write(model: sampleModel(step: 1), optimizer: sampleOptimizer(step: 1), state: sampleState(step: 1))
        let model = directory.appendingPathComponent("model.safetensors")
        let bytes = try Data(contentsOf: model)
        try bytes.prefix(bytes.count - 8).write(to: model)
        #expect(errorMessage { _ = try CheckpointStore.load(path: directory) }
            == "\(model.path): truncated: the header describes 64 bytes of tensor data but the file holds only 56; the file was cut short (disk full or an interrupted copy?)")
    }

    @Test("a missing state.json or model.safetensors is refused with its name")
    func missingFiles() throws {
        let rootDirectory = try TemporaryDirectory(prefix: "shoal-coordinator-tests"), root = rootDirectory.url
        defer { rootDirectory.remove() }
        let store = CheckpointStore(root: root, keepLast: 5)
        let first = try store.write(model: sampleModel(step: 1), optimizer: sampleOptimizer(step: 1), state: sampleState(step: 1))
        let second = try store.write(model: sampleModel(step: 2), optimizer: sampleOptimizer(step: 2), state: sampleState(step: 2))
        try FileManager.default.removeItem(at: first.appendingPathComponent("state.json"))
        #expect(errorMessage { _ = try CheckpointStore.load(path: first) } == "\(first.path): not a complete checkpoint: state.json is missing")
        try FileManager.default.removeItem(at: second.appendingPathComponent("model.safetensors"))
        #expect(errorMessage { _ = try CheckpointStore.load(path: second) } == "\(second.path): checkpoint is incomplete: model.safetensors is missing")
    }

    @Test("a state.json that does not decode is refused, naming the file")
    func unreadableState() throws {
        let rootDirectory = try TemporaryDirectory(prefix: "shoal-coordinator-tests"), root = rootDirectory.url
        defer { rootDirectory.remove() }
        let directory = try CheckpointStore(root: root).write(model: sampleModel(step: 1), optimizer: sampleOptimizer(step: 1), state: sampleState(step: 1))
        let state = directory.appendingPathComponent("state.json")
        try Data("{\"step\": 1}".utf8).write(to: state)
        let message = try #require(errorMessage { _ = try CheckpointStore.load(path: directory) })
        #expect(message.hasPrefix("\(state.path): cannot read the checkpoint state: "))
    }

    /// JSONDecoder would keep one of two "format_version" keys without a word; the strict reader refuses
    /// the file, naming the key and its byte.
    @Test("a state.json with a duplicate key is refused, naming the key")
    func duplicateKeyInState() throws {
        let rootDirectory = try TemporaryDirectory(prefix: "shoal-coordinator-tests"), root = rootDirectory.url
        defer { rootDirectory.remove() }
        let directory = try CheckpointStore(root: root).write(model: sampleModel(step: 1), optimizer: sampleOptimizer(step: 1), state: sampleState(step: 1))
        let state = directory.appendingPathComponent("state.json")
        let text = try String(contentsOf: state, encoding: .utf8)
        let open = try #require(text.firstIndex(of: "{"))
        try Data((String(text[...open]) + "\"format_version\": 1, " + String(text[text.index(after: open)...])).utf8).write(to: state)
        let message = try #require(errorMessage { _ = try CheckpointStore.load(path: directory) })
        #expect(message.hasPrefix("\(state.path): cannot read the checkpoint state: duplicate key \"format_version\" at byte "), "\(message)")
    }

    @Test("the test delay hook holds a finished checkpoint in its temporary directory until the rename")
    func delayHook() throws {
        #expect(CheckpointStore.delayMilliseconds(from: ["SHOAL_TEST_CHECKPOINT_DELAY_MS": "1500"]) == 1500)
        #expect(CheckpointStore.delayMilliseconds(from: [:]) == 0)
        #expect(CheckpointStore.delayMilliseconds(from: ["SHOAL_TEST_CHECKPOINT_DELAY_MS": "soon"]) == 0)

        let rootDirectory = try TemporaryDirectory(prefix: "shoal-coordinator-tests"), root = rootDirectory.url
        defer { rootDirectory.remove() }
        var store = CheckpointStore(root: root)
        // Long enough that a loaded machine (tests run in parallel on 2 cores) still sees the window.
        store.testDelayMilliseconds = 5000
        let writer = Thread { [store] in
            _ = try? store.write(model: sampleModel(step: 3), optimizer: sampleOptimizer(step: 3), state: sampleState(step: 3))
        }
        writer.start()
        let temporary = root.appendingPathComponent(".tmp-step-00000003-\(getpid())")
        var sawFinishedTemporary = false
        let deadline = Date().addingTimeInterval(60)
        while !sawFinishedTemporary && Date() < deadline {
            usleep(5_000)
            sawFinishedTemporary = FileManager.default.fileExists(atPath: temporary.appendingPathComponent("state.json").path)
        }
        #expect(sawFinishedTemporary)
        // Mid-delay: nothing is visible under a final name, so a reader finds no checkpoint.
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("step-00000003").path))
        #expect(CheckpointStore.latestName(in: root) == nil)
        #expect(errorMessage { _ = try CheckpointStore.newest(in: root) } == "no checkpoint found in \(root.path)")
        while !writer.isFinished && Date() < deadline { usleep(10_000) }
        #expect(try CheckpointStore.newest(in: root).checkpoint.state.step == 3)
    }

    @Test("a write that fails leaves nothing behind in the root")
    func failedWriteLeavesNothing() throws {
        let rootDirectory = try TemporaryDirectory(prefix: "shoal-coordinator-tests"), root = rootDirectory.url
        defer { rootDirectory.remove() }
        let bad = SafeTensor(name: "w", dtype: .f32, shape: [3], data: Data(count: 8))
        #expect(errorMessage {
            try CheckpointStore(root: root).write(model: [bad], optimizer: [], state: sampleState(step: 5))
        } == "cannot write tensor \"w\": dtype F32 with shape [3] needs 3 × 4 bytes but 8 were given")
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path) == [])
    }

    @Test("inspect lists tensors, metadata, state and the verification result")
    func inspect() throws {
        let rootDirectory = try TemporaryDirectory(prefix: "shoal-coordinator-tests"), root = rootDirectory.url
        defer { rootDirectory.remove() }
        let directory = try CheckpointStore(root: root).write(model: sampleModel(step: 7), optimizer: sampleOptimizer(step: 7), state: sampleState(step: 7))
        let report = inspectReport(path: directory)
        #expect(report.contains("verification: OK"))
        #expect(report.contains("layers.0.weight  F32    [3, 4]     12"))
        #expect(report.contains("adam.step  I64    []         1"))
        #expect(report.contains("metadata format = pt"))
        #expect(report.contains("position        7 steps done; next: epoch 1, step 8"))
        #expect(report.contains("early stopping  best 0.25, 2 evaluations since"))
        #expect(report.contains("exact exponents Int32: 29 -3"))
        #expect(report.contains("standardizer    mean and std of 2 features"))
        #expect(report.contains("world size      2"))

        let rootReport = inspectReport(path: root)
        #expect(rootReport.contains("newest that verifies: step-00000007"))

        let model = directory.appendingPathComponent("model.safetensors")
        #expect(inspectReport(path: model).contains("verification: OK"))
        var bytes = try Data(contentsOf: model)
        bytes[bytes.count - 1] ^= 0xFF
        try bytes.write(to: model)
        #expect(inspectReport(path: directory).contains("verification: FAILED: \(model.path): SHA-256 mismatch"))
    }
}

@Suite("Checkpoint loading bounds what it reads")
struct CheckpointBoundsTests {
    @Test("a state.json above 64 MiB is refused without being read whole")
    func hugeState() throws {
        let rootDirectory = try TemporaryDirectory(prefix: "shoal-coordinator-tests"), root = rootDirectory.url
        defer { rootDirectory.remove() }
        let directory = try CheckpointStore(root: root).write(model: sampleModel(step: 1), optimizer: sampleOptimizer(step: 1), state: sampleState(step: 1))
        let state = directory.appendingPathComponent(CheckpointStore.stateFile)
        #expect(truncate(state.path, off_t(CheckpointStore.maximumStateBytes + 1)) == 0)  // sparse: no disk used
        #expect(errorMessage { _ = try CheckpointStore.load(path: directory) }
                == "\(state.path): cannot read the checkpoint state: it is larger than 67108864 bytes (64 MiB), more than any checkpoint state holds")
    }

    @Test("a FIFO as state.json or as a listed file is refused, not waited on")
    func fifo() throws {
        let rootDirectory = try TemporaryDirectory(prefix: "shoal-coordinator-tests"), root = rootDirectory.url
        defer { rootDirectory.remove() }
        let directory = try CheckpointStore(root: root).write(model: sampleModel(step: 1), optimizer: sampleOptimizer(step: 1), state: sampleState(step: 1))
        let state = directory.appendingPathComponent(CheckpointStore.stateFile)
        // A state that lists a FIFO beside the tensor files.
        var decoded = try JSONDecoder().decode(CheckpointState.self, from: Data(contentsOf: state))
        decoded.files["notes"] = String(repeating: "0", count: 64)
        try JSONEncoder().encode(decoded).write(to: state)
        #expect(mkfifo(directory.appendingPathComponent("notes").path, 0o600) == 0)
        #expect(errorMessage { _ = try CheckpointStore.load(path: directory) }
                == "\(state.path): cannot read the checkpoint state: it lists notes, which is not a regular file")
        try FileManager.default.removeItem(at: state)
        #expect(mkfifo(state.path, 0o600) == 0)
        #expect(errorMessage { _ = try CheckpointStore.load(path: directory) }
                == "\(state.path): cannot read the checkpoint state: it is not a regular file")
    }
}
