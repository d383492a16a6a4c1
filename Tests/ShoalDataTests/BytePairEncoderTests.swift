import Foundation
import Testing
import TestSupport

@testable import ShoalData

@Suite("Byte-level BPE")
struct BytePairEncoderTests {
    @Test("GPT-2's byte alphabet: 256 distinct characters, printable bytes stand for themselves, the space is Ġ")
    func alphabet() {
        #expect(Set(ByteLevelAlphabet.characters).count == 256)
        #expect(ByteLevelAlphabet.character(of: 0x20) == "Ġ")
        #expect(ByteLevelAlphabet.character(of: 0x0A) == "Ċ")
        #expect(ByteLevelAlphabet.character(of: UInt8(ascii: "!")) == "!")
        #expect(ByteLevelAlphabet.character(of: 0xFF) == "ÿ")
        #expect(ByteLevelAlphabet.bytes(of: String(String.UnicodeScalarView(ByteLevelAlphabet.characters))) == Array(0...255))
        #expect(ByteLevelAlphabet.bytes(of: "a b") == nil)
    }

    /// Each case's pieces are Python's `regex.findall` of GPT-2's pattern on the same text.
    @Test("the hand-written pre-tokenizer splits as GPT-2's regular expression does", arguments: [
        ("Hello world", ["Hello", " world"]),
        ("  foo", [" ", " foo"]),
        ("a\n\nb", ["a", "\n", "\n", "b"]),
        ("x \t y", ["x", " \t", " y"]),
        ("end  ", ["end", "  "]),
        ("don't I'll we'RE 's''s", ["don", "'t", " I", "'ll", " we", "'", "RE", " '", "s", "''", "s"]),
        ("3.14159 is π", ["3", ".", "14159", " is", " π"]),
        ("e\u{301}", ["e", "\u{301}"]),
        ("a\u{3000}\u{3000}b", ["a", "\u{3000}", "\u{3000}", "b"]),
        ("\r\n\r\n", ["\r\n\r\n"]),
        ("    return x  # ok\n", ["   ", " return", " x", " ", " #", " ok", "\n"]),
        ("<|endoftext|>", ["<|", "endoftext", "|>"]),
        ("²³½ Ⅻ", ["²³½", " Ⅻ"]),
        ("", []),
    ])
    func preTokenizer(text: String, pieces: [String]) {
        var text = text
        let found = text.withUTF8 { utf8 in
            var splitter = GPT2PreTokenizer(utf8: utf8)
            var found: [String] = []
            while let range = splitter.next() { found.append(String(decoding: utf8[range], as: UTF8.self)) }
            return found
        }
        #expect(found == pieces)
    }

    @Test("merges join the lowest-ranked pair first, the leftmost of equals; every byte is a token")
    func merges() throws {
        let toy = try ToyTokenizer.gpt2Files()
        defer { toy.directory.remove() }
        let bpe = try BytePairEncoder(vocabularyFile: toy.vocabulary, mergesFile: toy.merges)
        #expect(bpe.vocabularySize == 265)
        #expect(bpe.encode("hello") == [259])
        // h e l l h e → he l l he (rank 0, leftmost first) → he ll he → hell he
        #expect(bpe.encode("hellhe") == [258, 256])
        #expect(bpe.encode(" w") == [260])
        #expect(bpe.encode("\u{0}ÿ") == [0, 0xC3, 0xBF])
        // "xyz" is a token, but the merges make y z first and nothing joins x and yz.
        #expect(bpe.encode("xyz") == [120, 261])
    }

    @Test("a long piece merged through the heap gives the scan's tokens; a run of 200,000 spaces encodes")
    func longPieces() throws {
        let toy = try ToyTokenizer.gpt2Files()
        defer { toy.directory.remove() }
        let bpe = try BytePairEncoder(vocabularyFile: toy.vocabulary, mergesFile: toy.merges)
        var state: UInt64 = 7
        for length in [2, 3, 65, 100, 257, 1000] {
            for _ in 0..<20 {
                let piece: [UInt8] = (0..<length).map { _ in
                    state = state &* 6364136223846793005 &+ 1442695040888963407
                    return Array("hellohe xyzw".utf8)[Int(state >> 33) % 12]
                }
                var scan: [Int32] = [], heap: [Int32] = [], parts: [Int32] = [], ranks: [UInt64] = []
                piece.withUnsafeBufferPointer { piece in
                    BytePairEncoder.mergeByScan(piece, merges: bpe.merges, byteTokens: bpe.byteTokens, into: &scan, parts: &parts, ranks: &ranks)
                    BytePairEncoder.mergeByHeap(piece, merges: bpe.merges, byteTokens: bpe.byteTokens, into: &heap)
                }
                #expect(scan == heap, "\(String(decoding: piece, as: UTF8.self))")
            }
        }
        // A run of 200,000 spaces is one piece; the scan would take minutes.
        let spaces = String(repeating: " ", count: 200_000) + "x"
        #expect(try bpe.decode(bpe.encode(spaces)) == Array(spaces.utf8))
    }

