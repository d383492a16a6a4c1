import Foundation

/// A language model's data: training windows drawn at random from the training tokens, and the
/// consecutive windows that evaluation reads, with the text codec the ids belong to.
///
/// A character corpus is split by position: the first `1 − validationFraction` of the
/// characters train, the rest validate. Token shards come split by `shoal data prepare`.
///
/// ```swift
/// let corpus = try TextCorpus.load(path: "/usr/share/games/fortunes")
/// let splits = try TextSplits(corpus: corpus, validationFraction: 0.1, blockSize: 128, seed: 1337)
/// splits.unigramBaseline   // 3.3756 nats/char on the fortunes corpus
/// ```
public struct TextSplits: Sendable {
    /// The characters or the tokenizer the ids belong to.
    public let codec: TextCodec
    /// Random training windows, keyed by (seed, step, slot).
    public let windows: TokenWindows
    /// The training part as consecutive windows (for evaluation).
    public let trainWindows: Dataset
    /// The validation part as consecutive windows.
    public let validationWindows: Dataset
    /// The validation characters' cross-entropy, in nats per character, under the training
    /// part's character frequencies (add-one smoothed over the vocabulary): the loss of a model
    /// that learned only how often each character occurs, the baseline to beat. Nil for token
    /// shards, whose training part is not read whole.
    public let unigramBaseline: Double?
    /// `tokenTextBytes[id]`: the UTF-8 bytes of text token `id` stands for (see
    /// ``TextCodec/textByteCounts()``).
    public let tokenTextBytes: [Int]

    /// The splits of a character corpus; `evalWindows` keeps the first windows of each for
    /// evaluation (training still draws from the whole training part).
    ///
    /// - Throws: ``DataError/invalidArgument(_:)`` if either part is too short for one window.
    public init(corpus: TextCorpus, validationFraction: Double, blockSize: Int, seed: UInt64,
                evalWindows: Int? = nil) throws {
        let cut = Int((Double(corpus.tokens.count) * (1 - validationFraction)).rounded(.down))
        let train = Array(corpus.tokens[..<cut]), validation = Array(corpus.tokens[cut...])
        let V = corpus.vocabulary.count
        guard validation.count > blockSize else {
            throw DataError.invalidArgument("the validation part holds \(validation.count) characters, fewer than a window of "
                + "block_size + 1 = \(blockSize + 1); raise data.validation_fraction or use a longer text")
        }
        var counts = [Int](repeating: 0, count: V)
        for t in train { counts[Int(t)] += 1 }
        var total = 0.0
        for t in validation { total -= log(Double(counts[Int(t)] + 1) / Double(train.count + V)) }
        try self.init(codec: .characters(corpus.vocabulary), train: TokenArray(train), validation: TokenArray(validation),
                      blockSize: blockSize, seed: seed, evalWindows: evalWindows,
                      unigramBaseline: total / Double(validation.count))
    }

    /// The splits of token streams already divided into training and validation parts.
    ///
    /// - Throws: ``DataError/invalidArgument(_:)`` if either part is too short for one window.
    public init(codec: TextCodec, train: any TokenStream, validation: any TokenStream, blockSize: Int, seed: UInt64,
                evalWindows: Int? = nil, unigramBaseline: Double? = nil) throws {
        guard validation.count > blockSize else {
            throw DataError.invalidArgument("the validation part holds \(validation.count) \(codec.unit)s, fewer than a window of "
                + "block_size + 1 = \(blockSize + 1)")
        }
        self.codec = codec
        windows = try TokenWindows(stream: train, blockSize: blockSize, seed: seed)
        let validationAll = try TokenWindows(stream: validation, blockSize: blockSize, seed: seed)
        validationWindows = try validationAll.consecutive(classCount: codec.count, limit: evalWindows)
        trainWindows = try windows.consecutive(classCount: codec.count, limit: evalWindows)
        self.unigramBaseline = unigramBaseline
        tokenTextBytes = codec.textByteCounts()
    }

    /// UTF-8 bytes of text per target token of `windows` (special tokens count none): nats per
    /// token over this, divided by ln 2, is bits per byte.
    public func bytesPerToken(of windows: Dataset) -> Double {
        var total = 0
        for t in windows.targets { total += tokenTextBytes[Int(t)] }
        return Double(total) / Double(max(windows.targets.count, 1))
    }

    /// What the run trains on, for its first line: "2318964 training characters (113 distinct,
    /// unigram baseline 3.3756 nats/char)" or "1048576 training tokens (vocabulary of 512)".
    public var summary: String {
        switch codec {
        case .characters(let vocabulary):
            return "\(windows.stream.count) training characters (\(vocabulary.count) distinct"
                + (unigramBaseline.map { String(format: ", unigram baseline %.4f nats/char", $0) } ?? "") + ")"
        case .bytePairs(let encoder):
            return "\(windows.stream.count) training tokens (vocabulary of \(encoder.vocabularySize))"
        }
    }

}
