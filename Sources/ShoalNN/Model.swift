import ShoalTensor

/// A model built from a `LayerSpec` list, Keras-`Sequential`-like, with blocks (`residual`,
/// `repeat`) inside it, and explicit forward, loss and backward over buffers preallocated for
/// `maxBatch` samples.
///
/// Activations are NHWC: an image input is (height, width, channels) per sample, and `Flatten`
/// orders features (h, w, c) as Keras does; a sequence is (T, C), and layers apply over its last
/// axis. Parameters live in `arena`, named `layers.<i>.weight` / `layers.<i>.bias` with `i` the
/// index in the spec list (`layers.<i>.<k>.<j>.…` inside blocks), in PyTorch layouts.
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
/// let x = [Float](repeating: 0.5, count: 64 * 784), labels = [Float](repeating: 3, count: 64)  // class indices
/// model.arena.zeroGradients()
/// let logits = x.withUnsafeBufferPointer { model.forward($0, batch: 64, context: .inference) }  // (64, 10)
/// let lossSum = labels.withUnsafeBufferPointer { model.loss(targets: $0, gradientScale: 1.0 / 64) }
/// model.backward()                            // arena.gradients += ∂(lossSum / 64)/∂θ
/// ```
public final class Model {
    /// All parameters and their gradients, in reverse execution order.
    public let arena: ParameterArena
    /// Per-sample input shape: (features), (positions) of token ids, (T, features), or (height, width, channels).
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
    let specIndex: [Int]            // index in the spec list of each (top-level) layer
    /// Every spec as built, blocks' inner specs after their block: the summary's rows.
    let outline: [BuiltSpec]
    let needsInputGradient: [Bool]  // whether layer i must produce dx
    let inputCount: Int, outputCount: Int
    /// Rows of one sample's output the loss treats alike: T for a (T, classes) output, else 1.
    var outputPositions: Int { lossSpec == .softmaxCrossEntropy && outputShape.count == 2 ? outputShape[0] : 1 }
    private let activations: [UnsafeMutableBufferPointer<Float>]  // i: input of layer i, (maxBatch, shape…)
    private let gradients: [UnsafeMutableBufferPointer<Float>]    // same shapes: dL/d activations (views)
    private let ownedGradients: [UnsafeMutableBufferPointer<Float>]  // the buffers `gradients` point into
    /// Backward-only buffers shared by the layers.
    private let scratch: SharedScratch
    private var lastBatch = 0
    /// Arena offset below which every gradient is final once layer i's backward has run: the
    /// start of the first tensor a layer before i still writes (its own, or one it ties to, as
    /// the LM head's embedding), since parameters lie in reverse execution order.
    private let finishedOffset: [Int]
    /// The first layer backward runs: the layers before it are frozen or hold no parameters
    /// (and no caller asked for dL/dinput), so backward computes nothing for them.
    private let backwardStart: Int
    /// The arena's trainable prefix: frozen layers (`trainable: false`) come first in execution
    /// order, so their tensors lie at the arena's end, from this offset on.
    public let trainableCount: Int

