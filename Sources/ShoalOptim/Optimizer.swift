import ShoalTensor
/// Updates the flat parameter arena from the flat gradient arena in one pass per step.
///
/// The state (momentum velocity, Adam moments) is a flat arena of the same layout as the
/// parameters, allocated once at init; ``stateTensors`` names its pieces for checkpoints
/// (`optimizer.momentum.v.layers.0.weight`, `optimizer.adam.m.layers.0.weight`, ...).
/// Per-group options are resolved to contiguous ranges at init, so a step is a few long
/// loops with nothing to allocate.
///
/// ```swift
/// let entries = [ParameterArena.Entry(name: "layers.0.weight", shape: [6], offset: 0),
///               ParameterArena.Entry(name: "layers.0.bias", shape: [2], offset: 6)]
/// let optimizer = try Optimizer(
///     kind: .adamW(), entries: entries, defaults: GroupOptions(weightDecay: 0.01),
///     groups: [ParameterGroup(pattern: "*.bias", options: GroupOptions(weightDecay: 0))])
/// let weights = allocateFloats(8), grads = allocateFloats(8)   // or a ParameterArena's
/// let schedule = LearningRateSchedule.cosine(totalSteps: 1000)
/// let lr = schedule.learningRate(atStep: optimizer.stepCount, baseRate: 3e-4)
/// optimizer.step(parameters: weights, gradients: grads, learningRate: Float(lr))
/// ```
public final class Optimizer {
    public let kind: OptimizerKind
    public let entries: [ParameterArena.Entry]
    /// Number of Floats the parameter and gradient arenas must hold (the largest entry end).
    public let parameterCount: Int
    /// Group patterns that matched no entry: probably a typo; the config layer may warn.
    public let unmatchedGroupPatterns: [String]
    /// Steps taken so far; Adam's bias correction of the next step uses `stepCount + 1`.
    /// Set it when resuming from a checkpoint (together with the ``stateTensors``).
    public var stepCount: Int = 0

    /// Contiguous runs of equal options, in arena order.
    let ranges: [UpdateRange]
    /// Momentum velocity, or Adam's first moment m; empty for plain SGD.
    let firstState: UnsafeMutableBufferPointer<Float>
    /// Adam's second moment v; empty otherwise.
    let secondState: UnsafeMutableBufferPointer<Float>

    /// Validates everything and allocates the zeroed state arena.
    ///
    /// - Parameters:
    ///   - kind: the update rule and its hyperparameters.
    ///   - entries: the parameter table of the arena.
    ///   - defaults: options of parameters no group pattern matches.
    ///   - groups: options by name pattern; first match wins.
    /// - Throws: ``OptimizerError`` naming the bad key (`beta1`, `weight_decay`,
    ///   `groups[0].weight_decay`, ...) or the bad entry.
    public init(kind: OptimizerKind, entries: [ParameterArena.Entry], defaults: GroupOptions,
                groups: [ParameterGroup] = []) throws {
        try kind.validate()
        try defaults.validate()
        for (index, group) in groups.enumerated() {
            try group.options.validate(keyPrefix: "groups[\(index)].")
        }
        self.kind = kind
        self.entries = entries
        self.parameterCount = try ParameterArena.Entry.validate(entries)
        (ranges, unmatchedGroupPatterns) = ParameterGroup.updateRanges(
            entries: entries, groups: groups, defaults: defaults)
        let stateCount = kind.stateBuffersPerParameter
        firstState = Optimizer.zeroedBuffer(count: stateCount >= 1 ? parameterCount : 0)
        secondState = Optimizer.zeroedBuffer(count: stateCount >= 2 ? parameterCount : 0)
    }

    deinit {
        firstState.deallocate()
        secondState.deallocate()
    }

    private static func zeroedBuffer(count: Int) -> UnsafeMutableBufferPointer<Float> {
        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
        buffer.initialize(repeating: 0)
        return buffer
    }

