/// One named tensor of the flat parameter arena: `count` Floats starting at `offset`.
///
/// The optimizer does not depend on ShoalNN; the model hands it its parameter table as plain
/// slices. The same table names the optimizer's state tensors in a checkpoint.
///
/// ```swift
/// let slices = [
///     ParameterSlice(name: "layers.0.weight", offset: 0, shape: [128, 784]),
///     ParameterSlice(name: "layers.0.bias", offset: 100_352, count: 128),
/// ]
/// ```
public struct ParameterSlice: Sendable, Equatable {
    /// Checkpoint name of the tensor, e.g. `layers.0.weight`.
    public let name: String
    /// Index of the first element in the arena.
    public let offset: Int
    /// Number of elements.
    public let count: Int
    /// Shape for checkpoints; its product is `count`. `[count]` unless given.
    public let shape: [Int]

    /// A slice of a one-dimensional tensor of `count` elements.
    public init(name: String, offset: Int, count: Int) {
        self.name = name
        self.offset = offset
        self.count = count
        self.shape = [count]
    }

    /// A slice holding a tensor of the given shape (row-major), `count` = product of `shape`.
    public init(name: String, offset: Int, shape: [Int]) {
        self.name = name
        self.offset = offset
        self.count = shape.reduce(1, *)
        self.shape = shape
    }

    /// The arena index just past the slice.
    public var end: Int { offset + count }
}

extension ParameterSlice {
    /// Throws unless the slices have distinct names, non-negative offsets and counts,
    /// and do not overlap. Returns the arena length they need (the largest `end`).
    static func validate(_ slices: [ParameterSlice]) throws -> Int {
        var names = Set<String>()
        for slice in slices {
            guard slice.offset >= 0, slice.count >= 0, slice.shape.allSatisfy({ $0 >= 0 }) else {
                throw OptimizerError.invalidParameterSlice(
                    name: slice.name,
                    reason: "offset \(slice.offset), shape \(slice.shape): must not be negative")
            }
            guard names.insert(slice.name).inserted else {
                throw OptimizerError.invalidParameterSlice(name: slice.name, reason: "name appears twice")
            }
        }
        let sorted = slices.sorted { $0.offset < $1.offset }
        for (previous, next) in zip(sorted, sorted.dropFirst()) where previous.end > next.offset {
            throw OptimizerError.invalidParameterSlice(
                name: next.name,
                reason: "elements [\(next.offset), \(next.end)) overlap \(previous.name) [\(previous.offset), \(previous.end))")
        }
        return sorted.last?.end ?? 0
    }
}