    /// Builds the layers, infers every shape, lays out and initializes the parameters
    /// (weights from `initializer`, or the first of `initializerRules` matching the tensor's
    /// name, keyed by (seed, layer index, tensor name); biases zero, gains one), and allocates all
    /// buffers for `maxBatch` samples.
    ///
    /// - Parameter computeInputGradient: keep dL/dinput after `backward()` (see `inputGradient`).
    /// - Parameter memoryLimit: the most bytes the model's buffers may take; nil: this machine's
    ///   physical memory.
    /// - Throws: `ModelError` naming the offending layer index when the stack is impossible.
    public init(inputShape: [Int], layers specs: [LayerSpec], loss: LossSpec, initializer: Initializer = .glorotUniform,
                initializerRules: [InitializerRule] = [], seed: UInt64, maxBatch: Int, computeInputGradient: Bool = false,
                memoryLimit: Int? = nil) throws(ModelError) {
        // The stages, in an order that also fixes which error a config with several faults gets.
        try Model.checkInput(inputShape, maxBatch: maxBatch)
        let memory = memoryLimit.map { ModelMemory(limit: $0) } ?? ModelMemory()
        let scratch = SharedScratch()
        var stack = try Model.buildLayers(specs, inputShape: inputShape, seed: seed, maxBatch: maxBatch, scratch: scratch, memory: memory)
        let folded = Model.foldOutputActivation(of: &stack, into: loss)
        try Model.checkLoss(loss, on: stack.outputShape)
        try Model.checkTies(stack)
        try Model.planMemory(stack, inputShape: inputShape, maxBatch: maxBatch, scratch: scratch, memory: memory)
        let arena = Model.allocateParameters(stack, scratch: scratch)
        try Model.initializeParameters(arena, stack, initializer: initializer, rules: initializerRules, seed: seed)
        let finishedOffset = Model.finishedOffsets(stack, arena)
        let freezing = try Model.freeze(stack, specs: specs, arena: arena, computeInputGradient: computeInputGradient)
        let buffers = Model.allocateBuffers(stack, inputShape: inputShape, maxBatch: maxBatch, computeInputGradient: computeInputGradient)

        self.arena = arena
        self.inputShape = inputShape
        self.outputShape = stack.outputShape
        self.maxBatch = maxBatch
        self.lossSpec = loss
        self.foldedOutputActivation = folded
        self.layers = stack.layers
        self.specIndex = stack.specIndex
        self.outline = stack.outline
        inputCount = inputShape.reduce(1, *)
        outputCount = stack.outputShape.reduce(1, *)
        self.scratch = scratch
        self.finishedOffset = finishedOffset
        trainableCount = freezing.trainableCount
        backwardStart = freezing.backwardStart
        needsInputGradient = freezing.needsInputGradient
        activations = buffers.activations
        gradients = buffers.gradients
        ownedGradients = buffers.owned
    }

    /// Builds `specs` at `places` from `inputShape` on: each spec through its kind's syntax, with
    /// its defaults filled in; a block's build function comes back here for its own layers.
    /// `outline` records every spec built, at every depth, for the summary.
    static func build(_ specs: [LayerSpec], places: [LayerPlace], inputShape: [Int], seed: UInt64, maxBatch: Int,
                      scratch: SharedScratch, memory: ModelMemory, outline: BuildOutline) throws(ModelError) -> [any Layer] {
        var layers: [any Layer] = [], shape = inputShape
        for (spec, place) in zip(specs, places) {
            guard let syntax = LayerRegistry.syntax(named: spec.kind) else {
                throw place.fail(spec.kind, "unknown layer kind; known: \(LayerRegistry.names.joined(separator: ", "))")
            }
            guard let arguments = syntax.filled(spec.arguments) else {
                let missing = syntax.arguments.filter { $0.defaultValue == nil && spec.arguments[$0.name] == nil }.map(\.name)
                throw place.fail(spec.kind, "missing argument \(missing.joined(separator: ", ")); e.g. \(syntax.example)")
            }
            let context = LayerContext(
                spec: LayerSpec(kind: spec.kind, arguments: arguments), syntax: syntax, place: place, inputShape: shape,
                seed: seed, maxBatch: maxBatch, scratch: scratch, memory: memory,
                buildBlock: { (inner: [LayerSpec], at: LayerPlace, from: [Int]) throws(ModelError) -> [any Layer] in
                    try Model.build(inner, places: inner.indices.map(at.child), inputShape: from, seed: seed, maxBatch: maxBatch,
                                    scratch: scratch, memory: memory, outline: outline)
                })
            // Opened before the build function runs, so that a block's inner specs follow it.
            let entry = outline.open(place)
            let built = try syntax.build(context)
            outline.close(entry, type: syntax.summaryType?(arguments), layers: built)
            for layer in built {
                layers.append(layer)
                shape = layer.outputShape
                // The next layer multiplies extents of this shape: they must stay countable.
                _ = try memory.count([maxBatch] + shape, for: place, spec.kind)
            }
        }
        return layers
    }

    deinit {
        for b in activations { b.baseAddress?.deallocate() }
        for b in ownedGradients { b.baseAddress?.deallocate() }
    }

