import Foundation
import ShoalNN
import Testing

@testable import ShoalConfig

/// A 64-bit LCG (Knuth's MMIX constants): a fixed seed gives the same cases on every machine.
struct LCG {
    var state: UInt64
    mutating func next() -> UInt64 {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return state >> 11
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
}

/// Mutations of the shipped configs, each parsed and built into a model as `shoal model
/// summary` does: a typed error or a valid model, never a crash or a hang.
@Suite("Generated bad configs give a typed error or a valid model")
struct GeneratedBadConfigTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func shippedConfigs() throws -> [String] {
        let directory = root.appendingPathComponent("configs")
        return try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".yaml") }.sorted()
            .map { try String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8) }
    }

    static let values = [
        "abc", "[1, 2]", "{a: 1}", "null", "~", "-1", "0", "-2147483648", "9223372036854775807", "99999999999999999999",
        "1e308", "-1e308", ".nan", ".inf", "2.5", "\"12\"", "true", "''", "[]", "{}", "16777217", "4611686018427387904",
        "*undefined", "&a 1", "!!binary aGk=", "[[[[[[[[[[1]]]]]]]]]]", String(repeating: "[", count: 300),
    ]

    /// One mutation of `text`, described for the failure message.
    static func mutate(_ text: String, _ rng: inout LCG) -> (String, String) {
        var lines = text.components(separatedBy: "\n")
        let i = rng.below(lines.count)
        switch rng.below(9) {
        case 0:
            lines.remove(at: i)
            return (lines.joined(separator: "\n"), "delete line \(i)")
        case 1:
            let j = rng.below(lines.count)
            lines.swapAt(i, j)
            return (lines.joined(separator: "\n"), "swap lines \(i) and \(j)")
        case 2, 3:
            // A value replaced: the text after the first ": " of a line.
            guard let colon = lines[i].range(of: ": ") else { return (text + "\n" + rng.pick(values), "append a value") }
            let value = rng.pick(values)
            lines[i] = String(lines[i][..<colon.upperBound]) + value
            return (lines.joined(separator: "\n"), "line \(i) value := \(value)")
        case 4:
            var bytes = Array(text.utf8)
            let at = rng.below(bytes.count + 1), count = 1 + rng.below(8)
            bytes.insert(contentsOf: (0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, at: at)
            return (String(decoding: bytes, as: UTF8.self), "\(count) random bytes at \(at)")
        case 5:
            let cut = rng.below(text.utf8.count)
            return (String(decoding: Array(text.utf8)[..<cut], as: UTF8.self), "truncated at \(cut)")
        case 6:
            let key = rng.pick(["zzz", "training.zzz", "model", "model.layers", "optimizer", "<<", "? [a]"])
            return (text + "\n\(key): \(rng.pick(values))\n", "unknown or repeated key \(key)")
        case 7:
            let depth = 10 + rng.below(2000)
            return (text + "\nextra: " + String(repeating: "{a: ", count: depth) + "1" + String(repeating: "}", count: depth) + "\n",
                    "nesting \(depth)")
        default:
            let numbers = ["units", "filters", "kernel", "heads", "count", "width", "vocab", "size", "stride", "micro_batch",
                           "global_batch", "epochs", "steps", "input"]
            let key = rng.pick(numbers)
            let value = rng.pick(["0", "-3", "16777216", "100000000000", "[100000, 100000, 1]", "[0]", "[4611686018427387904]", "1.5"])
            let mutated = lines.map { line in
                line.replacingOccurrences(of: "\(key): ", with: "\(key): \(value) #", options: [], range: line.range(of: "\(key): "))
            }
            return (mutated.joined(separator: "\n"), "every \(key) := \(value)")
        }
    }

    @Test("300 mutations of configs/*.yaml (seed 14)")
    func mutations() throws {
        let configs = try Self.shippedConfigs()
        #expect(configs.count >= 8)
        var rng = LCG(state: 14)
        var outcomes = (errors: 0, models: 0)
        for n in 0..<300 {
            let original = n % configs.count
            var (text, what) = Self.mutate(configs[original], &rng)
            if rng.below(3) == 0 {  // a second mutation on a third of them
                let (again, second) = Self.mutate(text, &rng)
                text = again
                what += "; " + second
            }
            let label = "case \(n): config \(original), \(what)"
            do {
                let config = try RunConfig.parse(yaml: text, file: "case-\(n).yaml")
                _ = config.resolvedYAML()
                _ = try config.makeModel(maxBatch: min(config.training.microBatch, 4), memoryLimit: 256 << 20)
                outcomes.models += 1
            } catch is ConfigError {
                outcomes.errors += 1
            } catch is ModelError {
                outcomes.errors += 1
            } catch {
                Issue.record("\(label): untyped error \(error)\n\(text)")
            }
        }
        // Both outcomes occur: the mutations are neither all fatal nor all harmless.
        #expect(outcomes.errors > 50 && outcomes.models > 20, "\(outcomes)")
    }
}