    @Test("special tokens are text unless allowed")
    func specialTokens() throws {
        let toy = try ToyTokenizer.gpt2Files()
        defer { toy.directory.remove() }
        let bpe = try BytePairEncoder(vocabularyFile: toy.vocabulary, mergesFile: toy.merges)
        #expect(bpe.specialTokens == ["<|endoftext|>": 264])
        let plain = bpe.encode("a<|endoftext|>b")
        #expect(!plain.contains(264))
        #expect(try bpe.decode(plain) == Array("a<|endoftext|>b".utf8))
        #expect(bpe.encode("a<|endoftext|>b", allowedSpecial: ["<|endoftext|>"]) == [97, 264, 98])
        #expect(bpe.encode("<|endoftext|><|endoftext|>", allowedSpecial: ["<|endoftext|>"]) == [264, 264])
        #expect(bpe.encode("a<|endoftext|>b", allowedSpecial: ["<|unknown|>"]) == plain)
    }

    @Test("decode gives back the exact bytes of any text, and refuses an id outside the vocabulary")
    func roundTrip() throws {
        let toy = try ToyTokenizer.gpt2Files()
        defer { toy.directory.remove() }
        let bpe = try BytePairEncoder(vocabularyFile: toy.vocabulary, mergesFile: toy.merges)
        for text in ["", " ", "\n\n\n", "hello  world\t\r\n", "e\u{301}\u{301}", "👨‍👩‍👧‍👦 🇫🇷", "日本語", "\u{0}\u{7F}\u{85}\u{2028}",
                     "'s'S 'll", String(repeating: " ", count: 1000), "a\u{10FFFD}b"] {
            #expect(try bpe.decode(bpe.encode(text)) == Array(text.utf8), "\(text.debugDescription)")
        }
        #expect(throws: TokenizerError.unknownTokenID(265, vocabularySize: 265)) { try bpe.decode([97, 265]) }
        #expect(throws: TokenizerError.unknownTokenID(-1, vocabularySize: 265)) { try bpe.decode([-1]) }
        #expect(TokenizerError.unknownTokenID(265, vocabularySize: 265).description
            == "token id 265 is not in the vocabulary of 265 tokens (ids 0..<265)")
    }

    @Test("a Hugging Face tokenizer.json loads as the GPT-2 files do; ignore_merges looks a piece up whole")
    func tokenizerJSON() throws {
        let toy = try ToyTokenizer.gpt2Files()
        defer { toy.directory.remove() }
        let files = try BytePairEncoder(vocabularyFile: toy.vocabulary, mergesFile: toy.merges)
        let file = try toy.directory.write("tokenizer.json", text: ToyTokenizer.tokenizerJSON())
        let json = try BytePairEncoder(tokenizerFile: file)
        for text in ["hello hellhe  w", "xyz", "a<|endoftext|>b"] { #expect(json.encode(text) == files.encode(text)) }
        #expect(json.specialTokens == ["<|endoftext|>": 264])
        let whole = try toy.directory.write("whole.json", text: ToyTokenizer.tokenizerJSON(model: #""ignore_merges": true"#))
        #expect(try BytePairEncoder(tokenizerFile: whole).encode("xyz") == [263])
        let pairs = try toy.directory.write("pairs.json", text: ToyTokenizer.tokenizerJSON(pairMerges: true))
        #expect(try BytePairEncoder(tokenizerFile: pairs).encode("hellhe") == [258, 256])
    }

    @Test("tokenizer.json written and read back encodes as the original; writing is deterministic and a fixed point")
    func writeTokenizerJSON() throws {
        let toy = try ToyTokenizer.gpt2Files()
        defer { toy.directory.remove() }
        let files = try BytePairEncoder(vocabularyFile: toy.vocabulary, mergesFile: toy.merges)
        let path = toy.directory.path + "/written/tokenizer.json"
        try FileManager.default.createDirectory(atPath: toy.directory.path + "/written", withIntermediateDirectories: false)
        try files.write(tokenizerFile: path)
        let written = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(Array(written) == files.tokenizerJSON())
        let reloaded = try BytePairEncoder(tokenizerFile: path)
        #expect(reloaded.vocabularySize == files.vocabularySize)
        #expect(reloaded.specialTokens == files.specialTokens)
        for text in ["hello hellhe  w", "xyz", "a<|endoftext|>b", "日本語 \u{0}\"quoted\"\\"] {
            #expect(reloaded.encode(text) == files.encode(text))
            #expect(reloaded.encode(text, allowedSpecial: ["<|endoftext|>"]) == files.encode(text, allowedSpecial: ["<|endoftext|>"]))
        }
        #expect(reloaded.tokenizerJSON() == files.tokenizerJSON())
        let text = String(decoding: files.tokenizerJSON(), as: UTF8.self)
        #expect(text.hasPrefix(#"{"version":"1.0","truncation":null,"padding":null,"added_tokens":[{"id":264,"content":"<|endoftext|>","#))
        #expect(text.hasSuffix(#""merges":[["h","e"],["l","l"],["he","ll"],["hell","o"],["Ġ","w"],["y","z"],["x","y"],["xy","z"]]}}"#))
        // ignore_merges survives the round trip: "xyz" stays one token.
        let whole = try toy.directory.write("whole.json", text: ToyTokenizer.tokenizerJSON(model: #""ignore_merges": true"#))
        try BytePairEncoder(tokenizerFile: whole).write(tokenizerFile: path)
        #expect(try BytePairEncoder(tokenizerFile: path).encode("xyz") == [263])
    }

    @Test("a merges line that does not parse names the file and the line")
    func badMerges() throws {
        let toy = try ToyTokenizer.gpt2Files()
        defer { toy.directory.remove() }
        let onePart = try toy.directory.write("one.txt", text: "#version: 0.2\nh e\nhe\n")
        #expect(throws: TokenizerError.badMerge(file: onePart, line: 3, reason: #""he" is not two tokens separated by one space"#)) {
            try BytePairEncoder(vocabularyFile: toy.vocabulary, mergesFile: onePart)
        }
        let unknown = try toy.directory.write("unknown.txt", text: "h e\nl q\n")
        #expect(throws: TokenizerError.badMerge(file: unknown, line: 2, reason: #"merge "l" + "q" makes "lq", which is not a token of \#(toy.vocabulary)"#)) {
            try BytePairEncoder(vocabularyFile: toy.vocabulary, mergesFile: unknown)
        }
        #expect(TokenizerError.badMerge(file: "merges.txt", line: 3, reason: "x").description == "merges.txt:3: x")
    }

    @Test("a file that is not byte-level BPE, not JSON, or not readable is refused with what was found")
    func notByteLevel() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let wordPiece = try dir.write("bert.json", text: #"{"model": {"type": "WordPiece", "vocab": {}}}"#)
        #expect(throws: TokenizerError.notByteLevelBPE(file: wordPiece, found: #"model.type is "WordPiece""#)) {
            try BytePairEncoder(tokenizerFile: wordPiece)
        }
        #expect(TokenizerError.notByteLevelBPE(file: "bert.json", found: #"model.type is "WordPiece""#).description
            == #"bert.json: not a byte-level BPE tokenizer: model.type is "WordPiece"; Shoal reads GPT-2-style tokenizers "#
            + "(a BPE model, a ByteLevel pre-tokenizer, no normalizer)")
        let metaspace = try dir.write("sp.json", text: ToyTokenizer.tokenizerJSON(preTokenizer: #"{"type": "Metaspace"}"#))
        #expect(throws: TokenizerError.notByteLevelBPE(file: metaspace, found: #"pre_tokenizer is "Metaspace""#)) {
            try BytePairEncoder(tokenizerFile: metaspace)
        }
        let prefix = try dir.write("prefix.json", text: ToyTokenizer.tokenizerJSON(
            preTokenizer: #"{"type": "ByteLevel", "add_prefix_space": true}"#))
        #expect(throws: TokenizerError.notByteLevelBPE(file: prefix, found: "pre_tokenizer.add_prefix_space is true (GPT-2 adds no space)")) {
            try BytePairEncoder(tokenizerFile: prefix)
        }
        let sentencePiece = try dir.write("vocab.json", text: #"{"▁a": 0}"#)
        let merges = try dir.write("merges.txt", text: "")
        #expect(throws: TokenizerError.notByteLevelBPE(file: sentencePiece, found: #"token "▁a" (id 0) has a character outside GPT-2's byte alphabet"#)) {
            try BytePairEncoder(vocabularyFile: sentencePiece, mergesFile: merges)
        }
        let noBytes = try dir.write("ab.json", text: #"{"a": 0, "b": 1}"#)
        #expect(throws: TokenizerError.notByteLevelBPE(file: noBytes, found: "byte 0x0 has no token")) {
            try BytePairEncoder(vocabularyFile: noBytes, mergesFile: merges)
        }
        let gap = try dir.write("gap.json", text: #"{"a": 0, "b": 2}"#)
        #expect(throws: TokenizerError.badVocabulary(file: gap, reason: "the ids are not 0..<3: no token has id 1")) {
            try BytePairEncoder(vocabularyFile: gap, mergesFile: merges)
        }
        let truncated = try dir.write("truncated.json", text: #"{"a": 0,"#)
        #expect(throws: TokenizerError.malformedJSON(file: truncated, reason: "expected a string key at byte 8")) {
            try BytePairEncoder(vocabularyFile: truncated, mergesFile: merges)
        }
        #expect(throws: TokenizerError.unreadable(file: dir.path + "/none.json", reason: "cannot open (No such file or directory)")) {
            try BytePairEncoder(tokenizerFile: dir.path + "/none.json")
        }
        #expect(throws: TokenizerError.unreadable(file: dir.path, reason: "not a regular file")) {
            try BytePairEncoder(tokenizerFile: dir.path)
        }
    }
}

