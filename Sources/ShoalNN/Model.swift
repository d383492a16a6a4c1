import ShoalTensor

/// A sequential model built from a `LayerSpec` list, Keras-`Sequential`-like, with explicit
/// forward, loss and backward over buffers preallocated for `maxBatch` samples.
///
/// Activations are NHWC: an image input is (height, width, channels) per sample, and `Flatten`
/// orders features (h, w, c) as Keras does. Parameters live in `arena`, named `layers.<i>.weight`
/// / `layers.<i>.bias` with `i` the index in the spec list, in PyTorch layouts.
///
/// A trailing softmax in a softmax-cross-entropy model (or a trailing sigmoid in a binary
/// cross-entropy model) is FOLDED into the loss: the model does not apply it, `forward` returns
/// logits, and `foldedOutputActivation` says which function turns them into probabilities.
///
/// ```swift
/// let model = try Model(inputShape: [784],
///                       layers: [.dense(units: 256, activation: .relu), .dense(units: 10, activation: nil)],
///                       loss: .softmaxCrossEntropy, seed: 42, maxBatch: 64)
/// model.parameterCount                        // 203_530
/// model.arena.zeroGradients()
/// let logits = model.forward(x, batch: 64, context: ctx)   // (64, 10)
/// let lossSum = model.loss(targets: labels, gradientScale: 1.0 / 64)
/// model.backward()                            // arena.gradients += ∂(lossSum / 64)/∂θ
/// ```
public final class Model {
    /// All parameters and their gradients, in reverse execution order.
    public let arena: ParameterArena
    /// Per-sample input shape: (features) or (height, width, channels).
    public let inputShape: [Int]
    /// Per-sample output shape (the logits for the cross-entropies).
    public let outputShape: [Int]
    /// The largest micro-batch `forward` accepts; buffers are sized for it.
    public let maxBatch: Int
    /// The loss `loss(targets:gradientScale:)` computes.
    public let lossSpec: LossSpec
    /// A trailing softmax/sigmoid that the loss absorbed; apply it to `forward`'s output for probabilities.
    public let foldedOutputActivation: Activation?
    /// Number of trainable scalars.
    public var parameterCount: Int { arena.count }

    let layers: [Layer]
    let specIndex: [Int]            // index in `specs` of each layer
    let needsInputGradient: [Bool]  // whether layer i must produce dx
    let inputCount: Int, outputCount: Int
    private let activations: [UnsafeMutableBufferPointer<Float>]  // i: input of layer i, (maxBatch, shape…)
    private let gradients: [UnsafeMutableBufferPointer<Float>]    // same shapes: dL/d activations
    private var lastBatch = 0
    /// Arena offset below which every gradient is final once layer i's backward has run: the
    /// parameters of layers i… lie at the front of the arena (reverse execution order).
    private let finishedOffset: [Int]

