// A checkpoint root holds complete checkpoints `step-00000040/` (model.safetensors,
// optimizer.safetensors, state.json), a pointer file `latest` naming the newest one, and
// possibly `.tmp-*` directories of writers that have not finished (or died).
//
// Write order (DESIGN decision 6): files into `.tmp-step-N-<pid>/`, each fsynced; the
// directory fsynced; renamed to `step-N`; the root fsynced; then `latest` replaced the same
// way. A directory named `step-*` is therefore always complete, and `latest` never names one
// that is not.
import Foundation
import ShoalFormats
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

import ShoalData

/// A verified checkpoint: its state and both tensor files.
public struct Checkpoint: Sendable {
    /// The checkpoint directory.
    public let directory: URL
    public let state: CheckpointState
    /// The model parameters (`model.safetensors`).
    public let model: SafeTensorsFile
    /// The optimizer state (`optimizer.safetensors`).
    public let optimizer: SafeTensorsFile
}

/// The checkpoint found by ``CheckpointStore/newest(in:)``, and the newer ones it refused.
public struct CheckpointSearch: Sendable {
    public let checkpoint: Checkpoint
    /// Checkpoints that were tried first and refused, with the reasons (for a warning).
    public let refused: [RefusedCheckpoint]
}

/// Writes checkpoints durably into a root directory and finds the newest one that verifies.
///
/// ```swift
/// let runDirectory = URL(fileURLWithPath: "runs/fashion-mlp/version_0")
/// let store = CheckpointStore(root: runDirectory.appendingPathComponent("checkpoints"), keepLast: 3)
/// let modelTensors = [SafeTensor(name: "layers.0.weight", shape: [128, 784], values: [Float](repeating: 0, count: 784 * 128))]
/// let state = CheckpointState(position: TrainingPosition(step: 40), optimizerStep: 40, rng: ["seed": 42], config: "",
///                             configHash: "", worldSize: 1, reduction: "fast",
///                             versions: .init(shoal: "0.1.0", mpi: "", blas: ""), parameterHash: "")
/// try store.write(model: modelTensors, optimizer: [], state: state)
///
/// // shoal train --resume auto
/// let found = try CheckpointStore.newest(in: store.root)
/// for refusal in found.refused { print("warning: skipped \(refusal)") }
/// let weight = try found.checkpoint.model.requireTensor(named: "layers.0.weight", dtype: .f32, count: 784 * 128)
/// ```
public struct CheckpointStore: Sendable {
    public static let modelFile = "model.safetensors"
    public static let optimizerFile = "optimizer.safetensors"
    public static let stateFile = "state.json"
    /// A subword language model's tokenizer, Hugging Face's format.
    public static let tokenizerFile = "tokenizer.json"
    public static let latestFile = "latest"
    /// The largest state.json read (64 MiB); a real one holds the config and, at most, a
    /// standardizer's two floats per feature and a vocabulary, far less.
    public static let maximumStateBytes = 64 << 20
    /// Environment variable: milliseconds to sleep between writing the files and the rename,
    /// so a test can kill the writer mid-checkpoint.
    public static let delayVariable = "SHOAL_TEST_CHECKPOINT_DELAY_MS"

    /// The directory holding the `step-*` checkpoints.
    public let root: URL
    /// How many complete checkpoints to keep (at least 1).
    public let keepLast: Int
    /// Milliseconds to sleep between writing the files and the rename; for tests only.
    /// Defaults to the value of ``delayVariable`` in the environment, else 0.
    public var testDelayMilliseconds: Int

    public init(root: URL, keepLast: Int = 3) {
        self.root = root
        self.keepLast = max(1, keepLast)
        self.testDelayMilliseconds = Self.delayMilliseconds(from: ProcessInfo.processInfo.environment)
    }

