import ShoalTensor

/// A residual block, `y = x + f(x)`, with f the block's layers in order (GPT's
/// `x + attn(ln1(x))`). The block's output shape must be its input shape.
///
/// Shapes: x, y and dy, dx are (B, F) with F the per-sample element count; `outputs[i]` holds
/// inner layer i's output, (maxBatch, its shape), allocated at build time. The inner gradients
/// (dL/d output of inner layer i < last) live only during this block's backward: they alternate
/// between two buffers shared with every residual block at the same nesting depth.
final class Residual: Layer {
    static let syntax = LayerSyntax(
        name: "residual", summary: "y = x + f(x), f the listed layers; written residual: [layer, ...]",
        arguments: [.init("layers", .layers, doc: "the layers of f, in order; their output has the input's shape")],
        example: "residual: [layer_norm, {attention: {heads: 4}}]"
    ) { context throws(ModelError) in
        let inner = try context.buildBlock(try context.layers("layers"), context.place, context.inputShape)
        return [try Residual(place: context.place, inner: inner, inputShape: context.inputShape, maxBatch: context.maxBatch,
                             scratch: context.scratch, memory: context.memory)]
    }

    let typeName = "Residual"
    let place: LayerPlace
    let inner: [any Layer]
    let shape: [Int]
    let features: Int
    var outputShape: [Int] { shape }
    var multiplyAddsPerSample: Int { inner.reduce(0) { $0 + $1.multiplyAddsPerSample } }
    var parameterShapes: [ParameterShape] { inner.flatMap(\.parameterShapes) }
    var tiedTensors: [(name: String, shape: [Int])] { inner.flatMap(\.tiedTensors) }
    private let outputs: [UnsafeMutableBufferPointer<Float>]
    private let scratch: SharedScratch
    /// The two shared keys the inner gradients alternate between.
    private let gradientKeys: [String]
    private var gradients: [UnsafeMutablePointer<Float>] = []  // inner layer i's dL/d output, i < last; set in bind

    init(place: LayerPlace, inner: [any Layer], inputShape: [Int], maxBatch: Int, scratch: SharedScratch, memory: ModelMemory) throws(ModelError) {
        guard !inner.isEmpty else { throw place.fail("Residual", "needs at least one layer") }
        guard inner.last!.outputShape == inputShape else {
            throw place.fail("Residual", "its layers turn \(formatShape(inputShape)) into \(formatShape(inner.last!.outputShape)); "
                + "x + f(x) needs the same shape")
        }
        self.place = place
        self.inner = inner
        shape = inputShape
        features = try memory.count(inputShape, for: place, "Residual")
        var gradientCounts: [Int] = []
        for layer in inner.dropLast() { gradientCounts.append(try memory.count([maxBatch] + layer.outputShape, for: place, "Residual")) }
        outputs = try memory.floats(inner.map { [maxBatch] + $0.outputShape }, for: place, "Residual")
        self.scratch = scratch
        let depth = place.name.split(separator: ".").count
        gradientKeys = ["residual.\(depth).0", "residual.\(depth).1"]
        for (i, count) in gradientCounts.enumerated() { scratch.reserve(gradientKeys[i % 2], count: count) }
    }

    var scratchBytes: Int { outputs.reduce(0) { $0 + $1.count } * 4 + inner.reduce(0) { $0 + $1.scratchBytes } }

    deinit {
        for buffer in outputs { buffer.baseAddress?.deallocate() }
    }

    func bind(_ arena: ParameterArena) {
        for layer in inner { layer.bind(arena) }
        gradients = inner.indices.dropLast().map { scratch.buffer(gradientKeys[$0 % 2]) }
    }

    func forward(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, batch B: Int, context: ForwardContext) {
        var input = x
        for (layer, output) in zip(inner, outputs) {
            layer.forward(x: input, y: output.baseAddress!, batch: B, context: context)
            input = UnsafePointer(output.baseAddress!)
        }
        // y = x + f(x)
        let fx = outputs.last!.baseAddress!
        for i in 0..<B * features { y[i] = x[i] + fx[i] }
    }

    func backward(x: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                  dx: UnsafeMutablePointer<Float>?, batch B: Int) {
        // forward: y = x + f(x), so d f(x) = dy and dx = dy + (df/dx)ᵀ dy
        var upstream = dy
        for i in inner.indices.reversed() {
            let input = i == 0 ? x : UnsafePointer(outputs[i - 1].baseAddress!)
            let inputGradient = i == 0 ? dx : gradients[i - 1]
            inner[i].backward(x: input, y: outputs[i].baseAddress!, dy: upstream, dx: inputGradient, batch: B)
            if i > 0 { upstream = UnsafePointer(gradients[i - 1]) }
        }
        if let dx { add(dy, into: dx, count: B * features) }
    }
}

extension LayerSpec {
    /// `x + f(x)` with f the given layers.
    public static func residual(_ layers: [LayerSpec]) -> LayerSpec {
        LayerSpec(kind: "residual", arguments: ["layers": .layers(layers)])
    }
}
