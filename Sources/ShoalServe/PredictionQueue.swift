import Foundation
import Shoal
import ShoalData

/// One model behind concurrent requests: requests that wait while the model is busy are merged
/// into one forward of up to the model's micro-batch of samples. A sample's answer does not
/// depend on the requests merged with it: predictions run with `ForwardContext.prediction`,
/// whose products compute each row from that row alone (BLAS would round it by the batch's size
/// and its position in it), so a request gets the bits `shoal predict` gives, whatever the traffic.
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
            // The requests waiting now, up to a micro-batch of samples (at least one request).
            var count = 0, taken = 0
            while taken < pending.count, taken == 0 || count + pending[taken].rows.count <= trained.model.maxBatch {
                count += pending[taken].rows.count
                taken += 1
            }
            let batch = Array(pending.prefix(taken))
            pending.removeFirst(taken)
            do {
                var data = try Dataset(featureShape: trained.config.model.input, features: batch.flatMap { $0.rows.joined() },
                                       targets: [Float](repeating: 0, count: count))
                try trained.prepare(&data)
                let outputs = try trained.predict(data)
                var start = 0
                for request in batch {
                    request.done.resume(returning: Array(outputs[start..<start + request.rows.count]))
                    start += request.rows.count
                }
            } catch {
                for request in batch { request.done.resume(throwing: error) }
            }
            // Let the requests that arrived meanwhile join the queue.
            await Task.yield()
        }
        draining = false
    }
}
