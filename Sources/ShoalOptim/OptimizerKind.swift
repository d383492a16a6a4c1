/// Which update rule an ``Optimizer`` applies, with its rule-specific hyperparameters.
///
/// ```swift
/// let kind = OptimizerKind.adamW(beta1: 0.9, beta2: 0.999, eps: 1e-8)
/// let plain = OptimizerKind.adam()   // β1 0.9, β2 0.999, ε 1e-8
/// ```
public enum OptimizerKind: Equatable, Sendable {
    /// `w -= lr·g`
    case sgd
    /// Heavy-ball momentum μ, PyTorch form: `v = μv + g; w -= lr·v`.
    case momentum(Float)
    /// Nesterov momentum μ, PyTorch form: `v = μv + g; w -= lr·(g + μv)`.
    case nesterov(Float)
    /// Adam with bias correction; weight decay is a coupled L2 penalty (`g += wd·w`).
    /// Defaults are PyTorch's.
    case adam(beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8)
    /// AdamW: Adam with decoupled weight decay (`w -= lr·wd·w`). Defaults are PyTorch's.
    case adamW(beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8)

    /// Throws ``OptimizerError/invalidHyperparameter(key:value:reason:)`` naming `momentum`,
    /// `beta1`, `beta2` or `eps`.
    public func validate() throws {
        switch self {
        case .sgd:
            break
        case let .momentum(mu), let .nesterov(mu):
            try requireUnitInterval(mu, key: "momentum")
        case let .adam(beta1, beta2, eps), let .adamW(beta1, beta2, eps):
            try requireUnitInterval(beta1, key: "beta1")
            try requireUnitInterval(beta2, key: "beta2")
            try requirePositive(eps, key: "eps")
        }
    }

    /// Floats per parameter of optimizer state: 0 (SGD), 1 (momentum, Nesterov), 2 (Adam, AdamW).
    public var stateBuffersPerParameter: Int {
        switch self {
        case .sgd: return 0
        case .momentum, .nesterov: return 1
        case .adam, .adamW: return 2
        }
    }

    /// Bytes one step reads and writes per parameter: w, g and the state read; w and the
    /// state written (SGD 12, momentum 20, Adam 28). The memory-bandwidth bound of a step.
    public var bytesPerParameterPerStep: Int {
        MemoryLayout<Float>.size * (3 + 2 * stateBuffersPerParameter)
    }
}
