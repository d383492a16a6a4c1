import Foundation
import Testing
import ShoalNN
import ShoalTensor

/// The sequence layers (embedding, positional embedding, layer norm, attention, GELU's tanh form),
/// blocks (residual, repeat) and weight tying: backward against finite differences, forward
/// against hand-computed cases, causality bit for bit.
@Suite struct SequenceLayerTests {
    func expectGradients(_ inputShape: [Int], _ layers: [LayerSpec], loss: LossSpec? = nil, batch: Int = 2,
                         epsilon: Double = 1e-2, tokens: Int? = nil, tolerance: Double = 1e-3) throws {
        let seed = freshSeed()
        let check = try GradientCheck(inputShape: inputShape, layers: layers, loss: loss, batch: batch, seed: seed, tokens: tokens)
        for r in check.run(epsilon: epsilon) {
            #expect(r.relativeError < tolerance, "seed \(seed): \(r)")
        }
    }

    /// A 2-block pre-LayerNorm GPT: token and position embeddings, attention and a 4× GELU MLP in
    /// residual blocks, a final LayerNorm and an LM head tied to the token embedding.
    static func gpt(vocab: Int = 11, width: Int = 8, heads: Int = 2, blocks: Int = 2, gelu: Activation = .gelu) -> [LayerSpec] {
        [
            .embedding(vocab: vocab, width: width),
            .positionalEmbedding,
            .repeat(blocks, [
                .residual([.layerNorm(), .attention(heads: heads)]),
                .residual([.layerNorm(), .dense(units: 4 * width, activation: gelu), .dense(units: width)]),
            ]),
            .layerNorm(),
            .dense(units: vocab, bias: false, tie: "layers.0.weight"),
        ]
    }

    @Test func layerNorm() throws { try expectGradients([3, 6], [.layerNorm()]) }
    @Test func layerNormWithoutBiasOnAFlatInput() throws { try expectGradients([7], [.layerNorm(bias: false)]) }
    @Test func attention() throws { try expectGradients([5, 8], [.attention(heads: 2)]) }
    @Test func attentionWithDropoutOnItsProbabilities() throws { try expectGradients([5, 8], [.attention(heads: 2, dropout: 0.3)]) }
    @Test func attentionWithoutBiasOneHead() throws { try expectGradients([4, 6], [.attention(heads: 1, bias: false)]) }
    /// 70 positions: attention's products run over row tiles of 32 that skip the masked columns,
    /// here two whole tiles and a partial one.
    @Test func attentionOverSeveralCausalTiles() throws { try expectGradients([70, 4], [.attention(heads: 2)], batch: 1) }
    @Test func attentionOverSeveralCausalTilesWithDropout() throws {
        try expectGradients([70, 4], [.attention(heads: 2, dropout: 0.3)], batch: 1)
    }
    @Test func geluTanh() throws { try expectGradients([3, 5], [.activation(.geluTanh)]) }
    @Test func denseOverTheLastAxis() throws { try expectGradients([4, 7], [.dense(units: 5)], epsilon: 0.5) }
    @Test func denseWithoutBias() throws { try expectGradients([4, 7], [.dense(units: 3, bias: false)], epsilon: 0.5) }
    @Test func positionalEmbedding() throws { try expectGradients([5, 3], [.positionalEmbedding], epsilon: 0.5) }
    @Test func residual() throws { try expectGradients([4, 6], [.residual([.layerNorm(), .dense(units: 6, activation: .tanh)])]) }

    // The LSTM's gates are smooth enough for ε = 0.03, which keeps Float32 round-off below 1e-3 of
    // the gradient: over 150 seeds each, ε = 0.01 failed 1–8 times per test (worst 2.3e-3, gradients
    // near 6e-4 erring by 1.4e-6), ε = 0.03 never (worst 7e-4).
    static let lstmEpsilon = 0.03
    @Test func lstmReturningTheSequence() throws {
        try expectGradients([5, 3], [.lstm(units: 4, returnSequences: true)], epsilon: Self.lstmEpsilon)
    }
    // Three steps: over longer sequences the last state barely depends on weight_hh, and its tiny
    // gradient drowns in Float32 round-off.
    @Test func lstmReturningTheLastState() throws { try expectGradients([3, 2], [.lstm(units: 3)], epsilon: Self.lstmEpsilon) }

