import Testing
import ShoalNN
import ShoalTensor

/// Every layer's and loss's backward against Float64 central differences (see `GradientCheck`),
/// on random inputs from a fresh seed each run; relative error < 1e-3 per tensor.
@Suite struct GradientTests {
    func expectGradients(_ inputShape: [Int], _ layers: [LayerSpec], loss: LossSpec? = nil, batch: Int = 3,
                         epsilon: Double = 1e-2, input: ((Int, Philox) -> Float)? = nil) throws {
        let seed = freshSeed()
        let check = try GradientCheck(inputShape: inputShape, layers: layers, loss: loss, batch: batch, seed: seed, input: input)
        for r in check.run(epsilon: epsilon) {
            #expect(r.relativeError < 1e-3, "seed \(seed): \(r)")
        }
    }

    /// Step for layers linear in both input and parameters (Dense, Conv2D, Flatten, Dropout): the
    /// difference quotient has no truncation error, so a large step only shrinks round-off.
    static let linear = 0.5

    /// Inputs bounded away from 0 (|x| ≥ 0.1) so that ±ε·v (|v| ≤ 1) never crosses a ReLU kink.
    static func awayFromZero(_ i: Int, _ rng: Philox) -> Float {
        let u = rng.uniform(at: UInt64(i))
        return (u < 0.5 ? -1 : 1) * (0.1 + 0.9 * rng.uniform(at: UInt64(1 << 20 + i)))
    }

    /// All-distinct inputs 2/n apart in a random order, so that pooling windows have no near-ties.
    static func distinct(count n: Int) -> (Int, Philox) -> Float {
        { i, rng in
            // a random-looking bijection of 0..<n: multiply by a unit mod n (n is not a multiple of 7919)
            let k = (i * 7919 + Int(rng.uniformInt(below: UInt64(n), at: 0))) % n
            return 2 * (Float(k) + 0.5) / Float(n) - 1
        }
    }

    @Test func dense() throws { try expectGradients([7], [.dense(units: 5, activation: nil)], epsilon: Self.linear) }

    @Test func denseWithFusedTanh() throws { try expectGradients([6], [.dense(units: 4, activation: .tanh)]) }

    @Test(arguments: [Activation.tanh, .sigmoid, .gelu, .softmax])
    func smoothActivation(_ a: Activation) throws {
        try expectGradients([3, 2, 5], [.activation(a)])
    }

    @Test(arguments: [Activation.relu, .leakyReLU(alpha: 0.1)])
    func piecewiseLinearActivation(_ a: Activation) throws {
        try expectGradients([3, 2, 5], [.activation(a)], epsilon: 1e-3, input: Self.awayFromZero)
    }

    @Test func conv2DValid() throws {
        try expectGradients([6, 5, 3], [.conv2D(filters: 4, kernel: 3, stride: 1, padding: .valid, activation: nil)], epsilon: Self.linear)
    }

    @Test func conv2DSameStrided() throws {
        try expectGradients([7, 6, 2], [.conv2D(filters: 3, kernel: 3, stride: 2, padding: .same, activation: nil)], epsilon: Self.linear)
    }

    @Test func conv2DInSeveralIm2colChunks() throws {
        // 46·46·216 floats of columns per sample: chunks of 2 samples, so a batch of 3 is split 2 + 1
        try expectGradients([48, 48, 24], [.conv2D(filters: 2, kernel: 3, stride: 1, padding: .valid, activation: nil)], epsilon: Self.linear)
    }

    @Test func maxPool() throws {
        try expectGradients([6, 6, 3], [.maxPool2D(size: 2, stride: nil)], epsilon: 1e-3, input: Self.distinct(count: 3 * 108))
    }

    @Test func maxPoolManyChannels() throws {
        // 9 channels: one 8-lane SIMD step and a scalar remainder
        try expectGradients([4, 4, 9], [.maxPool2D(size: 2, stride: nil)], epsilon: 1e-3, input: Self.distinct(count: 3 * 144))
    }

    @Test func maxPoolOverlapping() throws {
        try expectGradients([7, 7, 2], [.maxPool2D(size: 3, stride: 2)], epsilon: 1e-3, input: Self.distinct(count: 3 * 98))
    }

    @Test func flattenThenDense() throws {
        try expectGradients([3, 2, 2], [.flatten, .dense(units: 3, activation: nil)], epsilon: Self.linear)
    }

    @Test func dropoutInTraining() throws {
        try expectGradients([20], [.dropout(rate: 0.5), .dense(units: 3, activation: nil)], epsilon: Self.linear)
    }

    @Test(arguments: LossSpec.allCases)
    func loss(_ loss: LossSpec) throws {
        try expectGradients([5], [], loss: loss, batch: 4)
    }

    @Test func softmaxCrossEntropyWithFoldedSoftmax() throws {
        try expectGradients([6], [.dense(units: 4, activation: .softmax)], loss: .softmaxCrossEntropy)
    }

    /// A deeper smooth stack: Float32 round-off through several layers is larger, so the step is
    /// larger too (Richardson extrapolation keeps the truncation error at O(ε⁴)).
    @Test func smallCNNEndToEnd() throws {
        try expectGradients([6, 6, 2], [
            .conv2D(filters: 3, kernel: 3, stride: 1, padding: .same, activation: .tanh),
            .conv2D(filters: 4, kernel: 2, stride: 2, padding: .valid, activation: .gelu),
            .dropout(rate: 0.3),
            .flatten,
            .dense(units: 5, activation: .sigmoid),
            .dense(units: 3, activation: nil),
        ], loss: .softmaxCrossEntropy, batch: 2, epsilon: 0.05)
    }
}
