import Testing
import ShoalNN
import ShoalTensor

/// The builder: shapes, parameter counts of the seed models, errors, arena layout, init, dropout
/// keys, determinism and the no-allocation property of a step.
@Suite struct ModelTests {
    static let kerasCNN: [LayerSpec] = [
        .conv2D(filters: 32, kernel: 3, stride: 1, padding: .valid, activation: .relu),
        .maxPool2D(size: 2, stride: nil),
        .dropout(rate: 0.25),
        .flatten,
        .dense(units: 128, activation: .relu),
        .dropout(rate: 0.5),
        .dense(units: 10, activation: nil),
    ]
    static let threeConvCNN: [LayerSpec] = [
        .conv2D(filters: 32, kernel: 3, stride: 1, padding: .valid, activation: .relu),
        .maxPool2D(size: 2, stride: nil),
        .conv2D(filters: 64, kernel: 3, stride: 1, padding: .valid, activation: .relu),
        .maxPool2D(size: 2, stride: nil),
        .conv2D(filters: 64, kernel: 3, stride: 1, padding: .valid, activation: .relu),
        .flatten,
        .dense(units: 64, activation: .relu),
        .dense(units: 10, activation: nil),
    ]
    static let mlp: [LayerSpec] = [
        .dense(units: 256, activation: .relu), .dense(units: 128, activation: .relu), .dense(units: 10, activation: nil),
    ]

    func build(_ input: [Int], _ layers: [LayerSpec], loss: LossSpec = .softmaxCrossEntropy, maxBatch: Int = 4) throws -> Model {
        try Model(inputShape: input, layers: layers, loss: loss, seed: 42, maxBatch: maxBatch)
    }

    @Test func seedCNNHas693962Parameters() throws {
        let m = try build([28, 28, 1], Self.kerasCNN)
        // 32·(1·9) + 32 = 320; 13·13·32 = 5408 → 5408·128 + 128 = 692,352; 128·10 + 10 = 1,290
        #expect(m.parameterCount == 320 + 692_352 + 1_290)
        #expect(m.parameterCount == 693_962)
        #expect(m.outputShape == [10])
        #expect(m.layerSummaries.map(\.outputShape) == [[26, 26, 32], [13, 13, 32], [13, 13, 32], [5408], [128], [128], [10]])
        let s = m.summary()
        #expect(s.contains("Total params: 693,962"))
        #expect(s.contains("layers.0 (Conv2D)") && s.contains("(None, 26, 26, 32)") && s.contains("692,352"))
    }

    @Test func threeConvCNNHas93322Parameters() throws {
        let m = try build([28, 28, 1], Self.threeConvCNN)
        // 26→13 →(conv) 11→5 →(conv) 3: 320 + (64·32·9 + 64) + (64·64·9 + 64) + (3·3·64·64 + 64) + (64·10 + 10)
        #expect(m.layerSummaries.map(\.parameterCount) == [320, 0, 18_496, 0, 36_928, 0, 36_928, 650])
        #expect(m.parameterCount == 93_322)
    }

    @Test func mlpHas235146Parameters() throws {
        #expect(try build([784], Self.mlp).parameterCount == 235_146)
    }