    /// Runs the layers on `batch` ≤ `maxBatch` samples. `input` is (batch, inputShape…)
    /// contiguous; the result, (batch, outputShape…), points into the model's own buffer and is
    /// valid until the next `forward`.
    ///
    /// ```swift
    /// let model = try Model(inputShape: [4], layers: [.dense(units: 2, activation: nil)],
    ///                       loss: .meanSquaredError, seed: 1, maxBatch: 32)
    /// let x = [Float](repeating: 1, count: 32 * 4)
    /// let y = x.withUnsafeBufferPointer { model.forward($0, batch: 32, context: .inference) }  // (32, 2)
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
    /// let model = try Model(inputShape: [4], layers: [.dense(units: 3, activation: nil)],
    ///                       loss: .softmaxCrossEntropy, seed: 1, maxBatch: 2)
    /// let x: [Float] = [1, 2, 3, 4, 5, 6, 7, 8], labels: [Float] = [0, 2]   // 2 samples, their classes
    /// _ = x.withUnsafeBufferPointer { model.forward($0, batch: 2, context: .inference) }
    /// let globalBatch = 2   // samples in the step over all ranks
    /// let sum = labels.withUnsafeBufferPointer { model.loss(targets: $0, gradientScale: 1 / Float(globalBatch)) }
    /// ```
    public func loss(targets: UnsafeBufferPointer<Float>, gradientScale: Float) -> Double {
        precondition(lastBatch > 0, "Model.loss: call forward first")
        let needed = lossSpec == .softmaxCrossEntropy ? lastBatch * outputPositions : lastBatch * outputCount
        precondition(targets.count >= needed, "Model.loss: \(targets.count) targets, need \(needed)")
        return computeLoss(lossSpec, z: activations[layers.count].baseAddress!, targets: targets.baseAddress!,
                           batch: lastBatch, positions: outputPositions, outputs: outputCount / outputPositions,
                           scale: gradientScale, dz: gradients[layers.count].baseAddress!)
    }

    /// Backpropagates the gradient kept by `loss(targets:gradientScale:)` through the last
    /// forward, ACCUMULATING (+=) into `arena.gradients` (the caller zeroes them).
    ///
    /// After each layer, `finished(offset)` reports that every gradient below `offset` in the
    /// arena is final, so a gradient all-reduce can start on those buckets while backward goes on.
    public func backward(finished: (Int) -> Void = { _ in }) {
        precondition(lastBatch > 0, "Model.backward: call forward and loss first")
        for i in (backwardStart..<layers.count).reversed() {
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

    /// The memory the model planned at build time, in bytes: parameters and their gradients (the
    /// two arenas), and activations (every layer's output and its gradient for `maxBatch` samples,
    /// plus the caches and scratch layers keep for backward). Optimizer state comes on top:
    /// 1 (momentum) or 2 (Adam) more arenas.
    public var memory: (parameters: Int, gradients: Int, activations: Int) {
        let activationBytes = (activations + ownedGradients).reduce(0) { $0 + $1.count } * 4 + layers.reduce(0) { $0 + $1.scratchBytes }
            + scratch.bytes
        return (arena.count * 4, arena.count * 4, activationBytes)
    }

    /// Floating-point operations of one training step per sample, counting only the GEMMs (2 per
    /// multiply-add): forward, weight gradient, and input gradient for every layer with a GEMM
    /// except the first (whose input gradient is not needed). The numerator of a roofline.
    ///
    /// ```swift
    /// let mlp = try Model(inputShape: [784], layers: [.dense(units: 256, activation: .relu),
    ///                     .dense(units: 128, activation: .relu), .dense(units: 10, activation: nil)],
    ///                     loss: .softmaxCrossEntropy, seed: 1, maxBatch: 1)
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
        (activations + gradients + [arena.parameters, arena.gradients]).map { UnsafeMutableRawPointer($0.baseAddress) } + scratch.addresses
    }
}

/// The stages of `Model.init`, in the order it runs them.
extension Model {
    /// A model's layers as built, before any buffer exists.
    private struct LayerStack {
        var layers: [any Layer]
        /// The index in the spec list of each (top-level) layer.
        var specIndex: [Int]
        /// The model's output shape: the last built layer's (a folded activation keeps its input's shape).
        let outputShape: [Int]
        var outline: [BuiltSpec]
    }

