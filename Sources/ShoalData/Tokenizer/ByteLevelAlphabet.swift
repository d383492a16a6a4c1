/// GPT-2's map from the 256 byte values to 256 printable Unicode characters, in which byte-level
/// BPE vocabularies are written (`encoder.json`, `vocab.bpe`, `tokenizer.json`).
///
/// The files are text, and a token such as the bytes `0x20 0x74 0x68 0x65` (" the") must be
/// written without spaces or control characters in it. So every byte that is a printable,
/// non-space Latin-1 character stands for itself ("!"…"~", "¡"…"¬", "®"…"ÿ"), and the other 68
/// bytes are given the characters U+0100, U+0101, … in byte order: the space 0x20 is "Ġ"
/// (U+0120) and the newline 0x0A is "Ċ" (U+010A). This is `bytes_to_unicode` of OpenAI's
/// `encoder.py`.
///
/// ```swift
/// ByteLevelAlphabet.character(of: 0x20)     // "Ġ"
/// ByteLevelAlphabet.bytes(of: "Ġthe")       // [0x20, 0x74, 0x68, 0x65]
/// ByteLevelAlphabet.bytes(of: "a b")        // nil: " " stands for no byte
/// ```
public enum ByteLevelAlphabet {
    /// `characters[b]` is the character that stands for byte `b`.
    public static let characters: [Unicode.Scalar] = {
        var printable = Array(UInt32(0x21)...0x7E) + Array(UInt32(0xA1)...0xAC) + Array(UInt32(0xAE)...0xFF)
        var result = [Unicode.Scalar](repeating: "\0", count: 256)
        var next: UInt32 = 0x100
        for byte in 0..<256 {
            if let i = printable.firstIndex(of: UInt32(byte)) {
                result[byte] = Unicode.Scalar(printable.remove(at: i))!
            } else {
                result[byte] = Unicode.Scalar(next)!
                next += 1
            }
        }
        return result
    }()

    /// The byte a character stands for, indexed by scalar value below 0x144 (the highest used);
    /// -1 for a character that stands for no byte.
    private static let byteOfScalar: [Int16] = {
        var table = [Int16](repeating: -1, count: 0x144)
        for (byte, c) in characters.enumerated() { table[Int(c.value)] = Int16(byte) }
        return table
    }()

    public static func character(of byte: UInt8) -> Unicode.Scalar { characters[Int(byte)] }

    /// The bytes a vocabulary entry stands for, or nil if a character of it is outside the
    /// alphabet (the file is then not a byte-level vocabulary).
    public static func bytes(of token: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(token.unicodeScalars.count)
        for c in token.unicodeScalars {
            guard Int(c.value) < byteOfScalar.count, byteOfScalar[Int(c.value)] >= 0 else { return nil }
            bytes.append(UInt8(byteOfScalar[Int(c.value)]))
        }
        return bytes
    }
}