    @Test func aTwoLayerLSTMClassifier() throws {
        try expectGradients([5, 3], [.lstm(units: 6, returnSequences: true), .lstm(units: 4), .dense(units: 3)],
                            epsilon: Self.lstmEpsilon)
    }

    @Test func anLSTMsLastStateDependsOnEveryStepAndItsFirstOnlyOnTheFirst() throws {
        let m = try Model(inputShape: [4, 2], layers: [.lstm(units: 3, returnSequences: true)], loss: .meanSquaredError, seed: 4, maxBatch: 1)
        let x: [Float] = [0.5, -1, 0.25, 0.75, -0.5, 1, 0, 0.3]
        var changed = x
        changed[6] = 0.9   // step 3
        let a = x.withUnsafeBufferPointer { Array(m.forward($0, batch: 1, context: .inference)) }
        let b = changed.withUnsafeBufferPointer { Array(m.forward($0, batch: 1, context: .inference)) }
        #expect(a[0..<9] == b[0..<9])
        #expect(a[9..<12] != b[9..<12])
    }

    @Test func embeddingWithAPerPositionLoss() throws {
        try expectGradients([6], [.embedding(vocab: 9, width: 4), .dense(units: 9)], loss: .softmaxCrossEntropy, tokens: 9)
    }

    @Test(arguments: [Activation.gelu, .geluTanh])
    func aTwoBlockTransformer(gelu: Activation) throws {
        // Twelve layers deep in Float32, the difference quotient itself errs by up to about 2e-3 of
        // the gradient (round-off and truncation, measured over seeds), while every layer alone
        // meets 1e-3 above; so the whole model gets 5e-3, which still catches a wrong term (10 %
        // off in one term of attention's backward measured 2e-2 to 3e-1).
        try expectGradients([6], Self.gpt(gelu: gelu), epsilon: 0.01, tokens: 11, tolerance: 5e-3)
    }

    @Test func theTransformerBuildsWithNamedTensorsInReverseExecutionOrder() throws {
        let m = try Model(inputShape: [6], layers: Self.gpt(), loss: .softmaxCrossEntropy, seed: 1, maxBatch: 2)
        let names = m.arena.entries.map(\.name)
        #expect(m.outputShape == [6, 11])
        #expect(names.first == "layers.3.weight")   // the final LayerNorm's gain: the head owns no weight
        #expect(names.last == "layers.0.weight")    // the token embedding, used first, lies last
        #expect(names.contains("layers.2.1.0.1.qkv.weight") && names.contains("layers.2.0.1.2.bias"))
        #expect(!names.contains("layers.4.weight"))
        // per block: 2 LayerNorms (2·2·8) + attention (3·8·8 + 3·8 + 8·8 + 8) + MLP (32·8 + 32 + 8·32 + 8)
        let block = 2 * 2 * 8 + (192 + 24 + 64 + 8) + (256 + 32 + 256 + 8)
        #expect(m.parameterCount == 11 * 8 + 6 * 8 + 2 * block + 2 * 8)
        // LayerNorm gains start at 1, biases at 0; two blocks' weights differ.
        let gain = m.arena.entry(named: "layers.2.0.0.0.weight")!
        #expect(m.arena.parameters(of: gain).allSatisfy { $0 == 1 })
        let a = m.arena.entry(named: "layers.2.0.0.1.qkv.weight")!, b = m.arena.entry(named: "layers.2.1.0.1.qkv.weight")!
        #expect(Array(m.arena.parameters(of: a)) != Array(m.arena.parameters(of: b)))
    }

    /// 70 positions cross attention's row tiles of 32.
    @Test(arguments: [7, 70])
    func changingLaterTokensLeavesEarlierOutputsBitForBit(T: Int) throws {
        let vocab = 11
        let m = try Model(inputShape: [T], layers: Self.gpt(vocab: vocab), loss: .softmaxCrossEntropy, seed: 3, maxBatch: 1)
        var tokens = (0..<T).map { Float([3, 1, 4, 1, 5, 9, 2][$0 % 7]) }
        let before = tokens.withUnsafeBufferPointer { Array(m.forward($0, batch: 1, context: .inference)) }
        for t in 0..<T - 1 {
            var changed = tokens
            for j in t + 1..<T { changed[j] = Float((Int(changed[j]) + 1 + j) % vocab) }
            let after = changed.withUnsafeBufferPointer { Array(m.forward($0, batch: 1, context: .inference)) }
            #expect(after[0..<(t + 1) * vocab].map(\.bitPattern) == before[0..<(t + 1) * vocab].map(\.bitPattern), "position \(t)")
            #expect(after[(t + 1) * vocab..<T * vocab] != before[(t + 1) * vocab..<T * vocab])
        }
        tokens[0] = 0
    }

