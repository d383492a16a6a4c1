import Foundation
import Testing
import TestSupport

@testable import ShoalData
@testable import ShoalFormats

/// The tokenizer loaders on broken files: a seeded loop of mutations of valid files (bytes
/// flipped, cut off, slices repeated or dropped, JSON values swapped for other types and
/// out-of-range numbers, merges lines added, repeated, dropped). Each load must succeed or throw
/// a ``TokenizerError``: a trap ends the test run. What loads must encode, decode and write a
/// tokenizer.json that reads back to the same encodings. The same cases every run.
@Suite("Tokenizer loaders under fuzzing")
struct TokenizerFuzzTests {
    static let numbers = ["-1", "0", "1", "255", "264", "265", "2147483647", "2147483648", "-2147483648", "4294967296",
                          "9223372036854775807", "99999999999999999999", "1e3", "0.5", "-0", "1E400"]
    static let strings = ["", "Ġ", "a", "h", "he", "<|endoftext|>", "a b", "a  b", "\\u0000", "\\ud800", "\\ud83d\\ude00", "日本", "hell",
                          "BPE", "WordPiece", "ByteLevel", "h e", "xyz"]
    static let lines = ["", " ", "a", "a b c", "h e", "he ll", "hell o", "#version: 0.2", "Ġ Ġ", "\r", "a  b", "x yz", "<|endoftext|> a",
                        "y z", "xy z", "ĠĠ Ġ", "\u{FFFD} a", "h"]

    /// A value of another kind, or an out-of-range one.
    static func replacement(_ rng: inout SplitMix64) -> StrictJSON {
        switch rng.next(8) {
        case 0: return .null
        case 1: return .bool(rng.next(2) == 0)
        case 2, 3: return .number(numbers[rng.next(numbers.count)])
        case 4, 5: return .string(strings[rng.next(strings.count)].replacingOccurrences(of: "\\u0000", with: "\u{0}"))
        case 6: return .array((0..<rng.next(3)).map { _ in .string(strings[rng.next(strings.count)]) })
        default: return .object(rng.next(2) == 0 ? [] : [("type", .string("BPE")), ("vocab", .object([]))])
        }
    }

    /// `json` with its `target`-th node (in document order, counting from 0) replaced; `target`
    /// is decremented past every node visited.
    static func replacingNode(_ json: StrictJSON, _ target: inout Int, with value: StrictJSON) -> StrictJSON {
        if target == 0 { target = -1; return value }
        target -= 1
        switch json {
        case .array(let items):
            return .array(items.map { target >= 0 ? replacingNode($0, &target, with: value) : $0 })
        case .object(let members):
            return .object(members.map { target >= 0 ? ($0.key, replacingNode($0.value, &target, with: value)) : $0 })
        default:
            return json
        }
    }

    static func nodeCount(_ json: StrictJSON) -> Int {
        switch json {
        case .array(let items): return 1 + items.reduce(0) { $0 + nodeCount($1) }
        case .object(let members): return 1 + members.reduce(0) { $0 + nodeCount($1.value) }
        default: return 1
        }
    }

