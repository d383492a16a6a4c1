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
    /// Bytes of the buffers the layer allocated at build time (caches, scratch), for the memory plan.
    var scratchBytes: Int { get }
    /// Tensors of other layers this one uses as its own (weight tying), with the shape it needs.
    var tiedTensors: [(name: String, shape: [Int])] { get }
    /// Takes pointers to this layer's slices of the arena (called once, after the arena exists).
    func bind(_ arena: ParameterArena)
    func forward(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, batch: Int, context: ForwardContext)
    func backward(x: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                  dx: UnsafeMutablePointer<Float>?, batch: Int)
}

/// A trainable tensor a layer asks the arena for, and how it starts.
struct ParameterShape {
    /// How a tensor is initialized.
    enum Start {
        /// The model's initializer (glorot, he) with these fans.
        case initializer(fanIn: Int, fanOut: Int)
        case zeros
        case ones
    }

    let name: String
    let shape: [Int]
    let start: Start

    /// A weight initialized by the model's initializer.
    static func weight(_ name: String, _ shape: [Int], fanIn: Int, fanOut: Int) -> ParameterShape {
        ParameterShape(name: name, shape: shape, start: .initializer(fanIn: fanIn, fanOut: fanOut))
    }

    /// A bias (or shift): zeros.
    static func bias(_ name: String, _ shape: [Int]) -> ParameterShape { ParameterShape(name: name, shape: shape, start: .zeros) }
}

/// Where a layer sits in the model: its top-level index in the layer list (for messages) and
/// its name, the prefix of its tensors (`layers.3`, or `layers.2.1.0` inside a block).
struct LayerPlace: Sendable {
    let index: Int
    let name: String

    init(index: Int) {
        self.index = index
        name = "layers.\(index)"
    }

    private init(index: Int, name: String) {
        self.index = index
        self.name = name
    }

    /// Item `k` of a block at this place.
    func child(_ k: Int) -> LayerPlace { LayerPlace(index: index, name: "\(name).\(k)") }

    var isNested: Bool { name != "layers.\(index)" }

    /// The name of this layer's tensor `suffix` (`weight`, `qkv.weight`).
    func tensor(_ suffix: String) -> String { "\(name).\(suffix)" }

    func fail(_ layer: String, _ reason: String) -> ModelError {
        .impossibleLayer(index: index, layer: layer, reason: isNested ? "(\(name)) \(reason)" : reason)
    }

    /// A generator for this layer's random choices in `domain`: keyed by the top-level index, and
    /// for a nested layer by its name too.
    func generator(seed: UInt64, domain: UInt64) -> Philox {
        let top = Philox(seed: seed).derived(domain, UInt64(index))
        return isNested ? top.derived(nameHash(name)) : top
    }
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

/// FNV-1a of a tensor name: the key of its own random stream.
func nameHash(_ name: String) -> UInt64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in name.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
    return hash
}

extension Layer {
    var parameterShapes: [ParameterShape] { [] }
    var tiedTensors: [(name: String, shape: [Int])] { [] }
    var scratchBytes: Int { 0 }
    var multiplyAddsPerSample: Int { 0 }
    func bind(_ arena: ParameterArena) {}
}
