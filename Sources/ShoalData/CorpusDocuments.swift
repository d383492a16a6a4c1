/// How `shoal data prepare` reads text files as documents and documents as tokens.
///
/// A file is one document, or, with a separator, the pieces between its occurrences (the
/// file's start and end count as boundaries; empty pieces are dropped, so "a\n%\nb\n%\n" split
/// on "\n%\n" is the documents "a" and "b"). An empty file is no document. Every document is
/// `<|endoftext|>` followed by its tokens, as GPT-2's and llm.c's data are: the token that
/// starts a document also separates it from the last. Text is encoded with no special token
/// read out of it: a document that contains the characters `<|endoftext|>` does not end there.
///
/// ```swift
/// let tokenizer = try BytePairEncoder(path: "gpt2")
/// let documents = try CorpusDocuments(tokenizer: tokenizer, separator: "\n%\n")
/// let tokens = try documents.encode(file: "/usr/share/games/fortunes/art")   // [50256, ..., 50256, ...]
/// ```
public struct CorpusDocuments: Sendable {
    public let tokenizer: BytePairEncoder
    /// The separator's UTF-8 bytes, or nil for one document per file.
    public let separator: [UInt8]?
    /// The id of `<|endoftext|>`.
    public let endOfText: Int32

    /// - Throws: ``DataError/invalidArgument(_:)`` for a tokenizer without `<|endoftext|>` or an
    ///   empty separator.
    public init(tokenizer: BytePairEncoder, separator: String?) throws(DataError) {
        guard let endOfText = tokenizer.specialTokens[Self.endOfTextText] else {
            throw .invalidArgument("the tokenizer has no \(Self.endOfTextText) special token, which goes before every document; "
                + "its special tokens are \(tokenizer.specialTokens.keys.sorted())")
        }
        if separator == "" { throw .invalidArgument("the separator is empty; leave it out to read each file as one document") }
        self.tokenizer = tokenizer
        self.separator = separator.map { Array($0.utf8) }
        self.endOfText = endOfText
    }

    static let endOfTextText = "<|endoftext|>"

    /// The tokens of `file`'s documents, each `<|endoftext|>` then its text's tokens; empty
    /// when the file holds no document.
    ///
    /// - Throws: ``DataError/unreadable(file:reason:)`` for a file that cannot be read or is
    ///   not UTF-8 (with the byte offset).
    public func encode(file: String) throws(DataError) -> [Int32] {
        let bytes = try readTextFile(file)
        // Checked whole, so that a bad byte is named by its offset in the file.
        _ = try utf8Text(bytes, file: file)
        var tokens: [Int32] = []
        tokens.reserveCapacity(bytes.count / 3)
        for document in documents(of: bytes) where !document.isEmpty {
            tokens.append(endOfText)
            // The separator is whole UTF-8 characters, so every piece of valid text is valid text.
            tokens += tokenizer.encode(String(decoding: document, as: UTF8.self))
        }
        return tokens
    }

    /// The pieces of `bytes` between the separator's occurrences, empty ones included.
    func documents(of bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        guard let separator, let first = separator.first else { return [bytes[...]] }
        var pieces: [ArraySlice<UInt8>] = []
        var start = 0, i = 0
        while i + separator.count <= bytes.count {
            if bytes[i] == first && bytes[i..<(i + separator.count)].elementsEqual(separator) {
                pieces.append(bytes[start..<i])
                i += separator.count
                start = i
            } else {
                i += 1
            }
        }
        pieces.append(bytes[start...])
        return pieces
    }
}