    @Test func aTiedWeightsGradientIsTheSumOfBothUses() throws {
        let vocab = 7, width = 4, T = 5
        let tied = try Model(inputShape: [T], layers: [.embedding(vocab: vocab, width: width), .dense(units: vocab, bias: false, tie: "layers.0.weight")],
                             loss: .softmaxCrossEntropy, seed: 5, maxBatch: 2)
        let untied = try Model(inputShape: [T], layers: [.embedding(vocab: vocab, width: width), .dense(units: vocab, bias: false)],
                               loss: .softmaxCrossEntropy, seed: 5, maxBatch: 2)
        #expect(tied.parameterCount == vocab * width && untied.parameterCount == 2 * vocab * width)
        let table = tied.arena.parameters(of: tied.arena.entry(named: "layers.0.weight")!)
        _ = untied.arena.parameters(of: untied.arena.entry(named: "layers.0.weight")!).update(fromContentsOf: table)
        _ = untied.arena.parameters(of: untied.arena.entry(named: "layers.1.weight")!).update(fromContentsOf: table)
        let tokens: [Float] = [1, 3, 3, 6, 0, 2, 2, 5, 4, 1], targets: [Float] = [3, 3, 6, 0, 2, 2, 5, 4, 1, 1]
        func gradients(_ m: Model) -> [Float] {
            m.arena.zeroGradients()
            tokens.withUnsafeBufferPointer { _ = m.forward($0, batch: 2, context: .inference) }
            _ = targets.withUnsafeBufferPointer { m.loss(targets: $0, gradientScale: 0.5) }
            m.backward()
            return Array(m.arena.gradients)
        }
        let g = gradients(tied), u = gradients(untied)
        let e = untied.arena.entry(named: "layers.0.weight")!.offset, h = untied.arena.entry(named: "layers.1.weight")!.offset
        for i in 0..<vocab * width {
            let sum = u[e + i] + u[h + i]
            #expect(abs(g[i] - sum) <= 1e-6 * max(1, abs(sum)), "element \(i): tied \(g[i]), embedding + head \(sum)")
        }
        #expect(u[h..<h + vocab * width].contains { $0 != 0 } && u[e..<e + vocab * width].contains { $0 != 0 })
    }

    @Test func backwardReportsAPrefixFinishedOnlyWhenNoLaterLayerWritesIntoIt() throws {
        // The overlapped reduction sends a bucket as soon as its prefix is reported: a prefix that
        // still changes afterwards (the tied embedding, written by the head and again by layer 0)
        // made the ranks' replicas differ.
        let T = 6, vocab = 11
        let model = try Model(inputShape: [T], layers: Self.gpt(vocab: vocab), loss: .softmaxCrossEntropy, seed: 3, maxBatch: 2)
        let tokens: [Float] = (0..<2 * T).map { Float($0 * 7 % vocab) }, targets: [Float] = (0..<2 * T).map { Float($0 * 5 % vocab) }
        model.arena.zeroGradients()
        tokens.withUnsafeBufferPointer { _ = model.forward($0, batch: 2, context: .inference) }
        _ = targets.withUnsafeBufferPointer { model.loss(targets: $0, gradientScale: 0.5) }
        var reported: [(offset: Int, prefix: [Float])] = []
        model.backward { offset in reported.append((offset, Array(model.arena.gradients[..<offset]))) }
        let final = Array(model.arena.gradients)
        #expect(reported.last?.offset == final.count)
        for (i, r) in reported.enumerated() {
            #expect(i == 0 || r.offset >= reported[i - 1].offset, "finished offsets must not go back")
            let changed = r.prefix.indices.first { r.prefix[$0] != final[$0] }
            #expect(changed == nil, "layer \(reported.count - 1 - i) reported \(r.offset) finished; element \(changed ?? 0) changed after")
        }
    }

