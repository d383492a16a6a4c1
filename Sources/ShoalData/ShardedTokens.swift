import ShoalFormats

/// Token shards read as one sequence, in order: the training (or validation) part of a prepared
/// corpus. The shards stay memory-mapped; reading a window touches only its pages, so memory
/// does not grow with the corpus. A window may span two shards.
///
/// ```swift
/// let corpus = try PreparedCorpus(directory: "data/fortunes-tokens")
/// let train = ShardedTokens(corpus.train, identity: corpus.manifestHash)
/// train.count   // the tokens of every training shard
/// ```
public struct ShardedTokens: TokenStream {
    public let shards: [TokenShard]
    /// `starts[i]` is the position of shard i's first token; `starts.last` is `count`.
    let starts: [Int]
    public let identity: String

    /// - Parameter identity: what the ranks compare at the start of a run (the manifest's hash).
    public init(_ shards: [TokenShard], identity: String) {
        self.shards = shards
        var starts = [0]
        for shard in shards { starts.append(starts.last! + shard.count) }
        self.starts = starts
        self.identity = identity
    }

    public var count: Int { starts.last! }

    public func read(_ range: Range<Int>, into out: UnsafeMutableBufferPointer<Float>) {
        var position = range.lowerBound, shard = shardIndex(containing: position)
        while position < range.upperBound {
            let end = min(range.upperBound, starts[shard + 1])
            shards[shard].copy(from: position - starts[shard], count: end - position,
                               into: UnsafeMutableBufferPointer(rebasing: out[(position - range.lowerBound)...]))
            position = end
            shard += 1
        }
    }

    public func release(_ range: Range<Int>) {
        var shard = shardIndex(containing: range.lowerBound)
        while shard < shards.count && starts[shard] < range.upperBound {
            let low = max(range.lowerBound, starts[shard]), high = min(range.upperBound, starts[shard + 1])
            if low < high { shards[shard].releasePages(from: low - starts[shard], count: high - low) }
            shard += 1
        }
    }

    /// The shard holding `position` (binary search over the starts).
    private func shardIndex(containing position: Int) -> Int {
        var low = 0, high = shards.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if starts[mid] <= position { low = mid } else { high = mid - 1 }
        }
        return low
    }
}
