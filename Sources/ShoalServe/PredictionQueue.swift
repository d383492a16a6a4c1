import Foundation
import Shoal
import ShoalData

/// One model behind concurrent requests: requests wait in a queue and the model answers them one
/// at a time, each in forwards of its own. Requests are not merged into one forward: OpenBLAS
/// rounds a row differently by its position in the batch (measured on an AMD EPYC under the
/// Haswell kernel: positions 6–11 of every 12), so a merged request's answer would change in
/// its last bits with the traffic around it. Alone, a request gets the same bits every time.
///
/// ```swift
/// let queue = PredictionQueue(model: trained, generator: nil)
/// let rows = try await queue.predict([pixels])    // [[p0, p1, ...]]
/// ```
public actor PredictionQueue {
    private let trained: TrainedModel
    private let generator: TextGenerator?
    private var pending: [(rows: [[Float]], done: CheckedContinuation<[[Float]], any Error>)] = []
    private var draining = false

    public init(model: TrainedModel, generator: TextGenerator?) {
        trained = model
        self.generator = generator
    }

    /// The model's outputs (probabilities or values) for raw samples, as `shoal predict` gives them.
    public func predict(_ rows: [[Float]]) async throws -> [[Float]] {
        try await withCheckedThrowingContinuation { done in
            pending.append((rows, done))
            if !draining {
                draining = true
                Task { await drain() }
            }
        }
    }

    public func generate(prompt: String, tokens: Int, temperature: Double, topK: Int?, seed: UInt64) throws -> String {
        guard let generator else { throw PredictionError("/generate needs a language model's checkpoint") }
        return try generator.generate(prompt: prompt, count: tokens, temperature: temperature, topK: topK, seed: seed)
    }

    private func drain() async {
        while !pending.isEmpty {
            let request = pending.removeFirst()
            do {
                var data = try Dataset(featureShape: trained.config.model.input, features: request.rows.flatMap { $0 },
                                       targets: [Float](repeating: 0, count: request.rows.count))
                try trained.prepare(&data)
                let outputs = try trained.predict(data)
                request.done.resume(returning: outputs)
            } catch {
                request.done.resume(throwing: error)
            }
            // Let the requests that arrived meanwhile join the queue.
            await Task.yield()
        }
        draining = false
    }
}
