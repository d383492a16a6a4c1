// A small, strict JSON reader and writer for text we must not trust: safetensors headers and
// shoal serve's requests.
//
// Foundation's JSONSerialization keeps one of two duplicate keys without a word; a safetensors
// header with two entries of the same name would then load one tensor and silently drop the
// other. This parser follows RFC 8259 exactly, keeps object members in file order, refuses
// duplicate keys, and keeps numbers as their literal text so integers are never rounded
// through Double, and a request's Floats are rounded once, from the digits.

/// A JSON value as written in the file.
///
/// ```swift
/// let request = try StrictJSON.parse(Array(#"{"inputs": [[0, 255]]}"#.utf8))
/// request["inputs"]                                 // .array([.array([.number("0"), .number("255")])])
/// StrictJSON.object([("status", .string("ok"))]).serialized   // {"status":"ok"}
/// ```
public enum StrictJSON: Sendable {
    case null
    case bool(Bool)
    /// The literal text of the number, e.g. `"-12"`, `"3.5e2"`.
    case number(String)
    case string(String)
    case array([StrictJSON])
    /// Members in file order; keys are unique.
    case object([(key: String, value: StrictJSON)])

    /// Why a text is not acceptable JSON, and the byte offset where that was found.
    public struct ParseError: Error, CustomStringConvertible {
        public let reason: String
        public let offset: Int
        /// For a duplicate key: the key, and the nesting depth of its object (1 = top level).
        var duplicateKey: String? = nil
        var depth = 0
        public var description: String { "\(reason) at byte \(offset)" }
    }

    /// Nesting deeper than this is refused rather than recursed into.
    public static let maximumDepth = 64

    /// Parses `bytes` as exactly one JSON value, surrounded only by whitespace.
    public static func parse(_ bytes: [UInt8]) throws(ParseError) -> StrictJSON {
        var parser = Parser(bytes: bytes)
        parser.skipWhitespace()
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        if parser.position != bytes.count { throw parser.error("unexpected text after the JSON value") }
        return value
    }

    /// The value as an `Int`, if it is a number written as an integer that fits.
    public var integer: Int? {
        guard case .number(let text) = self,
              !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) else { return nil }
        return Int(text)
    }

    /// A number's nearest Float, rounded once from its digits as the training files' readers
    /// round them (through a Double, a halfway case could land one bit off); inf beyond Float's range.
    public var float: Float? {
        guard case .number(let text) = self else { return nil }
        // Most request numbers are short integers (pixels, tokens): exact in a Float below 2^24.
        var magnitude = 0, digits = 0, negative = false, integral = true
        for byte in text.utf8 {
            if byte == UInt8(ascii: "-") && digits == 0 && !negative { negative = true; continue }
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10, digits < 7 else { integral = false; break }
            magnitude = magnitude * 10 + Int(digit)
            digits += 1
        }
        if integral && digits > 0 && !(negative && magnitude == 0) { return Float(negative ? -magnitude : magnitude) }
        return Float(text)
    }

    /// A number's nearest Double.
    public var double: Double? {
        guard case .number(let text) = self else { return nil }
        return Double(text)
    }

    /// The value of an object's `key`, nil for a missing key or a value that is not an object.
    public subscript(key: String) -> StrictJSON? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// A Float as the shortest decimal of its Double, which reads back (as a Double, then a
    /// Float, as clients read it) to the same bits; NaN and infinities as null.
    public init(_ value: Float) {
        self = value.isFinite ? .number(Double(value).description) : .null
    }

    public init(_ value: Int) { self = .number(String(value)) }

    /// Compact JSON text, members in their order.
    public var serialized: String {
        var text = ""
        write(to: &text)
        return text
    }

    private func write(to text: inout String) {
        switch self {
        case .null: text += "null"
        case .bool(let b): text += b ? "true" : "false"
        case .number(let literal): text += literal
        case .string(let s): text += jsonStringLiteral(s)
        case .array(let items):
            text += "["
            for (i, item) in items.enumerated() {
                if i > 0 { text += "," }
                item.write(to: &text)
            }
            text += "]"
        case .object(let members):
            text += "{"
            for (i, member) in members.enumerated() {
                if i > 0 { text += "," }
                text += jsonStringLiteral(member.key) + ":"
                member.value.write(to: &text)
            }
            text += "}"
        }
    }

    /// A short name of the value's kind, for error messages.
    public var kind: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

private struct Parser {
    let bytes: [UInt8]
    var position = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    func error(_ reason: String) -> StrictJSON.ParseError {
        StrictJSON.ParseError(reason: reason, offset: position)
    }

