import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ShoalNN
import ShoalTensor

/// Forward values against small hand-computed cases.
@Suite struct ForwardTests {
    func set(_ model: Model, _ name: String, _ values: [Float]) {
        let slice = model.arena.parameters(of: model.arena.entry(named: name)!)
        precondition(slice.count == values.count)
        _ = slice.update(fromContentsOf: values)
    }

    func run(_ model: Model, _ x: [Float], batch: Int = 1) -> [Float] {
        x.withUnsafeBufferPointer { Array(model.forward($0, batch: batch, context: .inference)) }
    }

    func expectClose(_ a: [Float], _ b: [Float], _ tol: Float = 1e-5, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(a.count == b.count, sourceLocation: sourceLocation)
        for (u, v) in zip(a, b) { #expect(abs(u - v) <= tol * max(1, abs(v)), "\(a) vs \(b)", sourceLocation: sourceLocation) }
    }

    @Test func conv2x2OnA3x3Image() throws {
        let m = try Model(inputShape: [3, 3, 1], layers: [.conv2D(filters: 1, kernel: 2, stride: 1, padding: .valid, activation: nil)],
                          loss: .meanSquaredError, seed: 1, maxBatch: 1)
        set(m, "layers.0.weight", [1, 2, 3, 4])
        set(m, "layers.0.bias", [0.5])
        // [1 2 3; 4 5 6; 7 8 9] ⋆ [1 2; 3 4]: 1+4+12+20, 2+6+15+24, 4+10+21+32, 5+12+24+36
        #expect(run(m, [1, 2, 3, 4, 5, 6, 7, 8, 9]) == [37.5, 47.5, 67.5, 77.5])
        #expect(m.outputShape == [2, 2, 1])
    }

    @Test func convMatchesDirectLoopInPyTorchWeightLayout() throws {
        // same padding, stride 2, 2 in / 3 out channels; reference: direct sum with W[oc][c][kh][kw]
        let (H, W, C, OC, K, S) = (5, 4, 2, 3, 3, 2)
        let m = try Model(inputShape: [H, W, C], layers: [.conv2D(filters: OC, kernel: K, stride: S, padding: .same, activation: nil)],
                          loss: .meanSquaredError, seed: 7, maxBatch: 1)
        let w = Array(m.arena.parameters(of: m.arena.entry(named: "layers.0.weight")!))
        set(m, "layers.0.bias", [0.1, -0.2, 0.3])
        let x = (0..<H * W * C).map { Float(($0 * 37) % 11) - 5 }
        let y = run(m, x)
        #expect(m.outputShape == [3, 2, OC])
        // Keras same: out 3×2; pad total rows (3−1)·2+3−5 = 2 → top 1; cols (2−1)·2+3−4 = 1 → left 0
        var expected: [Float] = []
        for oh in 0..<3 { for ow in 0..<2 { for oc in 0..<OC {
            var s: Float = [0.1, -0.2, 0.3][oc]
            for c in 0..<C { for kh in 0..<K { for kw in 0..<K {
                let h = oh * S + kh - 1, ww = ow * S + kw
                if h >= 0 && h < H && ww < W { s += w[((oc * C + c) * K + kh) * K + kw] * x[(h * W + ww) * C + c] }
            } } }
            expected.append(s)
        } } }
        expectClose(y, expected, 1e-5)
    }

    @Test func denseUsesOutByInWeights() throws {
        let m = try Model(inputShape: [2], layers: [.dense(units: 3, activation: nil)], loss: .meanSquaredError, seed: 1, maxBatch: 2)
        set(m, "layers.0.weight", [1, 2, 3, 4, 5, 6])
        set(m, "layers.0.bias", [0.1, 0.2, 0.3])
        expectClose(run(m, [1, -1, 0, 1], batch: 2), [-0.9, -0.8, -0.7, 2.1, 4.2, 6.3])
    }

    @Test func knownSoftmax() throws {
        let m = try Model(inputShape: [3], layers: [.activation(.softmax)], loss: .meanSquaredError, seed: 1, maxBatch: 1)
        expectClose(run(m, [1, 2, 3]), [0.090030573, 0.244728471, 0.665240956])
        // shift invariance and no overflow at large logits
        expectClose(run(m, [1001, 1002, 1003]), [0.090030573, 0.244728471, 0.665240956])
    }

    @Test func knownActivations() throws {
        func act(_ a: Activation, _ x: [Float]) throws -> [Float] {
            run(try Model(inputShape: [x.count], layers: [.activation(a)], loss: .meanSquaredError, seed: 1, maxBatch: 1), x)
        }
        #expect(try act(.relu, [-2, 0, 3]) == [0, 0, 3])
        expectClose(try act(.leakyReLU(alpha: 0.2), [-2, 3]), [-0.4, 3])
        expectClose(try act(.sigmoid, [0, 2, -30]), [0.5, 0.880797078, 9.357623e-14])
        expectClose(try act(.tanh, [0.5]), [0.462117157])
        expectClose(try act(.gelu, [1, -1, 0]), [0.841344746, -0.158655254, 0])
    }

    /// GELU's vectorised Φ (ShoalKernels) against Double's erf over [−10, 10], and softmax's
    /// vectorised exp against Double's on rows that are not a multiple of the 8 lanes.
    @Test func vectorisedGELUAndSoftmaxAgainstDouble() throws {
        let x = (0...4000).map { Float($0 - 2000) / 200 }
        let gelu = run(try Model(inputShape: [x.count], layers: [.activation(.gelu)], loss: .meanSquaredError, seed: 1, maxBatch: 1), x)
        var worst: Double = 0
        for (v, y) in zip(x, gelu) {
            let exact = Double(v) * 0.5 * (1 + erf(Double(v) / 2.0.squareRoot()))
            worst = max(worst, abs(Double(y) - exact) / max(1, abs(Double(v))))
        }
        #expect(worst < 2e-7, "largest GELU error \(worst)")
        for count in [1, 7, 8, 37, 128] {
            let logits = (0..<count).map { Float(($0 * 7919) % 23) / 2 - 6 }
            let p = run(try Model(inputShape: [count], layers: [.activation(.softmax)], loss: .meanSquaredError, seed: 1, maxBatch: 1), logits)
            let e = logits.map { exp(Double($0)) }, s = e.reduce(0, +)
            for (pi, ei) in zip(p, e) { #expect(abs(Double(pi) - ei / s) <= 1e-6 * ei / s, "softmax of \(count)") }
        }
    }

    @Test func maxPoolPicksWindowMaxima() throws {
        let m = try Model(inputShape: [4, 4, 1], layers: [.maxPool2D(size: 2, stride: nil)], loss: .meanSquaredError, seed: 1, maxBatch: 1)
        let x: [Float] = [1, 5, 2, 0,
                          3, 4, 8, 1,
                          0, 0, -1, -2,
                          9, 0, -3, -4]
        #expect(run(m, x) == [5, 8, 9, -1])
    }

    @Test func knownLosses() throws {
        func lossOf(_ spec: LossSpec, _ z: [Float], _ t: [Float], outputs: Int) throws -> Double {
            let m = try Model(inputShape: [outputs], layers: [], loss: spec, seed: 1, maxBatch: 4)
            _ = run(m, z, batch: z.count / outputs)
            return t.withUnsafeBufferPointer { m.loss(targets: $0, gradientScale: 1) }
        }
        // −log softmax([1, 2, 3])[2], summed over two identical samples
        #expect(abs(try lossOf(.softmaxCrossEntropy, [1, 2, 3, 1, 2, 3], [2, 2], outputs: 3) - 2 * 0.407605964) < 1e-6)
        #expect(abs(try lossOf(.binaryCrossEntropy, [0, 0], [1, 0], outputs: 2) - 0.693147181) < 1e-6)
        #expect(abs(try lossOf(.meanSquaredError, [1, 2], [0, 0], outputs: 2) - 2.5) < 1e-9)
        // a class index outside 0..<3 is reported as NaN, never a crash
        #expect(try lossOf(.softmaxCrossEntropy, [1, 2, 3], [3], outputs: 3).isNaN)
    }

    @Test func foldedSoftmaxModelReturnsLogits() throws {
        let m = try Model(inputShape: [2], layers: [.dense(units: 3, activation: .softmax)], loss: .softmaxCrossEntropy, seed: 1, maxBatch: 1)
        #expect(m.foldedOutputActivation == .softmax)
        set(m, "layers.0.weight", [1, 0, 0, 1, 1, 1])
        #expect(run(m, [2, 3]) == [2, 3, 5])
        let kept = try Model(inputShape: [2], layers: [.dense(units: 3, activation: .softmax)], loss: .meanSquaredError, seed: 1, maxBatch: 1)
        #expect(kept.foldedOutputActivation == nil)
    }
}
