#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ShoalTensor

/// What a model's buffers may take, charged as they are allocated: parameters, gradients,
/// activations and every layer's own buffers, for `maxBatch` samples. A config with huge extents
/// (`units: 100000000000`, `input: [4611686018427387904]`) is then refused with a message
/// instead of trapping on an overflowing product or failing to allocate.
///
/// ```swift
/// let memory = ModelMemory()                  // at most this machine's physical memory
/// let (T, units) = (128, 256)
/// let buffers = try memory.floats([[64, T, 4 * units], [64, units]], for: LayerPlace(index: 2), "LSTM")
/// ```
final class ModelMemory {
    /// The machine's physical memory in bytes: a model that needs more could only be killed.
    static let physical: Int = {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        return pages > 0 && size > 0 ? pages.multipliedReportingOverflow(by: size).partialValue : Int.max
    }()

    let limit: Int
    private(set) var bytes = 0

    init(limit: Int = ModelMemory.physical) { self.limit = limit }

    /// The product of `factors` (a buffer's extents), or an error if it overflows `Int`.
    func count(_ factors: [Int], for place: LayerPlace, _ layer: String) throws(ModelError) -> Int {
        guard let n = elementCount(of: factors) else {
            throw place.fail(layer, "a buffer of \(factors.map(String.init).joined(separator: " × ")) floats is beyond any machine's memory")
        }
        return n
    }

    /// Counts `count` floats against the limit.
    func charge(_ count: Int, _ what: () -> ModelError) throws(ModelError) {
        let (more, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<Float>.stride)
        let (total, over) = bytes.addingReportingOverflow(more)
        guard !overflow, !over, total <= limit else { throw what() }
        bytes = total
    }

    /// Zeroed buffers of product(`factors`) floats each, all charged before any is allocated: a
    /// layer's init that threw after allocating would leak (its deinit never runs).
    func floats(_ buffers: [[Int]], for place: LayerPlace, _ layer: String) throws(ModelError) -> [UnsafeMutableBufferPointer<Float>] {
        var counts: [Int] = []
        for factors in buffers { counts.append(try count(factors, for: place, layer)) }
        for n in counts { try charge(n) { place.fail(layer, tooMuch(n)) } }
        return counts.map(allocateFloats)
    }

    /// Why `count` more floats cannot be had, for messages.
    func tooMuch(_ count: Int) -> String {
        "buffers (\(gigabytes(Double(count) * 4))) take the model's memory past \(gigabytes(Double(limit))), "
            + (limit == ModelMemory.physical ? "this machine's memory" : "the limit") + "; use smaller layers or a smaller training.micro_batch"
    }

    private func gigabytes(_ bytes: Double) -> String {
        let gb = bytes / 1_073_741_824
        return gb >= 0.1 ? "\((gb * 10).rounded() / 10) GB" : "\(Int((bytes / 1_048_576).rounded(.up))) MB"
    }
}
