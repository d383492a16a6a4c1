import ShoalFormats

/// A sequence of token ids that a language model's windows are read from: a character corpus
/// held in memory (``TokenArray``), or token shards memory-mapped from disk and read as one
/// sequence (``ShardedTokens``).
///
/// ```swift
/// let stream = TokenArray([5, 6, 7, 8])
/// var out = [Float](repeating: 0, count: 2)
/// out.withUnsafeMutableBufferPointer { stream.read(1..<3, into: $0) }
/// out   // [6, 7]
/// ```
public protocol TokenStream: Sendable {
    /// The number of tokens.
    var count: Int { get }
    /// Writes the tokens at `range` into `out` (`out.count ≥ range.count`), as Floats: the
    /// model's input and target buffers hold token ids as exact Floats (ids < 2^24).
    /// Allocates nothing.
    func read(_ range: Range<Int>, into out: UnsafeMutableBufferPointer<Float>)
    /// What the ranks compare at the start of a run to know they read the same data: the
    /// SHA-256 of the tokens held in memory; for shards, of their manifest (not gigabytes).
    var identity: String { get }
    /// Tells the stream that `range` was read and is not needed again soon: memory-mapped
    /// shards give its pages back (the page cache keeps them), so that the process's memory
    /// does not grow with the corpus. Nothing for tokens held in memory.
    func release(_ range: Range<Int>)
}

extension TokenStream {
    public func release(_ range: Range<Int>) {}
}

/// Token ids held in memory.
public struct TokenArray: TokenStream {
    public let tokens: [Int32]

    public init(_ tokens: [Int32]) { self.tokens = tokens }

    public var count: Int { tokens.count }

    public var identity: String { tokens.withUnsafeBytes { sha256Hex(of: $0) } }

    public func read(_ range: Range<Int>, into out: UnsafeMutableBufferPointer<Float>) {
        tokens.withUnsafeBufferPointer { t in
            for (i, position) in range.enumerated() { out[i] = Float(t[position]) }
        }
    }
}
