/// Where a run is in its data: the next step to train, of which epoch. Stored in checkpoints;
/// since the ``BatchPlan`` is a function of the seed, this is all a resume needs, on any
/// number of ranks.
///
/// ```swift
/// var cursor = DataCursor()
/// cursor = cursor.advanced(in: plan)   // (epoch 0, step 1), ... then (epoch 1, step 0)
/// ```
public struct DataCursor: Codable, Hashable, Sendable, CustomStringConvertible {
    /// The epoch of the next step, from 0.
    public var epoch: Int
    /// The next step within that epoch, in `0..<plan.stepsPerEpoch`.
    public var step: Int

    public init(epoch: Int = 0, step: Int = 0) {
        self.epoch = epoch
        self.step = step
    }

    /// The cursor after training one step: the next step, or step 0 of the next epoch.
    public func advanced(in plan: BatchPlan) -> DataCursor {
        step + 1 < plan.stepsPerEpoch ? DataCursor(epoch: epoch, step: step + 1) : DataCursor(epoch: epoch + 1, step: 0)
    }

    /// Steps trained before this cursor: `epoch × stepsPerEpoch + step`.
    public func globalStep(in plan: BatchPlan) -> Int { epoch * plan.stepsPerEpoch + step }

    public var description: String { "epoch \(epoch), step \(step)" }
}
