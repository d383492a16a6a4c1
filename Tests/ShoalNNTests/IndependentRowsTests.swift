import Testing
import ShoalNN

/// `ForwardContext.prediction`: a sample's outputs are the same bits alone, in any batch and at
/// any position in it (what predict and serve rely on to merge requests), and close to BLAS's.
@Suite struct IndependentRowsTests {
    static let models: [(name: String, input: [Int], layers: [LayerSpec])] = [
        ("mlp", [784], [.dense(units: 256, activation: .relu), .dense(units: 128, activation: .relu), .dense(units: 10)]),
        ("cnn", [28, 28, 1], [.conv2D(filters: 32, kernel: 3, stride: 1, padding: .valid, activation: .relu),
                              .maxPool2D(size: 2, stride: nil), .flatten, .dense(units: 13)]),
        ("wide conv", [6, 5, 3], [.conv2D(filters: 7, kernel: 3, stride: 1, padding: .same, activation: .relu), .flatten, .dense(units: 5)]),
        ("lstm", [6, 5], [.lstm(units: 9, returnSequences: true), .lstm(units: 7), .dense(units: 3)]),
        ("gpt", [9], SequenceLayerTests.gpt(vocab: 13, width: 16, heads: 2)),
    ]

    @Test(arguments: 0..<models.count)
    func aSampleGetsTheSameBitsInAnyBatchAtAnyPosition(_ index: Int) throws {
        let spec = Self.models[index], maxBatch = 13
        let model = try Model(inputShape: spec.input, layers: spec.layers, loss: .meanSquaredError, seed: 3, maxBatch: maxBatch)
        let features = spec.input.reduce(1, *), width = model.outputShape.reduce(1, *)
        var random = SplitMix(seed: UInt64(index) + 1)
        let samples: [[Float]] = (0..<maxBatch).map { _ in
            (0..<features).map { _ in spec.name == "gpt" ? Float(random.next() % 13) : Float(random.next() % 2001) / 1000 - 1 }
        }
        func forward(_ rows: [[Float]], _ context: ForwardContext) -> [[Float]] {
            let output = rows.joined().map { $0 }.withUnsafeBufferPointer { Array(model.forward($0, batch: rows.count, context: context)) }
            return (0..<rows.count).map { Array(output[$0 * width..<($0 + 1) * width]) }
        }
        let alone = samples.map { forward([$0], .prediction)[0] }
        // Every batch size, each sample at every position: the bits it got alone.
        for size in [2, 3, 5, 8, 12, 13] {
            for shift in 0..<size {
                let order = (0..<size).map { ($0 + shift) % maxBatch }
                let got = forward(order.map { samples[$0] }, .prediction)
                for (row, sample) in order.enumerated() {
                    #expect(got[row] == alone[sample], "\(spec.name): sample \(sample) at row \(row) of \(size)")
                }
            }
        }
        // The same function as BLAS computes, to rounding.
        let blas = forward(samples, .inference)
        for (a, b) in zip(alone.joined(), blas.joined()) {
            #expect(abs(a - b) <= 1e-4 * max(1, abs(b)), "\(spec.name): \(a) vs BLAS's \(b)")
        }
    }
}

/// A small deterministic generator for test inputs.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