/// A small byte-level BPE written as GPT-2's files and as a tokenizer.json: the 256 bytes as
/// ids 0–255 (byte b is id b), then he, ll, hell, hello, Ġw, yz, xy, xyz (ids 256–263) and <|endoftext|> (264).
enum ToyTokenizer {
    static let extra = ["he", "ll", "hell", "hello", "Ġw", "yz", "xy", "xyz", "<|endoftext|>"]
    static let merges = [("h", "e"), ("l", "l"), ("he", "ll"), ("hell", "o"), ("Ġ", "w"), ("y", "z"), ("x", "y"), ("xy", "z")]

    static func vocabularyJSON() -> String {
        let tokens = ByteLevelAlphabet.characters.map { String($0) } + extra
        return "{" + tokens.enumerated().map { "\(quoted($1)): \($0)" }.joined(separator: ", ") + "}"
    }

    static func gpt2Files() throws -> (directory: TemporaryDirectory, vocabulary: String, merges: String) {
        let directory = try TemporaryDirectory()
        let vocabulary = try directory.write("vocab.json", text: vocabularyJSON())
        let merges = try directory.write("merges.txt", text: "#version: 0.2\n" + Self.merges.map { "\($0) \($1)\n" }.joined())
        return (directory, vocabulary, merges)
    }

    static func tokenizerJSON(preTokenizer: String = #"{"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true}"#,
                              model: String = #""dropout": null"#, pairMerges: Bool = false) -> String {
        let merges = Self.merges.map { pairMerges ? "[\(quoted($0)), \(quoted($1))]" : quoted("\($0) \($1)") }
        return """
            {"version": "1.0", "truncation": null, "padding": null,
             "added_tokens": [{"id": 264, "content": "<|endoftext|>", "single_word": false, "lstrip": false, "rstrip": false,
                               "normalized": false, "special": true}],
             "normalizer": null, "pre_tokenizer": \(preTokenizer), "post_processor": null,
             "decoder": {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true},
             "model": {"type": "BPE", \(model), "vocab": \(vocabularyJSON()), "merges": [\(merges.joined(separator: ", "))]}}
            """
    }

    /// JSON's quoting for the alphabet's characters: only `"` and `\` need an escape.
    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
