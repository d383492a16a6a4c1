import Foundation
import ShoalTensor

/// A UTF-8 text, read from one file or every file of a directory, as a sequence of character
/// tokens over its ``Vocabulary``: the data of a character-level language model.
///
/// A directory is read as ``textFiles(at:setting:)`` lists it (sorted names; no hidden files,
/// subdirectories, symbolic links or `.dat` files), concatenated with no separator. Characters
/// are Unicode scalars, not graphemes: "é" written as e + U+0301 is two.
///
/// ```swift
/// let corpus = try TextCorpus.load(path: "/usr/share/games/fortunes")
/// corpus.tokens.count          // 2_576_627
/// corpus.vocabulary.count      // 113
/// corpus.files.count           // 43
/// ```
public struct TextCorpus: Sendable {
    /// The files read, in the order they were concatenated.
    public let files: [String]
    /// Sorted distinct characters of the whole text.
    public let vocabulary: Vocabulary
    /// Every character of the text as its vocabulary index.
    public let tokens: [Int32]

    /// Reads `path` (a file, or a directory as above).
    ///
    /// - Throws: ``DataError/unreadable(file:reason:)`` for a missing or unreadable path, a
    ///   directory with no text file, or a file that is not valid UTF-8 (with the byte offset);
    ///   ``DataError/invalidArgument(_:)`` for an empty text.
    public static func load(path: String) throws(DataError) -> TextCorpus {
        let files = try textFiles(at: path, setting: "data.text.path")
        var scalars: [Unicode.Scalar] = []
        for file in files {
            let text = try readText(file: file)
            scalars.append(contentsOf: text.unicodeScalars)
        }
        guard !scalars.isEmpty else { throw .invalidArgument("\(path): the text is empty") }
        let vocabulary = Vocabulary(characters: Set(scalars).sorted())
        return TextCorpus(files: files, vocabulary: vocabulary, tokens: scalars.map { vocabulary.index(of: $0)! })
    }
}

/// The characters a language model reads and writes, token i being `characters[i]`: the sorted
/// distinct Unicode scalars of its training text, stored in its checkpoints.
///
/// ```swift
/// let v = Vocabulary(characters: ["\n", " ", "a", "b"])
/// try v.encode("ab a")    // [2, 3, 1, 2]
/// v.decode([3, 2])        // "ba"
/// try v.encode("abc")     // throws: "c" (U+0063) at character 2 is not in the vocabulary
/// ```
public struct Vocabulary: Equatable, Sendable {
    public let characters: [Unicode.Scalar]
    private let indices: [Unicode.Scalar: Int32]

    public init(characters: [Unicode.Scalar]) {
        self.characters = characters
        var indices: [Unicode.Scalar: Int32] = [:]
        for (i, c) in characters.enumerated() { indices[c] = Int32(i) }
        self.indices = indices
    }

    public var count: Int { characters.count }

    public func index(of character: Unicode.Scalar) -> Int32? { indices[character] }

    /// The tokens of `text`. A character outside the vocabulary is an error naming it and its
    /// position: the model has no embedding for it, and mapping it to another would be a guess.
    public func encode(_ text: String) throws(DataError) -> [Int32] {
        var tokens: [Int32] = []
        for (position, c) in text.unicodeScalars.enumerated() {
            guard let i = indices[c] else {
                let hex = String(c.value, radix: 16, uppercase: true)
                let shown = c.properties.generalCategory == .control ? "" : "\"\(c)\" "
                throw .invalidArgument("\(shown)(U+\(String(repeating: "0", count: max(0, 4 - hex.count)) + hex)) "
                    + "at character \(position) is not in the model's vocabulary of \(count) characters")
            }
            tokens.append(i)
        }
        return tokens
    }

    public func decode(_ tokens: some Sequence<Int32>) -> String {
        var text = String.UnicodeScalarView()
        for t in tokens where t >= 0 && Int(t) < count { text.append(characters[Int(t)]) }
        return String(text)
    }

    /// The vocabulary as one string of its characters in order (how checkpoints store it).
    public var joined: String { String(String.UnicodeScalarView(characters)) }

