import ShoalTensor

/// Buffers that live only during one call, shared by every layer that asks under the same key:
/// attention's input gradients exist only while one attention layer's backward runs, a
/// residual block's inner gradients only while one block at that nesting depth runs its inner
/// chain. No two holders of a key are ever in such a call at once, so they can use the same
/// memory: a GPT's backward scratch is one block's, not one per block.
///
/// Layers reserve while the model is built; the model then allocates each key once at its
/// largest size, and layers look their buffers up in `bind`, before any step.
final class SharedScratch {
    private var reserved: [String: Int] = [:]
    private var buffers: [String: UnsafeMutableBufferPointer<Float>] = [:]

    /// Asks for `count` Floats under `key` (the largest request of a key wins).
    func reserve(_ key: String, count: Int) { reserved[key] = max(reserved[key] ?? 0, count) }

    /// Floats reserved under each key, at its largest request.
    var reservedCounts: [Int] { Array(reserved.values) }

    /// Allocates every key; called once, after the last layer is built.
    func allocate() {
        for (key, count) in reserved where buffers[key] == nil { buffers[key] = allocateFloats(count) }
    }

    /// The buffer of `key`, after `allocate()`; a key that was never reserved is a bug in a layer.
    func buffer(_ key: String) -> UnsafeMutablePointer<Float> {
        guard let buffer = buffers[key]?.baseAddress else { preconditionFailure("SharedScratch: '\(key)' was not reserved and allocated") }
        return buffer
    }

    var bytes: Int { buffers.values.reduce(0) { $0 + $1.count } * 4 }
    var addresses: [UnsafeMutableRawPointer?] { buffers.sorted { $0.key < $1.key }.map { UnsafeMutableRawPointer($0.value.baseAddress) } }

    deinit { for buffer in buffers.values { buffer.baseAddress?.deallocate() } }
}
