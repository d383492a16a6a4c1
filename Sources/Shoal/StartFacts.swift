import Coordinator
import Foundation
import ShoalComm
import ShoalData
import ShoalFormats
import ShoalTensor

extension Trainer {
    /// What every rank must share before step 1 (see ``ShoalComm/Communicator/agreeAtStart(on:host:)``):
    /// the config, the build (version and the executable's build ID), the reduction, the BLAS
    /// build and threads, and a hash of the data this rank loaded (each node reads its own copy).
    func startFacts() -> [(name: String, value: String)] {
        return [
            ("config", config.canonicalHash),
            ("build", "Shoal \(shoalVersion), build ID \(executableBuildID ?? "none")"),
            ("reduction", reduction.summary),
            ("BLAS", "\(blasConfiguration), \(blasThreadCount) thread\(blasThreadCount == 1 ? "" : "s")"),
            ("data", "sha256 " + dataHash()),
        ]
    }

    /// SHA-256 of every split's features and targets as loaded (and of the language model's
    /// training tokens: their own hash in memory, their manifest's for shards).
    func dataHash() -> String {
        var parts: [[Float]] = []
        for split in [splits.train, splits.validation, splits.test] { parts += [split.features, split.targets] }
        // A test-only fault: this rank's data differs in one byte, as a node with another copy would.
        if TestFault.current?.applies(.data, rank: world.rank, step: 0) == true, !parts[0].isEmpty {
            parts[0][0] = Float(bitPattern: parts[0][0].bitPattern ^ 1)
        }
        let tokens = Array((splits.text?.windows.stream.identity ?? "").utf8)
        return tokens.withUnsafeBytes { t in
            withAll(parts) { sha256Hex(ofConcatenation: $0 + [t]) }
        }
    }
}

/// `body` with raw views of every array of `arrays`.
private func withAll<R>(_ arrays: [[Float]], _ body: ([UnsafeRawBufferPointer]) -> R) -> R {
    guard let first = arrays.first else { return body([]) }
    return first.withUnsafeBytes { head in withAll(Array(arrays.dropFirst())) { body([head] + $0) } }
}
