/// All trainable parameters of a model in one contiguous `Float` buffer, and their gradients in
/// another of the same layout; each named tensor (`layers.0.weight`) is a slice of both.
///
/// Tensors are laid out in REVERSE execution order: the last layer's tensors come first. Backward
/// finishes the last layer first, so the gradient arena fills front to back and a gradient bucket
/// `[0, k)` is complete as soon as backward has passed the layers it covers. Within one layer the
/// order is weight, then bias. There is no padding between tensors: `count` equals the model's
/// parameter count, and a bucket, a checkpoint or an optimizer step is one loop over one buffer.
///
/// ```swift
/// let arena = ParameterArena(executionOrder: [("layers.0.weight", [4, 3]), ("layers.0.bias", [4]),
///                                             ("layers.1.weight", [2, 4]), ("layers.1.bias", [2])])
/// arena.entries.map(\.name)   // ["layers.1.weight", "layers.1.bias", "layers.0.weight", "layers.0.bias"]
/// arena.entry(named: "layers.0.bias")!.offset   // 22
/// arena.zeroGradients()
/// ```
public final class ParameterArena {
    /// One named tensor: `count` elements at `offset` in both `parameters` and `gradients`.
    public struct Entry: Sendable, Equatable {
        public let name: String
        /// PyTorch layout: Dense weight (out, in); Conv2D weight (out_channels, in_channels, kh, kw).
        public let shape: [Int]
        public let offset: Int
        public var count: Int { shape.reduce(1, *) }
        /// The arena index just past the tensor.
        public var end: Int { offset + count }

        public init(name: String, shape: [Int], offset: Int) {
            self.name = name
            self.shape = shape
            self.offset = offset
        }
    }

    /// Total number of scalars (no padding).
    public let count: Int
    /// In arena order (reverse execution order).
    public let entries: [Entry]
    /// The parameters, 64-byte aligned, `count` long. Owned by the arena.
    public let parameters: UnsafeMutableBufferPointer<Float>
    /// The gradients, same layout as `parameters`. Backward accumulates into them.
    public let gradients: UnsafeMutableBufferPointer<Float>
    private let index: [String: Int]

    /// Lays out `executionOrder` (name, shape) pairs, given in the order the forward pass uses
    /// them, into two zeroed buffers in reverse layer order.
    ///
    /// Pairs are grouped into layers by their name up to the last dot (`layers.3` for
    /// `layers.3.weight`); layer groups are reversed, the order inside a group is kept.
    public init(executionOrder: [(name: String, shape: [Int])]) {
        var groups: [[(name: String, shape: [Int])]] = []
        var lastPrefix: Substring? = nil
        for item in executionOrder {
            let prefix = item.name.lastIndex(of: ".").map { item.name[..<$0] } ?? Substring(item.name)
            if prefix == lastPrefix, !groups.isEmpty { groups[groups.count - 1].append(item) } else { groups.append([item]) }
            lastPrefix = prefix
        }
        var entries: [Entry] = [], offset = 0
        for item in groups.reversed().joined() {
            entries.append(Entry(name: item.name, shape: item.shape, offset: offset))
            offset += item.shape.reduce(1, *)
        }
        self.entries = entries
        count = offset
        parameters = allocateFloats(offset)
        gradients = allocateFloats(offset)
        index = Dictionary(entries.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
    }

    deinit {
        parameters.baseAddress?.deallocate()
        gradients.baseAddress?.deallocate()
    }

    /// The tensor called `name` (e.g. `layers.0.weight`), or nil.
    public func entry(named name: String) -> Entry? { index[name].map { entries[$0] } }

    /// The parameter slice of `entry`.
    public func parameters(of entry: Entry) -> UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(rebasing: parameters[entry.offset..<entry.offset + entry.count])
    }

    /// The gradient slice of `entry`.
    public func gradients(of entry: Entry) -> UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(rebasing: gradients[entry.offset..<entry.offset + entry.count])
    }

    /// Sets every gradient to 0 (backward accumulates, so the caller does this before a step).
    public func zeroGradients() {
        if let p = gradients.baseAddress { zero(p, count: count) }
    }
}
