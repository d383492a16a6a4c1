#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ShoalTensor

extension Initializer {
    /// Fills a weight tensor of `count` elements from `rng`; element `i` depends only on
    /// `(rng, i)`, so initialization is the same on every rank and independent of layout.
    ///
    /// - glorotUniform: U(−l, l), l = sqrt(6 / (fanIn + fanOut)) (Keras' default);
    /// - heNormal: N(0, 2 / fanIn), Box–Muller from one Philox block (PyTorch `kaiming_normal_`);
    /// - normal(std): N(0, std²), the same way (GPT-2's N(0, 0.02)).
    func fill(_ w: UnsafeMutablePointer<Float>, count: Int, fanIn: Int, fanOut: Int, rng: Philox) {
        switch self {
        case .glorotUniform:
            let limit = (6 / Double(max(fanIn + fanOut, 1))).squareRoot()
            for i in 0..<count { w[i] = Float((2 * rng.uniformDouble(at: UInt64(i)) - 1) * limit) }
        case .heNormal, .normal:
            let std = if case .normal(let std) = self { std } else { (2 / Double(max(fanIn, 1))).squareRoot() }
            for i in 0..<count {
                let b = rng.block(at: UInt64(i))
                let u1 = (Double((UInt64(b.0) << 21) ^ UInt64(b.1 >> 11)) + 1) * 0x1p-53   // (0, 1]
                let u2 = Double((UInt64(b.2) << 21) ^ UInt64(b.3 >> 11)) * 0x1p-53         // [0, 1)
                w[i] = Float(std * (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
            }
        }
    }
}

/// How weights are initialised from the run seed; biases start at zero.
public enum Initializer: Equatable, Sendable {
    /// Keras' default: uniform in ±sqrt(6 / (fan_in + fan_out)). Config `glorot_uniform`.
    case glorotUniform
    /// Normal with standard deviation sqrt(2 / fan_in), suited to ReLU stacks. Config `he_normal`.
    case heNormal
    /// Normal with a fixed standard deviation, whatever the fans. Config `{normal: 0.02}`.
    case normal(std: Double)

    /// The config names of the initializers without an argument.
    public static let named: [String: Initializer] = ["glorot_uniform": .glorotUniform, "he_normal": .heNormal]
}

/// The initializer of the weights whose tensor names match `match` (a glob, see
/// ``globMatches(_:_:)``), instead of the model's: GPT-2 starts its residual projections with a
/// smaller standard deviation. Rules are tried in order; the first match wins.
///
/// ```swift
/// let rule = InitializerRule(match: "*.proj.weight", initializer: .normal(std: 0.02 / 8.0.squareRoot()))
/// ```
public struct InitializerRule: Equatable, Sendable {
    public var match: String
    public var initializer: Initializer

    public init(match: String, initializer: Initializer) {
        self.match = match
        self.initializer = initializer
    }
}
