#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ShoalKernels
import ShoalTensor

/// Elementwise nonlinearities, and softmax over the last axis.
///
/// Shapes: x and y are (B, F) with F the per-sample element count (softmax: (B·R, L) rows of the
/// last axis length L). Backward uses x (ReLU, LeakyReLU, GELU) or y (Tanh, Sigmoid, Softmax).
final class ActivationLayer: Layer {
    /// One layer kind per activation: `relu`, `tanh`, …, and `leaky_relu: {alpha: 0.01}`.
    static let syntaxes: [LayerSyntax] = Activation.names.map { name in
        let arguments: [ArgumentSyntax] = switch name {
        case "leaky_relu": [.init("alpha", .double(.nonNegative), default: .float(Activation.defaultLeakyAlpha), doc: "slope for x < 0")]
        case "gelu": [.init("approximate", .choice(["none", "tanh"]), default: .string("none"),
                            doc: "none: the exact erf form (PyTorch's default); tanh: GPT-2's tanh approximation")]
        default: []
        }
        let example = switch name {
        case "leaky_relu": "leaky_relu: {alpha: 0.01}"
        case "gelu": "gelu: {approximate: tanh}"
        default: name
        }
        return LayerSyntax(name: name, summary: Activation.summaries[name] ?? name, arguments: arguments, example: example) {
            context throws(ModelError) in
            let alpha = name == "leaky_relu" ? Float(try context.double("alpha")) : Activation.defaultLeakyAlpha
            let tanh = name == "gelu" ? try context.string("approximate") == "tanh" : false
            guard let activation = Activation(name: name, alpha: alpha, tanhApproximation: tanh) else { throw context.fail("unknown activation") }
            return [ActivationLayer(activation, inputShape: context.inputShape)]
        }
    }

    let kind: Activation
    let shape: [Int]
    let features: Int
    var outputShape: [Int] { shape }
    var typeName: String {
        switch kind {
        case .relu: "ReLU"
        case .leakyReLU: "LeakyReLU"
        case .tanh: "Tanh"
        case .sigmoid: "Sigmoid"
        case .gelu: "GELU"
        case .geluTanh: "GELU(tanh)"
        case .softmax: "Softmax"
        }
    }

    init(_ kind: Activation, inputShape: [Int]) {
        self.kind = kind
        shape = inputShape
        features = inputShape.reduce(1, *)
    }

    func forward(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, batch B: Int, context: ForwardContext) {
        let n = B * features
        switch kind {
        case .relu:
            for i in 0..<n { y[i] = x[i] > 0 ? x[i] : 0 }
        case .leakyReLU(let a):
            for i in 0..<n { y[i] = x[i] > 0 ? x[i] : a * x[i] }
        case .tanh:
            for i in 0..<n { y[i] = tanhf(x[i]) }
        case .sigmoid:
            for i in 0..<n { y[i] = sigmoid(x[i]) }
        case .gelu:
            // y = x Φ(x), Φ the standard normal CDF (exact erf form, as PyTorch's default)
            shoal_gelu_forward(x, y, n)
        case .geluTanh:
            // y = ½ x (1 + tanh(√(2/π) (x + 0.044715 x³))), GPT-2's approximation
            for i in 0..<n {
                let v = x[i]
                y[i] = 0.5 * v * (1 + tanhf(geluTanhScale * (v + 0.044715 * v * v * v)))
            }
        case .softmax:
            let L = shape.last ?? 1
            for r in 0..<n / L { softmaxRow(x + r * L, y + r * L, count: L) }
        }
    }

    func backward(x: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                  dx: UnsafeMutablePointer<Float>?, batch B: Int) {
        guard let dx else { return }
        let n = B * features
        switch kind {
        case .relu:
            // forward: y = x > 0 ? x : 0
            reluBackward(x, dy, dx, count: n)
        case .leakyReLU(let a):
            // forward: y = x > 0 ? x : a x
            reluBackward(x, dy, dx, slope: a, count: n)
        case .tanh:
            // forward: y = tanh(x), dy/dx = 1 − y²
            for i in 0..<n { dx[i] = dy[i] * (1 - y[i] * y[i]) }
        case .sigmoid:
            // forward: y = σ(x), dy/dx = y (1 − y)
            for i in 0..<n { dx[i] = dy[i] * y[i] * (1 - y[i]) }
        case .gelu:
            // forward: y = x Φ(x), dy/dx = Φ(x) + x φ(x)
            shoal_gelu_backward(x, dy, dx, n)
        case .geluTanh:
            // forward: y = ½ x (1 + tanh u), u = √(2/π) (x + 0.044715 x³), so
            // dy/dx = ½ (1 + tanh u) + ½ x (1 − tanh² u) √(2/π) (1 + 3 · 0.044715 x²)
            for i in 0..<n {
                let v = x[i]
                let th = tanhf(geluTanhScale * (v + 0.044715 * v * v * v))
                dx[i] = dy[i] * (0.5 * (1 + th) + 0.5 * v * (1 - th * th) * geluTanhScale * (1 + 3 * 0.044715 * v * v))
            }
        case .softmax:
            // forward: y_j = e^{x_j} / Σ_k e^{x_k}, so dx_j = y_j (dy_j − Σ_k dy_k y_k)
            let L = shape.last ?? 1
            for r in 0..<n / L { shoal_softmax_backward(y + r * L, dy + r * L, dx + r * L, L, 1) }
        }
    }
}

