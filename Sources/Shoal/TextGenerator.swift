import Coordinator
import Foundation
import ShoalConfig
import ShoalData
import ShoalNN
import ShoalTensor

/// Samples text from a language model's checkpoint, one token (a character, or a subword of the
/// checkpoint's tokenizer) at a time: the model reads the last `block_size` tokens, its logits
/// at the last one are divided by the temperature, cut to the `topK` largest, and one token is
/// drawn from their softmax with Philox keyed by (seed, token index). The same seed gives the
/// same text on every machine.
///
/// A context shorter than a window sits at its start, the rest padded with token 0: attention
/// is causal, so the padding after the last real token cannot change its logits.
///
/// ```swift
/// let generator = try TextGenerator(model: TrainedModel(checkpoint: "runs/char-gpt/version_0/checkpoints"))
/// let text = try generator.generate(prompt: "The ", .default)   // 200 characters, temperature 0.8, top-k 40, seed 1
/// ```
/// Not for concurrent use: the server's prediction queue is its one user.
public final class TextGenerator: @unchecked Sendable {
    public let codec: TextCodec
    public let model: Model
    /// The step the checkpoint was written at.
    public let step: Int
    private let blockSize: Int
    private let window: UnsafeMutableBufferPointer<Float>   // (blockSize) token ids
    private let probabilities: UnsafeMutableBufferPointer<Float>  // (vocabulary): the top k's, in index order
    private let candidates: UnsafeMutableBufferPointer<Int>  // (vocabulary): their token ids

    /// Loads `path` as ``TrainedModel`` does: a checkpoint directory or root, or a run's directory.
    ///
    /// - Throws: ``GenerationError`` if the checkpoint is not a language model's, or the
    ///   checkpoint's own error if it does not verify.
    public convenience init(checkpoint path: String) throws {
        try self.init(model: TrainedModel(checkpoint: path))
    }

    /// A generator over a model already loaded (`shoal predict` and `shoal serve` load it once).
    public init(model trained: TrainedModel) throws {
        let directory = trained.directory.path, config = trained.config
        guard let codec = trained.codec else {
            throw GenerationError("\(directory): not a language model's checkpoint (it stores no vocabulary or tokenizer); "
                + "generate needs a model trained on data.source: text or tokens")
        }
        guard config.model.input.count == 1 else {
            throw GenerationError("\(directory): the model reads \(config.model.input), not a window of tokens")
        }
        model = trained.model
        guard model.outputShape == [config.model.input[0], codec.count] else {
            throw GenerationError("\(directory): the model outputs \(formatShape(model.outputShape)), "
                + "not (block_size, vocabulary) = (\(config.model.input[0]), \(codec.count))")
        }
        self.codec = codec
        step = trained.state.step
        blockSize = config.model.input[0]
        window = .allocate(capacity: blockSize)
        window.initialize(repeating: 0)
        probabilities = .allocate(capacity: codec.count)
        probabilities.initialize(repeating: 0)
        candidates = .allocate(capacity: codec.count)
        candidates.initialize(repeating: 0)
    }

    deinit {
        window.deallocate()
        probabilities.deallocate()
        candidates.deallocate()
    }

    /// `options.tokens` tokens following `prompt`, sampled as `options` says.
    ///
    /// ```swift
    /// let generator = try TextGenerator(model: TrainedModel(checkpoint: "runs/char-gpt"))
    /// var options = SamplingOptions.default
    /// options.topK = 1                                  // greedy
    /// let text = try generator.generate(prompt: "Th", options)
    /// ```
    /// - Throws: ``GenerationError`` as ``generate(prompt:count:temperature:topK:seed:)``.
    public func generate(prompt: String, _ options: SamplingOptions) throws -> String {
        try generate(prompt: prompt, count: options.tokens, temperature: options.temperature, topK: options.topK, seed: options.seed)
    }

