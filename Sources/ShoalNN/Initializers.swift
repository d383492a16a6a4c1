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
    /// - heNormal: N(0, 2 / fanIn), Box–Muller from one Philox block (PyTorch `kaiming_normal_`).
    func fill(_ w: UnsafeMutablePointer<Float>, count: Int, fanIn: Int, fanOut: Int, rng: Philox) {
        switch self {
        case .glorotUniform:
            let limit = (6 / Double(max(fanIn + fanOut, 1))).squareRoot()
            for i in 0..<count { w[i] = Float((2 * rng.uniformDouble(at: UInt64(i)) - 1) * limit) }
        case .heNormal:
            let std = (2 / Double(max(fanIn, 1))).squareRoot()
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
public enum Initializer: String, Equatable, Sendable, CaseIterable {
    /// Keras' default: uniform in ±sqrt(6 / (fan_in + fan_out)).
    case glorotUniform = "glorot_uniform"
    /// Normal with standard deviation sqrt(2 / fan_in), suited to ReLU stacks.
    case heNormal = "he_normal"
}
