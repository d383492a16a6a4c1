import Coordinator
import Foundation
import ShoalFormats
import ShoalTensor
import Testing
import TestSupport

/// Draws one number after another from a Philox key: a fixed seed gives the same cases on
/// every machine.
struct Draws {
    let key: Philox
    var counter: UInt64 = 0
    mutating func next() -> UInt64 { counter += 1; return key.next64(at: counter) }
    mutating func below(_ n: Int) -> Int { counter += 1; return Int(key.uniformInt(below: UInt64(max(n, 1)), at: counter)) }
    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
}

/// Corruptions of a real checkpoint, each loaded with the real loader and its tensors copied
/// out as a restore does: a typed error naming the reason, or a valid load; never a crash.
@Suite("Generated corrupt checkpoints give a typed error or a valid load")
struct GeneratedBadCheckpointTests {
    static let files = [CheckpointStore.modelFile, CheckpointStore.optimizerFile, CheckpointStore.stateFile]

    /// Corrupts one file of `directory`; returns what it did.
    static func corrupt(_ directory: URL, _ rng: inout Draws) throws -> String {
        let name = rng.pick(files)
        let url = directory.appendingPathComponent(name)
        var bytes = Array(try Data(contentsOf: url))
        var what: String
        switch rng.below(8) {
        case 0:
            let at = rng.below(bytes.count), bit = rng.below(8)
            bytes[at] ^= UInt8(1 << bit)
            what = "flip bit \(bit) of byte \(at)"
        case 1:
            let cut = rng.below(bytes.count)
            bytes = Array(bytes[..<cut])
            what = "truncate to \(cut)"
        case 2:
            let count = 1 + rng.below(64)
            bytes += (0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            what = "append \(count) bytes"
        case 3 where name != CheckpointStore.stateFile:
            let length = rng.pick([0, 1, 7, UInt64(bytes.count), UInt64(bytes.count - 8), 100_000_001, UInt64.max, rng.next()])
            withUnsafeBytes(of: length.littleEndian) { bytes.replaceSubrange(0..<8, with: $0) }
            what = "header length := \(length)"
        default:
            // A textual edit of the JSON (the safetensors header or state.json): a number, a
            // dtype, a name or a bracket replaced.
            let text = String(decoding: bytes, as: UTF8.self)
            let targets = ["F32", "I64", "\"shape\"", "data_offsets", "[", "]", ",", ":", "0", "1", "2", "4", "\"", "step", "files",
                           "format_version", "config", "width", "exponents", "mean"]
            let replacements = ["F64", "X99", "U8", "BOOL", "-1", "99999999999999999999", "4611686018427387904", "1e3", "null",
                                "[]", "{}", "\"x\"", "[[[[[[[[", "", "\"../x\"", "1.5", "\\u0000", "9223372036854775807"]
            let target = rng.pick(targets), replacement = rng.pick(replacements)
            let ranges = text.ranges(of: target)
            guard !ranges.isEmpty else { return "no \(target) in \(name)" }
            let range = ranges[rng.below(ranges.count)]
            bytes = Array((String(text[..<range.lowerBound]) + replacement + String(text[range.upperBound...])).utf8)
            what = "\(target) := \(replacement)"
        }
        try Data(bytes).write(to: url)
        // Most of the time the hash is fixed up, so the loader's structural checks are reached.
        if name != CheckpointStore.stateFile && rng.below(4) != 0 {
            let stateURL = directory.appendingPathComponent(CheckpointStore.stateFile)
            if var state = try? JSONDecoder().decode(CheckpointState.self, from: Data(contentsOf: stateURL)) {
                state.files[name] = try sha256Hex(ofFileAt: url)
                try JSONEncoder().encode(state).write(to: stateURL)
                what += ", hash updated"
            }
        }
        return "\(name): \(what)"
    }

    @Test("200 corruptions of a written checkpoint (seed 14)")
    func corruptions() throws {
        let rootDirectory = try TemporaryDirectory(prefix: "shoal-coordinator-tests"), root = rootDirectory.url
        defer { rootDirectory.remove() }
        let store = CheckpointStore(root: root.appendingPathComponent("good"))
        let good = try store.write(model: sampleModel(step: 3), optimizer: sampleOptimizer(step: 3), state: sampleState(step: 3))
        var rng = Draws(key: Philox(seed: 14))
        var outcomes = (errors: 0, loads: 0)
        for n in 0..<200 {
            let directory = root.appendingPathComponent("case-\(n)")
            try FileManager.default.copyItem(at: good, to: directory)
            defer { try? FileManager.default.removeItem(at: directory) }
            var what = [try Self.corrupt(directory, &rng)]
            if rng.below(3) == 0 { what.append(try Self.corrupt(directory, &rng)) }
            do {
                let checkpoint = try CheckpointStore.load(path: directory)
                // As a restore does: every tensor copied out at the size its header gives.
                for tensor in checkpoint.model.tensors + checkpoint.optimizer.tensors {
                    if tensor.dtype == .f32 { _ = try tensor.values(as: Float.self) }
                    if tensor.dtype == .i64 { _ = try tensor.values(as: Int64.self) }
                }
                _ = try checkpoint.model.requireTensor(named: "layers.0.weight", dtype: .f32, count: 12)
                outcomes.loads += 1
            } catch let error as CheckpointError {
                #expect(!"\(error)".isEmpty)
                outcomes.errors += 1
            } catch let error as SafeTensorsError {
                #expect(!"\(error)".isEmpty)
                outcomes.errors += 1
            } catch {
                Issue.record("case \(n) (\(what.joined(separator: "; "))): untyped error \(error)")
            }
        }
        #expect(outcomes.errors > 100, "\(outcomes)")
    }
}
