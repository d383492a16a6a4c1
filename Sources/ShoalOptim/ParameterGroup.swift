import ShoalTensor
/// Regularisation and learning-rate options for a group of parameters.
///
/// ```swift
/// let defaults = GroupOptions(weightDecay: 0.01)
/// let noDecay = ParameterGroup(pattern: "*.bias", options: GroupOptions(weightDecay: 0))
/// ```
public struct GroupOptions: Equatable, Sendable {
    /// L2 penalty. Coupled (`g += wd·w`) for SGD, momentum, Nesterov and Adam;
    /// decoupled (`w -= lr·wd·w`) for AdamW. Config key `weight_decay`.
    public var weightDecay: Float
    /// L1 penalty, added to the gradient as `g += l1·sign(w)` (with sign(0) = 0). Key `l1`.
    public var l1: Float
    /// The group's learning rate is `lrScale ×` the scheduled rate. Key `lr_scale`.
    public var lrScale: Float

    public init(weightDecay: Float = 0, l1: Float = 0, lrScale: Float = 1) {
        self.weightDecay = weightDecay
        self.l1 = l1
        self.lrScale = lrScale
    }

    /// Throws ``OptimizerError/invalidHyperparameter(key:value:reason:)`` naming
    /// `prefix + "weight_decay"`, `prefix + "l1"` or `prefix + "lr_scale"`.
    public func validate(keyPrefix prefix: String = "") throws {
        try requireNonNegative(weightDecay, key: prefix + "weight_decay")
        try requireNonNegative(l1, key: prefix + "l1")
        try requireNonNegative(lrScale, key: prefix + "lr_scale")
    }
}

/// Options for the parameters whose names match a glob `pattern` (see ``globMatches(_:_:)``).
/// Groups are tried in order; the first match wins; unmatched parameters use the defaults.
///
/// ```swift
/// let groups = [
///     ParameterGroup(pattern: "*.bias", options: GroupOptions(weightDecay: 0)),
///     ParameterGroup(pattern: "*norm*", options: GroupOptions(weightDecay: 0)),
/// ]
/// ```
public struct ParameterGroup: Equatable, Sendable {
    public var pattern: String
    /// Match only tensors of this many dimensions (nanoGPT decays tensors of rank ≥ 2 only); nil: any.
    public var rank: Int?
    public var options: GroupOptions

    public init(pattern: String, rank: Int? = nil, options: GroupOptions) {
        self.pattern = pattern
        self.rank = rank
        self.options = options
    }

    func matches(_ entry: ParameterArena.Entry) -> Bool {
        (rank == nil || entry.shape.count == rank) && globMatches(pattern, entry.name)
    }
}

/// A contiguous run of the arena updated with one set of options: the unit of the step loop.
struct UpdateRange: Equatable, Sendable {
    var start: Int
    var count: Int
    var options: GroupOptions
}

extension ParameterGroup {
    /// Options for `entry`: the first group that matches it, else `defaults`.
    static func options(for entry: ParameterArena.Entry, groups: [ParameterGroup], defaults: GroupOptions) -> (GroupOptions, matched: Int?) {
        for (index, group) in groups.enumerated() where group.matches(entry) {
            return (group.options, index)
        }
        return (defaults, nil)
    }

    /// Resolves every entry to its options once, at init, and merges neighbouring entries
    /// with equal options, so a step is a handful of long loops whatever the model.
    /// Also returns the patterns that matched no entry (likely a typo in a config).
    static func updateRanges(entries: [ParameterArena.Entry], groups: [ParameterGroup], defaults: GroupOptions)
        -> (ranges: [UpdateRange], unmatchedPatterns: [String])
    {
        var used = Array(repeating: false, count: groups.count)
        var ranges: [UpdateRange] = []
        for entry in entries.sorted(by: { $0.offset < $1.offset }) where entry.count > 0 {
            let (options, matched) = options(for: entry, groups: groups, defaults: defaults)
            if let matched { used[matched] = true }
            if let last = ranges.last, last.start + last.count == entry.offset, last.options == options {
                ranges[ranges.count - 1].count += entry.count
            } else {
                ranges.append(UpdateRange(start: entry.offset, count: entry.count, options: options))
            }
        }
        let unmatched = zip(groups, used).filter { !$0.1 }.map { $0.0.pattern }
        return (ranges, unmatched)
    }
}
