import ShoalTensor

extension ParameterArena.Entry {
    /// Throws unless the entries have distinct names, non-negative offsets and counts,
    /// and do not overlap. Returns the arena length they need (the largest `end`).
    static func validate(_ entries: [ParameterArena.Entry]) throws -> Int {
        var names = Set<String>()
        for entry in entries {
            guard entry.offset >= 0, entry.count >= 0, entry.shape.allSatisfy({ $0 >= 0 }) else {
                throw OptimizerError.invalidParameterEntry(
                    name: entry.name,
                    reason: "offset \(entry.offset), shape \(entry.shape): must not be negative")
            }
            guard names.insert(entry.name).inserted else {
                throw OptimizerError.invalidParameterEntry(name: entry.name, reason: "name appears twice")
            }
        }
        let sorted = entries.sorted { $0.offset < $1.offset }
        for (previous, next) in zip(sorted, sorted.dropFirst()) where previous.end > next.offset {
            throw OptimizerError.invalidParameterEntry(
                name: next.name,
                reason: "elements [\(next.offset), \(next.end)) overlap \(previous.name) [\(previous.offset), \(previous.end))")
        }
        return sorted.last?.end ?? 0
    }
}
