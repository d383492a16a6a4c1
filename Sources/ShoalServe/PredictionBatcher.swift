import Foundation
import Shoal
import ShoalData

/// One model behind concurrent requests: a request's samples wait in a queue, and each forward
/// takes whole requests, oldest first, up to the model's micro-batch, so concurrent clients share
/// a batch instead of running one GEMM each. The model is used by one batch at a time.
///
/// ```swift
/// let batcher = PredictionBatcher(model: trained)
/// let rows = try await batcher.predict([pixels])    // [[p0, p1, ...]]
/// ```
public actor PredictionBatcher {
    private let trained: TrainedModel
    private let generator: TextGenerator?
    private var pending: [(rows: [[Float]], done: CheckedContinuation<[[Float]], any Error>)] = []
    private var draining = false
    /// Forwards run and samples they held, for /metadata and the benchmark.
    public private(set) var batches = 0, samples = 0

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
        let limit = trained.model.maxBatch
        while !pending.isEmpty {
            var batch = [pending.removeFirst()]
            var count = batch[0].rows.count
            while let next = pending.first, count + next.rows.count <= limit {
                batch.append(pending.removeFirst())
                count += next.rows.count
            }
            do {
                let shape = trained.config.model.input
                var data = try Dataset(featureShape: shape, features: batch.flatMap { $0.rows.flatMap { $0 } },
                                       targets: [Float](repeating: 0, count: count))
                try trained.prepare(&data)
                let outputs = try trained.predict(data)
                batches += 1
                samples += count
                var start = 0
                for request in batch {
                    request.done.resume(returning: Array(outputs[start..<start + request.rows.count]))
                    start += request.rows.count
                }
            } catch {
                for request in batch { request.done.resume(throwing: error) }
            }
            // Let the requests that arrived meanwhile join the queue before the next batch.
            await Task.yield()
        }
        draining = false
    }
}
