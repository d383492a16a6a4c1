/// A base learning rate and its schedule, validated together: the rate of any step with
/// nothing but the step number, which is all a resumed run needs.
///
/// ```swift
/// let rate = try ScheduledLearningRate(baseRate: 3e-4,
///                                      schedule: .warmup(steps: 100, then: .cosine(totalSteps: 5000)))
/// optimizer.step(parameters: w, gradients: g,
///                learningRate: Float(rate.learningRate(atStep: optimizer.stepCount)))
/// ```
public struct ScheduledLearningRate: Equatable, Sendable {
    public let baseRate: Double
    public let schedule: LearningRateSchedule

    /// - Throws: ``OptimizerError`` naming `lr` or the schedule key at fault.
    public init(baseRate: Double, schedule: LearningRateSchedule = .constant) throws {
        try schedule.validate(baseRate: baseRate)
        self.baseRate = baseRate
        self.schedule = schedule
    }

    /// The learning rate of step `step` (0-based).
    public func learningRate(atStep step: Int) -> Double {
        schedule.learningRate(atStep: step, baseRate: baseRate)
    }
}
