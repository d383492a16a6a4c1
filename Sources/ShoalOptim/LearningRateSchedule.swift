#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The learning rate as a pure function of the step, so a resumed run needs nothing but the
/// step number to continue the schedule.
///
/// Steps count from 0 (the first optimizer step). With `base` the configured rate:
///
/// - `constant`: `base`
/// - `step(everySteps: N, gamma: γ)`: `base · γ^⌊t/N⌋`
/// - `exponential(gamma: γ, decaySteps: N, staircase:)`: `base · γ^(t/N)`, with `⌊t/N⌋` if staircase
/// - `cosine(totalSteps: T, minRate: lo)`: `lo + (base − lo)·½(1 + cos(π·t/T))`, `lo` after T
/// - `warmup(steps: W, then: s)`: `base·(t+1)/W` for t < W (as llm.c), then `s` with its decay
///   starting at W: a step or exponential schedule sees `t − W`, and a cosine runs from W to its
///   `totalSteps` (which counts the whole run, warmup included).
///
/// ```swift
/// let schedule = LearningRateSchedule.warmup(steps: 100, then: .cosine(totalSteps: 1000, minRate: 1e-5))
/// try schedule.validate(baseRate: 3e-4)
/// schedule.learningRate(atStep: 0, baseRate: 3e-4)     // 3e-6
/// schedule.learningRate(atStep: 100, baseRate: 3e-4)   // 3e-4
/// schedule.learningRate(atStep: 1000, baseRate: 3e-4)  // 1e-5
/// ```
public indirect enum LearningRateSchedule: Equatable, Sendable {
    case constant
    /// Multiply by `gamma` every `everySteps` steps (PyTorch StepLR). Keys `step_size`, `gamma`.
    case step(everySteps: Int, gamma: Double)
    /// Multiply by `gamma` per `decaySteps` steps, smoothly or in stairs. Keys `gamma`, `decay_steps`.
    case exponential(gamma: Double, decaySteps: Int = 1, staircase: Bool = false)
    /// Half a cosine from the base rate down to `minRate` at `totalSteps`. Keys `total_steps`, `min_lr`.
    case cosine(totalSteps: Int, minRate: Double = 0)
    /// Linear warmup over `steps` steps, then `then`. Key `warmup_steps`.
    case warmup(steps: Int, then: LearningRateSchedule)

    /// The learning rate of step `step` (0-based) for the configured `baseRate`.
    public func learningRate(atStep step: Int, baseRate: Double) -> Double {
        if case let .warmup(warmupSteps, then) = self {
            if step < warmupSteps {
                return baseRate * Double(step + 1) / Double(warmupSteps)
            }
            return then.decayed(step: step, decayStart: warmupSteps, baseRate: baseRate)
        }
        return decayed(step: step, decayStart: 0, baseRate: baseRate)
    }

    /// The decaying part, with the decay starting at step `decayStart` (the end of warmup).
    private func decayed(step: Int, decayStart: Int, baseRate: Double) -> Double {
        let t = max(0, step - decayStart)
        switch self {
        case .constant:
            return baseRate
        case let .step(everySteps, gamma):
            return baseRate * pow(gamma, Double(t / everySteps))
        case let .exponential(gamma, decaySteps, staircase):
            let exponent = staircase ? Double(t / decaySteps) : Double(t) / Double(decaySteps)
            return baseRate * pow(gamma, exponent)
        case let .cosine(totalSteps, minRate):
            let decaySteps = totalSteps - decayStart
            guard t < decaySteps else { return minRate }
            let progress = Double(t) / Double(decaySteps)
            return minRate + (baseRate - minRate) * 0.5 * (1 + cos(Double.pi * progress))
        case let .warmup(_, then):
            // validate() rejects nested warmup; evaluate the inner schedule if one slipped through.
            return then.decayed(step: step, decayStart: decayStart, baseRate: baseRate)
        }
    }

    /// Throws ``OptimizerError/invalidHyperparameter(key:value:reason:)`` naming the schedule
    /// key (`step_size`, `gamma`, `decay_steps`, `total_steps`, `min_lr`, `warmup_steps`).
    public func validate() throws {
        switch self {
        case .constant:
            break
        case let .step(everySteps, gamma):
            try requireAtLeast(everySteps, 1, key: "step_size")
            try requireGamma(gamma)
        case let .exponential(gamma, decaySteps, _):
            try requireGamma(gamma)
            try requireAtLeast(decaySteps, 1, key: "decay_steps")
        case let .cosine(totalSteps, minRate):
            try requireAtLeast(totalSteps, 1, key: "total_steps")
            try requireNonNegative(minRate, key: "min_lr")
        case let .warmup(steps, then):
            try requireAtLeast(steps, 0, key: "warmup_steps")
            if case .warmup = then {
                throw OptimizerError.invalidHyperparameter(
                    key: "warmup_steps", value: "\(steps)", reason: "warmup cannot be nested in warmup")
            }
            try then.validate()
            if case let .cosine(totalSteps, _) = then, steps > totalSteps {
                throw OptimizerError.invalidHyperparameter(
                    key: "warmup_steps", value: "\(steps)",
                    reason: "must not exceed total_steps (\(totalSteps))")
            }
        }
    }

    /// ``validate()`` plus the base rate (key `lr`: finite, ≥ 0) and, for cosine,
    /// `min_lr ≤ lr`.
    public func validate(baseRate: Double) throws {
        try requireNonNegative(baseRate, key: "lr")
        try validate()
        let inner: LearningRateSchedule
        if case let .warmup(_, then) = self { inner = then } else { inner = self }
        if case let .cosine(_, minRate) = inner, minRate > baseRate {
            throw OptimizerError.invalidHyperparameter(
                key: "min_lr", value: "\(minRate)", reason: "must not exceed lr (\(baseRate))")
        }
    }

    private func requireGamma(_ gamma: Double) throws {
        guard gamma.isFinite, gamma > 0, gamma <= 1 else {
            throw OptimizerError.invalidHyperparameter(
                key: "gamma", value: "\(gamma)", reason: "must be in (0, 1]")
        }
    }
}
