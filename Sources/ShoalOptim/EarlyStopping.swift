/// Decides when to stop training: when the training loss falls below a threshold, or when a
/// validation metric has not improved for `patience` evaluations.
///
/// A pure value: feed it observations, it answers ``Decision``. The settings come from the
/// config; its ``state`` (the best value so far and the evaluations since) goes into a
/// checkpoint, so a resumed run stops exactly when the uninterrupted one would have.
///
/// ```swift
/// var stopping = try EarlyStopping(lossBelow: 0.05, patience: 3, minDelta: 1e-3, mode: .min)
/// let (loss, validationLoss) = (0.31, 0.42)   // the step's, the evaluation's
/// if case .stop(let reason) = stopping.observe(trainingLoss: loss) { print(reason); return }
/// if case .stop(let reason) = stopping.observe(validation: validationLoss) { print(reason); return }
/// let saved = stopping.state   // kept in checkpoints as CheckpointState.earlyStopping
/// ```
public struct EarlyStopping: Equatable, Sendable {
    /// Whether a smaller (`min`, for losses) or larger (`max`, for accuracies) metric is better.
    public enum Mode: String, Sendable {
        case min, max
    }

    /// Why training should stop.
    public enum StopReason: Equatable, Sendable, CustomStringConvertible {
        case lossBelowThreshold(loss: Double, threshold: Double)
        case noImprovement(evaluations: Int, best: Double)

        public var description: String {
            switch self {
            case let .lossBelowThreshold(loss, threshold):
                return "training loss \(loss) < \(threshold)"
            case let .noImprovement(evaluations, best):
                return "no validation improvement in \(evaluations) evaluations (best \(best))"
            }
        }
    }

    /// The answer to an observation.
    public enum Decision: Equatable, Sendable {
        case continueTraining
        case stop(StopReason)
    }

    // Settings.
    /// Stop when a training loss is strictly below this; `nil` disables. Key `loss_below`.
    public let lossThreshold: Double?
    /// Stop after this many evaluations without improvement; `nil` disables. Key `patience`.
    public let patience: Int?
    /// An evaluation improves only if it beats the best by more than this. Key `min_delta`.
    public let minDelta: Double
    /// Key `mode`.
    public let mode: Mode

    /// What it has observed so far.
    public var state = EarlyStoppingState()
    /// The best validation value seen so far, or `nil` before the first evaluation.
    public var best: Double? { state.best }
    /// Evaluations since the best one.
    public var evaluationsWithoutImprovement: Int { state.evaluationsWithoutImprovement }

    /// - Throws: ``OptimizerError/invalidHyperparameter(key:value:reason:)`` naming
    ///   `loss_below` (not finite), `patience` (< 1) or `min_delta` (< 0).
    public init(lossBelow lossThreshold: Double? = nil, patience: Int? = nil,
                minDelta: Double = 0, mode: Mode = .min) throws {
        if let lossThreshold, !lossThreshold.isFinite {
            throw OptimizerError.invalidHyperparameter(
                key: "loss_below", value: "\(lossThreshold)", reason: "must be a finite number")
        }
        if let patience { try requireAtLeast(patience, 1, key: "patience") }
        try requireNonNegative(minDelta, key: "min_delta")
        self.lossThreshold = lossThreshold
        self.patience = patience
        self.minDelta = minDelta
        self.mode = mode
    }

    /// Observes a training loss: stop if it is below the threshold.
    public func observe(trainingLoss loss: Double) -> Decision {
        if let lossThreshold, loss < lossThreshold {
            return .stop(.lossBelowThreshold(loss: loss, threshold: lossThreshold))
        }
        return .continueTraining
    }

    /// Observes one validation result: records it if it improves on the best by more than
    /// `minDelta` (a NaN never improves), else counts one more evaluation without improvement
    /// and stops when that count reaches `patience`.
    public mutating func observe(validation value: Double) -> Decision {
        if isImprovement(value) {
            state.best = value
            state.evaluationsWithoutImprovement = 0
            return .continueTraining
        }
        state.evaluationsWithoutImprovement += 1
        if let patience, evaluationsWithoutImprovement >= patience {
            return .stop(.noImprovement(evaluations: evaluationsWithoutImprovement, best: best ?? .nan))
        }
        return .continueTraining
    }

    private func isImprovement(_ value: Double) -> Bool {
        guard !value.isNaN else { return false }
        guard let best else { return true }
        switch mode {
        case .min: return value < best - minDelta
        case .max: return value > best + minDelta
        }
    }
}

/// The observations of an ``EarlyStopping``, as a checkpoint stores them:
/// `{"best": 0.31, "evaluations_without_improvement": 2}`.
public struct EarlyStoppingState: Codable, Equatable, Sendable {
    /// The best validation value seen so far, or `nil` before the first evaluation.
    public var best: Double?
    /// Evaluations since the best one.
    public var evaluationsWithoutImprovement: Int

    public init(best: Double? = nil, evaluationsWithoutImprovement: Int = 0) {
        self.best = best
        self.evaluationsWithoutImprovement = evaluationsWithoutImprovement
    }

    enum CodingKeys: String, CodingKey {
        case best
        case evaluationsWithoutImprovement = "evaluations_without_improvement"
    }
}
