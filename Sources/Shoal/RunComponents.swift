import ShoalConfig
import ShoalNN
import ShoalOptim

/// Turns the optimizer and schedule sections of a config into ShoalOptim values. Hyperparameter
/// errors come back naming their config key (`optimizer.beta1: ...`).
enum RunComponents {
    static func optimizerKind(_ c: OptimizerConfig) -> OptimizerKind {
        switch c.name {
        case .sgd: .sgd
        case .momentum: .momentum(Float(c.momentum))
        case .nesterov: .nesterov(Float(c.momentum))
        case .adam: .adam(beta1: Float(c.beta1), beta2: Float(c.beta2), eps: Float(c.eps))
        case .adamw: .adamW(beta1: Float(c.beta1), beta2: Float(c.beta2), eps: Float(c.eps))
        }
    }

    static func makeOptimizer(_ c: OptimizerConfig, arena: ParameterArena) throws -> Optimizer {
        let slices = arena.entries.map { ParameterSlice(name: $0.name, offset: $0.offset, shape: $0.shape) }
        let defaults = GroupOptions(weightDecay: Float(c.weightDecay), l1: Float(c.l1))
        let groups = c.groups.map { group in
            ShoalOptim.ParameterGroup(pattern: group.match, options: GroupOptions(
                weightDecay: Float(group.weightDecay ?? c.weightDecay), l1: Float(group.l1 ?? c.l1),
                lrScale: Float((group.lr ?? c.lr) / c.lr)))
        }
        do {
            return try Optimizer(kind: optimizerKind(c), slices: slices, defaults: defaults, groups: groups)
        } catch let error as OptimizerError {
            throw RunError.configuration("optimizer.\(error.key ?? ""): \(error)")
        }
    }

    /// The schedule as a pure function of the step; `totalSteps` is the length of the run.
    static func schedule(_ c: ScheduleConfig, totalSteps: Int) throws -> LearningRateSchedule {
        let base: LearningRateSchedule = switch c.kind {
        case .constant: .constant
        case .step: .step(everySteps: c.stepSize, gamma: c.gamma)
        case .exponential: .exponential(gamma: c.gamma, decaySteps: c.stepSize)
        case .cosine: .cosine(totalSteps: totalSteps, minRate: c.minLR)
        }
        let schedule: LearningRateSchedule = c.warmupSteps > 0 ? .warmup(steps: c.warmupSteps, then: base) : base
        do {
            try schedule.validate()
        } catch let error as OptimizerError {
            throw RunError.configuration("schedule.\(error.key ?? ""): \(error)")
        }
        return schedule
    }
}
