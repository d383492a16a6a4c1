/// Where a run stands between two steps: the steps done and the next step of the batch plan.
/// Since the ``BatchPlan`` is a function of the seed, this is all the data side of a resume
/// needs, on any number of ranks. Stored in a checkpoint's state.json as
/// `{"step": 40, "epoch": 1, "step_in_epoch": 3}`.
///
/// ```swift
/// let plan = try BatchPlan(sampleCount: 1000, globalBatch: 256, microBatch: 64, seed: 42)   // 4 steps an epoch
/// var position = TrainingPosition()
/// position.advance(in: plan)   // step 1; (epoch 0, step 1), ... then (epoch 1, step 0)
/// ```
public struct TrainingPosition: Codable, Hashable, Sendable, CustomStringConvertible {
    /// Optimizer steps completed since the start of the run.
    public var step: Int
    /// The epoch of the next step, from 0.
    public var epoch: Int
    /// The next step within that epoch, in `0..<plan.stepsPerEpoch`.
    public var stepInEpoch: Int

    public init(step: Int = 0, epoch: Int = 0, stepInEpoch: Int = 0) {
        self.step = step
        self.epoch = epoch
        self.stepInEpoch = stepInEpoch
    }

    /// Moves past one trained step: the next step of the epoch, or step 0 of the next epoch.
    /// Returns whether that ended an epoch.
    @discardableResult
    public mutating func advance(in plan: BatchPlan) -> Bool {
        step += 1
        stepInEpoch += 1
        guard stepInEpoch == plan.stepsPerEpoch else { return false }
        epoch += 1
        stepInEpoch = 0
        return true
    }

    public var description: String { "\(step) steps done; next: epoch \(epoch + 1), step \(stepInEpoch + 1)" }

    enum CodingKeys: String, CodingKey {
        case step, epoch
        case stepInEpoch = "step_in_epoch"
    }
}
