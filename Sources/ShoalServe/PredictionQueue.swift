import Foundation
import Shoal
import ShoalData

/// One model behind concurrent requests, used by one request at a time. The request that finds
/// the model free runs the forward on its own task (no hop to another thread: a lone client
/// waits for nothing but its forward); requests that arrive meanwhile wait in line, and the one
/// that has the model merges the waiting predictions into its forward, up to the model's
/// micro-batch of samples, answers them, then hands the model to the next in line.
///
/// A sample's answer does not depend on the requests merged with it: predictions run with
/// `ForwardContext.prediction`, whose products compute each row from that row alone (BLAS would
/// round it by the batch's size and its position in it), so a request gets the bits
/// `shoal predict` gives, whatever the traffic.
///
/// ```swift
/// let trained = try TrainedModel(checkpoint: "runs/fashion-mlp/version_0/checkpoints")
/// let pixels = [Float](repeating: 0, count: 784)   // one image, as `shoal predict` reads it
/// let queue = PredictionQueue(model: trained, generator: nil)
/// let rows = try await queue.predict([pixels])    // [[p0, p1, ...]]
/// ```
public final class PredictionQueue: @unchecked Sendable {
    private let trained: TrainedModel
    private let generator: TextGenerator?
    /// Guards `busy` and `line`; never held across a forward.
    private let lock = NSLock()
    private var busy = false
    private var line: [Waiter] = []

    /// A request waiting for the model: a prediction's samples (nil for a generation), and how to
    /// tell it that it was answered by another's forward or that the model is now its own.
    private struct Waiter {
        let rows: [[Float]]?
        let wake: CheckedContinuation<Turn, any Error>
    }

    private enum Turn {
        case answered([[Float]])
        case yours
    }

    public init(model: TrainedModel, generator: TextGenerator?) {
        trained = model
        self.generator = generator
    }

    /// The model's outputs (probabilities or values) for raw samples, as `shoal predict` gives them.
    public func predict(_ rows: [[Float]]) async throws -> [[Float]] {
        if case .answered(let outputs) = try await take(rows) { return outputs }
        // The model is ours: our samples first, then the predictions waiting behind us.
        let merged = lock.withLock {
            var count = rows.count, taken = 0
            while taken < line.count, let next = line[taken].rows, count + next.count <= trained.model.maxBatch {
                count += next.count
                taken += 1
            }
            defer { line.removeFirst(taken) }
            return Array(line.prefix(taken))
        }
        defer { handOver() }
        do {
            let samples = rows + merged.flatMap { $0.rows! }
            var data = try Dataset(featureShape: trained.config.model.input, features: samples.flatMap { $0 },
                                   targets: [Float](repeating: 0, count: samples.count))
            try trained.prepare(&data)
            let outputs = try trained.predict(data)
            var start = rows.count
            for waiter in merged {
                let count = waiter.rows!.count
                waiter.wake.resume(returning: .answered(Array(outputs[start..<start + count])))
                start += count
            }
            return Array(outputs[..<rows.count])
        } catch {
            for waiter in merged { waiter.wake.resume(throwing: error) }
            throw error
        }
    }

    public func generate(prompt: String, tokens: Int, temperature: Double, topK: Int?, seed: UInt64) async throws -> String {
        guard let generator else { throw PredictionError("/generate needs a language model's checkpoint") }
        _ = try await take(nil)
        defer { handOver() }
        return try generator.generate(prompt: prompt, count: tokens, temperature: temperature, topK: topK, seed: seed)
    }

    /// Returns once the model is this request's, or once another's forward answered its rows.
    private func take(_ rows: [[Float]]?) async throws -> Turn {
        let free = lock.withLock {
            defer { busy = true }
            return !busy
        }
        if free { return .yours }
        return try await withCheckedThrowingContinuation { wake in
            lock.withLock {
                if busy { line.append(Waiter(rows: rows, wake: wake)) } else {
                    busy = true
                    wake.resume(returning: .yours)
                }
            }
        }
    }

    /// Gives the model to the first request in line, or marks it free.
    private func handOver() {
        let next: Waiter? = lock.withLock {
            if line.isEmpty { busy = false; return nil }
            return line.removeFirst()
        }
        next?.wake.resume(returning: .yours)
    }
}