    /// The options each entry was resolved to (for logs and tests).
    public func options(for name: String) -> GroupOptions? {
        guard let entry = entries.first(where: { $0.name == name }) else { return nil }
        return ranges.first { $0.start <= entry.offset && entry.offset < $0.start + $0.count }?.options
    }

    /// Applies one update to `parameters` from `gradients` at `learningRate` (before each
    /// group's `lrScale`) and increments ``stepCount``. Gradients are read, never written.
    ///
    /// Allocates nothing: it walks the ranges precomputed at init with raw pointers.
    /// Both buffers must hold at least ``parameterCount`` Floats.
    public func step(parameters: UnsafeMutableBufferPointer<Float>,
                     gradients: UnsafeMutableBufferPointer<Float>, learningRate: Float) {
        precondition(parameters.count >= parameterCount && gradients.count >= parameterCount,
                     "Optimizer.step: arenas hold \(parameters.count) and \(gradients.count) Floats, need \(parameterCount)")
        guard parameterCount > 0, let w = parameters.baseAddress, let g = gradients.baseAddress else {
            stepCount += 1
            return
        }
        stepCount += 1
        let lr = Double(learningRate)
        switch kind {
        case .sgd:
            for r in ranges {
                sgdUpdate(parameters: w + r.start, gradients: g + r.start, count: r.count,
                          learningRate: Float(lr * Double(r.options.lrScale)),
                          weightDecay: r.options.weightDecay, l1: r.options.l1)
            }
        case let .momentum(mu), let .nesterov(mu):
            let nesterov = if case .nesterov = kind { true } else { false }
            let v = firstState.baseAddress!
            for r in ranges {
                momentumUpdate(parameters: w + r.start, gradients: g + r.start, velocity: v + r.start,
                               count: r.count, learningRate: Float(lr * Double(r.options.lrScale)),
                               momentum: mu, nesterov: nesterov,
                               weightDecay: r.options.weightDecay, l1: r.options.l1)
            }
        case let .adam(beta1, beta2, eps), let .adamW(beta1, beta2, eps):
            let decoupled = if case .adamW = kind { true } else { false }
            let m = firstState.baseAddress!, v = secondState.baseAddress!
            for r in ranges {
                let groupRate = lr * Double(r.options.lrScale)
                let constants = AdamStepConstants(learningRate: groupRate, beta1: beta1, beta2: beta2,
                                                  eps: eps, step: stepCount)
                let wd = r.options.weightDecay
                adamUpdate(parameters: w + r.start, gradients: g + r.start,
                           firstMoment: m + r.start, secondMoment: v + r.start, count: r.count,
                           constants: constants,
                           coupledDecay: decoupled ? 0 : wd,
                           decoupledDecayFactor: decoupled ? Float(1 - groupRate * Double(wd)) : 1,
                           l1: r.options.l1)
            }
        }
    }

    /// The state arena cut into named tensors of the parameters' shapes, for checkpoints.
    ///
    /// Names are `optimizer.<state>.<parameter name>`: `optimizer.momentum.v.*` for momentum
    /// and Nesterov, `optimizer.adam.m.*` and `optimizer.adam.v.*` for Adam and AdamW; none
    /// for SGD. The buffers point into the optimizer's own arena (write into them to resume)
    /// and stay valid, at the same addresses, for the optimizer's lifetime.
    public var stateTensors: [(name: String, shape: [Int], values: UnsafeMutableBufferPointer<Float>)] {
        let arenas: [(prefix: String, buffer: UnsafeMutableBufferPointer<Float>)]
        switch kind {
        case .sgd: arenas = []
        case .momentum, .nesterov: arenas = [("optimizer.momentum.v.", firstState)]
        case .adam, .adamW: arenas = [("optimizer.adam.m.", firstState), ("optimizer.adam.v.", secondState)]
        }
        return arenas.flatMap { arena in
            entries.map { entry in
                (name: arena.prefix + entry.name, shape: entry.shape,
                 values: UnsafeMutableBufferPointer(rebasing: arena.buffer[entry.offset..<entry.end]))
            }
        }
    }
}
