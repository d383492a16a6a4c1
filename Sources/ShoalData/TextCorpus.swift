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