    /// Builds the layers, infers every shape, lays out and initializes the parameters
    /// (weights from `initializer` keyed by (seed, layer index), biases zero), and allocates all
    /// buffers for `maxBatch` samples.
    ///
    /// - Parameter computeInputGradient: keep dL/dinput after `backward()` (see `inputGradient`).
    /// - Throws: `ModelError` naming the offending layer index when the stack is impossible.
    public init(inputShape: [Int], layers specs: [LayerSpec], loss: LossSpec, initializer: Initializer = .glorotUniform,
                seed: UInt64, maxBatch: Int, computeInputGradient: Bool = false) throws(ModelError) {
        guard inputShape.count == 1 || inputShape.count == 3 else {
            throw .invalidInputShape(shape: inputShape, reason: "must be (features) or (height, width, channels)")
        }
        guard inputShape.allSatisfy({ $0 >= 1 }) else { throw .invalidInputShape(shape: inputShape, reason: "extents must be positive") }
        guard maxBatch >= 1 else { throw .invalidMaxBatch(maxBatch) }

        var layers: [Layer] = [], specIndex: [Int] = [], shape = inputShape
        for (i, spec) in specs.enumerated() {
            guard let syntax = LayerRegistry.syntax(named: spec.kind) else {
                throw .impossibleLayer(index: i, layer: spec.kind,
                                       reason: "unknown layer kind; known: \(LayerRegistry.names.joined(separator: ", "))")
            }
            guard let arguments = syntax.filled(spec.arguments) else {
                let missing = syntax.arguments.filter { $0.defaultValue == nil && spec.arguments[$0.name] == nil }.map(\.name)
                throw .impossibleLayer(index: i, layer: spec.kind, reason: "missing argument \(missing.joined(separator: ", ")); e.g. \(syntax.example)")
            }
            let context = LayerContext(spec: LayerSpec(kind: spec.kind, arguments: arguments), syntax: syntax, index: i,
                                       inputShape: shape, seed: seed, maxBatch: maxBatch)
            for layer in try syntax.build(context) {
                layers.append(layer)
                specIndex.append(i)
                shape = layer.outputShape
            }
        }

        // Fold a trailing softmax (sigmoid) into softmax (binary) cross-entropy.
        var folded: Activation? = nil
        if let last = layers.last as? ActivationLayer,
           (last.kind == .softmax && loss == .softmaxCrossEntropy) || (last.kind == .sigmoid && loss == .binaryCrossEntropy) {
            folded = last.kind
            layers.removeLast(); specIndex.removeLast()
        }
        if loss == .softmaxCrossEntropy && shape.count != 1 {
            throw .incompatibleLoss(loss: loss, outputShape: shape, reason: "needs a flat (classes) output; end the model with .flatten and .dense")
        }

        self.layers = layers
        self.specIndex = specIndex
        self.inputShape = inputShape
        self.outputShape = shape
        self.maxBatch = maxBatch
        self.lossSpec = loss
        self.foldedOutputActivation = folded
        inputCount = inputShape.reduce(1, *)
        outputCount = shape.reduce(1, *)

        let parameterShapes = layers.flatMap(\.parameterShapes)
        arena = ParameterArena(executionOrder: parameterShapes.map { ($0.name, $0.shape) })
        for layer in layers { layer.bind(arena) }
        for (layer, i) in zip(layers, specIndex) {
            for p in layer.parameterShapes where p.isWeight {
                let e = arena.entry(named: p.name)!
                initializer.fill(arena.parameters.baseAddress! + e.offset, count: e.count, fanIn: p.fanIn, fanOut: p.fanOut,
                                 rng: Philox(seed: seed).derived(0x1417, UInt64(i)))
            }
        }

        let builtArena = arena
        finishedOffset = layers.indices.map { i in
            layers[i...].flatMap(\.parameterShapes).compactMap { builtArena.entry(named: $0.name) }.map { $0.offset + $0.count }.max() ?? 0
        }

        var needs: [Bool] = [], seenParameters = computeInputGradient
        for layer in layers { needs.append(seenParameters); seenParameters = seenParameters || !layer.parameterShapes.isEmpty }
        needsInputGradient = needs

        let counts = [inputCount] + layers.map { $0.outputShape.reduce(1, *) }
        activations = counts.map { allocateFloats(maxBatch * $0) }
        gradients = counts.enumerated().map { i, n in allocateFloats(i == 0 && !computeInputGradient ? 0 : maxBatch * n) }
    }

    deinit {
        for b in activations { b.baseAddress?.deallocate() }
        for b in gradients { b.baseAddress?.deallocate() }
    }

    /// Runs the layers on `batch` ≤ `maxBatch` samples. `input` is (batch, inputShape…)
    /// contiguous; the result, (batch, outputShape…), points into the model's own buffer and is
    /// valid until the next `forward`.
    ///
    /// ```swift
    /// let y = model.forward(x, batch: 32, context: .inference)
    /// ```
    public func forward(_ input: UnsafeBufferPointer<Float>, batch: Int, context: ForwardContext) -> UnsafeBufferPointer<Float> {
        precondition(batch >= 1 && batch <= maxBatch, "Model.forward: batch \(batch) outside 1...\(maxBatch)")
        precondition(input.count >= batch * inputCount, "Model.forward: \(input.count) inputs for \(batch) samples of \(inputCount)")
        copy(input.baseAddress!, to: activations[0].baseAddress!, count: batch * inputCount)
        for i in layers.indices {
            layers[i].forward(x: activations[i].baseAddress!, y: activations[i + 1].baseAddress!, batch: batch, context: context)
        }
        lastBatch = batch
        return UnsafeBufferPointer(start: activations[layers.count].baseAddress, count: batch * outputCount)
    }