    /// The input is 1 to 3 positive, bounded extents, and `maxBatch` samples of it can be counted.
    private static func checkInput(_ inputShape: [Int], maxBatch: Int) throws(ModelError) {
        guard (1...3).contains(inputShape.count) else {
            throw .invalidInputShape(shape: inputShape, reason: "must be (features), (positions) or (T, features), or (height, width, channels)")
        }
        guard inputShape.allSatisfy({ $0 >= 1 }) else { throw .invalidInputShape(shape: inputShape, reason: "extents must be positive") }
        guard inputShape.allSatisfy({ $0 <= LayerContext.maximumInteger }) else {
            throw .invalidInputShape(shape: inputShape, reason: "extents must be at most \(LayerContext.maximumInteger)")
        }
        guard maxBatch >= 1 else { throw .invalidMaxBatch(maxBatch) }
        guard elementCount(of: [maxBatch] + inputShape) != nil else {
            throw .invalidInputShape(shape: inputShape, reason: "\(maxBatch) samples of it hold more floats than any machine's memory")
        }
    }

    /// Builds the specs in turn, each at its top-level place from the previous one's output shape.
    private static func buildLayers(_ specs: [LayerSpec], inputShape: [Int], seed: UInt64, maxBatch: Int,
                                    scratch: SharedScratch, memory: ModelMemory) throws(ModelError) -> LayerStack {
        var layers: [any Layer] = [], specIndex: [Int] = [], shape = inputShape
        let outline = BuildOutline()
        for (i, spec) in specs.enumerated() {
            for layer in try Model.build([spec], places: [LayerPlace(index: i)], inputShape: shape, seed: seed, maxBatch: maxBatch,
                                         scratch: scratch, memory: memory, outline: outline) {
                layers.append(layer)
                specIndex.append(i)
                shape = layer.outputShape
            }
        }
        return LayerStack(layers: layers, specIndex: specIndex, outputShape: shape, outline: outline.entries)
    }

    /// Folds a trailing softmax (sigmoid) into softmax (binary) cross-entropy: the layer leaves
    /// the stack and the summary, and the loss applies it. Returns the folded function.
    private static func foldOutputActivation(of stack: inout LayerStack, into loss: LossSpec) -> Activation? {
        guard let last = stack.layers.last as? ActivationLayer,
              (last.kind == .softmax && loss == .softmaxCrossEntropy) || (last.kind == .sigmoid && loss == .binaryCrossEntropy)
        else { return nil }
        stack.layers.removeLast(); stack.specIndex.removeLast()
        for k in stack.outline.indices { stack.outline[k].layers.removeAll { $0 === last } }
        return last.kind
    }

    /// Softmax cross-entropy needs classes on the last axis of a (classes) or (T, classes) output.
    private static func checkLoss(_ loss: LossSpec, on outputShape: [Int]) throws(ModelError) {
        if loss == .softmaxCrossEntropy && outputShape.count > 2 {
            throw .incompatibleLoss(loss: loss, outputShape: outputShape,
                                    reason: "needs a (classes) or per-position (T, classes) output; end the model with .flatten and .dense")
        }
    }

    /// Every tensor a layer ties to is declared, with the shape the tying layer needs.
    private static func checkTies(_ stack: LayerStack) throws(ModelError) {
        let parameterShapes = stack.layers.flatMap(\.parameterShapes)
        let declared = Dictionary(parameterShapes.map { ($0.name, $0.shape) }, uniquingKeysWith: { a, _ in a })
        for (layer, i) in zip(stack.layers, stack.specIndex) {
            for tied in layer.tiedTensors where declared[tied.name] != tied.shape {
                throw .impossibleLayer(index: i, layer: layer.typeName, reason: declared[tied.name].map {
                    "tie: \(tied.name) has shape \(formatShape($0)), the weight needs \(formatShape(tied.shape))"
                } ?? "tie: no tensor \(tied.name) before it; the tensors are \(parameterShapes.map(\.name).joined(separator: ", "))")
            }
        }
    }