    @Test func arenaIsInReverseExecutionOrderWithoutGaps() throws {
        let m = try build([784], Self.mlp)
        let entries = m.arena.entries
        #expect(entries.map(\.name) == ["layers.2.weight", "layers.2.bias", "layers.1.weight", "layers.1.bias",
                                        "layers.0.weight", "layers.0.bias"])
        #expect(entries.map(\.shape) == [[10, 128], [10], [128, 256], [128], [256, 784], [256]])
        var offset = 0
        for e in entries { #expect(e.offset == offset); offset += e.count }
        #expect(offset == m.arena.count && m.arena.parameters.count == offset && m.arena.gradients.count == offset)
        #expect(m.arena.entry(named: "layers.1.bias")?.offset == 1290 + 32_768)
        #expect(m.arena.entry(named: "layers.9.weight") == nil)
    }

    @Test func initializationIsKeyedBySeedAndBiasesAreZero() throws {
        let a = try build([784], Self.mlp), b = try build([784], Self.mlp)
        #expect(Array(a.arena.parameters) == Array(b.arena.parameters))
        let c = try Model(inputShape: [784], layers: Self.mlp, loss: .softmaxCrossEntropy, seed: 43, maxBatch: 1)
        #expect(Array(a.arena.parameters) != Array(c.arena.parameters))
        let w = a.arena.parameters(of: a.arena.entry(named: "layers.0.weight")!)
        let limit = Float((6.0 / (784 + 256)).squareRoot())
        #expect(w.allSatisfy { abs($0) <= limit })
        #expect(w.max()! > 0.9 * limit && w.min()! < -0.9 * limit)
        #expect(a.arena.parameters(of: a.arena.entry(named: "layers.0.bias")!).allSatisfy { $0 == 0 })

        let he = try Model(inputShape: [784], layers: Self.mlp, loss: .softmaxCrossEntropy, initializer: .heNormal, seed: 5, maxBatch: 1)
        let hw = he.arena.parameters(of: he.arena.entry(named: "layers.0.weight")!)
        let variance = hw.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(hw.count)
        #expect(abs(variance / (2.0 / 784) - 1) < 0.02)
    }

    @Test func impossibleStacksNameTheLayer() {
        func error(_ input: [Int], _ layers: [LayerSpec], _ loss: LossSpec = .meanSquaredError) -> ModelError? {
            do { _ = try Model(inputShape: input, layers: layers, loss: loss, seed: 1, maxBatch: 1); return nil } catch { return error }
        }
        let afterFlatten = error([28, 28, 1], [.flatten, .conv2D(filters: 8, kernel: 3, stride: 1, padding: .valid, activation: nil)])
        guard case .impossibleLayer(1, "Conv2D", _)? = afterFlatten else { Issue.record("got \(String(describing: afterFlatten))"); return }
        #expect(afterFlatten!.description.hasPrefix("layer 1 (Conv2D):"))
        #expect(afterFlatten!.description.contains("Flatten"))

        let tooBig = error([4, 4, 1], [.conv2D(filters: 8, kernel: 5, stride: 1, padding: .valid, activation: nil)])
        #expect(tooBig?.description == "layer 0 (Conv2D): kernel 5×5 is larger than its 4×4 input (padding valid)")

        // 5×5 → conv 3 → 3×3 → pool 2 → 1×1 → conv 3 cannot fit
        let shrunk = error([5, 5, 1], [.conv2D(filters: 2, kernel: 3, stride: 1, padding: .valid, activation: nil),
                                       .maxPool2D(size: 2, stride: nil),
                                       .conv2D(filters: 2, kernel: 3, stride: 1, padding: .valid, activation: nil)])
        guard case .impossibleLayer(2, "Conv2D", _)? = shrunk else { Issue.record("got \(String(describing: shrunk))"); return }

        guard case .impossibleLayer(0, "Dense", _)? = error([28, 28, 1], [.dense(units: 3, activation: nil)]) else { Issue.record("dense"); return }
        guard case .impossibleLayer(1, "MaxPool2D", _)? = error([8], [.dense(units: 4, activation: nil), .maxPool2D(size: 2, stride: nil)])
        else { Issue.record("pool"); return }
        guard case .impossibleLayer(0, "Dropout", _)? = error([8], [.dropout(rate: 1)]) else { Issue.record("dropout"); return }
        guard case .incompatibleLoss? = error([4, 4, 1], [], .softmaxCrossEntropy) else { Issue.record("loss"); return }
        guard case .invalidInputShape? = error([4, 4, 4, 4], []) else { Issue.record("input"); return }
        // same padding makes a large kernel legal
        #expect(error([4, 4, 1], [.conv2D(filters: 1, kernel: 5, stride: 1, padding: .same, activation: nil)]) == nil)
    }

    @Test func dropoutMaskDependsOnSampleIndexNotBatchPosition() throws {
        let m = try Model(inputShape: [64], layers: [.dropout(rate: 0.5)], loss: .meanSquaredError, seed: 9, maxBatch: 2)
        let x = [Float](repeating: 1, count: 128)
        func forward(_ ids: [Int32], step: UInt64 = 1) -> [Float] {
            ids.withUnsafeBufferPointer { ids in
                x.withUnsafeBufferPointer { Array(m.forward($0, batch: 2, context: ForwardContext(training: true, step: step, sampleIndices: ids))) }
            }
        }
        let ab = forward([17, 99]), ba = forward([99, 17])
        #expect(Array(ab[0..<64]) == Array(ba[64..<128]) && Array(ab[64..<128]) == Array(ba[0..<64]))
        #expect(Array(ab[0..<64]) != Array(ab[64..<128]))
        #expect(forward([17, 99], step: 2) != ab)
        #expect(ab.allSatisfy { $0 == 0 || $0 == 2 })
        let dropped = ab.filter { $0 == 0 }.count
        #expect(dropped > 30 && dropped < 98)
        // inference: identity
        let eval = x.withUnsafeBufferPointer { Array(m.forward($0, batch: 2, context: .inference)) }
        #expect(eval == x)
    }

    @Test func dropoutMaskIsPhiloxOfSeedStepSampleLayerElement() throws {
        // layer 1, 37 features (not a multiple of the 32 elements drawn per vector step)
        let seed: UInt64 = 77, step: UInt64 = 12, sample: Int32 = 4242, rate = 0.3
        let m = try Model(inputShape: [37], layers: [.activation(.tanh), .dropout(rate: rate)], loss: .meanSquaredError, seed: seed, maxBatch: 1)
        let x = [Float](repeating: 0.5, count: 37)
        let y = [sample].withUnsafeBufferPointer { ids in
            x.withUnsafeBufferPointer { Array(m.forward($0, batch: 1, context: ForwardContext(training: true, step: step, sampleIndices: ids))) }
        }
        let rng = Philox(seed: Philox(seed: seed).derived(0xD80, 1).next64(at: step), stream: UInt64(sample))
        let threshold = UInt32(rate * 0x1p32)
        for e in 0..<37 {
            // element 32g + 8k + j ← word k of block 8g + j
            let (g, k, j) = (e / 32, e % 32 / 8, e % 8)
            let b = rng.block(at: UInt64(8 * g + j))
            let word = [b.0, b.1, b.2, b.3][k]
            #expect((y[e] == 0) == (word < threshold), "element \(e)")
        }
    }

    /// Runs `steps` training steps of the Keras CNN and returns the logits and gradients.
    func train(_ m: Model, steps: Int, batch: Int) -> (logits: [Float], gradients: [Float]) {
        let rng = Philox(seed: 3)
        let x = (0..<batch * 784).map { rng.uniform(at: UInt64($0)) }
        let t = (0..<batch).map { Float($0 % 10) }
        let ids = (0..<batch).map { Int32($0 * 3) }
        var logits: [Float] = []
        for s in 0..<steps {
            m.arena.zeroGradients()
            x.withUnsafeBufferPointer { x in
                ids.withUnsafeBufferPointer { ids in
                    let y = m.forward(x, batch: batch, context: ForwardContext(training: true, step: UInt64(s), sampleIndices: ids))
                    if s == steps - 1 { logits = Array(y) }
                }
            }
            _ = t.withUnsafeBufferPointer { m.loss(targets: $0, gradientScale: 1 / Float(batch)) }
            m.backward()
        }
        return (logits, Array(m.arena.gradients))
    }

    @Test func sameSeedAndInputsGiveSameBits() throws {
        let a = try build([28, 28, 1], Self.kerasCNN, maxBatch: 8), b = try build([28, 28, 1], Self.kerasCNN, maxBatch: 8)
        let ra = train(a, steps: 2, batch: 8), rb = train(b, steps: 2, batch: 8)
        #expect(ra.logits.map(\.bitPattern) == rb.logits.map(\.bitPattern))
        #expect(ra.gradients.map(\.bitPattern) == rb.gradients.map(\.bitPattern))
        #expect(ra.gradients.contains { $0 != 0 })
    }

    /// Swift cannot hook malloc portably; what is checkable: every buffer a step touches was
    /// allocated at build time and is still the same buffer after many steps (no reallocation,
    /// no copy-on-write), and the step code only passes raw pointers (design review: no Array,
    /// no closure capture, no String in Layer.forward/backward).
    @Test func stepsReuseTheBuffersAllocatedAtBuildTime() throws {
        let m = try build([28, 28, 1], Self.kerasCNN, maxBatch: 8)
        let before = m.bufferAddresses
        _ = train(m, steps: 20, batch: 8)
        _ = train(m, steps: 5, batch: 3)
        #expect(m.bufferAddresses == before)
        #expect(before.allSatisfy { $0 != nil })
    }

    @Test func accumulatesGradientsAcrossBackwardCalls() throws {
        let m = try build([784], Self.mlp, maxBatch: 4)
        let once = train(m, steps: 1, batch: 4).gradients
        // a second backward without zeroing doubles the gradient
        m.backward()
        for (g2, g1) in zip(Array(m.arena.gradients), once) { #expect(abs(g2 - 2 * g1) <= 1e-6 * max(1, abs(g1))) }
    }

    @Test func gradientScaleScalesTheGradientNotTheLoss() throws {
        let m = try build([784], Self.mlp, maxBatch: 4)
        let x = (0..<4 * 784).map { Float($0 % 13) / 13 }, t: [Float] = [1, 2, 3, 4]
        func step(_ scale: Float) -> (Double, [Float]) {
            m.arena.zeroGradients()
            _ = x.withUnsafeBufferPointer { m.forward($0, batch: 4, context: .inference) }
            let l = t.withUnsafeBufferPointer { m.loss(targets: $0, gradientScale: scale) }
            m.backward()
            return (l, Array(m.arena.gradients))
        }
        let (l1, g1) = step(1), (lq, gq) = step(0.25)
        #expect(l1 == lq)
        for (a, b) in zip(gq, g1) { #expect(abs(a - 0.25 * b) <= 1e-6 * max(1, abs(b))) }
    }
}
