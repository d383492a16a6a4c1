import ShoalTensor

/// One step of the forward pass with its hand-written backward, in the manner of llm.c.
///
/// The model owns the activation buffers: layer `i` reads `x` (its input, batch × inputShape)
/// and writes `y` (batch × outputShape); backward reads `x`, `y` and `dy` and writes `dx` (when
/// asked — the first layer's input gradient is usually not needed). Parameter gradients are
/// ACCUMULATED (+=) into the arena; `dx` is overwritten. Scratch that a layer needs (im2col
/// columns, pooling argmax, dropout mask) is allocated at build time for `maxBatch` samples, so
/// neither pass allocates.
protocol Layer: AnyObject {
    /// Type name for the summary table and error messages ("Dense", "Conv2D", …).
    var typeName: String { get }
    /// Per-sample output shape: (features) or (height, width, channels).
    var outputShape: [Int] { get }
    /// Trainable tensors in execution order, as (name, shape, fanIn, fanOut); biases have fan 0.
    var parameterShapes: [ParameterShape] { get }
    /// Multiply-adds of one sample's forward GEMMs (0 for layers without a GEMM): the numerator
    /// of a roofline.
    var multiplyAddsPerSample: Int { get }
    /// Takes pointers to this layer's slices of the arena (called once, after the arena exists).
    func bind(_ arena: ParameterArena)
    func forward(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, batch: Int, context: ForwardContext)
    func backward(x: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                  dx: UnsafeMutablePointer<Float>?, batch: Int)
}

/// A trainable tensor a layer asks the arena for. Weights carry their fans for initialization.
struct ParameterShape {
    let name: String
    let shape: [Int]
    let isWeight: Bool
    let fanIn: Int
    let fanOut: Int
}

/// Slices of the arena as raw pointers, resolved once at bind time.
struct BoundParameter {
    let value: UnsafeMutablePointer<Float>
    let gradient: UnsafeMutablePointer<Float>

    init(_ arena: ParameterArena, _ name: String) {
        guard let e = arena.entry(named: name) else { preconditionFailure("arena has no tensor \(name)") }
        value = arena.parameters.baseAddress! + e.offset
        gradient = arena.gradients.baseAddress! + e.offset
    }
}

extension Layer {
    var parameterShapes: [ParameterShape] { [] }
    var multiplyAddsPerSample: Int { 0 }
    func bind(_ arena: ParameterArena) {}
}
