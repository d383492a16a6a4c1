import Coordinator
import ShoalComm
import ShoalConfig
import ShoalOptim
import ShoalTensor

/// Turns the optimizer, schedule and distributed sections of a config into the runtime values.
/// Errors come back naming their config key (`optimizer.beta1: ...`).
public enum RunComponents {
    public static func optimizerKind(_ c: OptimizerConfig) -> OptimizerKind {
        switch c.name {
        case .sgd: .sgd
        case .momentum: .momentum(Float(c.momentum))
        case .nesterov: .nesterov(Float(c.momentum))
        case .adam: .adam(beta1: Float(c.beta1), beta2: Float(c.beta2), eps: Float(c.eps))
        case .adamw: .adamW(beta1: Float(c.beta1), beta2: Float(c.beta2), eps: Float(c.eps))
        }
    }

    /// The optimizer of the trained tensors, `entries` (frozen ones left out).
    static func makeOptimizer(_ c: OptimizerConfig, entries: [ParameterArena.Entry]) throws -> Optimizer {
        let defaults = GroupOptions(weightDecay: Float(c.weightDecay), l1: Float(c.l1))
        let groups = c.groups.map { group in
            ShoalOptim.ParameterGroup(pattern: group.match, rank: group.rank, options: GroupOptions(
                weightDecay: Float(group.weightDecay ?? c.weightDecay), l1: Float(group.l1 ?? c.l1),
                lrScale: Float((group.lr ?? c.lr) / c.lr)))
        }
        let optimizer: Optimizer
        do {
            optimizer = try Optimizer(kind: optimizerKind(c), entries: entries, defaults: defaults, groups: groups)
        } catch let error as OptimizerError {
            throw RunError.configuration("optimizer.\(error.key ?? ""): \(error)")
        }
        // A pattern that matches nothing is most likely a typo. The built-in `*.bias` group is
        // exempt, so a model without biases runs with the default config.
        if c.groups != OptimizerConfig().groups, let pattern = optimizer.unmatchedGroupPatterns.first,
           let index = c.groups.firstIndex(where: { $0.match == pattern }) {
            throw RunError.configuration("optimizer.groups[\(index)].match: '\(pattern)' matches no parameter tensor; the tensors are "
                + entries.map(\.name).joined(separator: ", ") + (entries.isEmpty ? "(none: every layer is frozen)" : ""))
        }
        return optimizer
    }

    /// The reduction `distributed.reduction` names, sized for this model and batch plan, over the
    /// arena's first `trainable` gradients (frozen tensors lie after them and are not summed).
    static func makeReduction(_ c: DistributedConfig, plan: BatchPlan, arena: ParameterArena, trainable: Int,
                              world: any Communicator) throws -> any GradientReduction {
        switch c.reduction {
        case .exact:
            guard plan.maxLeafCount <= ExactReduction.maximumLeaves else {
                throw RunError.configuration("training.micro_batch: exact reduction takes at most \(ExactReduction.maximumLeaves) leaves a step, "
                    + "global_batch / micro_batch gives \(plan.maxLeafCount)")
            }
            return ExactReduction(world: world, segments: arena.entries.filter { $0.end <= trainable }.map { $0.offset..<$0.end },
                                  maxLeaves: plan.maxLeafCount)
        case .fast:
            let bucketElements = max(1024, Int(c.bucketMB * 1_048_576) / MemoryLayout<Float>.stride)
            return try FastReduction(world: world, gradients: UnsafeMutableBufferPointer(rebasing: arena.gradients[0..<trainable]),
                                    bucketElements: bucketElements, overlap: c.overlap)
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
