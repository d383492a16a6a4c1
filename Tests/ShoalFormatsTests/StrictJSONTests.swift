import Foundation
import Testing
@testable import ShoalFormats

/// The strict JSON reader and writer of safetensors headers and `shoal serve` (issue 17): RFC 8259
/// exactly, Floats rounded once from the digits, answers that parse back to the exact bits.
@Suite struct StrictJSONTests {
    func parse(_ text: String) throws -> StrictJSON { try StrictJSON.parse(Array(text.utf8)) }

    /// The number in a one-element list.
    func number(_ text: String) throws -> StrictJSON? {
        guard case .array(let items) = try parse("[\(text)]"), let n = items.first, case .number = n else { return nil }
        return n
    }

    func syntaxError(_ text: String) -> StrictJSON.ParseError? {
        do { _ = try StrictJSON.parse(Array(text.utf8)); return nil } catch { return error }
    }

    @Test func documentsParseToTheirValues() throws {
        let value = try parse(#" {"inputs": [[0, 255, -3, 1.5e2], []], "name": "a\"b\\c\n\u00e9\ud83d\ude00/", "ok": true, "none": null} "#)
        #expect(value.serialized == #"{"inputs":[[0,255,-3,1.5e2],[]],"name":"a\"b\\c\né😀/","ok":true,"none":null}"#)
        #expect(value["inputs"]?.kind == "an array" && value["missing"] == nil && value["ok"]?.kind == "a boolean")
        guard case .string(let name)? = value["name"] else { Issue.record("no name"); return }
        #expect(name == "a\"b\\c\né😀/")
        #expect(try parse("\"é\"").serialized == "\"é\"", "raw UTF-8")
    }

    @Test func malformedDocumentsNameTheProblemAndItsByte() {
        for (text, reason, offset) in [
            ("{bad", "expected a string key", 1),
            (#"{"inputs": [[NaN]]}"#, "unexpected 'N'", 13),
            ("[Infinity]", "unexpected 'I'", 1),
            ("[1,]", "unexpected ']'", 3),
            (#"{"a": 1,}"#, "expected a string key", 8),
            (#"{"a": 1, "a": 2}"#, "duplicate key \"a\"", 9),
            ("[1 2]", "expected ',' or ']' in an array, found '2'", 3),
            ("[01]", "expected ',' or ']' in an array, found '1'", 2),
            ("[1.]", "digits expected after '.'", 3),
            ("[1e]", "digits expected in the exponent", 3),
            ("[-]", "invalid number", 2),
            ("[+1]", "unexpected '+'", 1),
            ("[.5]", "unexpected '.'", 1),
            ("[0x10]", "found 'x'", 2),
            ("[tru]", "invalid literal, expected true", 4),
            (#"["abc"#, "unterminated string", 5),
            (#"["a\qb"]"#, "invalid escape character", 5),
            (#"["\ud800"]"#, "unpaired surrogate", 8),
            (#"["\udc00"]"#, "unpaired surrogate", 8),
            (#"["\u12"]"#, "invalid hex digit", 6),
            ("[\"a\u{01}\"]", "control character in a string", 3),
            ("{} {}", "unexpected text after the JSON value", 3),
            ("", "unexpected end of JSON", 0),
            ("[1", "expected ',' or ']' in an array, found the end", 2),
            ("[\u{7F}]", "unexpected byte 0x7F", 1),
            (String(repeating: "[", count: 65) + String(repeating: "]", count: 65), "nested deeper than 64", 64),
        ] {
            let error = syntaxError(text)
            #expect(error?.reason.contains(reason) == true && error?.offset == offset, "\(text.prefix(40)): \(String(describing: error))")
        }
        let invalid = try? StrictJSON.parse([0x22, 0x61, 0xFF, 0x22])
        #expect(invalid == nil, "a string that is not UTF-8")
        #expect((try? parse(String(repeating: "[", count: 64) + String(repeating: "]", count: 64))) != nil, "64 levels are allowed")
    }

    /// Every number's Float is the one Float(String) (the training files' CSV reader) gives,
    /// rounded once from the digits; its Double the one Double(String) gives.
    @Test func numbersRoundOnceFromTheirDigits() throws {
        var generator = SystemRandomNumberGenerator()
        var texts = ["0", "-0", "-0.0", "1e39", "-1e39", "1e-50", "16777217", "16777216", "9999999", "10000000", "123456789012345678901234567890",
                     "0.1", "3.4028235e38", "3.4028236e38", "1.4e-45", "7e-46", "1E+2", "2.5E-3", "-12.75"]
        // A decimal halfway between two Floats, just above: a Float rounded through a Double would land on the lower one.
        texts.append("1.00000005960464477539062500000000001")
        for _ in 0..<2000 {
            let digits = (0..<Int.random(in: 1...12, using: &generator)).map { _ in String(Int.random(in: 0...9, using: &generator)) }.joined()
            let mantissa: String = digits.count > 1 && digits.first == "0" ? "1" + String(digits.dropFirst()) : digits
            let fraction: String = Bool.random(using: &generator) ? "." + String(Int.random(in: 0...999_999, using: &generator)) : ""
            let exponent: String = Bool.random(using: &generator) ? "e" + String(Int.random(in: -45...38, using: &generator)) : ""
            texts.append((Bool.random(using: &generator) ? "-" : "") + mantissa + fraction + exponent)
        }
        for text in texts {
            guard let n = try number(text) else { Issue.record("\(text) is not a number"); continue }
            let float = try #require(Float(text)), double = try #require(Double(text))
            #expect(n.float?.bitPattern == float.bitPattern && n.double?.bitPattern == double.bitPattern, "\(text): \(String(describing: n.float)) \(String(describing: n.double))")
        }
        let halfway = try #require(try number("1.00000005960464477539062500000000001"))
        #expect(halfway.float == Float(1).nextUp && halfway.double.map(Float.init) == 1, "the once-rounded Float differs from the twice-rounded one here")
    }

    /// An answer's numbers read back, as a client reads them (a Double, then a Float), to the bits written.
    @Test func answersParseBackToTheirExactBits() throws {
        var generator = SystemRandomNumberGenerator()
        var floats: [Float] = [0, -0.0, 1, 3, -2, 0.1, .leastNonzeroMagnitude, .leastNormalMagnitude, .greatestFiniteMagnitude, 1e-30, 16777216, 0.99999994]
        for _ in 0..<5000 { floats.append(Float(bitPattern: UInt32.random(in: 0...UInt32.max, using: &generator))) }
        floats = floats.filter(\.isFinite)
        let written = StrictJSON.object([("values", .array(floats.map(StrictJSON.init)))]).serialized
        let read = try #require((try JSONSerialization.jsonObject(with: Data(written.utf8)) as? [String: Any])?["values"] as? [Double])
        #expect(read.count == floats.count)
        for (float, double) in zip(floats, read) { #expect(Float(double).bitPattern == float.bitPattern, "\(float) → \(double)") }
        // And through our own reader.
        guard case .array(let items)? = try parse(written)["values"] else { Issue.record("no values"); return }
        for (float, item) in zip(floats, items) { #expect(item.float?.bitPattern == float.bitPattern, "\(float)") }
        #expect(StrictJSON.array([StrictJSON(Float.nan), StrictJSON(-Float.infinity), StrictJSON(7 as Int), StrictJSON(Float(7))]).serialized == "[null,null,7,7.0]")
    }

    @Test func stringsAreEscapedAndReadBack() throws {
        let samples = ["plain", "quote \" backslash \\ slash /", "line\nfeed\ttab\r", "\u{01}\u{1F}\u{7F}", "é 😀 中文", ""]
        for s in samples {
            let written = StrictJSON.object([("s", .string(s))]).serialized
            guard case .string(let back)? = try parse(written)["s"] else { Issue.record("\(written)"); continue }
            #expect(back == s, "\(written)")
            let foundation = (try JSONSerialization.jsonObject(with: Data(written.utf8)) as? [String: Any])?["s"] as? String
            #expect(foundation == s, "\(written)")
        }
        #expect(StrictJSON.object([("error", .string("a\u{01}"))]).serialized == #"{"error":"a\u0001"}"#)
    }

    /// Random documents, and random damage to them: our reader agrees with Foundation's on every
    /// value both accept and never crashes on the rest.
    @Test func randomDocumentsAgreeWithFoundation() throws {
        var generator = SystemRandomNumberGenerator()
        func document(_ depth: Int) -> Any {
            switch Int.random(in: 0..<(depth > 3 ? 3 : 6), using: &generator) {
            case 0: return Int.random(in: -1000...1000, using: &generator)
            case 1: return Double.random(in: -1e6...1e6, using: &generator)
            case 2: return ["x", "é", "a\"b", "\\n", ""].randomElement(using: &generator)!
            case 3: return (0..<Int.random(in: 0...4, using: &generator)).map { _ in document(depth + 1) }
            case 4: return Dictionary(uniqueKeysWithValues: (0..<Int.random(in: 0...3, using: &generator)).map { ("k\($0)", document(depth + 1)) })
            default: return [true, false, NSNull()].randomElement(using: &generator)!
            }
        }
        for _ in 0..<300 {
            let data = try JSONSerialization.data(withJSONObject: ["doc": document(0)])
            let ours = try StrictJSON.parse(Array(data))
            // Both documents, read and written again by Foundation, say the same.
            let back = try JSONSerialization.jsonObject(with: Data(ours.serialized.utf8)), original = try JSONSerialization.jsonObject(with: data)
            #expect(try JSONSerialization.data(withJSONObject: back, options: .sortedKeys) == JSONSerialization.data(withJSONObject: original, options: .sortedKeys),
                    "\(String(decoding: data, as: UTF8.self)) → \(ours.serialized)")
            var damaged = Array(data)
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                damaged[Int.random(in: 0..<damaged.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            _ = try? StrictJSON.parse(damaged)
            _ = try? StrictJSON.parse(Array(damaged.prefix(Int.random(in: 0...damaged.count, using: &generator))))
        }
    }
}
