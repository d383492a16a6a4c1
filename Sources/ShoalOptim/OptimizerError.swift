/// Why an optimizer, schedule or stopping rule cannot be built from the given settings.
///
/// Every case names the offending key as it is spelled in a run config, relative to its
/// section (`lr`, `beta1`, `weight_decay`, `warmup_steps`, ...), so the config layer can prefix
/// it with `optimizer.` or `schedule.` and the file name:
///
/// ```swift
/// let entries = [ParameterArena.Entry(name: "layers.0.weight", shape: [4], offset: 0)]
/// do {
///     _ = try Optimizer(kind: .adam(beta1: 1.5, beta2: 0.999, eps: 1e-8), entries: entries,
///                       defaults: GroupOptions())
/// } catch let error as OptimizerError {
///     print("configs/run.yaml: optimizer.\(error)")  // configs/run.yaml: optimizer.beta1 = 1.5: must be in [0, 1)
/// }
/// ```
public enum OptimizerError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A hyperparameter outside its legal range: `key` as spelled in the config, `value` as
    /// given, and the rule it breaks.
    case invalidHyperparameter(key: String, value: String, reason: String)
    /// A parameter entry that cannot be laid over the arena (negative offset, overlap, ...).
    case invalidParameterEntry(name: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidHyperparameter(key, value, reason):
            return "\(key) = \(value): \(reason)"
        case let .invalidParameterEntry(name, reason):
            return "parameter \(name): \(reason)"
        }
    }

    /// The config key of an invalid hyperparameter, or `nil` for other errors.
    public var key: String? {
        if case let .invalidHyperparameter(key, _, _) = self { return key }
        return nil
    }
}

// MARK: - Range checks shared by the optimizer, the schedules and early stopping.

/// Throws unless `value` is finite and `value >= 0`.
func requireNonNegative<T: BinaryFloatingPoint>(_ value: T, key: String) throws {
    guard value.isFinite, value >= 0 else {
        throw OptimizerError.invalidHyperparameter(
            key: key, value: "\(value)", reason: "must be a finite number >= 0")
    }
}

/// Throws unless `value` is finite and `value > 0`.
func requirePositive<T: BinaryFloatingPoint>(_ value: T, key: String) throws {
    guard value.isFinite, value > 0 else {
        throw OptimizerError.invalidHyperparameter(
            key: key, value: "\(value)", reason: "must be a finite number > 0")
    }
}

/// Throws unless `0 <= value < 1`.
func requireUnitInterval<T: BinaryFloatingPoint>(_ value: T, key: String) throws {
    guard value >= 0, value < 1 else {
        throw OptimizerError.invalidHyperparameter(
            key: key, value: "\(value)", reason: "must be in [0, 1)")
    }
}

/// Throws unless `value >= minimum`.
func requireAtLeast(_ value: Int, _ minimum: Int, key: String) throws {
    guard value >= minimum else {
        throw OptimizerError.invalidHyperparameter(
            key: key, value: "\(value)", reason: "must be an integer >= \(minimum)")
    }
}
