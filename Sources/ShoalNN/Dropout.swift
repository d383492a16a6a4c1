import ShoalTensor

/// Inverted dropout: in training each element is zeroed with probability `rate` and the rest are
/// scaled by 1 / (1 − rate); in inference it is the identity.
///
/// The keep/drop decision for element `e` of sample `s` is a pure function of
/// (run seed, step, global sample index of s, layer index, e) through Philox, so it is the same
/// whichever rank computes the sample and wherever the sample sits in its micro-batch.
///
/// Shapes: x, y and `mask` are (B, F) with F the per-sample element count; mask holds 0 or the
/// scale 1 / (1 − rate).
final class Dropout: Layer {
    static let syntax = LayerSyntax(
        name: "dropout", summary: "zeroes each activation with probability rate while training and scales the rest by 1/(1 − rate)",
        arguments: [.init("rate", .double(.unitInterval), doc: "probability of zeroing an element")],
        example: "dropout: {rate: 0.25}"
    ) { context throws(ModelError) in
        [try Dropout(place: context.place, rate: try context.double("rate"), inputShape: context.inputShape, seed: context.seed,
                     maxBatch: context.maxBatch, memory: context.memory)]
    }

    let typeName = "Dropout"
    let rate: Float
    let features: Int
    let shape: [Int]
    let key: Philox  // (seed, layer) → sub-key; the step and sample enter at forward time
    var outputShape: [Int] { shape }
    private let mask: UnsafeMutableBufferPointer<Float>
    private var masked = false  // whether the last forward applied the mask

    init(place: LayerPlace, rate: Double, inputShape: [Int], seed: UInt64, maxBatch: Int, memory: ModelMemory) throws(ModelError) {
        guard rate >= 0 && rate < 1 else {
            throw place.fail("Dropout", "rate must be in [0, 1), got \(rate)")
        }
        self.rate = Float(rate)
        shape = inputShape
        features = try memory.count(inputShape, for: place, "Dropout")
        key = place.generator(seed: seed, domain: 0xD80)
        mask = try memory.floats([[maxBatch, features]], for: place, "Dropout")[0]
    }

    var scratchBytes: Int { mask.count * 4 }

    deinit { mask.baseAddress?.deallocate() }

    func forward(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, batch B: Int, context: ForwardContext) {
        masked = context.training && rate > 0
        guard masked else { copy(x, to: y, count: B * features); return }
        precondition(context.sampleIndices.count >= B, "Dropout: \(context.sampleIndices.count) sample indices for a batch of \(B)")
        let F = features
        for n in 0..<B {
            fillDropoutMask(mask.baseAddress! + n * F, count: F, rate: rate, key: key, step: context.step, sample: context.sampleIndices[n])
        }
        let m = mask.baseAddress!
        for i in 0..<B * F { y[i] = x[i] * m[i] }
    }

    func backward(x: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                  dx: UnsafeMutablePointer<Float>?, batch B: Int) {
        guard let dx else { return }
        // forward: y = x * mask (or y = x in inference)
        guard masked else { copy(dy, to: dx, count: B * features); return }
        let m = mask.baseAddress!
        for i in 0..<B * features { dx[i] = dy[i] * m[i] }
    }
}

extension LayerSpec {
    /// Zeroes each activation with probability `rate` in training and scales the rest by 1/(1-rate).
    public static func dropout(rate: Double) -> LayerSpec {
        LayerSpec(kind: "dropout", arguments: ["rate": .double(rate)])
    }
}

/// Writes the inverted-dropout mask of one sample: `count` values, each 0 (dropped, with
/// probability `rate`) or 1 / (1 − rate). Element e's decision is a pure function of (the layer's
/// `key`, `step`, the sample's global index, e), so any rank computing the sample draws the same.
///
/// Elements go in groups of 32 drawn from 8 Philox blocks: element 32g + 8k + j uses word k of
/// block 8g + j (the word-major order of `blocks8`), and is dropped when that word < rate · 2³².
/// Branch-free: the borrow of w − threshold is the drop bit.
func fillDropoutMask(_ m: UnsafeMutablePointer<Float>, count F: Int, rate: Float, key: Philox, step: UInt64, sample: Int32) {
    let rng = Philox(seed: key.next64(at: step), stream: UInt64(UInt32(bitPattern: sample)))
    let keepBits = (1 / (1 - rate)).bitPattern
    let threshold = UInt32(min(Double(rate) * 0x1p32, Double(UInt32.max)))
    for e in stride(from: 0, to: F, by: 32) {
        var words = rng.blocks8(at: UInt64(e >> 2))
        withUnsafeBytes(of: &words) { raw in
            let w = raw.baseAddress!.assumingMemoryBound(to: UInt32.self)
            for i in 0..<min(32, F - e) {
                let drop = (UInt64(w[i]) &- UInt64(threshold)) >> 63
                m[e + i] = Float(bitPattern: UInt32(truncatingIfNeeded: 1 &- drop) &* keepBits)
            }
        }
    }
}