    /// The inverse of ``joined``: `nil` unless the characters are distinct and sorted.
    public init?(joined: String) {
        let characters = Array(joined.unicodeScalars)
        guard zip(characters, characters.dropFirst()).allSatisfy({ $0 < $1 }) else { return nil }
        self.init(characters: characters)
    }
}

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
    public let tokens: [Int32]
    public let blockSize: Int
    let rng: Philox

    /// - Throws: ``DataError/invalidArgument(_:)`` if the stream is not longer than `blockSize`.
    public init(tokens: [Int32], blockSize: Int, seed: UInt64) throws(DataError) {
        guard blockSize >= 1, tokens.count > blockSize else {
            throw .invalidArgument("\(tokens.count) tokens cannot hold a window of block_size + 1 = \(blockSize + 1) tokens")
        }
        self.tokens = tokens
        self.blockSize = blockSize
        rng = Philox(seed: seed).derived(0x7E47_5000)
    }

    /// Windows per epoch.
    public var count: Int { (tokens.count - 1) / blockSize }

    /// The first token of the window in slot `slot` of step `step`.
    public func start(step: Int, slot: Int) -> Int {
        Int(rng.derived(UInt64(step)).uniformInt(below: UInt64(tokens.count - blockSize), at: UInt64(slot)))
    }

    /// Writes the windows of slots `slots` of step `step`, one after another: `features` gets
    /// `slots.count × blockSize` input tokens, `targets` as many next tokens. Allocates nothing.
    public func gather(step: Int, slots: Range<Int>, features: UnsafeMutableBufferPointer<Float>,
                       targets: UnsafeMutableBufferPointer<Float>) {
        let T = blockSize
        precondition(features.count >= slots.count * T && targets.count >= slots.count * T, "window buffers too small")
        tokens.withUnsafeBufferPointer { t in
            for (row, slot) in slots.enumerated() {
                let s = start(step: step, slot: slot)
                for i in 0..<T {
                    features[row * T + i] = Float(t[s + i])
                    targets[row * T + i] = Float(t[s + i + 1])
                }
            }
        }
    }

    /// The stream as consecutive, non-overlapping windows (the last partial one dropped): the
    /// fixed samples a validation split is evaluated on.
    public func consecutive(classCount: Int) throws -> Dataset {
        let T = blockSize, n = count
        var features = [Float](repeating: 0, count: n * T), targets = [Float](repeating: 0, count: n * T)
        for w in 0..<n {
            for i in 0..<T {
                features[w * T + i] = Float(tokens[w * T + i])
                targets[w * T + i] = Float(tokens[w * T + i + 1])
            }
        }
        return try Dataset(featureShape: [T], features: features, targets: targets, targetWidth: T, classCount: classCount)
    }
}

/// A text corpus split by position for a language model: the first `1 − validationFraction` of
/// the characters train, the rest validate.
///
/// ```swift
/// let corpus = try TextCorpus.load(path: "/usr/share/games/fortunes")
/// let splits = try TextSplits(corpus: corpus, validationFraction: 0.1, blockSize: 128, seed: 1337)
/// splits.unigramBaseline   // 3.3756 nats/char on the fortunes corpus
/// ```
public struct TextSplits: Sendable {
    public let vocabulary: Vocabulary
    /// Random training windows, keyed by (seed, step, slot).
    public let windows: TokenWindows
    /// The training part as consecutive windows (for evaluation).
    public let trainWindows: Dataset
    /// The validation part as consecutive windows.
    public let validationWindows: Dataset
    /// The validation characters' cross-entropy, in nats per character, under the training
    /// part's character frequencies (add-one smoothed over the vocabulary): the loss of a model
    /// that learned only how often each character occurs, the baseline to beat.
    public let unigramBaseline: Double

    /// - Throws: ``DataError/invalidArgument(_:)`` if either part is too short for one window.
    public init(corpus: TextCorpus, validationFraction: Double, blockSize: Int, seed: UInt64) throws {
        let cut = Int((Double(corpus.tokens.count) * (1 - validationFraction)).rounded(.down))
        let train = Array(corpus.tokens[..<cut]), validation = Array(corpus.tokens[cut...])
        let V = corpus.vocabulary.count
        guard validation.count > blockSize else {
            throw DataError.invalidArgument("the validation part holds \(validation.count) characters, fewer than a window of "
                + "block_size + 1 = \(blockSize + 1); raise data.validation_fraction or use a longer text")
        }
        vocabulary = corpus.vocabulary
        windows = try TokenWindows(tokens: train, blockSize: blockSize, seed: seed)
        trainWindows = try windows.consecutive(classCount: V)
        validationWindows = try TokenWindows(tokens: validation, blockSize: blockSize, seed: seed).consecutive(classCount: V)
        var counts = [Int](repeating: 0, count: V)
        for t in train { counts[Int(t)] += 1 }
        var total = 0.0
        for t in validation { total -= log(Double(counts[Int(t)] + 1) / Double(train.count + V)) }
        unigramBaseline = total / Double(validation.count)
    }
}