    /// The delay ``delayVariable`` asks for in `environment`: a non-negative integer, else 0.
    public static func delayMilliseconds(from environment: [String: String]) -> Int {
        environment[delayVariable].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }.map { max(0, $0) } ?? 0
    }

    /// `step-00000040` for step 40.
    public static func directoryName(step: Int) -> String {
        let digits = String(step)
        return "step-" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }

    /// The step of a directory named `step-<digits>`, or `nil`.
    public static func step(ofDirectoryNamed name: String) -> Int? {
        guard name.hasPrefix("step-") else { return nil }
        let digits = name.dropFirst(5)
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return nil }
        return Int(digits)
    }

    // MARK: Writing

    /// Writes a checkpoint for `state.step` and points `latest` at it, then deletes the oldest
    /// checkpoints beyond ``keepLast`` and temporary directories left by dead writers.
    ///
    /// `state.files` is filled in with the SHA-256 of the two tensor files, and of `tokenizer`
    /// (a language model's `tokenizer.json`, which `state.tokenizer` then names) when given.
    ///
    /// - Returns: The final checkpoint directory.
    /// - Throws: ``CheckpointError`` or ``SafeTensorsError/invalidTensor(tensor:reason:)``.
    @discardableResult
    public func write(
        model: [SafeTensor], optimizer: [SafeTensor], state: CheckpointState, tokenizer: [UInt8]? = nil,
        modelMetadata: [String: String] = ["format": "pt"], optimizerMetadata: [String: String] = [:]
    ) throws -> URL {
        guard state.step >= 0 else { throw CheckpointError.invalidStep(state.step) }
        do {
            try DurableIO.makeDirectories(root)
            removeDeadWritersDirectories()
            let name = Self.directoryName(step: state.step)
            let temporary = root.appendingPathComponent(".tmp-\(name)-\(getpid())")
            if FileManager.default.fileExists(atPath: temporary.path) {
                try FileManager.default.removeItem(at: temporary)
            }
            try DurableIO.makeDirectory(temporary)
            do {
                try writeFiles(into: temporary, model: model, optimizer: optimizer, state: state, tokenizer: tokenizer,
                               modelMetadata: modelMetadata, optimizerMetadata: optimizerMetadata)
            } catch {
                try? FileManager.default.removeItem(at: temporary)
                throw error
            }
            if testDelayMilliseconds > 0 { usleep(UInt32(min(testDelayMilliseconds, 3_600_000)) * 1000) }

            let final = root.appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: final.path) {
                // Rewriting a step (e.g. after resuming from an older checkpoint): move the old
                // one aside first; rename(2) cannot replace a non-empty directory.
                try DurableIO.removeDirectory(final)
            }
            try DurableIO.rename(temporary, to: final)
            try DurableIO.fsyncDirectory(root)
            try DurableIO.writeFile(at: root.appendingPathComponent(Self.latestFile), data: Data((name + "\n").utf8))
            try pruneOldCheckpoints(keeping: name)
            return final
        } catch let error as FileSystemError {
            throw CheckpointError.fileSystem(error)
        }
    }

    /// Writes the two tensor files, the tokenizer if any, and state.json (with their hashes) into
    /// `directory`, each fsynced, then fsyncs the directory.
    private func writeFiles(
        into directory: URL, model: [SafeTensor], optimizer: [SafeTensor], state: CheckpointState, tokenizer: [UInt8]?,
        modelMetadata: [String: String], optimizerMetadata: [String: String]
    ) throws {
        var state = state
        state.files = [:]
        state.tokenizer = nil
        if let tokenizer {
            state.files[Self.tokenizerFile] = try DurableIO.writeFile(at: directory.appendingPathComponent(Self.tokenizerFile),
                                                                      data: Data(tokenizer))
            state.tokenizer = Self.tokenizerFile
        }
        state.files[Self.modelFile] = try SafeTensorsFile.write(
            model, metadata: modelMetadata, to: directory.appendingPathComponent(Self.modelFile))
        state.files[Self.optimizerFile] = try SafeTensorsFile.write(
            optimizer, metadata: optimizerMetadata, to: directory.appendingPathComponent(Self.optimizerFile))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try DurableIO.writeFile(at: directory.appendingPathComponent(Self.stateFile), data: try encoder.encode(state))
        try DurableIO.fsyncDirectory(directory)
    }

    /// The complete checkpoints in `root`, oldest first.
    public static func completeCheckpoints(in root: URL) -> [(step: Int, directory: URL)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return names.compactMap { name in
            guard let step = step(ofDirectoryNamed: name) else { return nil }
            var isDirectory: ObjCBool = false
            let url = root.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else { return nil }
            return (step, url)
        }
        .sorted { $0.step < $1.step }
    }

    /// The directory name `latest` holds, if it names a plain entry of the root.
    public static func latestName(in root: URL) -> String? {
        guard let data = FileManager.default.contents(atPath: root.appendingPathComponent(latestFile).path),
              let text = String(data: data, encoding: .utf8) else { return nil }
        let name = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard step(ofDirectoryNamed: name) != nil else { return nil }
        return name
    }

    /// Deletes the oldest complete checkpoints beyond ``keepLast``, never the one `latest` names.
    private func pruneOldCheckpoints(keeping newest: String) throws {
        let complete = Self.completeCheckpoints(in: root)
        let protected = Self.latestName(in: root) ?? newest
        var excess = complete.count - keepLast
        for (_, directory) in complete where excess > 0 {
            if directory.lastPathComponent == protected { continue }
            try DurableIO.removeDirectory(directory)
            excess -= 1
        }
        try DurableIO.fsyncDirectory(root)
    }

    /// Deletes `.tmp-*` entries whose writer process no longer exists (best effort).
    private func removeDeadWritersDirectories() {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        for name in names where name.hasPrefix(".tmp-") {
            guard let pidText = name.split(separator: "-").last, let pid = pid_t(pidText) else { continue }
            if pid != getpid(), kill(pid, 0) == 0 || errno != ESRCH { continue }  // still running
            try? FileManager.default.removeItem(at: root.appendingPathComponent(name))
        }
    }

    // MARK: Reading

    /// Loads the checkpoint in `path` after verifying it: state.json decodes, every file it
    /// lists exists with the recorded SHA-256, and both tensor files pass the safetensors checks.
    ///
    /// ```swift
    /// let checkpoint = try CheckpointStore.load(path: URL(fileURLWithPath: "runs/a/checkpoints/step-00000040"))
    /// print(checkpoint.state.step)
    /// ```
    ///
    /// - Throws: ``CheckpointError`` with the first reason the checkpoint is not trusted.
    public static func load(path: URL) throws -> Checkpoint {
        let state = try verify(path: path)
        do {
            return Checkpoint(
                directory: path, state: state,
                model: try SafeTensorsFile.read(from: path.appendingPathComponent(modelFile)),
                optimizer: try SafeTensorsFile.read(from: path.appendingPathComponent(optimizerFile)))
        } catch let error as SafeTensorsError {
            throw CheckpointError.invalidTensorFile(error)
        }
    }

    /// The checkpoint in `url` if it is a checkpoint directory, else the newest that verifies in
    /// `url` as a checkpoint root, a run directory (`runs/a/version_2`) or a run name's
    /// directory (`runs/a`: its newest version).
    public static func load(directoryOrRoot url: URL) throws -> Checkpoint {
        if FileManager.default.fileExists(atPath: url.appendingPathComponent(stateFile).path) { return try load(path: url) }
        return try newest(in: RunDirectory.checkpointRoot(within: url)).checkpoint
    }

    /// Verifies the checkpoint in `path` without keeping its tensors; returns its state.
    ///
    /// - Throws: ``CheckpointError`` with the first reason the checkpoint is not trusted.
    @discardableResult
    public static func verify(path: URL) throws -> CheckpointState {
        let stateURL = path.appendingPathComponent(stateFile)
        guard FileManager.default.fileExists(atPath: stateURL.path) else {
            throw CheckpointError.missingStateFile(directory: path.path)
        }
        if let reason = notARegularFile(stateURL) { throw CheckpointError.unreadableState(file: stateURL.path, reason: "it is \(reason)") }
        let state: CheckpointState
        do {
            let handle = try FileHandle(forReadingFrom: stateURL)
            defer { try? handle.close() }
            let data = try handle.read(upToCount: maximumStateBytes + 1) ?? Data()
            guard data.count <= maximumStateBytes else {
                throw CheckpointError.unreadableState(
                    file: stateURL.path, reason: "it is larger than \(maximumStateBytes) bytes (64 MiB), more than any checkpoint state holds")
            }
            // The strict reader is the gate for untrusted JSON (a duplicate key, which JSONDecoder
            // would settle silently, is refused with its byte offset); Codable then maps the document.
            _ = try StrictJSON.parse([UInt8](data))
            state = try JSONDecoder().decode(CheckpointState.self, from: data)
        } catch let error as CheckpointError {
            throw error
        } catch {
            throw CheckpointError.unreadableState(file: stateURL.path, reason: "\(error)")
        }
        guard state.formatVersion <= CheckpointState.currentFormatVersion else {
            throw CheckpointError.unsupportedFormatVersion(
                file: stateURL.path, version: state.formatVersion, supported: CheckpointState.currentFormatVersion)
        }
        for required in [modelFile, optimizerFile] + [state.tokenizer].compactMap({ $0 }) where state.files[required] == nil {
            throw CheckpointError.unreadableState(file: stateURL.path, reason: "it records no SHA-256 for \(required)")
        }
        for (name, expected) in state.files.sorted(by: { $0.key < $1.key }) {
            guard !name.isEmpty, !name.contains("/"), name != ".", name != "..", name != stateFile else {
                throw CheckpointError.invalidFileName(file: stateURL.path, name: name)
            }
            let file = path.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: file.path) else {
                throw CheckpointError.missingFile(directory: path.path, name: name)
            }
            // Hashing a FIFO would wait for a writer forever.
            if let reason = notARegularFile(file) {
                throw CheckpointError.unreadableState(file: stateURL.path, reason: "it lists \(name), which is \(reason)")
            }
            if name.hasSuffix(".safetensors") {
                // Structural checks first: they say "truncated" or "bad header" precisely.
                do { _ = try SafeTensorsFile.readLayout(of: file) } catch let error as SafeTensorsError {
                    throw CheckpointError.invalidTensorFile(error)
                }
            }
            let actual: String
            do { actual = try sha256Hex(ofFileAt: file) } catch let error as FileSystemError {
                throw CheckpointError.fileSystem(error)
            }
            guard actual == expected.lowercased() else {
                throw CheckpointError.hashMismatch(file: file.path, expected: expected, actual: actual)
            }
        }
        return state
    }

    /// The newest checkpoint in `root` that verifies, for `--resume auto`.
    ///
    /// Follows `latest` if it verifies; otherwise falls back to the newest `step-*` directory
    /// that does. `.tmp-*` directories are never considered.
    ///
    /// - Throws: ``CheckpointError/noCheckpoint(root:refused:)`` if none verifies; its
    ///   `refused` list is empty when the root holds no checkpoint at all.
    public static func newest(in root: URL) throws -> CheckpointSearch {
        var refused: [RefusedCheckpoint] = []
        var tried = Set<String>()
        var candidates: [URL] = []
        if let latest = latestName(in: root) {
            candidates.append(root.appendingPathComponent(latest))
        }
        candidates += completeCheckpoints(in: root).reversed().map(\.directory)
        for candidate in candidates where tried.insert(candidate.lastPathComponent).inserted {
            do {
                return CheckpointSearch(checkpoint: try load(path: candidate), refused: refused)
            } catch {
                refused.append(RefusedCheckpoint(path: candidate.path, reason: "\(error)"))
            }
        }
        throw CheckpointError.noCheckpoint(root: root.path, refused: refused)
    }
}

/// Why `url` is not a regular file ("not a regular file", "unreadable: …"), or nil if it is one.
private func notARegularFile(_ url: URL) -> String? {
    do {
        _ = try regularFileSize(url.path)
        return nil
    } catch {
        return error == .notRegular ? "\(error)" : "unreadable: \(error)"
    }
}