    /// Charges what the model itself allocates, on top of the layers' own buffers charged as they
    /// were built: the shared scratch, parameters and gradients, the activations between layers
    /// and their gradients.
    private static func planMemory(_ stack: LayerStack, inputShape: [Int], maxBatch: Int, scratch: SharedScratch,
                                   memory: ModelMemory) throws(ModelError) {
        // Each count is charged alone: their sum could overflow where the limit cannot.
        func charge(_ factors: [Int], times: Int, _ what: String) throws(ModelError) {
            let n = try memory.count(factors, for: LayerPlace(index: 0), what)
            for _ in 0..<times { try memory.charge(n) { .tooLarge(reason: "the \(what) " + memory.tooMuch(n)) } }
        }
        for count in scratch.reservedCounts { try charge([count], times: 1, "shared backward buffers") }
        for p in stack.layers.flatMap(\.parameterShapes) { try charge(p.shape, times: 2, "parameters and gradients") }
        for shape in [inputShape] + stack.layers.map(\.outputShape) { try charge([maxBatch] + shape, times: 3, "activations and their gradients") }
    }

    /// Allocates the arena (tensors in reverse execution order) and the shared scratch, and
    /// gives each layer its slices.
    private static func allocateParameters(_ stack: LayerStack, scratch: SharedScratch) -> ParameterArena {
        let arena = ParameterArena(executionOrder: stack.layers.flatMap(\.parameterShapes).map { ($0.name, $0.shape) })
        scratch.allocate()
        for layer in stack.layers { layer.bind(arena) }
        return arena
    }

    /// Fills each tensor as its layer asks: a weight from the first rule matching its name (else
    /// `initializer`), keyed by (seed, top-level index, tensor name); gains one; biases stay zero.
    /// A rule that matches no weight is most likely a typo, and refused.
    private static func initializeParameters(_ arena: ParameterArena, _ stack: LayerStack, initializer: Initializer,
                                             rules: [InitializerRule], seed: UInt64) throws(ModelError) {
        let initialized = stack.layers.flatMap(\.parameterShapes).filter { if case .initializer = $0.start { true } else { false } }.map(\.name)
        for rule in rules where !initialized.contains(where: { globMatches(rule.match, $0) }) {
            throw .unmatchedInitializerRule(match: rule.match, tensors: initialized)
        }
        for (layer, i) in zip(stack.layers, stack.specIndex) {
            for p in layer.parameterShapes {
                let e = arena.entry(named: p.name)!, values = arena.parameters.baseAddress! + e.offset
                switch p.start {
                case .initializer(let fanIn, let fanOut):
                    // A top-level layer's weight keeps the key it always had; every other tensor adds its name.
                    let layerKey = Philox(seed: seed).derived(0x1417, UInt64(i))
                    let rng = p.name == "layers.\(i).weight" ? layerKey : layerKey.derived(nameHash(p.name))
                    let chosen = rules.first { globMatches($0.match, p.name) }?.initializer ?? initializer
                    chosen.fill(values, count: e.count, fanIn: fanIn, fanOut: fanOut, rng: rng)
                case .ones:
                    for j in 0..<e.count { values[j] = 1 }
                case .zeros:
                    break
                }
            }
        }
    }

    /// For each layer i, the arena offset below which every gradient is final once its backward
    /// has run (see `finishedOffset`).
    private static func finishedOffsets(_ stack: LayerStack, _ arena: ParameterArena) -> [Int] {
        let layers = stack.layers
        return layers.indices.map { i in
            layers[..<i].flatMap { $0.parameterShapes.map(\.name) + $0.tiedTensors.map(\.name) }
                .compactMap { arena.entry(named: $0) }.map(\.offset).min() ?? arena.parameters.count
        }
    }

    /// What backward leaves out for the frozen layers.
    private struct Freezing {
        let trainableCount: Int
        let backwardStart: Int
        let needsInputGradient: [Bool]
    }

