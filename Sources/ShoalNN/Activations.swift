#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ShoalTensor

/// Elementwise nonlinearities, and softmax over the last axis.
///
/// Shapes: x and y are (B, F) with F the per-sample element count (softmax: (B·R, L) rows of the
/// last axis length L). Backward uses x (ReLU, LeakyReLU, GELU) or y (Tanh, Sigmoid, Softmax).
final class ActivationLayer: Layer {
    /// One layer kind per activation: `relu`, `tanh`, …, and `leaky_relu: {alpha: 0.01}`.
    static let syntaxes: [LayerSyntax] = Activation.names.map { name in
        let arguments: [ArgumentSyntax] = name == "leaky_relu"
            ? [.init("alpha", .double(.nonNegative), default: .float(Activation.defaultLeakyAlpha), doc: "slope for x < 0")] : []
        return LayerSyntax(name: name, summary: Activation.summaries[name] ?? name, arguments: arguments,
                           example: name == "leaky_relu" ? "leaky_relu: {alpha: 0.01}" : name) { context throws(ModelError) in
            let alpha = arguments.isEmpty ? Activation.defaultLeakyAlpha : Float(try context.double("alpha"))
            guard let activation = Activation(name: name, alpha: alpha) else { throw context.fail("unknown activation") }
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
            for i in 0..<n { y[i] = x[i] * 0.5 * (1 + erff(x[i] * Float(0.5).squareRoot())) }
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
            let invSqrt2Pi = 1 / Float(2 * Float.pi).squareRoot()
            for i in 0..<n {
                let v = x[i]
                let cdf = 0.5 * (1 + erff(v * Float(0.5).squareRoot()))
                dx[i] = dy[i] * (cdf + v * invSqrt2Pi * expf(-0.5 * v * v))
            }
        case .softmax:
            // forward: y_j = e^{x_j} / Σ_k e^{x_k}, so dx_j = y_j (dy_j − Σ_k dy_k y_k)
            let L = shape.last ?? 1
            for r in 0..<n / L {
                let yr = y + r * L, dyr = dy + r * L, dxr = dx + r * L
                var s: Float = 0
                for j in 0..<L { s += dyr[j] * yr[j] }
                for j in 0..<L { dxr[j] = yr[j] * (dyr[j] - s) }
            }
        }
    }
}

/// Numerically stable logistic function.
@inline(__always)
func sigmoid(_ x: Float) -> Float {
    if x >= 0 { return 1 / (1 + expf(-x)) }
    let e = expf(x)
    return e / (1 + e)
}

/// `y = softmax(x)` over `count` elements, max-shifted for stability.
@inline(__always)
func softmaxRow(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count L: Int) {
    let m = maximum(x, count: L)
    var s: Float = 0
    for j in 0..<L { y[j] = expf(x[j] - m); s += y[j] }
    let inv = 1 / s
    for j in 0..<L { y[j] *= inv }
}

extension Activation {
    /// The config names, in the order messages list them.
    public static let names = ["relu", "tanh", "sigmoid", "gelu", "softmax", "leaky_relu"]
    public static let defaultLeakyAlpha: Float = 0.01
    static let summaries = [
        "relu": "max(x, 0)", "tanh": "hyperbolic tangent", "sigmoid": "1 / (1 + e^−x)",
        "gelu": "x Φ(x), the exact (erf) form", "softmax": "e^x / Σ e^x over the last axis",
        "leaky_relu": "x for x > 0, alpha · x otherwise",
    ]

    /// The activation a config calls `name` (`alpha` for leaky_relu), or nil.
    public init?(name: String, alpha: Float = Activation.defaultLeakyAlpha) {
        switch name {
        case "relu": self = .relu
        case "tanh": self = .tanh
        case "sigmoid": self = .sigmoid
        case "gelu": self = .gelu
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
        case .gelu: "gelu"
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
    case gelu
    case softmax
}

extension LayerValue {
    /// A Float argument as the Double its shortest decimal reads as (0.01, not 0.0099999998).
    static func float(_ value: Float) -> LayerValue { .double(Double(value.description) ?? Double(value)) }
}

extension LayerSpec {
    /// A stand-alone activation layer.
    public static func activation(_ activation: Activation) -> LayerSpec {
        if case .leakyReLU(let alpha) = activation { return LayerSpec(kind: "leaky_relu", arguments: ["alpha": .float(alpha)]) }
        return LayerSpec(kind: activation.name)
    }
}
