/// Why a tokenizer could not be loaded or trained, or token ids could not be decoded. Every case
/// names the file (or the id, or the setting) and says what was found.
///
/// ```swift
/// do {
///     let gpt2 = try BytePairEncoder(tokenizerFile: "bert/tokenizer.json")
/// } catch {
///     print(error)   // "bert/tokenizer.json: not a byte-level BPE tokenizer: model.type is "WordPiece" ..."
/// }
/// ```
public enum TokenizerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be opened or read.
    case unreadable(file: String, reason: String)
    /// The file is not JSON; `reason` says what is wrong and at which byte.
    case malformedJSON(file: String, reason: String)
    /// The file is a tokenizer, but not one of GPT-2's kind: `found` says what it is instead.
    case notByteLevelBPE(file: String, found: String)
    /// A line of a merges file (`vocab.bpe`, `merges.txt`) that is not two tokens of the
    /// vocabulary separated by one space; `line` is 1-based.
    case badMerge(file: String, line: Int, reason: String)
    /// A vocabulary or `model` entry that cannot be used (an id twice, a gap in the ids, a
    /// merge of `tokenizer.json` that names an unknown token, ...).
    case badVocabulary(file: String, reason: String)
    /// A token id that the vocabulary does not have, given to decode.
    case unknownTokenID(Int32, vocabularySize: Int)
    /// ``BytePairTrainer`` cannot make the tokenizer asked for (a vocabulary size out of range,
    /// an empty corpus, a special token that is empty, given twice, or written as a learned token).
    case cannotTrain(reason: String)

    public var description: String {
        switch self {
        case let .unreadable(file, reason):
            return "\(file): cannot read: \(reason)"
        case let .malformedJSON(file, reason):
            return "\(file): not valid JSON: \(reason)"
        case let .notByteLevelBPE(file, found):
            return "\(file): not a byte-level BPE tokenizer: \(found); Shoal reads GPT-2-style tokenizers "
                + "(a BPE model, a ByteLevel pre-tokenizer, no normalizer)"
        case let .badMerge(file, line, reason):
            return "\(file):\(line): \(reason)"
        case let .badVocabulary(file, reason):
            return "\(file): \(reason)"
        case let .unknownTokenID(id, size):
            return "token id \(id) is not in the vocabulary of \(size) tokens (ids 0..<\(size))"
        case let .cannotTrain(reason):
            return "cannot train a tokenizer: \(reason)"
        }
    }
}