    /// The trainable prefix of the arena, the first layer backward runs (after the last frozen
    /// layer with tensors, unless the caller wants dL/dinput), and whether each layer must
    /// produce dx (only when a trained layer, or the caller, lies before it).
    private static func freeze(_ stack: LayerStack, specs: [LayerSpec], arena: ParameterArena,
                               computeInputGradient: Bool) throws(ModelError) -> Freezing {
        let layers = stack.layers
        let frozen = stack.specIndex.map { !specs[$0].trainable }
        let holdsParameters = layers.map { !$0.parameterShapes.isEmpty || !$0.tiedTensors.isEmpty }
        try checkFrozenPrefix(stack, frozen: frozen, holdsParameters: holdsParameters)
        let frozenEntries = layers.indices.filter { frozen[$0] }.flatMap { layers[$0].parameterShapes.map(\.name) }
        let trainableCount = frozenEntries.compactMap { arena.entry(named: $0)?.offset }.min() ?? arena.count
        let backwardStart = computeInputGradient ? 0 : (layers.indices.last { frozen[$0] && holdsParameters[$0] }).map { $0 + 1 } ?? 0
        var needs: [Bool] = [], seenParameters = computeInputGradient
        for i in layers.indices {
            needs.append(seenParameters)
            seenParameters = seenParameters || (holdsParameters[i] && !frozen[i])
        }
        return Freezing(trainableCount: trainableCount, backwardStart: backwardStart, needsInputGradient: needs)
    }

    /// Frozen layers are a leading run, so that the trained tensors are one prefix of the arena,
    /// and no trained layer ties to a frozen tensor.
    private static func checkFrozenPrefix(_ stack: LayerStack, frozen: [Bool], holdsParameters: [Bool]) throws(ModelError) {
        let layers = stack.layers, specIndex = stack.specIndex
        guard let lastFrozen = layers.indices.last(where: { frozen[$0] && holdsParameters[$0] }) else { return }
        if let trained = layers.indices.first(where: { $0 < lastFrozen && !frozen[$0] && holdsParameters[$0] }) {
            throw .impossibleLayer(index: specIndex[lastFrozen], layer: layers[lastFrozen].typeName,
                                   reason: "trainable: false needs every layer with tensors before it frozen too (a frozen base "
                                       + "under trained layers), but layer \(specIndex[trained]) is trained")
        }
        let frozenNames = Set(layers[...lastFrozen].flatMap { $0.parameterShapes.map(\.name) })
        for i in layers.indices where i > lastFrozen {
            if let tied = layers[i].tiedTensors.first(where: { frozenNames.contains($0.name) }) {
                throw .impossibleLayer(index: specIndex[i], layer: layers[i].typeName,
                                       reason: "tie: \(tied.name) belongs to a frozen layer; a trained layer cannot share it")
            }
        }
    }

    /// The buffers between layers, for `maxBatch` samples: activation i is layer i's input, and
    /// `gradients` are views into `owned`.
    private struct Buffers {
        let activations: [UnsafeMutableBufferPointer<Float>]
        let gradients: [UnsafeMutableBufferPointer<Float>]
        let owned: [UnsafeMutableBufferPointer<Float>]
    }

    private static func allocateBuffers(_ stack: LayerStack, inputShape: [Int], maxBatch: Int, computeInputGradient: Bool) -> Buffers {
        let n = stack.layers.count
        let counts = [inputShape.reduce(1, *)] + stack.layers.map { $0.outputShape.reduce(1, *) }
        let activations = counts.map { allocateFloats(maxBatch * $0) }
        // Layer i's backward reads gradient i + 1 and writes gradient i: the gradients between
        // layers alternate between two buffers. The loss's (last) and the input's (first) are own.
        let inner = counts.indices.dropFirst().dropLast()
        let largest = inner.map { maxBatch * counts[$0] }.max() ?? 0
        let pingPong = inner.count > 1 ? [allocateFloats(largest), allocateFloats(largest)] : inner.map { _ in allocateFloats(largest) }
        let first = allocateFloats(computeInputGradient ? maxBatch * counts[0] : 0), last = allocateFloats(maxBatch * counts[n])
        let gradients = counts.indices.map { i in
            i == n ? last : i == 0 ? first
                : UnsafeMutableBufferPointer(start: pingPong[i % pingPong.count].baseAddress, count: maxBatch * counts[i])
        }
        return Buffers(activations: activations, gradients: gradients, owned: pingPong + [first, last])
    }
}