    /// `count` tokens following `prompt` (which is not repeated in the result), decoded.
    ///
    /// - Throws: ``GenerationError`` for an empty prompt, a prompt character outside a character model's
    ///   vocabulary, a temperature ≤ 0 or not finite, a `topK` < 1, a negative `count`.
    public func generate(prompt: String, count: Int, temperature: Double, topK: Int?, seed: UInt64) throws -> String {
        guard temperature > 0, temperature.isFinite else {
            throw GenerationError("--temperature must be a number > 0, got \(temperature) (lower is more conservative; 1 samples the model as trained)")
        }
        if let topK, topK < 1 { throw GenerationError("--top-k must be at least 1, got \(topK)") }
        guard count >= 0 else { throw GenerationError("--tokens must be ≥ 0, got \(count)") }
        guard !prompt.isEmpty else { throw GenerationError("--prompt must hold at least one character") }
        var tokens: [Int32]
        do { tokens = try codec.encode(prompt) } catch { throw GenerationError("--prompt: \(error)") }
        let rng = Philox(seed: seed).derived(0x6E4E_7000)
        let V = codec.count, k = min(topK ?? V, V)
        var generated: [Int32] = []
        for i in 0..<count {
            let context = tokens.suffix(blockSize)
            window.update(repeating: 0)
            for (j, t) in context.enumerated() { window[j] = Float(t) }
            let logits = model.forward(UnsafeBufferPointer(window), batch: 1, context: .inference)
            let last = logits.baseAddress! + (context.count - 1) * V
            let next = Int32(sample(last, count: V, temperature: Float(temperature), topK: k, u: rng.uniformDouble(at: UInt64(i))))
            tokens.append(next)
            generated.append(next)
        }
        return codec.decode(generated)
    }

    /// The index drawn with uniform `u` in [0, 1) from softmax(logits / temperature) over the
    /// `topK` largest logits (ties broken towards the lower index).
    private func sample(_ logits: UnsafePointer<Float>, count V: Int, temperature: Float, topK: Int, u: Double) -> Int {
        // The k-th largest logit is the threshold; the tokens below it are left out, so they
        // get probability 0 (a masked entry inside the softmax would still get e^-87).
        var sorted = (0..<V).map { logits[$0] }
        sorted.sort(by: >)
        let threshold = sorted[topK - 1]
        var kept = 0
        for j in 0..<V where logits[j] >= threshold && kept < topK {
            candidates[kept] = j
            probabilities[kept] = logits[j] / temperature
            kept += 1
        }
        guard kept > 0 else { return 0 }   // NaN logits: nothing to draw from
        // The model's own softmax kernel (ShoalKernels), the one softmax of Shoal.
        softmaxRow(probabilities.baseAddress!, probabilities.baseAddress!, count: kept)
        var total = 0.0
        for i in 0..<kept { total += Double(probabilities[i]) }
        var cumulative = 0.0
        let target = u * total
        for i in 0..<kept {
            cumulative += Double(probabilities[i])
            if target < cumulative { return candidates[i] }
        }
        return candidates[kept - 1]
    }
}

/// How `shoal generate`, `shoal predict` and `shoal serve` sample a language model's text, and
/// the defaults all three use unless told otherwise.
///
/// ```swift
/// let generator = try TextGenerator(model: TrainedModel(checkpoint: "runs/char-gpt"))
/// var options = SamplingOptions.default   // 200 characters, temperature 0.8, top-k 40, seed 1
/// options.temperature = 1                 // sample the model as trained
/// let text = try generator.generate(prompt: "The ", options)
/// ```
public struct SamplingOptions: Equatable, Sendable {
    /// Characters to generate.
    public var tokens: Int
    /// The logits are divided by this (> 0): below 1 is more conservative, 1 samples the model as trained.
    public var temperature: Double
    /// Sample only among this many most likely tokens (≥ 1); the vocabulary's size or more keeps them all.
    public var topK: Int
    /// The Philox seed of the draws: the same seed gives the same text on every machine.
    public var seed: UInt64

    public init(tokens: Int, temperature: Double, topK: Int, seed: UInt64) {
        self.tokens = tokens
        self.temperature = temperature
        self.topK = topK
        self.seed = seed
    }

    /// 200 tokens at temperature 0.8 among the 40 most likely, seed 1: llama.cpp's defaults
    /// rather than transformers' sampling ones (1.0, top-k 50). Temperature 1 samples the model as
    /// trained, its unlikely tokens included; 0.8 over the top 40 is the usual choice for
    /// reading a small model's text, and it is what `predict` and `serve` always used, so only
    /// `generate`'s defaults changed (from 1.0 and every character).
    public static let `default` = SamplingOptions(tokens: 200, temperature: 0.8, topK: 40, seed: 1)
}

/// Why `shoal generate` cannot run; the message names the argument or the checkpoint.
public struct GenerationError: Error, CustomStringConvertible, Equatable {
    public let description: String
    init(_ description: String) { self.description = description }
}
