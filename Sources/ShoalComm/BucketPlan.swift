/// How the flat gradient arena is cut into all-reduce buckets: pure data, no communication.
///
/// Buckets are consecutive slices of about `bucketElements` elements. Parameters are laid out in
/// reverse execution order, so backward finishes the arena front to back and bucket k can be
/// sent as soon as backward has written past its end.
///
/// ```swift
/// let plan = BucketPlan(elementCount: 235_146, bucketElements: 1 << 20)
/// plan.buckets          // [0..<235146]
/// plan.readyCount(finishedUpTo: 100_000)   // 0: bucket 0 is not complete yet
/// ```
public struct BucketPlan: Equatable, Sendable {
    /// The element ranges of the buckets, front to back, covering the arena exactly.
    public let buckets: [Range<Int>]

    public init(elementCount: Int, bucketElements: Int) {
        precondition(elementCount >= 0 && bucketElements > 0)
        buckets = stride(from: 0, to: elementCount, by: bucketElements).map { $0..<min($0 + bucketElements, elementCount) }
    }

    /// The number of leading buckets whose every element lies below `offset`.
    public func readyCount(finishedUpTo offset: Int) -> Int {
        var low = 0, high = buckets.count
        while low < high {
            let mid = (low + high) / 2
            if buckets[mid].upperBound <= offset { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