    @Test func aTieToAMissingOrMisshapenTensorIsRefused() {
        func error(_ layers: [LayerSpec]) -> String? {
            do { _ = try Model(inputShape: [4], layers: layers, loss: .softmaxCrossEntropy, seed: 1, maxBatch: 1); return nil } catch { return "\(error)" }
        }
        #expect(error([.embedding(vocab: 5, width: 3), .dense(units: 5, tie: "layers.9.weight")])?.contains("tie: no tensor layers.9.weight") == true)
        #expect(error([.embedding(vocab: 5, width: 3), .dense(units: 6, tie: "layers.0.weight")])?.contains("has shape (5, 3), the weight needs (6, 3)") == true)
    }

    @Test func layerNormOfAKnownVector() throws {
        let m = try Model(inputShape: [4], layers: [.layerNorm()], loss: .meanSquaredError, seed: 1, maxBatch: 1)
        let y = [Float(1), 2, 3, 4].withUnsafeBufferPointer { Array(m.forward($0, batch: 1, context: .inference)) }
        // mean 2.5, population variance 1.25
        let expected = [-1.5, -0.5, 0.5, 1.5].map { Float($0 / (1.25 + 1e-5).squareRoot()) }
        for (a, b) in zip(y, expected) { #expect(abs(a - b) < 1e-6, "\(y) vs \(expected)") }
    }

    @Test func attentionOfATwoTokenSequence() throws {
        // One head of width 2 with q = k = v = x and an identity output projection, no biases.
        let m = try Model(inputShape: [2, 2], layers: [.attention(heads: 1, bias: false)], loss: .meanSquaredError, seed: 1, maxBatch: 1)
        let qkv = m.arena.parameters(of: m.arena.entry(named: "layers.0.qkv.weight")!)   // (6, 2)
        _ = qkv.update(fromContentsOf: [1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1] as [Float])
        _ = m.arena.parameters(of: m.arena.entry(named: "layers.0.proj.weight")!).update(fromContentsOf: [1, 0, 0, 1] as [Float])
        let y = [Float(1), 0, 0, 1].withUnsafeBufferPointer { Array(m.forward($0, batch: 1, context: .inference)) }
        // Position 0 sees only itself: v0 = (1, 0). Position 1: scores (q1·k0, q1·k1)/√2 = (0, 1/√2).
        let p1 = 1 / (1 + Foundation.exp(-1 / 2.0.squareRoot()))
        let expected = [1, 0, Float(1 - p1), Float(p1)]
        for (a, b) in zip(y, expected) { #expect(abs(a - b) < 1e-6, "\(y) vs \(expected)") }
    }

    @Test func attentionDropoutIsKeyedBySampleNotBySlot() throws {
        let m = try Model(inputShape: [4, 4], layers: [.attention(heads: 2, dropout: 0.5)], loss: .meanSquaredError, seed: 9, maxBatch: 2)
        let x: [Float] = (0..<16).map { Float($0 % 5) / 5 - 0.4 }
        func run(_ ids: [Int32], _ input: [Float]) -> [Float] {
            ids.withUnsafeBufferPointer { ids in
                input.withUnsafeBufferPointer { Array(m.forward($0, batch: ids.count, context: ForwardContext(training: true, step: 4, sampleIndices: ids))) }
            }
        }
        let alone = run([17], x)
        let second = Array(run([3, 17], x + x)[16..<32])
        #expect(alone.map(\.bitPattern) == second.map(\.bitPattern), "sample 17 gets the same mask wherever it sits")
        #expect(run([18], x) != alone)
        let inference = x.withUnsafeBufferPointer { Array(m.forward($0, batch: 1, context: .inference)) }
        #expect(inference != alone)
    }

    @Test func aTransformerStepReusesItsBuffers() throws {
        let m = try Model(inputShape: [6], layers: Self.gpt(), loss: .softmaxCrossEntropy, seed: 2, maxBatch: 2)
        let before = m.bufferAddresses
        let tokens: [Float] = (0..<12).map { Float($0 % 11) }
        for _ in 0..<3 {
            m.arena.zeroGradients()
            tokens.withUnsafeBufferPointer { _ = m.forward($0, batch: 2, context: .inference) }
            _ = tokens.withUnsafeBufferPointer { m.loss(targets: $0, gradientScale: 0.5) }
            m.backward()
        }
        #expect(m.bufferAddresses == before)
    }
}