    /// One to three mutations of `bytes`.
    static func mutate(_ bytes: [UInt8], isJSON: Bool, _ rng: inout SplitMix64) -> [UInt8] {
        var bytes = bytes
        for _ in 0...rng.next(3) {
            let n = bytes.count
            switch rng.next(isJSON ? 6 : 7) {
            case 0 where n > 0:   // flip bytes, often to structural ones
                for _ in 0...rng.next(4) {
                    let structural = Array(#"{}[],:" 0-9\"#.utf8)
                    bytes[rng.next(n)] = rng.next(2) == 0 ? structural[rng.next(structural.count)] : UInt8(rng.next(256))
                }
            case 1:   // cut off
                bytes = Array(bytes.prefix(rng.next(n + 1)))
            case 2 where n > 0:   // repeat a slice elsewhere: duplicate keys, members, lines
                let start = rng.next(n), end = start + rng.next(min(200, n - start) + 1)
                bytes.insert(contentsOf: bytes[start..<end], at: rng.next(n + 1))
            case 3 where n > 0:   // drop a slice
                let start = rng.next(n)
                bytes.removeSubrange(start..<(start + rng.next(min(50, n - start) + 1)))
            case 4, 5 where isJSON:   // a value of another type or out of range
                guard let json = try? StrictJSON.parse(bytes) else { continue }
                var target = rng.next(nodeCount(json))
                bytes = Array(replacingNode(json, &target, with: replacement(&rng)).serialized.utf8)
            case 6:   // a merges line added, repeated or dropped
                var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(Array.init)
                switch rng.next(3) {
                case 0: lines.insert(Array(lines[rng.next(lines.count)]), at: rng.next(lines.count + 1))
                case 1: lines.remove(at: rng.next(lines.count))
                default: lines.insert(Array(Self.lines[rng.next(Self.lines.count)].utf8), at: rng.next(lines.count + 1))
                }
                bytes = Array(lines.joined(separator: [UInt8(ascii: "\n")]))
            default:
                continue
            }
        }
        return bytes
    }

    @Test("2,000 mutated tokenizer.json, vocab.json and merges.txt files load or throw TokenizerError, never trap")
    func mutatedFilesNeverTrap() throws {
        let toy = try ToyTokenizer.gpt2Files()
        defer { toy.directory.remove() }
        let valid = (json: [Array(ToyTokenizer.tokenizerJSON().utf8), Array(ToyTokenizer.tokenizerJSON(pairMerges: true).utf8)],
                     vocabulary: Array(try Data(contentsOf: URL(fileURLWithPath: toy.vocabulary))),
                     merges: Array(try Data(contentsOf: URL(fileURLWithPath: toy.merges))))
        let samples = ["hello hellhe  w xyz", "a<|endoftext|>b", "日本語 \u{0}", String(repeating: "hel", count: 40)]
        var rng = SplitMix64(seed: 26)
        var outcomes = (loaded: 0, refused: 0)
        for i in 0..<2000 {
            let file = toy.directory.path + "/case"
            let loaded: BytePairEncoder
            do {
                switch i % 3 {
                case 0:
                    try toy.directory.write("case", bytes: Self.mutate(valid.json[rng.next(2)], isJSON: true, &rng))
                    loaded = try BytePairEncoder(tokenizerFile: file)
                case 1:
                    try toy.directory.write("case", bytes: Self.mutate(valid.vocabulary, isJSON: true, &rng))
                    loaded = try BytePairEncoder(vocabularyFile: file, mergesFile: toy.merges)
                default:
                    try toy.directory.write("case", bytes: Self.mutate(valid.merges, isJSON: false, &rng))
                    loaded = try BytePairEncoder(vocabularyFile: toy.vocabulary, mergesFile: file)
                }
            } catch {
                outcomes.refused += 1
                continue
            }
            outcomes.loaded += 1
            let reloaded = try BytePairEncoder(tokenizerFile: toy.directory.write("case", bytes: loaded.tokenizerJSON()))
            for text in samples {
                let all = Set(loaded.specialTokens.keys)
                let ids = loaded.encode(text, allowedSpecial: all)
                #expect(reloaded.encode(text, allowedSpecial: all) == ids, "case \(i): \(text.debugDescription)")
                #expect(try loaded.decode(loaded.encode(text)) == Array(text.utf8), "case \(i): \(text.debugDescription)")
            }
        }
        // Both outcomes are exercised: the mutations are neither all fatal nor all harmless.
        #expect(outcomes.loaded > 200 && outcomes.refused > 1000, "\(outcomes)")
    }

    /// Cases the mutations are unlikely to reach, each once found to trap a loader.
    @Test("an id of Int32.max, an empty token: refused or loaded, never a trap")
    func edgeCases() throws {
        let toy = try ToyTokenizer.gpt2Files()
        defer { toy.directory.remove() }
        let vocabulary = ToyTokenizer.vocabularyJSON().dropLast()
        let huge = try toy.directory.write("huge.json", text: vocabulary + #", "zz": 2147483647}"#)
        #expect(throws: TokenizerError.badVocabulary(file: huge, reason: "the ids are not 0..<2147483648: no token has id 265")) {
            try BytePairEncoder(vocabularyFile: huge, mergesFile: toy.merges)
        }
        let empty = try toy.directory.write("empty.json", text: vocabulary + #", "": 265}"#)
        let bpe = try BytePairEncoder(vocabularyFile: empty, mergesFile: toy.merges)
        #expect(bpe.encode("hello") == [259] && bpe.vocabularySize == 266)
    }
}

/// SplitMix64: a seeded generator whose numbers are the same on every platform and run.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    /// A number in 0..<n (n > 0).
    mutating func next(_ n: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(n))
    }
}
