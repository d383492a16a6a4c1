import ShoalTensor

/// A token stream cut into the windows a language model trains on: the inputs are `blockSize`
/// tokens from a start position, the targets the same tokens shifted by one.
///
/// Training windows start where the run's Philox stream keyed by (seed, step, slot) says, slot
/// being the window's place in the global batch: the batch of a step is the same whatever the
/// number of ranks, and every start in `0 ... count − blockSize − 1` is equally likely. An epoch is
/// ⌊(count − 1) / blockSize⌋ windows, as many tokens as the stream holds.
///
/// ```swift
/// let corpus = try TextCorpus.load(path: "/usr/share/games/fortunes")
/// let windows = try TokenWindows(tokens: corpus.tokens, blockSize: 128, seed: 1337)
/// windows.start(step: 0, slot: 3)   // the same on every rank
/// ```
public struct TokenWindows: Sendable {
    public let stream: any TokenStream
    public let blockSize: Int
    let rng: Philox

    /// - Throws: ``DataError/invalidArgument(_:)`` if the stream is not longer than `blockSize`.
    public init(stream: any TokenStream, blockSize: Int, seed: UInt64) throws(DataError) {
        guard blockSize >= 1, stream.count > blockSize else {
            throw .invalidArgument("\(stream.count) tokens cannot hold a window of block_size + 1 = \(blockSize + 1) tokens")
        }
        self.stream = stream
        self.blockSize = blockSize
        rng = Philox(seed: seed).derived(0x7E47_5000)
    }

    /// Windows over tokens held in memory.
    public init(tokens: [Int32], blockSize: Int, seed: UInt64) throws(DataError) {
        try self.init(stream: TokenArray(tokens), blockSize: blockSize, seed: seed)
    }

    /// Windows per epoch.
    public var count: Int { (stream.count - 1) / blockSize }

    /// The first token of the window in slot `slot` of step `step`.
    public func start(step: Int, slot: Int) -> Int {
        Int(rng.derived(UInt64(step)).uniformInt(below: UInt64(stream.count - blockSize), at: UInt64(slot)))
    }

    /// Writes the windows of slots `slots` of step `step`, one after another: `features` gets
    /// `slots.count × blockSize` input tokens, `targets` as many next tokens. Allocates nothing.
    public func gather(step: Int, slots: Range<Int>, features: UnsafeMutableBufferPointer<Float>,
                       targets: UnsafeMutableBufferPointer<Float>) {
        let T = blockSize
        precondition(features.count >= slots.count * T && targets.count >= slots.count * T, "window buffers too small")
        for (row, slot) in slots.enumerated() {
            let s = start(step: step, slot: slot)
            stream.read(s..<s + T, into: UnsafeMutableBufferPointer(rebasing: features[row * T ..< row * T + T]))
            stream.read(s + 1..<s + T + 1, into: UnsafeMutableBufferPointer(rebasing: targets[row * T ..< row * T + T]))
            stream.release(s..<s + T + 1)
        }
    }

    /// The first `limit` (nil: all) consecutive, non-overlapping windows of the stream (the last
    /// partial one dropped): the fixed samples a split is evaluated on.
    public func consecutive(classCount: Int, limit: Int? = nil) throws -> Dataset {
        let T = blockSize, n = min(count, limit ?? .max)
        var features = [Float](repeating: 0, count: n * T), targets = [Float](repeating: 0, count: n * T)
        features.withUnsafeMutableBufferPointer { f in
            targets.withUnsafeMutableBufferPointer { t in
                for w in 0..<n {
                    stream.read(w * T..<w * T + T, into: UnsafeMutableBufferPointer(rebasing: f[w * T ..< w * T + T]))
                    stream.read(w * T + 1..<w * T + T + 1, into: UnsafeMutableBufferPointer(rebasing: t[w * T ..< w * T + T]))
                }
            }
        }
        return try Dataset(featureShape: [T], features: features, targets: targets, targetWidth: T, classCount: classCount)
    }
}