    /// The loss of the last `forward`: returns the SUM over its samples of the per-sample losses,
    /// and keeps `gradientScale · ∂(that sum)/∂output` for `backward()`.
    ///
    /// Targets: for softmax cross-entropy one class index per sample (as Float); for binary
    /// cross-entropy and MSE one value per output. Per-sample losses are means over outputs
    /// (Keras convention). An invalid class index makes the result NaN.
    ///
    /// ```swift
    /// let sum = model.loss(targets: labels, gradientScale: 1 / Float(globalBatch))
    /// ```
    public func loss(targets: UnsafeBufferPointer<Float>, gradientScale: Float) -> Double {
        precondition(lastBatch > 0, "Model.loss: call forward first")
        let needed = lossSpec == .softmaxCrossEntropy ? lastBatch : lastBatch * outputCount
        precondition(targets.count >= needed, "Model.loss: \(targets.count) targets, need \(needed)")
        return computeLoss(lossSpec, z: activations[layers.count].baseAddress!, targets: targets.baseAddress!,
                           batch: lastBatch, outputs: outputCount, scale: gradientScale, dz: gradients[layers.count].baseAddress!)
    }

    /// Backpropagates the gradient kept by `loss(targets:gradientScale:)` through the last
    /// forward, ACCUMULATING (+=) into `arena.gradients` (the caller zeroes them).
    ///
    /// After each layer, `finished(offset)` reports that every gradient below `offset` in the
    /// arena is final, so a gradient all-reduce can start on those buckets while backward goes on.
    public func backward(finished: (Int) -> Void = { _ in }) {
        precondition(lastBatch > 0, "Model.backward: call forward and loss first")
        for i in layers.indices.reversed() {
            layers[i].backward(x: activations[i].baseAddress!, y: activations[i + 1].baseAddress!,
                               dy: gradients[i + 1].baseAddress!,
                               dx: needsInputGradient[i] ? gradients[i].baseAddress! : nil, batch: lastBatch)
            finished(finishedOffset[i])
        }
    }

    /// Backward from a caller-supplied dL/doutput, (batch, outputShape…) of the last forward,
    /// instead of the built-in loss: for custom losses and for gradient checks.
    public func backward(outputGradient: UnsafeBufferPointer<Float>) {
        precondition(outputGradient.count >= lastBatch * outputCount, "Model.backward: output gradient too short")
        copy(outputGradient.baseAddress!, to: gradients[layers.count].baseAddress!, count: lastBatch * outputCount)
        backward()
    }

    /// dL/dinput of the last `backward()`, (batch, inputShape…); nil unless the model was built
    /// with `computeInputGradient: true`.
    public var inputGradient: UnsafeBufferPointer<Float>? {
        gradients[0].count == 0 ? nil : UnsafeBufferPointer(start: gradients[0].baseAddress, count: lastBatch * inputCount)
    }

    /// Floating-point operations of one training step per sample, counting only the GEMMs (2 per
    /// multiply-add): forward, weight gradient, and input gradient for every layer with a GEMM
    /// except the first (whose input gradient is not needed). The numerator of a roofline.
    ///
    /// ```swift
    /// mlp.trainingFlopsPerSample   // ≈ 1.0e6 for 784-256-128-10
    /// ```
    public var trainingFlopsPerSample: Double {
        var flops = 0.0, first = true
        for layer in layers where layer.multiplyAddsPerSample > 0 {
            flops += 2 * Double(layer.multiplyAddsPerSample) * (first ? 2 : 3)
            first = false
        }
        return flops
    }

    /// Base addresses of every preallocated buffer (activations, their gradients, the arena):
    /// a step that allocates nothing leaves them unchanged. Used by tests.
    public var bufferAddresses: [UnsafeMutableRawPointer?] {
        (activations + gradients + [arena.parameters, arena.gradients]).map { UnsafeMutableRawPointer($0.baseAddress) }
    }
}