    var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
            position += 1
        }
    }

    mutating func expect(_ byte: UInt8, _ what: String) throws(StrictJSON.ParseError) {
        guard current == byte else { throw error("expected \(what), " + (current.map { "found \(Self.describe($0))" } ?? "found the end")) }
        position += 1
    }

    /// A byte as an error message shows it: the character if printable ASCII, else its value.
    static func describe(_ byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16, uppercase: true))"
    }

    mutating func value(depth: Int) throws(StrictJSON.ParseError) -> StrictJSON {
        guard depth < StrictJSON.maximumDepth else { throw error("JSON nested deeper than \(StrictJSON.maximumDepth)") }
        guard let byte = current else { throw error("unexpected end of JSON") }
        switch byte {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw error("unexpected \(Self.describe(byte))")
        }
    }

    mutating func literal(_ word: String) throws(StrictJSON.ParseError) {
        for byte in word.utf8 {
            guard current == byte else { throw error("invalid literal, expected \(word)") }
            position += 1
        }
    }

    mutating func object(depth: Int) throws(StrictJSON.ParseError) -> StrictJSON {
        position += 1  // {
        var members: [(key: String, value: StrictJSON)] = []
        var seen = Set<String>()
        skipWhitespace()
        if current == UInt8(ascii: "}") { position += 1; return .object(members) }
        while true {
            skipWhitespace()
            let keyOffset = position
            guard current == UInt8(ascii: "\"") else { throw error("expected a string key") }
            let key = try string()
            guard seen.insert(key).inserted else {
                throw StrictJSON.ParseError(reason: "duplicate key \"\(key)\"", offset: keyOffset, duplicateKey: key, depth: depth + 1)
            }
            skipWhitespace()
            try expect(UInt8(ascii: ":"), "':' after a key")
            skipWhitespace()
            members.append((key, try value(depth: depth + 1)))
            skipWhitespace()
            if current == UInt8(ascii: ",") { position += 1; continue }
            try expect(UInt8(ascii: "}"), "',' or '}' in an object")
            return .object(members)
        }
    }

    mutating func array(depth: Int) throws(StrictJSON.ParseError) -> StrictJSON {
        position += 1  // [
        var elements: [StrictJSON] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") { position += 1; return .array(elements) }
        while true {
            skipWhitespace()
            elements.append(try value(depth: depth + 1))
            skipWhitespace()
            if current == UInt8(ascii: ",") { position += 1; continue }
            try expect(UInt8(ascii: "]"), "',' or ']' in an array")
            return .array(elements)
        }
    }

    /// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
    mutating func number() throws(StrictJSON.ParseError) -> String {
        let start = position
        if current == UInt8(ascii: "-") { position += 1 }
        if current == UInt8(ascii: "0") {
            position += 1
        } else {
            guard digits() > 0 else { throw error("invalid number") }
        }
        if current == UInt8(ascii: ".") {
            position += 1
            guard digits() > 0 else { throw error("invalid number: digits expected after '.'") }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            position += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
            guard digits() > 0 else { throw error("invalid number: digits expected in the exponent") }
        }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    mutating func digits() -> Int {
        let start = position
        while let byte = current, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { position += 1 }
        return position - start
    }

    mutating func string() throws(StrictJSON.ParseError) -> String {
        position += 1  // opening quote
        var utf8: [UInt8] = []
        while true {
            guard let byte = current else { throw error("unterminated string") }
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                guard let text = String(validating: utf8, as: UTF8.self) else {
                    throw error("string is not valid UTF-8")
                }
                return text
            case UInt8(ascii: "\\"):
                position += 1
                try escape(into: &utf8)
            case 0x00..<0x20:
                throw error("control character in a string")
            default:
                utf8.append(byte)
                position += 1
            }
        }
    }

    mutating func escape(into utf8: inout [UInt8]) throws(StrictJSON.ParseError) {
        guard let byte = current else { throw error("unterminated escape") }
        position += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(byte)
        case UInt8(ascii: "b"): utf8.append(0x08)
        case UInt8(ascii: "f"): utf8.append(0x0C)
        case UInt8(ascii: "n"): utf8.append(0x0A)
        case UInt8(ascii: "r"): utf8.append(0x0D)
        case UInt8(ascii: "t"): utf8.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = UInt32(try hex4())
            if (0xD800..<0xDC00).contains(scalar) {
                // A high surrogate must be followed by an escaped low surrogate.
                guard current == UInt8(ascii: "\\") else { throw error("unpaired surrogate in \\u escape") }
                position += 1
                guard current == UInt8(ascii: "u") else { throw error("unpaired surrogate in \\u escape") }
                position += 1
                let low = UInt32(try hex4())
                guard (0xDC00..<0xE000).contains(low) else { throw error("unpaired surrogate in \\u escape") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00..<0xE000).contains(scalar) {
                throw error("unpaired surrogate in \\u escape")
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw error("invalid \\u escape") }
            utf8.append(contentsOf: Array(String(Character(unicode)).utf8))
        default:
            throw error("invalid escape character")
        }
    }

    mutating func hex4() throws(StrictJSON.ParseError) -> UInt16 {
        var value: UInt16 = 0
        for _ in 0..<4 {
            guard let byte = current else { throw error("unterminated \\u escape") }
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("invalid hex digit in \\u escape")
            }
            value = value << 4 | UInt16(digit)
            position += 1
        }
        return value
    }
}

/// Writes `text` as a JSON string literal, quotes included.
public func jsonStringLiteral(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case _ where scalar.value < 0x20:
            let hex = String(scalar.value, radix: 16)
            out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}
