/// How a language model's token ids map to text and back: the characters of its training text
/// (``Vocabulary``, `data.source: text`) or a byte-level BPE tokenizer (``BytePairEncoder``,
/// `data.source: tokens`). Checkpoints store it, so that `generate`, `predict` and `serve`
/// encode prompts and decode output as the model was trained.
///
/// ```swift
/// let characters = TextCodec.characters(Vocabulary(characters: [" ", "a", "b"]))
/// try characters.encode("ab a")   // [1, 2, 0, 1]
/// characters.decode([2, 1])       // "ba"
/// characters.count                // 3
/// ```
public enum TextCodec: Sendable {
    case characters(Vocabulary)
    case bytePairs(BytePairEncoder)

    /// The number of token ids: the model's output width.
    public var count: Int {
        switch self {
        case .characters(let vocabulary): vocabulary.count
        case .bytePairs(let encoder): encoder.vocabularySize
        }
    }

    /// What a token is, in a loss's unit (nats/char, nats/token): "char" or "token".
    public var unit: String {
        switch self {
        case .characters: "char"
        case .bytePairs: "token"
        }
    }

    /// The tokens of a prompt. A character outside a character vocabulary is an error naming it;
    /// a tokenizer encodes any text, its special tokens (`<|endoftext|>`) read as their ids.
    public func encode(_ text: String) throws(DataError) -> [Int32] {
        switch self {
        case .characters(let vocabulary): try vocabulary.encode(text)
        case .bytePairs(let encoder): encoder.encode(text, allowedSpecial: Set(encoder.specialTokens.keys))
        }
    }

    /// The text of `tokens`; ids outside the vocabulary are skipped, and bytes that do not end a
    /// UTF-8 character (a sequence cut inside one) become U+FFFD.
    public func decode(_ tokens: [Int32]) -> String {
        switch self {
        case .characters(let vocabulary):
            return vocabulary.decode(tokens)
        case .bytePairs(let encoder):
            let known = tokens.filter { $0 >= 0 && Int($0) < encoder.vocabularySize }
            return String(decoding: (try? encoder.decode(known)) ?? [], as: UTF8.self)
        }
    }

    /// `table[id]` is the number of UTF-8 bytes of text token `id` stands for; 0 for a special
    /// token, which marks a document boundary and is no text. Turns nats per token into bits per
    /// byte, which compares models across tokenizers.
    public func textByteCounts() -> [Int] {
        switch self {
        case .characters(let vocabulary):
            return vocabulary.characters.map { $0.utf8.count }
        case .bytePairs(let encoder):
            let special = Set(encoder.specialTokens.values)
            return (0..<encoder.vocabularySize).map { special.contains(Int32($0)) ? 0 : encoder.tokens[$0].count }
        }
    }
}