/// √(2/π), the scale inside GPT-2's tanh approximation of GELU.
let geluTanhScale = Float((2 / Double.pi).squareRoot())

/// Numerically stable logistic function.
@inline(__always)
func sigmoid(_ x: Float) -> Float {
    if x >= 0 { return 1 / (1 + expf(-x)) }
    let e = expf(x)
    return e / (1 + e)
}

/// `y = softmax(x)` over `count` elements, max-shifted for stability (y may be x): the
/// ShoalKernels kernel that the softmax activation and attention use, so that every softmax in
/// Shoal (predict's probabilities, generate's draws) computes the same bits.
///
/// ```swift
/// var row: [Float] = [1, 2, 3]
/// row.withUnsafeMutableBufferPointer { softmaxRow($0.baseAddress!, $0.baseAddress!, count: 3) }
/// // row ≈ [0.090, 0.245, 0.665]
/// ```
@inline(__always)
public func softmaxRow(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count L: Int) {
    shoal_softmax(x, y, L)
}

extension Activation {
    /// The config names, in the order messages list them.
    public static let names = ["relu", "tanh", "sigmoid", "gelu", "softmax", "leaky_relu"]
    public static let defaultLeakyAlpha: Float = 0.01
    static let summaries = [
        "relu": "max(x, 0)", "tanh": "hyperbolic tangent", "sigmoid": "1 / (1 + e^−x)",
        "gelu": "x Φ(x): the exact erf form, or GPT-2's tanh approximation", "softmax": "e^x / Σ e^x over the last axis",
        "leaky_relu": "x for x > 0, alpha · x otherwise",
    ]

    /// The activation a config calls `name` (`alpha` for leaky_relu, `tanhApproximation` for gelu), or nil.
    public init?(name: String, alpha: Float = Activation.defaultLeakyAlpha, tanhApproximation: Bool = false) {
        switch name {
        case "relu": self = .relu
        case "tanh": self = .tanh
        case "sigmoid": self = .sigmoid
        case "gelu": self = tanhApproximation ? .geluTanh : .gelu
        case "softmax": self = .softmax
        case "leaky_relu": self = .leakyReLU(alpha: alpha)
        default: return nil
        }
    }

    /// The config name.
    public var name: String {
        switch self {
        case .relu: "relu"
        case .leakyReLU: "leaky_relu"
        case .tanh: "tanh"
        case .sigmoid: "sigmoid"
        case .gelu, .geluTanh: "gelu"
        case .softmax: "softmax"
        }
    }
}

/// Elementwise (or, for softmax, per-row) nonlinearities.
public enum Activation: Equatable, Sendable {
    case relu
    case leakyReLU(alpha: Float)
    case tanh
    case sigmoid
    /// x Φ(x), exact (erf), as PyTorch's default.
    case gelu
    /// GPT-2's tanh approximation of GELU (`approximate='tanh'` in PyTorch).
    case geluTanh
    case softmax
}

extension LayerValue {
    /// A Float argument as the Double its shortest decimal reads as (0.01, not 0.0099999998).
    static func float(_ value: Float) -> LayerValue { .double(Double(value.description) ?? Double(value)) }
}

extension LayerSpec {
    /// A stand-alone activation layer.
    public static func activation(_ activation: Activation) -> LayerSpec {
        switch activation {
        case .leakyReLU(let alpha): return LayerSpec(kind: "leaky_relu", arguments: ["alpha": .float(alpha)])
        case .gelu, .geluTanh: return LayerSpec(kind: "gelu", arguments: ["approximate": .string(activation == .geluTanh ? "tanh" : "none")])
        default: return LayerSpec(kind: activation.name)
        }
    }
}
