/// Splits UTF-8 text into the pieces GPT-2's regular expression
///
///     's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
///
/// finds, written out by hand: BPE then runs inside each piece, never across two. No regex
/// engine is needed because every alternative is a run of one character class, at most one
/// space in front, and the lookahead only ever gives back the last character of a whitespace
/// run. Read at a piece's first character:
///
/// - `'` followed by `s`, `t`, `m`, `d`, `re`, `ve` or `ll` (lower case only): that contraction.
/// - a letter, a number, or "other" (neither whitespace, letter nor number, `'` included): the
///   run of that class. A space (U+0020 only) directly before such a run joins it.
/// - whitespace: the run of whitespace, less its last character when a non-space follows, so
///   that the last one can join the next run as its space (`\s+(?!\S)`); a run of one followed
///   by a non-space is its own piece (`\s+`).
///
/// The classes are those of tiktoken's regex engine (Rust `regex`, Unicode mode): a letter is
/// general category L*, a number N*, whitespace the White_Space property (U+0009–000D, U+0020,
/// U+0085, U+00A0, U+1680, U+2000–200A, U+2028, U+2029, U+202F, U+205F, U+3000); a combining
/// mark alone is "other". They are read from Swift's `Unicode.Scalar.Properties`, as of the
/// Unicode version of tiktoken's tables (``CharacterClass/unicodeVersion``).
///
/// Offsets are byte offsets into the UTF-8 text; the text must be valid UTF-8 (a `String`'s is).
struct GPT2PreTokenizer: IteratorProtocol {
    private let text: UnsafeBufferPointer<UInt8>
    private var position = 0

    init(utf8 text: UnsafeBufferPointer<UInt8>) { self.text = text }

    /// The next piece as a range of byte offsets, or nil at the end of the text.
    mutating func next() -> Range<Int>? {
        let start = position
        guard start < text.count else { return nil }
        let (first, firstLength) = scalarClass(at: start)
        var end: Int
        switch first {
        case .apostrophe where contractionLength(after: start + 1) > 0:
            end = start + 1 + contractionLength(after: start + 1)
        case .space where start + 1 < text.count && scalarClass(at: start + 1).0.runClass != .whitespace:
            end = run(of: scalarClass(at: start + 1).0.runClass, from: start + 1)
        case .space, .whitespace:
            end = start + firstLength
            var lastStart = start
            while end < text.count {
                let (c, length) = scalarClass(at: end)
                guard c.runClass == .whitespace else { break }
                lastStart = end
                end += length
            }
            if end < text.count && lastStart > start { end = lastStart }
        default:
            end = run(of: first.runClass, from: start)
        }
        position = end
        return start..<end
    }

    /// The end of the run of characters of class `runClass` that starts at `start`.
    private func run(of runClass: CharacterClass, from start: Int) -> Int {
        var end = start
        while end < text.count {
            let (c, length) = scalarClass(at: end)
            guard c.runClass == runClass else { break }
            end += length
        }
        return end
    }

    /// The length of the contraction after an apostrophe at `i - 1`, or 0 if there is none.
    private func contractionLength(after i: Int) -> Int {
        guard i < text.count else { return 0 }
        switch text[i] {
        case UInt8(ascii: "s"), UInt8(ascii: "t"), UInt8(ascii: "m"), UInt8(ascii: "d"):
            return 1
        case UInt8(ascii: "r"), UInt8(ascii: "v"):
            return i + 1 < text.count && text[i + 1] == UInt8(ascii: "e") ? 2 : 0
        case UInt8(ascii: "l"):
            return i + 1 < text.count && text[i + 1] == UInt8(ascii: "l") ? 2 : 0
        default:
            return 0
        }
    }

    /// The class of the scalar whose UTF-8 encoding starts at byte `i`, and its length in bytes.
    @inline(__always)
    private func scalarClass(at i: Int) -> (CharacterClass, Int) {
        let b0 = text[i]
        if b0 < 0x80 { return (CharacterClass.ascii[Int(b0)], 1) }
        let value: UInt32, length: Int
        if b0 < 0xE0 {
            value = UInt32(b0 & 0x1F) << 6 | UInt32(text[i + 1] & 0x3F)
            length = 2
        } else if b0 < 0xF0 {
            value = UInt32(b0 & 0x0F) << 12 | UInt32(text[i + 1] & 0x3F) << 6 | UInt32(text[i + 2] & 0x3F)
            length = 3
        } else {
            value = UInt32(b0 & 0x07) << 18 | UInt32(text[i + 1] & 0x3F) << 12
                | UInt32(text[i + 2] & 0x3F) << 6 | UInt32(text[i + 3] & 0x3F)
            length = 4
        }
        let c = value < 0x1_0000 ? CharacterClass.basicPlane[Int(value)] : CharacterClass(value)
        return (c, length)
    }
}

/// What the pattern distinguishes about one character. `space` (U+0020) and `apostrophe` are
/// whitespace and "other" with a role of their own at the start of a piece.
enum CharacterClass: UInt8 {
    case letter, number, whitespace, other, space, apostrophe

    /// The class whose runs this character continues.
    var runClass: CharacterClass {
        switch self {
        case .space: return .whitespace
        case .apostrophe: return .other
        default: return self
        }
    }

    /// The Unicode version whose letters and numbers GPT-2's pattern sees: that of tiktoken's regex
    /// engine (regex-syntax's tables) and of Hugging Face tokenizers'. Swift's tables may be newer
    /// (Swift 6.3: Unicode 17.0), and a character assigned after this version is unassigned, so
    /// "other", to them: compared scalar by scalar with tiktoken 0.14, the 4,657 letters and
    /// numbers new in 17.0 were the only difference. Raise it when tiktoken's tables move.
    static let unicodeVersion = (major: 16, minor: 0)

    init(_ value: UInt32) {
        guard let scalar = Unicode.Scalar(value) else { self = .other; return }
        if value == 0x20 { self = .space; return }
        if value == 0x27 { self = .apostrophe; return }
        let properties = scalar.properties
        if properties.isWhitespace { self = .whitespace; return }
        if let age = properties.age, (age.major, age.minor) > CharacterClass.unicodeVersion {
            self = .other
            return
        }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            self = .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            self = .number
        default:
            self = .other
        }
    }

    static let ascii: [CharacterClass] = (0..<128).map { CharacterClass(UInt32($0)) }
    /// Scalars U+0000–U+FFFF, looked up rather than asked of the Unicode tables for every character
    /// (64 KiB, built on first use); the supplementary planes are asked.
    static let basicPlane: [CharacterClass] = (0..<0x1_0000).map { CharacterClass(UInt32($0)) }
}
