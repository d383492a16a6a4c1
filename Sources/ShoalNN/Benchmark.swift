import ShoalTensor

/// Times training steps — zero gradients, forward (training, with dropout), loss, backward and a
/// plain SGD update `θ −= 0.01 · g` — and returns samples per second.
///
/// Inputs are uniform in [0, 1), targets random valid ones; two warm-up steps are not timed.
/// Run it with `OPENBLAS_NUM_THREADS=1` for single-core numbers.
///
/// ```swift
/// let rate = try benchmarkForwardBackward(
///     layers: [.dense(units: 256, activation: .relu), .dense(units: 128, activation: .relu), .dense(units: 10, activation: nil)],
///     input: [784], loss: .softmaxCrossEntropy, batch: 256, iterations: 50)
/// ```
public func benchmarkForwardBackward(layers: [LayerSpec], input: [Int], loss: LossSpec, batch: Int, iterations: Int) throws -> Double {
    let model = try Model(inputShape: input, layers: layers, loss: loss, seed: 1, maxBatch: batch)
    let rng = Philox(seed: 2)
    let x = Tensor(shape: [batch] + input)
    for i in 0..<x.count { x.storage[i] = rng.uniform(at: UInt64(i)) }
    let targetCount = loss == .softmaxCrossEntropy ? batch : batch * model.outputShape.reduce(1, *)
    let t = Tensor(shape: [targetCount])
    let classes = UInt64(model.outputShape.reduce(1, *))
    for i in 0..<targetCount {
        t.storage[i] = loss == .softmaxCrossEntropy ? Float(rng.uniformInt(below: classes, at: UInt64(1 << 40 + i)))
            : Float(rng.uniformInt(below: 2, at: UInt64(1 << 40 + i)))
    }
    let ids = UnsafeMutableBufferPointer<Int32>.allocate(capacity: batch)
    defer { ids.deallocate() }
    for i in 0..<batch { ids[i] = Int32(i) }
    let xs = UnsafeBufferPointer(x.storage), ts = UnsafeBufferPointer(t.storage)
    let p = model.arena.parameters.baseAddress!, g = model.arena.gradients.baseAddress!, n = model.arena.count
    func step(_ s: Int) {
        model.arena.zeroGradients()
        _ = model.forward(xs, batch: batch, context: ForwardContext(training: true, step: UInt64(s), sampleIndices: UnsafeBufferPointer(ids)))
        _ = model.loss(targets: ts, gradientScale: 1 / Float(batch))
        model.backward()
        axpy(-0.01, g, p, count: n)
    }
    step(0); step(1)
    let clock = ContinuousClock()
    let elapsed = clock.measure { for s in 0..<iterations { step(s + 2) } }
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    return Double(batch * iterations) / seconds
}

/// Floating-point operations of one training step per sample, counting only the GEMMs
/// (2 per multiply-add): forward, weight gradient, and input gradient for every parameterized
/// layer except the first (whose input gradient is not needed). The numerator of a roofline.
///
/// ```swift
/// try trainingFlopsPerSample(layers: mlp, input: [784])   // ≈ 1.0e6 for 784-256-128-10
/// ```
public func trainingFlopsPerSample(layers: [LayerSpec], input: [Int]) throws -> Double {
    let model = try Model(inputShape: input, layers: layers, loss: .meanSquaredError, seed: 1, maxBatch: 1)
    var flops = 0.0, first = true
    for layer in model.layers {
        let macs: Double
        switch layer {
        case let d as Dense: macs = Double(d.inputs * d.units)
        case let c as Conv2D: macs = Double(c.g.outHeight * c.g.outWidth * c.g.patchSize * c.filters)
        default: continue
        }
        flops += 2 * macs * (first ? 2 : 3)
        first = false
    }
    return flops
}
